;;; 60-precautions.clp -- precautions implied by concerns and findings.
;;; Consumes: concern, finding; host function concern-at-least.  Produces:
;;; precaution.  (Precautions that belong to one caution concern are asserted with it,
;;; 40-caution.clp; dvt's with dvt, 20-urgent.clp.)

(defrule PRECAUTIONS::not-until-cleared
  "[I][C] Any concern of level refer or above: no treatment until a physician has cleared it."
  (exists (concern (id ?id&:(concern-at-least ?id refer))))
  =>
  (assert (precaution (id no_treatment_until_cleared))))

(defrule PRECAUTIONS::abdomen-off-limits
  "[N156][H][P][L] A possible aneurysm or dissection, hernia, acute abdomen, appendicitis,
   bleed or spinal infection: no deep abdominal work."
  (or (concern (id hernia))
      (concern (id aaa))
      (concern (id aaa_screening))
      (concern (id acute_abdomen))
      (concern (id appendicitis))
      (concern (id bleed_on_anticoagulant))
      (concern (id spinal_infection))
      (concern (id aortic_dissection)))
  =>
  (assert (precaution (id no_deep_abdominal_work))))

(defrule PRECAUTIONS::febrile
  "[M] No massage while febrile."
  (finding (id fever) (value yes))
  =>
  (assert (precaution (id no_treatment_while_febrile))))
