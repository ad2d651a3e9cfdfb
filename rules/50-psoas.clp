;;; 50-psoas.clp -- the psoas syndrome pattern (level `proceed`: treatable).
;;; Consumes: finding.  Produces: concern psoas_syndrome, its `because` listing the core
;;; pain, the postural sign and every supporting finding present.

(defrule CONCERNS::psoas-syndrome
  "[A][T] Low back, buttock or groin pain with pain on rising from sitting or difficulty
   standing fully upright."
  (or (finding (id ?pain&low_back_pain) (value yes))
      (finding (id ?pain&buttock_pain) (value yes))
      (finding (id ?pain&groin_pain) (value yes)))
  (or (finding (id ?sign&pain_on_rising) (value yes))
      (finding (id ?sign&difficulty_standing_upright) (value yes)))
  =>
  (assert (concern (id psoas_syndrome) (because ?pain ?sign))))

(defrule CONCERNS::psoas-syndrome-support
  "[A][T] Findings that support the psoas pattern: sport and running, jumping exercise,
   a positive Thomas test, a tender psoas, a limp, pain refractory to treatment."
  (exists (concern (id psoas_syndrome)))
  (or (finding (id ?support&athlete) (value yes))
      (finding (id ?support&runner) (value yes))
      (finding (id ?support&jumping_sports) (value yes))
      (finding (id ?support&thomas_test_positive) (value yes))
      (finding (id ?support&psoas_tender) (value yes))
      (finding (id ?support&limp) (value yes))
      (finding (id ?support&not_improving) (value yes)))
  =>
  (assert (concern (id psoas_syndrome) (because ?support))))
