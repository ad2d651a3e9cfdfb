;;; 20-urgent.clp -- concerns that force the level `urgent`: a physician the same day.
;;; Consumes: finding, pain-course, concern (for "when X does not fire").
;;; Produces: concern.  An `age >= N` condition here holds while the age is unknown; an
;;; `age < N` condition needs a known age; a sex condition holds for that sex or `other`
;;; (principles P1 and P2 (kb/principles.json)).  "When X does not fire" is written
;;; (logical (finding ...) (not (concern (id X)))), so the concern goes again if X is
;;; concluded later (the finding first: see 00-base.clp).

;;; ---- the aorta -------------------------------------------------------------------------

(defrule CONCERNS::aaa-pulsatile-mass
  "[N156] A pulsatile abdominal mass, felt by the patient or the therapist."
  (or (finding (id ?mass&abdominal_pulsation) (value yes))
      (finding (id ?mass&pulsation_expansile) (value yes)))
  =>
  (assert (concern (id aaa) (because ?mass))))

(defrule CONCERNS::aaa-first-colic-after-55
  "[N156][K] A first 'renal colic' at 55 or over (or of unknown age) is an aneurysm until
   shown otherwise."
  (finding (id flank_pain_waves) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 55))))
  =>
  (assert (concern (id aaa) (because flank_pain_waves (age-at-least 55)))))

(defrule CONCERNS::aaa-known-with-pain
  "[N156] A known aneurysm with back, groin, buttock, pelvic, side or lower-left belly pain
   that is not recent: it may be symptomatic, a same-day vascular assessment (recent pain
   is `aaa_rupture`)."
  (logical (finding (id known_aaa) (value yes))
           (not (pain-course (kind recent))))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&flank_pain_waves) (value yes))
      (finding (id ?site&left_lower_abdominal_pain) (value yes)))
  =>
  (assert (concern (id aaa) (because known_aaa ?site))))

(defrule CONCERNS::aaa-worsening-pain-at-risk
  "[N156] At 60 or over (or of unknown age), a man, a smoker or a person with vascular risk
   whose new back, side, groin or buttock pain keeps getting worse: an expanding aneurysm."
  (finding (id pain_worsening) (value yes))
  (or (finding (id ?risk&smoker) (value yes))
      (finding (id ?risk&vascular_risk) (value yes))
      (finding (id ?risk&sex) (value male|other)))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes)))
  (not (finding (id age) (value ?a&:(< ?a 60))))
  (not (finding (id symptom_weeks) (value ?w&:(>= ?w 6))))
  =>
  (assert (concern (id aaa) (because (age-at-least 60) (if (eq ?risk sex) then "sex=male" else ?risk)
                                     ?site pain_worsening))))

;;; ---- infection ---------------------------------------------------------------------------

(defrule CONCERNS::psoas-abscess
  "[A][I] Fever in an immunocompromised or otherwise at-risk person with back, groin,
   buttock or hip-flexor signs: psoas abscess or spinal infection."
  (finding (id fever) (value yes))
  (or (finding (id ?risk&immunocompromised) (value yes))
      (finding (id ?risk&diabetes) (value yes))
      (finding (id ?risk&injection_drug_use) (value yes))
      (finding (id ?risk&inflammatory_bowel_disease) (value yes)))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&limp) (value yes))
      (finding (id ?site&psoas_sign) (value yes)))
  =>
  (assert (concern (id psoas_abscess) (because fever ?risk ?site))))

(defrule CONCERNS::infection
  "[A][I][C] Any fever with this pain is a same-day matter."
  (finding (id fever) (value yes))
  =>
  (assert (concern (id infection) (because fever))))

(defrule CONCERNS::spinal-infection
  "[F][A] New back, side, groin or buttock pain (or a limp or psoas sign) in a person at
   risk of infection who feels unwell, whose pain keeps worsening or wakes them: spinal
   infection or psoas abscess, which is often afebrile."
  (or (finding (id ?risk&injection_drug_use) (value yes))
      (finding (id ?risk&immunocompromised) (value yes))
      (finding (id ?risk&recent_spinal_procedure) (value yes))
      (finding (id ?risk&recent_infection) (value yes))
      (finding (id ?risk&diabetes) (value yes)))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&thoracic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&limp) (value yes))
      (finding (id ?site&psoas_sign) (value yes)))
  (pain-course (kind new) (because $?course))
  (or (finding (id ?sign&feeling_unwell) (value yes))
      (finding (id ?sign&pain_worsening) (value yes))
      (finding (id ?sign&night_pain) (value yes)))
  =>
  (assert (concern (id spinal_infection) (because ?risk ?site $?course ?sign))))

