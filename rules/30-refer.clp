;;; 30-refer.clp -- concerns that force the level `refer`: a physician within days to
;;; two weeks, no treatment of the area until cleared.
;;; Consumes: finding.  Produces: concern.

(defrule CONCERNS::malignancy-history
  "[I][C] A history of cancer with new back pain: possible spinal metastasis."
  (finding (id cancer_history) (value yes))
  =>
  (assert (concern (id malignancy) (because cancer_history))))

(defrule CONCERNS::malignancy-weight-loss
  "[I][C] Unexplained weight loss with back pain."
  (finding (id weight_loss) (value yes))
  =>
  (assert (concern (id malignancy) (because weight_loss))))

(defrule CONCERNS::malignancy-night-pain
  "[I][C] Night or rest pain that no position eases, at 50 or over."
  (finding (id night_pain) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 50)))
  =>
  (assert (concern (id malignancy) (because night_pain "age>=50"))))

(defrule CONCERNS::colon-cancer-bleeding
  "[A][N12] Rectal bleeding."
  (finding (id rectal_bleeding) (value yes))
  =>
  (assert (concern (id colon_cancer) (because rectal_bleeding))))

(defrule CONCERNS::colon-cancer-habit-age
  "[A][N12] A lasting change in bowel habit at 50 or over."
  (finding (id bowel_habit_change) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 50)))
  =>
  (assert (concern (id colon_cancer) (because bowel_habit_change "age>=50"))))

(defrule CONCERNS::colon-cancer-habit-weight
  "[A][N12] A lasting change in bowel habit with weight loss."
  (finding (id bowel_habit_change) (value yes))
  (finding (id weight_loss) (value yes))
  =>
  (assert (concern (id colon_cancer) (because bowel_habit_change weight_loss))))

(defrule CONCERNS::diverticular-disease
  "[A] Left lower abdominal pain with a change in bowel habit and no fever."
  (finding (id left_lower_abdominal_pain) (value yes))
  (finding (id bowel_habit_change) (value yes))
  (not (finding (id fever) (value yes)))
  =>
  (assert (concern (id diverticulitis) (because left_lower_abdominal_pain bowel_habit_change))))

(defrule CONCERNS::prostatitis
  "[A] Perineal pain or painful urination in a man without fever."
  (finding (id sex) (value male))
  (finding (id ?sign&perineal_pain|painful_urination) (value yes))
  (not (finding (id fever) (value yes)))
  =>
  (assert (concern (id prostatitis) (because "sex=male" ?sign))))

(defrule CONCERNS::hernia
  "[A][H] A reducible groin lump: inguinal or femoral hernia."
  (finding (id groin_lump) (value yes))
  (not (finding (id groin_lump_irreducible) (value yes)))
  =>
  (assert (concern (id hernia) (because groin_lump))))

(defrule CONCERNS::hip-arthritis
  "[A][N226] Groin pain at 45 or over with short morning stiffness or painful rotation:
   hip osteoarthritis (NICE NG226 clinical diagnosis)."
  (finding (id groin_pain) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 45)))
  (finding (id ?sign&hip_stiffness_morning|pain_on_hip_rotation) (value yes))
  =>
  (assert (concern (id hip_arthritis) (because groin_pain "age>=45" ?sign))))

(defrule CONCERNS::femoral-bursitis
  "[A] Lateral hip pain, worse lying on that side: trochanteric bursitis."
  (finding (id lateral_hip_pain) (value yes))
  =>
  (assert (concern (id femoral_bursitis) (because lateral_hip_pain))))

(defrule CONCERNS::fracture-minor
  "[I][C] Pain after injury in a person without fragile bone and under 70 (or of unknown
   age): possible fracture, to be excluded before treatment."
  (finding (id recent_trauma) (value yes))
  (not (finding (id osteoporosis_or_steroids) (value yes)))
  (not (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 70))))
  =>
  (assert (concern (id fracture_minor) (because recent_trauma))))

(defrule CONCERNS::refractory-pain
  "[A][T] Pain not improving despite four weeks or more of treatment."
  (finding (id not_improving) (value yes))
  =>
  (assert (concern (id refractory_pain) (because not_improving))))

(defrule CONCERNS::aaa-screening-male
  "[N156] Aortic pulsation felt in a man aged 65 or over: aneurysm screening."
  (finding (id palpation_pulsation) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 65)))
  (finding (id sex) (value male))
  =>
  (assert (concern (id aaa_screening) (because palpation_pulsation "age>=65" "sex=male"))))

(defrule CONCERNS::aaa-screening-smoker
  "[N156] Aortic pulsation felt in a smoker or former smoker aged 65 or over."
  (finding (id palpation_pulsation) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 65)))
  (finding (id smoker) (value yes))
  =>
  (assert (concern (id aaa_screening) (because palpation_pulsation "age>=65" smoker))))

(defrule CONCERNS::young-patient
  "[C] Back pain in a child under 16."
  (finding (id age) (value ?age&:(integerp ?age)&:(< ?age 16)))
  =>
  (assert (concern (id young_patient) (because "age<16"))))
