;;; 30-refer.clp -- concerns that force the level `refer`: a physician within days to
;;; two weeks, no treatment of the area until cleared.
;;; Consumes: finding, pain-course, concern (for "when X does not fire").
;;; Produces: concern.  Here an `age >= N` condition needs a known age (principle P1,
;;; kb/principles.json); a sex condition holds for that sex or `other`.

;;; ---- cancer ------------------------------------------------------------------------------

(defrule CONCERNS::malignancy-history
  "[I][C] A history of cancer (when spinal metastasis or cord compression is not already
   suspected): possible spinal metastasis."
  (logical (finding (id cancer_history) (value yes))
           (not (concern (id spinal_metastasis)))
           (not (concern (id mscc))))
  =>
  (assert (concern (id malignancy) (because cancer_history))))

(defrule CONCERNS::malignancy-weight-loss
  "[I][C] Unexplained weight loss with back pain."
  (finding (id weight_loss) (value yes))
  =>
  (assert (concern (id malignancy) (because weight_loss))))

(defrule CONCERNS::malignancy-night-pain
  "[I][C] Pain that wakes the person with nothing easing it."
  (finding (id night_pain) (value yes))
  =>
  (assert (concern (id malignancy) (because night_pain))))

(defrule CONCERNS::malignancy-age-and-course
  "[I][C][NG12] At 50 or over, with pain that keeps getting worse, thoracic pain, or pain
   not improving after 4 weeks of treatment (new pain after 50 alone is not enough)."
  (or (finding (id ?sign&pain_worsening) (value yes))
      (finding (id ?sign&thoracic_pain) (value yes))
      (finding (id ?sign&not_improving) (value yes)))
  (finding (id age) (value ?a&:(>= ?a 50)))
  =>
  (assert (concern (id malignancy) (because "age>=50" ?sign))))

(defrule CONCERNS::malignancy-two-signs
  "[I][C][NG12] Two of: pain that keeps getting worse, thoracic pain, pain not improving
   after 4 weeks of treatment."
  (or (finding (id ?one&pain_worsening) (value yes))
      (finding (id ?one&thoracic_pain) (value yes))
      (finding (id ?one&not_improving) (value yes)))
  (or (finding (id ?two&pain_worsening) (value yes))
      (finding (id ?two&thoracic_pain) (value yes))
      (finding (id ?two&not_improving) (value yes)))
  (test (> (str-compare ?two ?one) 0))
  =>
  (assert (concern (id malignancy) (because ?one ?two))))

(defrule CONCERNS::colon-cancer-bleeding
  "[A][N12] Rectal bleeding."
  (finding (id rectal_bleeding) (value yes))
  =>
  (assert (concern (id colon_cancer) (because rectal_bleeding))))

(defrule CONCERNS::colon-cancer-habit-age
  "[A][N12] A lasting change in bowel habit at 50 or over."
  (finding (id bowel_habit_change) (value yes))
  (finding (id age) (value ?a&:(>= ?a 50)))
  =>
  (assert (concern (id colon_cancer) (because bowel_habit_change "age>=50"))))

(defrule CONCERNS::colon-cancer-habit-weight
  "[A][N12] A lasting change in bowel habit with weight loss."
  (finding (id bowel_habit_change) (value yes))
  (finding (id weight_loss) (value yes))
  =>
  (assert (concern (id colon_cancer) (because bowel_habit_change weight_loss))))

(defrule CONCERNS::haematuria
  "[NG12] Visible blood in the urine at 45 or over: a urological cancer referral."
  (finding (id blood_in_urine) (value yes))
  (finding (id age) (value ?a&:(>= ?a 45)))
  =>
  (assert (concern (id haematuria) (because blood_in_urine "age>=45"))))

;;; ---- the abdomen, the pelvis, the kidney ------------------------------------------------

(defrule CONCERNS::diverticular-disease
  "[A] Left lower abdominal pain with a change in bowel habit and no fever."
  (finding (id left_lower_abdominal_pain) (value yes))
  (finding (id bowel_habit_change) (value yes))
  (not (finding (id fever) (value yes)))
  =>
  (assert (concern (id diverticulitis) (because left_lower_abdominal_pain bowel_habit_change))))