(defrule CONCERNS::pid
  "[A][B] Pelvic pain in a woman with abnormal discharge or fever: pelvic inflammatory
   disease (salpingitis)."
  (finding (id pelvic_pain) (value yes))
  (finding (id sex) (value ?sex&female|other))
  (or (finding (id ?sign&abnormal_vaginal_discharge) (value yes))
      (finding (id ?sign&fever) (value yes)))
  =>
  (assert (concern (id pid) (because (str-cat "sex=" ?sex) pelvic_pain ?sign))))

(defrule CONCERNS::prostatitis-acute
  "[A] Fever in a man with perineal pain or painful urination: acute prostatitis."
  (finding (id fever) (value yes))
  (finding (id sex) (value ?sex&male|other))
  (or (finding (id ?sign&perineal_pain) (value yes))
      (finding (id ?sign&painful_urination) (value yes)))
  =>
  (assert (concern (id prostatitis_acute) (because (str-cat "sex=" ?sex) fever ?sign))))

(defrule CONCERNS::diverticulitis-acute
  "[A] Left lower abdominal pain with fever: acute diverticulitis."
  (finding (id left_lower_abdominal_pain) (value yes))
  (finding (id fever) (value yes))
  =>
  (assert (concern (id diverticulitis_acute) (because left_lower_abdominal_pain fever))))

;;; ---- nerves, the kidney ------------------------------------------------------------------

(defrule CONCERNS::neuro-deficit
  "[I][C] New or progressive weakness in a leg or foot."
  (finding (id leg_weakness) (value yes))
  =>
  (assert (concern (id neuro_deficit) (because leg_weakness))))

(defrule CONCERNS::kidney-stone
  "[A][K] Waves of loin pain radiating to the groin: ureteric colic (blood in the urine
   supports it)."
  (finding (id flank_pain_waves) (value yes))
  =>
  (assert (concern (id kidney_stone) (because flank_pain_waves))))

(defrule CONCERNS::kidney-stone-haematuria
  "[K] Blood in the urine supports a stone in a person with colicky loin pain."
  (finding (id flank_pain_waves) (value yes))
  (finding (id blood_in_urine) (value yes))
  =>
  (assert (concern (id kidney_stone) (because flank_pain_waves blood_in_urine))))

;;; ---- pregnancy, the abdomen, the testes -----------------------------------------------

(defrule CONCERNS::pregnancy-bleeding
  "[NG126][B] Bleeding in (possible) pregnancy: ectopic pregnancy or miscarriage."
  (finding (id pregnant) (value yes))
  (finding (id vaginal_bleeding) (value yes))
  =>
  (assert (concern (id pregnancy_pain) (because pregnant vaginal_bleeding))))

(defrule CONCERNS::pregnancy-pain
  "[NG126][B] New pelvic, groin or lower belly pain in (possible) pregnancy: ectopic
   pregnancy until shown otherwise."
  (finding (id pregnant) (value yes))
  (pain-course (kind new) (because $?course))
  (or (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&right_lower_abdominal_pain) (value yes))
      (finding (id ?site&left_lower_abdominal_pain) (value yes)))
  =>
  (assert (concern (id pregnancy_pain) (because pregnant ?site $?course))))

(defrule CONCERNS::acute-abdomen
  "[P][H][L] Nausea or vomiting with groin, inner-thigh, pelvic, side or lower belly pain:
   appendicitis, an obstructed (obturator) hernia, torsion or a kidney problem."
  (finding (id nausea_vomiting) (value yes))
  (or (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&medial_thigh_pain) (value yes))
      (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&right_lower_abdominal_pain) (value yes))
      (finding (id ?site&left_lower_abdominal_pain) (value yes)))
  =>
  (assert (concern (id acute_abdomen) (because nausea_vomiting ?site))))

(defrule CONCERNS::appendicitis
  "[P] Lower right belly pain with fever, nausea, a psoas sign or pain that keeps getting
   worse: appendicitis (a retrocaecal appendix irritates the psoas)."
  (finding (id right_lower_abdominal_pain) (value yes))
  (or (finding (id ?sign&fever) (value yes))
      (finding (id ?sign&nausea_vomiting) (value yes))
      (finding (id ?sign&psoas_sign) (value yes))
      (finding (id ?sign&pain_worsening) (value yes)))
  =>
  (assert (concern (id appendicitis) (because right_lower_abdominal_pain ?sign))))

(defrule CONCERNS::testicular
  "[S] A painful or swollen testicle (when torsion is not suspected): epididymo-orchitis
   or torsion still to be excluded the same day."
  (logical (finding (id testicular_pain) (value yes))
           (not (concern (id testicular_torsion))))
  =>
  (assert (concern (id testicular) (because testicular_pain))))

