;;; 15-beyond-table.clp -- rules the project adds beyond the specification's table
;;; (revision 2 of the maintainers' clinical specification; its rows
;;; are in doc/knowledge.md).
;;; Each is more severe than the table or adds a caution the table lacks, never less
;;; severe; each names its source and why the table's own rows miss the presentation.
;;; They came from the clinical reading of published case reports of mimics (the
;;; validation suite in tests/case-reports/), and the README's "Beyond the specification"
;;; lists them.  The same conventions as the table's rules hold: an `age >= N` condition
;;; of an emergency or urgent rule holds while the age is unknown; an `age < N` condition
;;; needs a known age; a sex condition holds for that sex or `other`.
;;; Consumes: finding, pain-course, concern.  Produces: concern, precaution.

;;; ---- emergency ---------------------------------------------------------------------------

(defrule CONCERNS::beyond-aaa-rupture-colic-after-65
  "[N156][ESVS][K] A first 'renal colic' at 65 or over (or of unknown age): the table
   makes it an urgent `aaa` from 55, but a symptomatic aneurysm at that age may be leaking,
   and loin-to-groin pain is how a leak often presents."
  (finding (id flank_pain_waves) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 65))))
  =>
  (assert (concern (id aaa_rupture) (because flank_pain_waves (age-at-least 65)))))

(defrule CONCERNS::beyond-torsion-lower-abdomen
  "[S] Torsion is often felt only in the lower belly, without scrotal pain (NICE CKS
   scrotal pain: consider torsion in a boy with lower abdominal pain): the table's groin
   row, widened to pelvic and lower belly pain."
  (or (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&right_lower_abdominal_pain) (value yes))
      (finding (id ?site&left_lower_abdominal_pain) (value yes)))
  (finding (id sex) (value ?sex&male|other))
  (finding (id age) (value ?a&:(< ?a 25)))
  (or (finding (id ?sign&nausea_vomiting) (value yes))
      (finding (id ?sign&sudden_severe_pain) (value yes)))
  =>
  (assert (concern (id testicular_torsion) (because (str-cat "sex=" ?sex) "age<25" ?site ?sign))))

(defrule CONCERNS::beyond-pregnancy-bleeding-with-pain
  "[NG126] Pain low in the belly, pelvis or groin with vaginal bleeding in (possible)
   pregnancy: an ectopic pregnancy that may have ruptured (normal vital signs do not
   exclude it); the table's `pregnancy_pain` is only urgent."
  (finding (id pregnant) (value yes))
  (finding (id vaginal_bleeding) (value yes))
  (or (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&right_lower_abdominal_pain) (value yes))
      (finding (id ?site&left_lower_abdominal_pain) (value yes)))
  =>
  (assert (concern (id pelvic_emergency) (because pregnant vaginal_bleeding ?site))))

(defrule CONCERNS::beyond-surgical-abdomen
  "[P] Nausea or vomiting with belly, pelvic, groin or side pain that keeps getting worse:
   a progressing surgical abdomen (obstruction, perforation, abscess); the table's
   `acute_abdomen` is only urgent."
  (finding (id nausea_vomiting) (value yes))
  (finding (id pain_worsening) (value yes))
  (or (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&medial_thigh_pain) (value yes))
      (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&right_lower_abdominal_pain) (value yes))
      (finding (id ?site&left_lower_abdominal_pain) (value yes)))
  =>
  (assert (concern (id surgical_abdomen) (because nausea_vomiting pain_worsening ?site))))

