;;; 20-urgent.clp -- concerns that force the level `urgent`: a physician the same day.
;;; Consumes: finding.  Produces: concern.

(defrule CONCERNS::aaa-pulsatile-mass
  "[N156] A pulsatile abdominal mass, felt by the patient or the therapist."
  (finding (id ?mass&abdominal_pulsation|pulsation_expansile) (value yes))
  =>
  (assert (concern (id aaa) (because ?mass))))

(defrule CONCERNS::aaa-first-colic-after-55
  "[N156][K] A first 'renal colic' at 55 or over is an aneurysm until shown otherwise."
  (finding (id flank_pain_waves) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 55)))
  =>
  (assert (concern (id aaa) (because flank_pain_waves "age>=55"))))

(defrule CONCERNS::psoas-abscess
  "[A][I] Fever in an immunocompromised or otherwise at-risk person with back, groin,
   buttock or hip-flexor signs: psoas abscess or spinal infection."
  (finding (id fever) (value yes))
  (finding (id ?risk&immunocompromised|diabetes|injection_drug_use|inflammatory_bowel_disease)
           (value yes))
  (finding (id ?site&low_back_pain|groin_pain|buttock_pain|limp|psoas_sign) (value yes))
  =>
  (assert (concern (id psoas_abscess) (because fever ?risk ?site))))

(defrule CONCERNS::infection
  "[A][I][C] Any fever with this pain is a same-day matter."
  (finding (id fever) (value yes))
  =>
  (assert (concern (id infection) (because fever))))

(defrule CONCERNS::neuro-deficit
  "[I][C] New or progressive weakness in a leg or foot."
  (finding (id leg_weakness) (value yes))
  =>
  (assert (concern (id neuro_deficit) (because leg_weakness))))

(defrule CONCERNS::kidney-stone
  "[A][K] Waves of loin pain radiating to the groin: ureteric colic."
  (finding (id flank_pain_waves) (value yes))
  =>
  (assert (concern (id kidney_stone) (because flank_pain_waves))))

(defrule CONCERNS::kidney-stone-haematuria
  "[K] Blood in the urine supports a stone in a person with colicky loin pain."
  (finding (id flank_pain_waves) (value yes))
  (finding (id blood_in_urine) (value yes))
  =>
  (assert (concern (id kidney_stone) (because flank_pain_waves blood_in_urine))))

(defrule CONCERNS::pid
  "[A][B] Pelvic pain in a woman with abnormal discharge or fever: pelvic inflammatory
   disease (salpingitis)."
  (finding (id sex) (value female))
  (finding (id pelvic_pain) (value yes))
  (finding (id ?sign&abnormal_vaginal_discharge|fever) (value yes))
  =>
  (assert (concern (id pid) (because "sex=female" pelvic_pain ?sign))))

(defrule CONCERNS::prostatitis-acute
  "[A] Fever in a man with perineal pain or painful urination: acute prostatitis."
  (finding (id sex) (value male))
  (finding (id fever) (value yes))
  (finding (id ?sign&perineal_pain|painful_urination) (value yes))
  =>
  (assert (concern (id prostatitis_acute) (because "sex=male" fever ?sign))))

(defrule CONCERNS::diverticulitis-acute
  "[A] Left lower abdominal pain with fever: acute diverticulitis."
  (finding (id left_lower_abdominal_pain) (value yes))
  (finding (id fever) (value yes))
  =>
  (assert (concern (id diverticulitis_acute) (because left_lower_abdominal_pain fever))))

(defrule CONCERNS::pregnancy-pain
  "[B] Pelvic pain in a person who is or may be pregnant (ectopic pregnancy, miscarriage)."
  (finding (id pregnant) (value yes))
  (finding (id pelvic_pain) (value yes))
  =>
  (assert (concern (id pregnancy_pain) (because pregnant pelvic_pain))))

(defrule CONCERNS::fracture-old-age
  "[I][C] Trauma at 70 or over: possible fracture."
  (finding (id recent_trauma) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 70)))
  =>
  (assert (concern (id fracture) (because recent_trauma "age>=70"))))

(defrule CONCERNS::fracture-fragile-bone
  "[I][C] Trauma in a person with osteoporosis or on long-term steroids: possible fracture."
  (finding (id recent_trauma) (value yes))
  (finding (id osteoporosis_or_steroids) (value yes))
  =>
  (assert (concern (id fracture) (because recent_trauma osteoporosis_or_steroids))))

(defrule CONCERNS::acute-severe-pain
  "[N156][I] Sudden, severe or tearing pain, or fainting or clammy sweats with the pain,
   on its own (added to the CLINICAL.md table, which raises nothing for either alone)."
  (finding (id ?sign&sudden_severe_pain|collapse) (value yes))
  =>
  (assert (concern (id acute_severe_pain) (because ?sign))))

(defrule CONCERNS::aaa-known-with-pain
  "[N156] A known aneurysm with back, abdominal, groin or buttock pain may be symptomatic:
   same-day vascular assessment (added to the CLINICAL.md table, where a known aneurysm
   alone is only a caution)."
  (finding (id known_aaa) (value yes))
  (finding (id ?pain&low_back_pain|groin_pain|buttock_pain|pelvic_pain|flank_pain_waves|left_lower_abdominal_pain)
           (value yes))
  =>
  (assert (concern (id aaa) (because known_aaa ?pain))))