(defrule CONCERNS::prostatitis
  "[A] Perineal pain or painful urination in a man without fever."
  (or (finding (id ?sign&perineal_pain) (value yes))
      (finding (id ?sign&painful_urination) (value yes)))
  (finding (id sex) (value ?sex&male|other))
  (not (finding (id fever) (value yes)))
  =>
  (assert (concern (id prostatitis) (because (str-cat "sex=" ?sex) ?sign))))

(defrule CONCERNS::hernia
  "[A][H] A groin lump that is not hard, painful and stuck out: inguinal or femoral hernia."
  (finding (id groin_lump) (value yes))
  (not (finding (id groin_lump_irreducible) (value yes)))
  =>
  (assert (concern (id hernia) (because groin_lump))))

(defrule CONCERNS::kidney-cause
  "[K] Steady side pain with frequent or painful urination or blood in the urine: a kidney
   infection or stone."
  (finding (id flank_pain) (value yes))
  (or (finding (id ?sign&urinary_frequency) (value yes))
      (finding (id ?sign&painful_urination) (value yes))
      (finding (id ?sign&blood_in_urine) (value yes)))
  =>
  (assert (concern (id kidney_cause) (because flank_pain ?sign))))

(defrule CONCERNS::abdominal-cause-right
  "[P] Lower right belly pain (when appendicitis is not already suspected): a doctor should
   examine the abdomen."
  (logical (finding (id right_lower_abdominal_pain) (value yes))
           (not (concern (id appendicitis))))
  =>
  (assert (concern (id abdominal_cause) (because right_lower_abdominal_pain))))

(defrule CONCERNS::abdominal-cause-inner-thigh
  "[L] Inner-thigh pain at 65 or over: an obturator hernia (typically a thin older woman)
   until a doctor has examined."
  (finding (id medial_thigh_pain) (value yes))
  (finding (id age) (value ?a&:(>= ?a 65)))
  =>
  (assert (concern (id abdominal_cause) (because medial_thigh_pain "age>=65"))))

;;; ---- infection risk ----------------------------------------------------------------------

(defrule CONCERNS::spinal-infection-risk
  "[F] New back, side, groin or buttock pain after injecting drugs, in immunosuppression or
   after a spinal procedure (when spinal infection is not already suspected)."
  (logical (or (finding (id ?risk&injection_drug_use) (value yes))
               (finding (id ?risk&immunocompromised) (value yes))
               (finding (id ?risk&recent_spinal_procedure) (value yes)))
           (not (concern (id spinal_infection))))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&thoracic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes)))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id spinal_infection_risk) (because ?risk ?site $?course))))

;;; ---- bone and joints ---------------------------------------------------------------------

(defrule CONCERNS::stress-fracture
  "[R] An athlete, runner or jumper with groin, hip, buttock, pelvic or thigh pain and pain
   on taking weight, night pain or a bone-stress risk (when a femoral neck stress
   fracture is not already suspected): a bone stress injury."
  (logical (or (finding (id ?sport&athlete) (value yes))
               (finding (id ?sport&runner) (value yes))
               (finding (id ?sport&jumping_sports) (value yes)))
           (not (concern (id femoral_neck_stress))))
  (or (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&medial_thigh_pain) (value yes))
      (finding (id ?site&thigh_symptoms) (value yes)))
  (or (finding (id ?sign&weight_bearing_pain) (value yes))
      (finding (id ?sign&night_pain) (value yes))
      (finding (id ?sign&bone_stress_risk) (value yes)))
  =>
  (assert (concern (id stress_fracture) (because ?sport ?site ?sign))))

(defrule CONCERNS::insufficiency-fracture
  "[I][F] Thin bones (or 70 or over) with new groin, hip, buttock or thigh pain on taking
   weight, without an injury that already suggests a fracture: an insufficiency fracture
   of the pelvis, sacrum or hip."
  (logical (or (finding (id ?risk&osteoporosis_or_steroids) (value yes))
               (finding (id ?risk&age) (value ?a&:(>= ?a 70))))
           (not (concern (id fracture))))
  (or (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&thigh_symptoms) (value yes))
      (finding (id ?site&medial_thigh_pain) (value yes)))
  (finding (id weight_bearing_pain) (value yes))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id insufficiency_fracture)
                   (because (if (eq ?risk age) then "age>=70" else ?risk) ?site weight_bearing_pain $?course))))