(defrule CONCERNS::beyond-child-fever-limp
  "[Ch][RCH] A child or teenager under 18 with a fever and a limp, hip, groin, buttock, inner
   thigh or knee pain, or unable to bear weight: septic arthritis (hip, sacroiliac joint,
   knee) or osteomyelitis (or a perforating appendix irritating the psoas) until shown
   otherwise -- the emergency department, not a same-day appointment (the table makes
   fever and a child's limp each urgent).  A septic sacroiliac joint is felt in the
   buttock (case report new-09, a 13-year-old first seen with buttock pain and fever), and
   a child's hip is often felt in the thigh or knee (the table's own `child_hip` row)."
  (finding (id fever) (value yes))
  (finding (id age) (value ?a&:(< ?a 18)))
  (or (finding (id ?sign&limp) (value yes))
      (finding (id ?sign&hip_pain) (value yes))
      (finding (id ?sign&groin_pain) (value yes))
      (finding (id ?sign&buttock_pain) (value yes))
      (finding (id ?sign&medial_thigh_pain) (value yes))
      (finding (id ?sign&knee_pain) (value yes))
      (finding (id ?sign&unable_to_bear_weight) (value yes)))
  =>
  (assert (concern (id child_septic_hip) (because "age<18" fever ?sign))))

(defrule CONCERNS::beyond-incapacitating-back-pain
  "[N156][I] New back, side or buttock pain so severe that the person cannot stand or walk,
   at 50 or over (or of unknown age) and without an injury: a leaking aneurysm, a
   dissection or a spinal bleed until shown otherwise; the table's `cannot_bear_weight`
   is only urgent."
  (finding (id unable_to_bear_weight) (value yes))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&thoracic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes)))
  (pain-course (kind recent) (because $?course))
  (not (finding (id recent_trauma) (value yes)))
  (not (finding (id age) (value ?a&:(< ?a 50))))
  =>
  (assert (concern (id incapacitating_back_pain)
                   (because unable_to_bear_weight ?site $?course "no recent_trauma" (age-at-least 50)))))

;;; ---- urgent ------------------------------------------------------------------------------

(defrule CONCERNS::beyond-psoas-abscess-afebrile
  "[PA][A] New back, side, groin or buttock pain with a limp or a psoas sign, and a
   urinary or other recent infection, even without fever: a psoas abscess (the table
   waits for a fever, but fever, back pain and a limp come together in only a third of
   people with one, and a secondary abscess spreads from the kidney and urinary tract;
   in the published case, an afebrile woman with dysuria and a limp was sent home twice
   with a 'back strain')."
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes)))
  (or (finding (id ?sign&limp) (value yes))
      (finding (id ?sign&psoas_sign) (value yes)))
  (or (finding (id ?source&painful_urination) (value yes))
      (finding (id ?source&blood_in_urine) (value yes))
      (finding (id ?source&recent_infection) (value yes)))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id psoas_abscess) (because ?site ?sign ?source $?course))))

(defrule CONCERNS::beyond-kidney-loin-to-groin
  "[K] New side pain that spreads to the groin or the lower belly is the renal-colic
   pattern even when it is not described as waves (the table's `kidney_stone` needs
   flank_pain_waves)."
  (finding (id flank_pain) (value yes))
  (or (finding (id ?to&groin_pain) (value yes))
      (finding (id ?to&pelvic_pain) (value yes))
      (finding (id ?to&right_lower_abdominal_pain) (value yes))
      (finding (id ?to&left_lower_abdominal_pain) (value yes)))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id kidney_stone) (because flank_pain ?to $?course))))

(defrule CONCERNS::beyond-severe-rest-pain
  "[VRF][I] New back, side, groin, buttock, hip, pelvic or lower belly pain that is severe
   and there all the time, even lying still, with no position and no painkiller easing it
   (`pain_at_rest_severe`, a finding the project adds): pain at rest is among the red flags
   the guidelines most often give, and a strain eases in some position; a kidney, a
   vessel, an infection or a tumour does not.  Case reports add-03 (a renal infarction,
   two days of severe side pain in distress, not settling with painkillers) and inf-01
   (an afebrile psoas abscess, severe pain at rest) turned on it, and the catalogue had no
   question for it."
  (finding (id pain_at_rest_severe) (value yes))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&thoracic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes))
      (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&right_lower_abdominal_pain) (value yes))
      (finding (id ?site&left_lower_abdominal_pain) (value yes)))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id severe_rest_pain) (because pain_at_rest_severe ?site $?course))))

