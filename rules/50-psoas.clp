;;; 50-psoas.clp -- the psoas syndrome pattern (level `proceed`: treatable).
;;; Consumes: finding.  Produces: concern psoas_syndrome, its `because` listing the core
;;; pain, the postural sign and every supporting finding present.

(defrule CONCERNS::psoas-syndrome
  "[A][T] Low back, buttock or groin pain with pain on rising from sitting or difficulty
   standing fully upright."
  (finding (id ?pain&low_back_pain|buttock_pain|groin_pain) (value yes))
  (finding (id ?sign&pain_on_rising|difficulty_standing_upright) (value yes))
  =>
  (assert (concern (id psoas_syndrome) (because ?pain ?sign))))

(defrule CONCERNS::psoas-syndrome-support
  "[A][T] Findings that support the psoas pattern: sport and running, jumping exercise,
   a positive Thomas test, a tender psoas, a limp, pain refractory to treatment."
  (exists (concern (id psoas_syndrome)))
  (finding (id ?support&athlete|runner|jumping_sports|thomas_test_positive|psoas_tender|limp|not_improving)
           (value yes))
  =>
  (assert (concern (id psoas_syndrome) (because ?support))))
