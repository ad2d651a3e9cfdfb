;;; 60-precautions.clp -- precautions implied by concerns and findings.
;;; Consumes: concern, finding; host function concern-level.  Produces: precaution.
;;; (Precautions that belong to one caution concern are asserted with it, 40-caution.clp.)

(defrule PRECAUTIONS::not-until-cleared
  "[I][C] Any concern of level refer or above: no treatment until a physician has cleared it."
  (exists (concern (id ?id&:(<= (severity (concern-level ?id)) (severity refer)))))
  =>
  (assert (precaution (id no_treatment_until_cleared))))

(defrule PRECAUTIONS::abdomen-off-limits
  "[N156][H] Possible aneurysm or hernia: no deep abdominal work."
  (exists (concern (id hernia|aaa|aaa_screening)))
  =>
  (assert (precaution (id no_deep_abdominal_work))))

(defrule PRECAUTIONS::febrile
  "[M] No massage while febrile."
  (finding (id fever) (value yes))
  =>
  (assert (precaution (id no_treatment_while_febrile))))