(defrule CONCERNS::beyond-flank-to-thigh
  "[L][K][ILPA] New side pain that spreads into the front or inner thigh: the femoral nerve
   runs through the psoas, so a bleed or an abscess there (or a stone in the ureter) is
   felt from the flank down the thigh; the table's bleed rows see it only on a blood
   thinner (`expanding_bleed`: thigh symptoms as a bleed pressing on the nerve).  Case
   report add-09: a young man's psoas haematoma from an unknown haemophilia, first
   massaged."
  (finding (id flank_pain) (value yes))
  (or (finding (id ?to&thigh_symptoms) (value yes))
      (finding (id ?to&medial_thigh_pain) (value yes)))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id flank_to_thigh_pain) (because flank_pain ?to $?course))))

(defrule CONCERNS::beyond-progressive-flank-pain
  "[K][L][N156] New steady side pain that keeps getting worse: a kidney infection, a
   psoas abscess, a retroperitoneal bleed or an aneurysm; the table refers it only at 50
   or over (`malignancy`)."
  (finding (id flank_pain) (value yes))
  (finding (id pain_worsening) (value yes))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id progressive_flank_pain) (because flank_pain pain_worsening))))

(defrule CONCERNS::beyond-progressive-pain-elderly
  "[I][L] At 70 or over (or of unknown age), new back, hip, groin, buttock or thigh pain that
   keeps getting worse: an occult or insufficiency fracture, an obturator hernia, an
   infection or an aneurysm; IFOMPT counts age over 70 among the strongest fracture red
   flags, and the table refers it only (`malignancy`)."
  (finding (id pain_worsening) (value yes))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&thoracic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes))
      (finding (id ?site&thigh_symptoms) (value yes))
      (finding (id ?site&medial_thigh_pain) (value yes)))
  (pain-course (kind new) (because $?course))
  (not (finding (id age) (value ?a&:(< ?a 70))))
  =>
  (assert (concern (id progressive_pain_elderly) (because pain_worsening ?site (age-at-least 70)))))

(defrule CONCERNS::beyond-aaa-pulse-with-night-pain
  "[N156] A pulsation under the therapist's fingers in a person whose back, side, groin or
   buttock pain wakes them or keeps getting worse: a symptomatic aneurysm until shown
   otherwise (the table makes the pulse alone a caution, and screening only at 65)."
  (finding (id palpation_pulsation) (value yes))
  (or (finding (id ?sign&night_pain) (value yes))
      (finding (id ?sign&pain_worsening) (value yes)))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes)))
  =>
  (assert (concern (id aaa) (because palpation_pulsation ?sign ?site))))

(defrule CONCERNS::beyond-bleed-on-anticoagulant-back
  "[L] Recent low back, thoracic or buttock pain (under 6 weeks, or worsening) on a blood
   thinner: a spinal epidural or retroperitoneal haematoma (the table's
   `bleed_on_anticoagulant` lists only groin, hip, side and thigh pain and leg weakness)."
  (finding (id anticoagulants) (value yes))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&thoracic_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes)))
  (pain-course (kind recent) (because $?course))
  =>
  (assert (concern (id bleed_on_anticoagulant) (because anticoagulants ?site $?course))))

(defrule CONCERNS::beyond-bleed-on-anticoagulant-back-older
  "[L][HB] The same with new pain of unknown duration at 65 or over (or of unknown age),
   where bleeding is likelier on a blood thinner (HAS-BLED counts age over 65)."
  (finding (id anticoagulants) (value yes))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&thoracic_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes)))
  (pain-course (kind new) (because $?course))
  (not (finding (id age) (value ?a&:(< ?a 65))))
  =>
  (assert (concern (id bleed_on_anticoagulant) (because anticoagulants ?site $?course (age-at-least 65)))))

(defrule CONCERNS::beyond-unwell-worsening
  "[F][NG51] Pain that keeps getting worse, with feeling generally unwell since it began
   (feverish, tired, off food), in the back, side, groin, buttock, hip or thigh: an
   infection -- a septic hip, a psoas abscess, a spinal infection -- until shown otherwise.
   The table asks a risk factor as well, but an abscess from the bowel or a septic hip
   may have none (case report more-09: a fish bone, at 66, felt as worsening 'arthritis')."
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&thoracic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes))
      (finding (id ?site&thigh_symptoms) (value yes)))
  (finding (id feeling_unwell) (value yes))
  (finding (id pain_worsening) (value yes))
  =>
  (assert (concern (id spinal_infection) (because ?site feeling_unwell pain_worsening))))