;;; ---- bleeding, clots, arteries -----------------------------------------------------------

(defrule CONCERNS::bleed-on-anticoagulant
  "[L] New groin, hip, side or thigh pain, or leg weakness, on a blood thinner: an
   iliopsoas or retroperitoneal bleed until shown otherwise."
  (finding (id anticoagulants) (value yes))
  (or (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&thigh_symptoms) (value yes))
      (finding (id ?site&medial_thigh_pain) (value yes))
      (finding (id ?site&leg_weakness) (value yes)))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id bleed_on_anticoagulant) (because anticoagulants ?site $?course))))

(defrule CONCERNS::dvt
  "[NG158] One leg swollen, warm, red or tender: deep vein thrombosis (no massage of that
   leg)."
  (finding (id leg_swelling_one_side) (value yes))
  =>
  (assert (concern (id dvt) (because leg_swelling_one_side))
          (precaution (id no_massage_of_that_leg))))

(defrule CONCERNS::gca
  "[PMR] New headache, jaw pain on chewing or visual change after 50: giant cell arteritis."
  (finding (id gca_symptoms) (value yes))
  =>
  (assert (concern (id gca) (because gca_symptoms))))

;;; ---- bone -----------------------------------------------------------------------------

(defrule CONCERNS::fracture-old-age
  "[I][C] Trauma at 70 or over (or of unknown age): possible fracture."
  (finding (id recent_trauma) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 70))))
  =>
  (assert (concern (id fracture) (because recent_trauma (age-at-least 70)))))

(defrule CONCERNS::fracture-fragile-bone
  "[I][C] Trauma in a person with osteoporosis or on long-term steroids: possible fracture."
  (finding (id recent_trauma) (value yes))
  (finding (id osteoporosis_or_steroids) (value yes))
  =>
  (assert (concern (id fracture) (because recent_trauma osteoporosis_or_steroids))))

(defrule CONCERNS::cannot-bear-weight
  "[I][Ch] Unable to stand or walk on the leg: a fracture, a septic hip or, in a child, a
   slipped epiphysis."
  (finding (id unable_to_bear_weight) (value yes))
  =>
  (assert (concern (id cannot_bear_weight) (because unable_to_bear_weight))))

(defrule CONCERNS::child-hip
  "[Ch] A child or teenager under 18 with a limp, or hip, groin, thigh or knee pain:
   slipped upper femoral epiphysis (up to about 17), Perthes disease or a septic hip."
  (finding (id age) (value ?a&:(< ?a 18)))
  (or (finding (id ?site&limp) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes))
      (finding (id ?site&medial_thigh_pain) (value yes))
      (finding (id ?site&thigh_symptoms) (value yes))
      (finding (id ?site&knee_pain) (value yes)))
  =>
  (assert (concern (id child_hip) (because "age<18" ?site))))

(defrule CONCERNS::femoral-neck-stress
  "[R] An athlete, runner or jumper with groin or hip pain and a limp or pain on taking
   weight: a femoral neck stress fracture, which can displace."
  (or (finding (id ?sport&athlete) (value yes))
      (finding (id ?sport&runner) (value yes))
      (finding (id ?sport&jumping_sports) (value yes)))
  (or (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes)))
  (or (finding (id ?sign&limp) (value yes))
      (finding (id ?sign&weight_bearing_pain) (value yes)))
  =>
  (assert (concern (id femoral_neck_stress) (because ?sport ?site ?sign))))

;;; ---- cancer, sudden pain ---------------------------------------------------------------

(defrule CONCERNS::spinal-metastasis
  "[NG234] A history of cancer with thoracic pain, pain that wakes and nothing eases, or
   pain that keeps getting worse: spinal metastases (NICE: an MRI within a week; seen the
   same day here, as a massage clinic cannot arrange it)."
  (finding (id cancer_history) (value yes))
  (or (finding (id ?sign&thoracic_pain) (value yes))
      (finding (id ?sign&night_pain) (value yes))
      (finding (id ?sign&pain_worsening) (value yes)))
  =>
  (assert (concern (id spinal_metastasis) (because cancer_history ?sign))))

(defrule CONCERNS::acute-severe-pain
  "[I][C] Sudden severe pain that did not begin with a lift or a twist (sudden pain that
   began with a lift or twist is ordinary acute back pain unless another row fires)."
  (finding (id sudden_severe_pain) (value yes))
  (not (finding (id mechanical_onset) (value yes)))
  =>
  (assert (concern (id acute_severe_pain) (because sudden_severe_pain "no mechanical_onset"))))