(defrule CONCERNS::fracture-minor
  "[I][C] An injury at 50 or over, or with a limp or pain on taking weight (when a fracture
   is not already suspected): possible fracture, to be excluded before treatment."
  (logical (finding (id recent_trauma) (value yes))
           (not (concern (id fracture))))
  (or (finding (id ?sign&limp) (value yes))
      (finding (id ?sign&weight_bearing_pain) (value yes))
      (finding (id ?sign&age) (value ?a&:(>= ?a 50))))
  =>
  (assert (concern (id fracture_minor) (because recent_trauma (if (eq ?sign age) then "age>=50" else ?sign)))))

(defrule CONCERNS::hip-arthritis-atypical
  "[N226] Hip arthritis whose pain keeps getting worse or wakes the person at night: not
   the usual course of osteoarthritis; a doctor should look for another cause."
  (finding (id groin_pain) (value yes))
  (finding (id age) (value ?a&:(>= ?a 45)))
  (or (finding (id ?sign&hip_stiffness_morning) (value yes))
      (finding (id ?sign&pain_on_hip_rotation) (value yes)))
  (or (finding (id ?course&pain_worsening) (value yes))
      (finding (id ?course&night_pain) (value yes)))
  =>
  (assert (concern (id hip_arthritis_atypical) (because groin_pain "age>=45" ?sign ?course))))

(defrule CONCERNS::prosthetic-hip
  "[OP] New groin pain with a hip replacement: loosening, infection or a fracture around
   the implant (orthopaedic practice: the surgeon's team sees it)."
  (finding (id hip_replacement) (value yes))
  (finding (id groin_pain) (value yes))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id prosthetic_hip) (because hip_replacement groin_pain $?course))))

;;; ---- inflammation, arteries --------------------------------------------------------------

(defrule CONCERNS::pmr
  "[PMR] New aching and stiffness of both hips or shoulders with long morning stiffness
   (when giant cell arteritis is not suspected): polymyalgia rheumatica."
  (logical (finding (id bilateral_hip_aching) (value yes))
           (finding (id morning_stiffness_long) (value yes))
           (not (concern (id gca))))
  =>
  (assert (concern (id pmr) (because bilateral_hip_aching morning_stiffness_long))))

(defrule CONCERNS::claudication
  "[CG147] Buttock, thigh or calf pain on walking that eases on standing still, in a smoker,
   a diabetic or a person with vascular risk: peripheral arterial disease."
  (finding (id walking_pain_eases_standing) (value yes))
  (or (finding (id ?risk&smoker) (value yes))
      (finding (id ?risk&diabetes) (value yes))
      (finding (id ?risk&vascular_risk) (value yes)))
  =>
  (assert (concern (id claudication) (because walking_pain_eases_standing ?risk))))

;;; ---- the rest of the original table -------------------------------------------------

(defrule CONCERNS::refractory-pain
  "[A][T] Pain not improving despite four weeks or more of treatment, not yet examined by a
   doctor."
  (finding (id not_improving) (value yes))
  (not (finding (id doctor_assessed) (value yes)))
  =>
  (assert (concern (id refractory_pain) (because not_improving "no doctor_assessed"))))

(defrule CONCERNS::aaa-screening
  "[N156] Aortic pulsation felt at 65 or over in a man or a smoker: aneurysm screening."
  (finding (id palpation_pulsation) (value yes))
  (finding (id age) (value ?a&:(>= ?a 65)))
  (or (finding (id ?risk&smoker) (value yes))
      (finding (id ?risk&sex) (value male|other)))
  =>
  (assert (concern (id aaa_screening)
                   (because palpation_pulsation "age>=65" (if (eq ?risk sex) then "sex=male" else ?risk)))))

(defrule CONCERNS::young-patient
  "[C] Back pain in a child under 16."
  (finding (id age) (value ?a&:(< ?a 16)))
  =>
  (assert (concern (id young_patient) (because "age<16"))))