(defrule CONCERNS::beyond-femoral-neck-stress-recent
  "[R] Groin pain of recent onset (under 6 weeks, or worsening) in someone who trains:
   'a femoral neck stress fracture until proven otherwise', because one that displaces
   needs surgery and can cost the hip; the table waits for a limp or pain on
   weight-bearing.  Groin pain, the presenting complaint of a femoral neck stress
   fracture, not pain elsewhere around the hip: for that the table's own question (a limp,
   pain on hopping or walking) decides, and a worsening snapping hip in a marathon runner
   is not sent to a doctor the same day without it (case report msk-02)."
  (or (finding (id ?sport&athlete) (value yes))
      (finding (id ?sport&runner) (value yes))
      (finding (id ?sport&jumping_sports) (value yes)))
  (finding (id ?site&groin_pain) (value yes))
  (pain-course (kind recent) (because $?course))
  =>
  (assert (concern (id femoral_neck_stress) (because ?sport ?site $?course))))

;;; ---- refer -------------------------------------------------------------------------------

(defrule CONCERNS::beyond-unwell-with-pain
  "[F] Back, side, groin, buttock or hip pain with feeling generally unwell since it began:
   being systemically unwell is a red flag for infection and for cancer; a physician sees
   the person before treatment."
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&thoracic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes)))
  (finding (id feeling_unwell) (value yes))
  =>
  (assert (concern (id unwell_with_pain) (because ?site feeling_unwell))))

(defrule CONCERNS::beyond-bowel-disease-new-pain
  "[ILPA][E] New back, side, groin, buttock or hip pain in someone with Crohn's disease or
   ulcerative colitis: Crohn's disease is the commonest cause of a secondary psoas
   abscess, which is often without fever at first (case report new-06:
   hip pain and difficulty walking in a young man with Crohn's, taken for arthritis);
   inflammatory bowel disease also brings sacroiliitis (NG65) and, after steroids, a
   hip bone problem.  The table has inflammatory bowel disease only as a caution
   (`bowel_inflammation`: no deep abdominal work), or urgent with a fever.  A pain site is
   needed: how long the pain has lasted is asked only where there is pain."
  (finding (id inflammatory_bowel_disease) (value yes))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes)))
  (pain-course (kind new) (because $?course))
  =>
  (assert (concern (id bowel_disease_pain) (because inflammatory_bowel_disease ?site $?course))))

(defrule CONCERNS::beyond-stress-fracture-runner-groin
  "[R] Groin pain in someone who runs, whatever its duration: a femoral neck or pubic bone
   stress injury is excluded (imaging) before treatment.  Recent groin pain is already a
   possible femoral neck stress fracture; the table waits for a limp or pain on hopping,
   which a runner may have only when loading (case report more-10: a femoral shaft stress
   fracture in a marathon runner whose GP found nothing)."
  (logical (finding (id runner) (value yes))
           (not (concern (id femoral_neck_stress))))
  (finding (id groin_pain) (value yes))
  =>
  (assert (concern (id stress_fracture) (because runner groin_pain))))

(defrule CONCERNS::beyond-stress-fracture-single-leg-stance
  "[R][SSF] Low back or buttock pain on standing or hopping on one leg, in someone who
   trains: a sacral or pelvic stress fracture (missed because low back pain is so common;
   the table's weight_bearing_pain asks only about groin, hip and thigh pain)."
  (logical (or (finding (id ?sport&athlete) (value yes))
               (finding (id ?sport&runner) (value yes))
               (finding (id ?sport&jumping_sports) (value yes)))
           (not (concern (id femoral_neck_stress))))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes)))
  (finding (id single_leg_stance_pain) (value yes))
  =>
  (assert (concern (id stress_fracture) (because ?sport ?site single_leg_stance_pain))))

