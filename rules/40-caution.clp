;;; 40-caution.clp -- concerns that allow treatment with a precaution (level `caution`).
;;; Consumes: finding, concern (for "when X does not fire").  Produces: concern, precaution.

(defrule CONCERNS::radiculopathy
  "[I] Leg pain below the knee: nerve-root pain; refer if it is not improving."
  (finding (id leg_pain) (value yes))
  (finding (id pain_below_knee) (value yes))
  =>
  (assert (concern (id radiculopathy) (because leg_pain pain_below_knee))
          (precaution (id refer_if_not_improving))))

(defrule CONCERNS::pregnancy
  "[M] Pregnancy, or possible pregnancy: no deep abdominal work."
  (finding (id pregnant) (value yes))
  =>
  (assert (concern (id pregnancy) (because pregnant))
          (precaution (id no_deep_abdominal_work))))

(defrule CONCERNS::anticoagulated
  "[M] Blood thinners: bruising and bleeding risk, gentle pressure only, no deep abdominal
   work (deep psoas work can start an iliopsoas bleed)."
  (finding (id anticoagulants) (value yes))
  =>
  (assert (concern (id anticoagulated) (because anticoagulants))
          (precaution (id gentle_pressure_only))
          (precaution (id no_deep_abdominal_work))))

(defrule CONCERNS::recent-surgery
  "[M] Abdominal or pelvic surgery in the last three months: no deep abdominal work."
  (finding (id recent_abdominal_surgery) (value yes))
  =>
  (assert (concern (id recent_surgery) (because recent_abdominal_surgery))
          (precaution (id no_deep_abdominal_work))))

(defrule CONCERNS::bowel-inflammation
  "[M] Crohn's disease or ulcerative colitis: no deep abdominal work."
  (finding (id inflammatory_bowel_disease) (value yes))
  =>
  (assert (concern (id bowel_inflammation) (because inflammatory_bowel_disease))
          (precaution (id no_deep_abdominal_work))))

(defrule CONCERNS::known-aneurysm
  "[N156] A known aortic aneurysm: never press deep over the abdomen."
  (finding (id known_aaa) (value yes))
  =>
  (assert (concern (id known_aneurysm) (because known_aaa))
          (precaution (id no_deep_abdominal_work))))

(defrule CONCERNS::fragile-bone
  "[M] Osteoporosis or long-term steroids: gentle pressure only, no deep abdominal work."
  (finding (id osteoporosis_or_steroids) (value yes))
  =>
  (assert (concern (id fragile_bone) (because osteoporosis_or_steroids))
          (precaution (id gentle_pressure_only))
          (precaution (id no_deep_abdominal_work))))

(defrule CONCERNS::aortic-pulse-felt
  "[A] A pulse under the fingertips during psoas palpation is the aorta: move lateral."
  (finding (id palpation_pulsation) (value yes))
  =>
  (assert (concern (id aortic_pulse_felt) (because palpation_pulsation))
          (precaution (id reposition_lateral))))

(defrule CONCERNS::hip-arthritis
  "[A][N226] Groin pain at 45 or over with short morning stiffness or painful rotation:
   hip osteoarthritis, a clinical diagnosis (NICE NG226) treated with exercise and manual
   therapy; refer if it is not improving."
  (finding (id groin_pain) (value yes))
  (finding (id age) (value ?a&:(>= ?a 45)))
  (or (finding (id ?sign&hip_stiffness_morning) (value yes))
      (finding (id ?sign&pain_on_hip_rotation) (value yes)))
  =>
  (assert (concern (id hip_arthritis) (because groin_pain "age>=45" ?sign))
          (precaution (id refer_if_not_improving))))

(defrule CONCERNS::femoral-bursitis
  "[A] Lateral hip pain, worse lying on that side: trochanteric bursitis (exercise beats
   injection, LEAP, BMJ 2018); refer if it is not improving."
  (finding (id lateral_hip_pain) (value yes))
  =>
  (assert (concern (id femoral_bursitis) (because lateral_hip_pain))
          (precaution (id refer_if_not_improving))))

(defrule CONCERNS::spondyloarthritis
  "[E] Low back pain for 12 weeks or more, starting before 45, with long morning stiffness:
   possible axial spondyloarthritis -- a routine referral; treatment may go on."
  (finding (id low_back_pain) (value yes))
  (finding (id morning_stiffness_long) (value yes))
  (finding (id symptom_weeks) (value ?w&:(>= ?w 12)))
  (finding (id age) (value ?a&:(< ?a 45)))
  =>
  (assert (concern (id spondyloarthritis) (because low_back_pain morning_stiffness_long "symptom_weeks>=12" "age<45"))
          (precaution (id routine_referral))))

(defrule CONCERNS::soft-tissue-injury
  "[I] An injury with no sign of a fracture (neither fracture row fires): a soft-tissue
   injury; refer if it is not improving."
  (logical (finding (id recent_trauma) (value yes))
           (not (concern (id fracture)))
           (not (concern (id fracture_minor))))
  =>
  (assert (concern (id soft_tissue_injury) (because recent_trauma))
          (precaution (id refer_if_not_improving))))

(defrule CONCERNS::hip-prosthesis
  "[OP] A hip replacement: no stretching of that hip into extension (dislocation risk)."
  (finding (id hip_replacement) (value yes))
  =>
  (assert (concern (id hip_prosthesis) (because hip_replacement))
          (precaution (id no_hip_extension_stretch))))
