;;; 40-caution.clp -- concerns that allow treatment with a precaution (level `caution`).
;;; Consumes: finding.  Produces: concern, precaution.

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
  "[M] Blood thinners: bruising and bleeding risk, gentle pressure only."
  (finding (id anticoagulants) (value yes))
  =>
  (assert (concern (id anticoagulated) (because anticoagulants))
          (precaution (id gentle_pressure_only))))

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
  "[M] Osteoporosis or long-term steroids: gentle pressure only."
  (finding (id osteoporosis_or_steroids) (value yes))
  =>
  (assert (concern (id fragile_bone) (because osteoporosis_or_steroids))
          (precaution (id gentle_pressure_only))))

(defrule CONCERNS::aortic-pulse-felt
  "[A] A pulse under the fingertips during psoas palpation is the aorta: move lateral."
  (finding (id palpation_pulsation) (value yes))
  =>
  (assert (concern (id aortic_pulse_felt) (because palpation_pulsation))
          (precaution (id reposition_lateral))))