(defrule CONCERNS::beyond-atypical-hip-restriction
  "[RB] The therapist finds hip movement restricted in a pattern no musculoskeletal problem
   explains: a tumour, infection or fracture in or near the hip or pelvis is to be
   excluded by a physician before treatment (in the published case, metastases of a lung
   cancer in a 45-year-old with what looked like sciatica)."
  (finding (id hip_motion_atypical) (value yes))
  =>
  (assert (concern (id atypical_hip_restriction) (because hip_motion_atypical))))

(defrule CONCERNS::beyond-stress-fracture-persistent
  "[R] Groin or hip pain that has lasted 6 weeks or more in someone who runs: a bone
   stress injury is to be excluded before loading or deep hip work (when a femoral neck
   stress fracture is not already suspected).  Runners, whom the consensus is about: in
   other sports long-standing hip pain is mostly a joint or tendon problem (case report
   msk-24, a fighter with six months of hip pain)."
  (logical (finding (id runner) (value yes))
           (not (concern (id femoral_neck_stress))))
  (or (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&hip_pain) (value yes)))
  (finding (id symptom_weeks) (value ?w&:(>= ?w 6)))
  =>
  (assert (concern (id stress_fracture) (because runner ?site "symptom_weeks>=6"))))

(defrule CONCERNS::beyond-stress-fracture-back
  "[R] Low back pain in someone who trains, with a limp, pain on weight-bearing, night pain
   or a bone-stress risk: a sacral or pars (spondylolysis) stress injury (the table's
   `stress_fracture` lists only hip, groin, pelvic, buttock and thigh pain)."
  (logical (or (finding (id ?sport&athlete) (value yes))
               (finding (id ?sport&runner) (value yes))
               (finding (id ?sport&jumping_sports) (value yes)))
           (not (concern (id femoral_neck_stress))))
  (finding (id low_back_pain) (value yes))
  (or (finding (id ?sign&limp) (value yes))
      (finding (id ?sign&weight_bearing_pain) (value yes))
      (finding (id ?sign&night_pain) (value yes))
      (finding (id ?sign&bone_stress_risk) (value yes)))
  =>
  (assert (concern (id stress_fracture) (because ?sport low_back_pain ?sign))))

(defrule CONCERNS::beyond-sports-injury
  "[I] An injury in the 6 weeks before the pain in someone who trains: a complete muscle or
   tendon tear, an avulsion or a fracture is assessed (examination, imaging) before
   treatment (the table refers an injury only at 50 or over or with a limp)."
  (logical (finding (id recent_trauma) (value yes))
           (or (finding (id ?sport&athlete) (value yes))
               (finding (id ?sport&runner) (value yes))
               (finding (id ?sport&jumping_sports) (value yes)))
           (not (concern (id fracture)))
           (not (concern (id fracture_minor))))
  =>
  (assert (concern (id sports_injury) (because recent_trauma ?sport))))

(defrule CONCERNS::beyond-walking-numbness
  "[CG147] Numbness or weakness in a leg, or a knee that gives way, that walking brings on
   and rest eases (`walking_leg_numb_weak`, a finding the project adds), at 50 or over:
   claudication of the leg arteries or of the spinal canal, which a physician tells apart
   (pulses, an ankle-brachial index, the nerves).  The table's `claudication` sees only
   pain, and only with a vascular risk.  Not when a diagnosed lumbar spinal stenosis
   explains it.  Case report add-04: an external iliac artery occlusion whose knee
   weakness on walking felt familiar from earlier back trouble."
  (finding (id walking_leg_numb_weak) (value yes))
  (not (finding (id spinal_stenosis) (value yes)))
  (finding (id age) (value ?a&:(>= ?a 50)))
  =>
  (assert (concern (id walking_leg_symptoms) (because walking_leg_numb_weak "no spinal_stenosis" "age>=50"))))

