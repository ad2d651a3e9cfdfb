;;; 05-course.clp -- facts derived once from the findings, before the concerns: the
;;; course of the pain (principle P3 (kb/principles.json)) and whether the psoas is
;;; quiet enough for a release indication (principle 4).
;;; Consumes: finding.  Produces: pain-course, psoas-not-quiet.
;;;   `new` pain: symptom_weeks < 6, or symptom_weeks unknown, or pain_worsening.
;;;   `recent` pain: symptom_weeks < 6 (known), or pain_worsening -- used where counting an
;;;   unknown duration as new would send ordinary clients away.

(defrule COURSE::by-weeks
  "[F] Pain known to have lasted less than 6 weeks is new and recent."
  (finding (id symptom_weeks) (value ?w&:(< ?w 6)))
  =>
  (assert (pain-course (kind new) (because "symptom_weeks<6"))
          (pain-course (kind recent) (because "symptom_weeks<6"))))

(defrule COURSE::new-by-unknown-weeks
  "[F] Pain of unknown duration counts as new."
  (not (finding (id symptom_weeks)))
  =>
  (assert (pain-course (kind new) (because "symptom_weeks unknown"))))

(defrule COURSE::worsening
  "[F] Pain that keeps getting worse is new and recent, whatever its duration."
  (finding (id pain_worsening) (value yes))
  =>
  (assert (pain-course (kind new) (because pain_worsening))
          (pain-course (kind recent) (because pain_worsening))))

(defrule COURSE::psoas-not-quiet
  "[L][F] A blood thinner, leg weakness, worsening pain or pain that wakes: the thigh and
   hip signs may come from a bleed, abscess, tumour or aneurysm in the psoas, so no
   release indication is reported (principle 4)."
  (or (finding (id ?sign&anticoagulants) (value yes))
      (finding (id ?sign&leg_weakness) (value yes))
      (finding (id ?sign&pain_worsening) (value yes))
      (finding (id ?sign&night_pain) (value yes)))
  =>
  (assert (psoas-not-quiet (because ?sign))))