(defrule CONCERNS::beyond-progressive-pain
  "[I][A][T] Pain that has kept getting worse for 6 weeks or more: pain that keeps getting
   worse is a red flag (the table counts it towards `malignancy` only with a second
   feature), and pain that has not improved over 4 weeks of treatment is already the
   table's `refractory_pain`, which a pain worsening for longer has met whether treated or
   not.  Case report add-10: an Ewing sarcoma of the pelvis felt as hip pain getting worse
   for ten months."
  (finding (id pain_worsening) (value yes))
  (finding (id symptom_weeks) (value ?w&:(>= ?w 6)))
  =>
  (assert (concern (id progressive_pain) (because pain_worsening "symptom_weeks>=6"))))

;;; ---- caution -----------------------------------------------------------------------------

(defrule CONCERNS::beyond-athlete-groin-pain
  "[DOHA][R] Groin pain in someone who trains: usually adductor-, iliopsoas-, inguinal- or
   hip-related and treatable, but a hernia, a hip joint problem or a bone stress injury can
   show itself later; treat, and refer if it is not improving."
  (or (finding (id ?sport&athlete) (value yes))
      (finding (id ?sport&runner) (value yes))
      (finding (id ?sport&jumping_sports) (value yes)))
  (finding (id groin_pain) (value yes))
  =>
  (assert (concern (id sports_groin_pain) (because ?sport groin_pain))
          (precaution (id refer_if_not_improving))))

(defrule CONCERNS::beyond-aorta-age
  "[N156][ESVS][A] A man (or sex other) of 50 or over with back, side, groin, buttock or
   lower belly pain: the age and sex in which aortic aneurysms occur, and one can feel
   like ordinary back pain (case reports more-07 and more-08); before deep abdominal or
   psoas work the therapist feels for a pulsation at rest, as the clinic article teaches.
   A caution, not a referral: nothing else points to an aneurysm (and none when an
   aneurysm concern already holds, or when the person is not to be treated today anyway)."
  (logical (or (finding (id ?site&low_back_pain) (value yes))
               (finding (id ?site&flank_pain) (value yes))
               (finding (id ?site&groin_pain) (value yes))
               (finding (id ?site&buttock_pain) (value yes))
               (finding (id ?site&left_lower_abdominal_pain) (value yes))
               (finding (id ?site&pelvic_pain) (value yes)))
           (finding (id sex) (value ?sex&male|other))
           (finding (id age) (value ?a&:(>= ?a 50)))
           (not (concern (id aaa)))
           (not (concern (id aaa_rupture)))
           (not (concern (id aaa_screening)))
           (not (concern (id known_aneurysm)))
           (not (concern (id aortic_pulse_felt)))
           (not (concern (id ?u&:(concern-at-least ?u urgent)))))
  =>
  (assert (concern (id aneurysm_age) (because (str-cat "sex=" ?sex) (str-cat "age=" ?a) ?site))
          (precaution (id check_aortic_pulse_first))))


(defrule CONCERNS::beyond-referred-leg-pain
  "[I] Pain spreading down the leg (not below the knee): referred or early nerve-root pain;
   treat, check strength and sensation at each visit, refer if it is not improving."
  (finding (id leg_pain) (value yes))
  (not (finding (id pain_below_knee) (value yes)))
  =>
  (assert (concern (id referred_leg_pain) (because leg_pain "no pain_below_knee"))
          (precaution (id refer_if_not_improving))))

(defrule CONCERNS::beyond-hip-joint-pain
  "[N226] Pain in the hip joint: osteoarthritis, impingement or a labral problem are
   treated with exercise and manual therapy; refer if it is not improving."
  (finding (id hip_pain) (value yes))
  =>
  (assert (concern (id hip_joint_pain) (because hip_pain))
          (precaution (id refer_if_not_improving))))

(defrule CONCERNS::beyond-after-spinal-procedure
  "[F] A spinal injection, epidural or spinal surgery in the last 3 months (when no
   infection concern fires): treat, but refer at once if fever, worsening pain or new
   weakness appear (an epidural abscess or haematoma can follow weeks later)."
  (logical (finding (id recent_spinal_procedure) (value yes))
           (not (concern (id spinal_infection)))
           (not (concern (id spinal_infection_risk))))
  =>
  (assert (concern (id after_spinal_procedure) (because recent_spinal_procedure))
          (precaution (id refer_if_fever_or_worse))))
