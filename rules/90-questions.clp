;;; 90-questions.clp -- what a dialogue still needs to ask (goal-driven questioning).
;;; Consumes: session, open-question (applicable questions not yet answered: only those
;;;   with (state unanswered) are asked again), finding, pain-course, concern, disposition.
;;; Produces: ask facts, (ask (id Q) (rank N) (reason R) (concerns C...)): the host asks
;;;   the open question with the lowest rank, asserts the answer and runs the rules
;;;   again.  `concerns` names what the answer rules in or out (shown by `why`).
;;;
;;; The questions every person must answer (red flags; in `intake` also the
;;; treatment-safety questions) are asked by DISPOSITION::ask-open-red-flags and -safety.  This module
;;; adds, in `intake`, each other question only while its answer can still change the
;;; result for this person (a concern, the level, a precaution, an indication, or the
;;; findings a concern names): a question is asked when a trigger that contains it can
;;; still fire -- its other conditions hold or are still open -- and its concern has not
;;; fired already.  In `screen` it adds only the follow-ups that decide between
;;; "emergency now", "see a doctor today", "see a doctor before booking" and "fine to book".
;;; Questions that do not apply to this person have no open-question fact (their `when` in
;;; kb/questions.json), so they are never asked.  Ranks are the catalogue order (the
;;; open-question's rank), except that a follow-up that can establish an emergency gets
;;; rank 0: it is asked at once.

;;; ---- both modes: follow-ups that can establish an emergency -------------------------

(defrule QUESTIONS::hernia-strangulated
  "[H] Any groin lump: is it now hard, painful and stuck out?"
  (session (mode intake|screen))
  (open-question (id groin_lump_irreducible) (state unanswered))
  =>
  (assert (ask (id groin_lump_irreducible) (rank 0) (reason follow-up)
               (concerns strangulated_hernia hernia))))

(defrule QUESTIONS::aneurysm-known
  "[N156] Sudden severe pain or collapse: a known aneurysm makes it a rupture."
  (session (mode intake|screen))
  (finding (id sudden_severe_pain|collapse) (value yes))
  (not (concern (id aaa_rupture)))
  (open-question (id known_aaa) (state unanswered))
  =>
  (assert (ask (id known_aaa) (rank 0) (reason follow-up) (concerns aaa_rupture))))

(defrule QUESTIONS::sudden-pain-onset
  "[N156][I][C] Sudden severe pain: did it start with a lift or a twist?  Without such a
   start it is an aortic or other acute cause (at 50 or over, a rupture)."
  (session (mode intake|screen))
  (finding (id sudden_severe_pain) (value yes))
  (not (concern (id aaa_rupture)))
  (open-question (id mechanical_onset) (state unanswered))
  =>
  (assert (ask (id mechanical_onset) (rank 0) (reason follow-up)
               (concerns aaa_rupture acute_severe_pain))))

(defrule QUESTIONS::sudden-pain-onset-first
  "[N156][ESVS] Sudden severe pain at 50-64 with nothing else pointing to the aorta: the
   emergency rests only on not knowing how the pain began, so ask that before it is final
   (a pain that began with a lift or twist is a rupture only with smoking or vascular
   risk; from 65 it is one however it began).  The host asks a `confirm` question before
   it stops at an emergency."
  (session (mode intake|screen))
  (finding (id sudden_severe_pain) (value yes))
  (finding (id age) (value ?a&:(>= ?a 50)&:(< ?a 65)))
  (not (finding (id collapse|abdominal_pulsation|pulsation_expansile|known_aaa|smoker|vascular_risk)
                (value yes)))
  (not (concern (id ?c&~aaa_rupture&:(eq (concern-level ?c) emergency))))
  (open-question (id mechanical_onset) (state unanswered))
  =>
  (assert (ask (id mechanical_onset) (rank 0) (reason confirm)
               (concerns aaa_rupture acute_severe_pain))))

(defrule QUESTIONS::pain-course-confirm
  "[F][L] An emergency that rests only on a pain of unknown duration counting as new (a bleed
   on a blood thinner): ask how long the pain has lasted before it is final -- a pain of 6
   weeks or more that is not getting worse withdraws it.  The host asks a `confirm`
   question before it stops at an emergency."
  (session (mode intake|screen))
  (concern (id ?c&:(eq (concern-level ?c) emergency)) (because $? "symptom_weeks unknown" $?))
  (not (concern (id ?o&:(eq (concern-level ?o) emergency))
                (because $?b&:(not (member$ "symptom_weeks unknown" ?b)))))
  (open-question (id symptom_weeks) (state unanswered))
  =>
  (assert (ask (id symptom_weeks) (rank 0) (reason confirm) (concerns ?c))))

(defrule QUESTIONS::sudden-pain-vascular
  "[N156][ESVS] Sudden severe pain at 50 or over that began with a lift or twist: smoking
   or vascular risk still makes it a possible rupture."
  (session (mode intake|screen))
  (finding (id sudden_severe_pain) (value yes))
  (finding (id mechanical_onset) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 50))))
  (not (concern (id aaa_rupture)))
  (open-question (id ?q&smoker|vascular_risk) (state unanswered))
  =>
  (assert (ask (id ?q) (rank 0) (reason follow-up) (concerns aaa_rupture))))

(defrule QUESTIONS::sudden-pain-pelvic
  "[NG126] Sudden severe pain in a woman under 55: is it low in the belly, pelvis or groin
   (ectopic pregnancy, ovarian torsion)?"
  (session (mode intake|screen))
  (finding (id sudden_severe_pain) (value yes))
  (finding (id sex) (value female|other))
  (finding (id age) (value ?a&:(< ?a 55)))
  (not (concern (id pelvic_emergency)))
  (open-question (id ?q&pelvic_pain|groin_pain|right_lower_abdominal_pain|left_lower_abdominal_pain)
                 (state unanswered))
  =>
  (assert (ask (id ?q) (rank 0) (reason follow-up) (concerns pelvic_emergency))))

(defrule QUESTIONS::torsion-sites
  "[S] Sudden pain or vomiting in a boy or young man under 25: groin or lower belly pain
   can be a twisted testicle."
  (session (mode intake|screen))
  (finding (id sex) (value male|other))
  (finding (id age) (value ?a&:(< ?a 25)))
  (finding (id nausea_vomiting|sudden_severe_pain) (value yes))
  (not (concern (id testicular_torsion)))
  (open-question (id ?q&groin_pain|pelvic_pain|right_lower_abdominal_pain|left_lower_abdominal_pain)
                 (state unanswered))
  =>
  (assert (ask (id ?q) (rank 0) (reason follow-up) (concerns testicular_torsion))))

(defrule QUESTIONS::aneurysm-pain-sites
  "[N156][ESVS] A known or expanding aneurysm: back, groin, buttock, pelvic, side or
   lower-left belly pain means it may be symptomatic (recent pain: leaking)."
  (session (mode intake|screen))
  (finding (id known_aaa|pulsation_expansile) (value yes))
  (not (concern (id aaa_rupture)))
  (open-question (id ?q&low_back_pain|groin_pain|buttock_pain|pelvic_pain|flank_pain|left_lower_abdominal_pain)
                 (state unanswered))
  =>
  (assert (ask (id ?q) (rank 0) (reason follow-up) (concerns aaa_rupture aaa))))

(defrule QUESTIONS::aneurysm-pain-course
  "[N156] A known aneurysm with pain: how long has it lasted (recent pain may be a leak)?"
  (session (mode intake|screen))
  (finding (id known_aaa|pulsation_expansile) (value yes))
  (finding (id low_back_pain|groin_pain|buttock_pain|pelvic_pain|flank_pain|flank_pain_waves|left_lower_abdominal_pain)
           (value yes))
  (not (concern (id aaa_rupture)))
  (open-question (id symptom_weeks) (state unanswered))
  =>
  (assert (ask (id symptom_weeks) (rank 0) (reason follow-up) (concerns aaa_rupture aaa))))

(defrule QUESTIONS::neutropenic-sepsis
  "[CG151] Fever in a person with a weakened immune system: recent chemotherapy or a
   transplant makes it neutropenic sepsis."
  (session (mode intake|screen))
  (finding (id fever) (value yes))
  (not (concern (id sepsis)))
  (open-question (id chemo_or_transplant) (state unanswered))
  =>
  (assert (ask (id chemo_or_transplant) (rank 0) (reason follow-up) (concerns sepsis))))

(defrule QUESTIONS::bleed-expanding
  "[L] A possible bleed on a blood thinner: thigh symptoms mean it presses on the femoral
   nerve."
  (session (mode intake|screen))
  (concern (id bleed_on_anticoagulant))
  (not (concern (id expanding_bleed)))
  (open-question (id thigh_symptoms) (state unanswered))
  =>
  (assert (ask (id thigh_symptoms) (rank 0) (reason follow-up) (concerns expanding_bleed))))

(defrule QUESTIONS::back-pain-cannot-walk
  "[N156][I] Unable to stand or walk at 50 or over: is it new back or side pain (a leak, a
   dissection or a spinal bleed)?"
  (session (mode intake|screen))
  (finding (id unable_to_bear_weight) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 50))))
  (not (concern (id incapacitating_back_pain)))
  (open-question (id ?q&low_back_pain|flank_pain|buttock_pain|symptom_weeks) (state unanswered))
  =>
  (assert (ask (id ?q) (rank 0) (reason follow-up) (concerns incapacitating_back_pain))))

;;; ---- both modes: follow-ups that can make it a same-day matter ----------------------

(defrule QUESTIONS::pregnancy-sites
  "[NG126][B] In (possible) pregnancy, new pelvic, groin or lower belly pain is an ectopic
   pregnancy until shown otherwise."
  (session (mode intake|screen))
  (finding (id pregnant) (value yes))
  (not (concern (id pregnancy_pain)))
  (open-question (id ?q&pelvic_pain|groin_pain|right_lower_abdominal_pain|left_lower_abdominal_pain)
                 (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns pregnancy_pain pelvic_emergency))))

(defrule QUESTIONS::vomiting-sites
  "[P][H][L] Nausea or vomiting: groin, inner-thigh, pelvic, side or lower belly pain makes
   it an acute abdomen (appendicitis, a trapped hernia, torsion)."
  (session (mode intake|screen))
  (finding (id nausea_vomiting) (value yes))
  (not (concern (id surgical_abdomen)))
  (open-question (id ?q&groin_pain|medial_thigh_pain|pelvic_pain|flank_pain|right_lower_abdominal_pain|left_lower_abdominal_pain)
                 (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns acute_abdomen appendicitis surgical_abdomen))))

(defrule QUESTIONS::worsening-sites
  "[F][P][N156][I] Pain that keeps getting worse: where it is decides between an infection,
   appendicitis, a kidney cause, an aneurysm or a fracture."
  (session (mode intake|screen))
  (finding (id pain_worsening) (value yes))
  (open-question (id ?q&low_back_pain|buttock_pain|groin_pain|hip_pain|flank_pain|right_lower_abdominal_pain|thigh_symptoms|medial_thigh_pain)
                 (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up)
               (concerns spinal_infection appendicitis progressive_flank_pain progressive_pain_elderly aaa))))

(defrule QUESTIONS::unwell-sites
  "[F][A] Feeling unwell, pain that wakes, or a weakened immune system: new back, side,
   groin or buttock pain makes a spinal infection or psoas abscess possible."
  (session (mode intake|screen))
  (finding (id feeling_unwell|night_pain|immunocompromised) (value yes))
  (not (concern (id spinal_infection)))
  (open-question (id ?q&low_back_pain|flank_pain|groin_pain|buttock_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns spinal_infection spinal_infection_risk))))

(defrule QUESTIONS::unwell-with-pain
  "[F] Back, side, groin, buttock or hip pain: feeling generally unwell since it began is a
   red flag for infection and cancer (and with worsening pain, a same-day matter)."
  (session (mode intake))
  (finding (id low_back_pain|thoracic_pain|flank_pain|groin_pain|buttock_pain|hip_pain) (value yes))
  (open-question (id feeling_unwell) (state unanswered) (rank ?r))
  =>
  (assert (ask (id feeling_unwell) (rank ?r) (reason follow-up) (concerns unwell_with_pain spinal_infection))))

(defrule QUESTIONS::blood-thinner-sites
  "[L] On a blood thinner: new groin, hip, side, thigh or back pain may be a bleed."
  (session (mode intake|screen))
  (finding (id anticoagulants) (value yes))
  (not (concern (id bleed_on_anticoagulant)))
  (open-question (id ?q&groin_pain|hip_pain|flank_pain|thigh_symptoms|medial_thigh_pain|low_back_pain|buttock_pain)
                 (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns bleed_on_anticoagulant))))

(defrule QUESTIONS::pain-course-matters
  "[F][L][NG126][N156] With a pain whose course decides a concern (a blood thinner, a
   pregnancy, pain that keeps getting worse, a weakened immune system): is it new?"
  (session (mode intake|screen))
  (finding (id anticoagulants|pregnant|pain_worsening|immunocompromised|hip_replacement|feeling_unwell|night_pain)
           (value yes))
  (open-question (id symptom_weeks) (state unanswered) (rank ?r))
  =>
  (assert (ask (id symptom_weeks) (rank ?r) (reason follow-up)
               (concerns bleed_on_anticoagulant pregnancy_pain spinal_infection aaa))))

(defrule QUESTIONS::infection-risk
  "[F][A] New back, side, groin or buttock pain that worsens, wakes or comes with feeling
   unwell (or while that is still to be asked), or a fever with it: injecting drugs,
   diabetes, a recent infection or a spinal procedure make a spinal infection or a psoas
   abscess possible, even without a fever."
  (session (mode intake|screen))
  (or (and (finding (id low_back_pain|thoracic_pain|flank_pain|groin_pain|buttock_pain) (value yes))
           (pain-course (kind new))
           (or (finding (id pain_worsening|night_pain|feeling_unwell) (value yes))
               (open-question (id feeling_unwell) (state unanswered))))
      (and (finding (id fever) (value yes))
           (finding (id low_back_pain|groin_pain|buttock_pain|limp|psoas_sign) (value yes))))
  (not (concern (id spinal_infection)))
  (open-question (id ?q&injection_drug_use|diabetes|recent_infection|recent_spinal_procedure)
                 (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason history) (concerns spinal_infection psoas_abscess spinal_infection_risk))))

(defrule QUESTIONS::abscess-without-fever
  "[PA] New back, side, groin or buttock pain with a limp or a psoas sign: urinary
   symptoms or a recent infection make a psoas abscess possible even without a fever."
  (session (mode intake|screen))
  (finding (id low_back_pain|flank_pain|groin_pain|buttock_pain) (value yes))
  (finding (id limp|psoas_sign) (value yes))
  (pain-course (kind new))
  (not (concern (id psoas_abscess)))
  (open-question (id ?q&painful_urination|blood_in_urine|recent_infection) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns psoas_abscess))))

(defrule QUESTIONS::abscess-limp-urinary
  "[PA] New back, side, groin or buttock pain with urinary symptoms or a recent infection:
   a limp makes a psoas abscess possible even without a fever."
  (session (mode intake|screen))
  (finding (id low_back_pain|flank_pain|groin_pain|buttock_pain) (value yes))
  (finding (id painful_urination|blood_in_urine|recent_infection) (value yes))
  (pain-course (kind new))
  (not (concern (id psoas_abscess)))
  (not (finding (id limp|psoas_sign) (value yes)))
  (open-question (id limp) (state unanswered) (rank ?r))
  =>
  (assert (ask (id limp) (rank ?r) (reason follow-up) (concerns psoas_abscess))))

(defrule QUESTIONS::infection-risk-procedure
  "[F] New back, side, groin or buttock pain after injecting drugs or a spinal procedure is a
   referral even without other signs (spinal_infection_risk)."
  (session (mode intake))
  (finding (id low_back_pain|thoracic_pain|flank_pain|groin_pain|buttock_pain) (value yes))
  (pain-course (kind new))
  (not (concern (id spinal_infection|spinal_infection_risk)))
  (open-question (id ?q&injection_drug_use|recent_spinal_procedure) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason history) (concerns spinal_infection_risk))))

(defrule QUESTIONS::infection-unwell
  "[F] New back pain with a risk of infection (or while the risks are still to be asked):
   feeling unwell makes it a possible spinal infection."
  (session (mode intake|screen))
  (finding (id low_back_pain|thoracic_pain|flank_pain|groin_pain|buttock_pain|limp|psoas_sign) (value yes))
  (pain-course (kind new))
  (or (finding (id injection_drug_use|immunocompromised|recent_spinal_procedure|recent_infection|diabetes) (value yes))
      (open-question (id injection_drug_use|recent_spinal_procedure|recent_infection|diabetes) (state unanswered)))
  (not (concern (id spinal_infection)))
  (open-question (id feeling_unwell) (state unanswered) (rank ?r))
  =>
  (assert (ask (id feeling_unwell) (rank ?r) (reason follow-up) (concerns spinal_infection))))

(defrule QUESTIONS::sport-sites
  "[R] Groin, hip, buttock, pelvic, thigh or back pain, or an injury: does the person train,
   run or jump (a stress fracture, a sports injury)?"
  (session (mode intake|screen))
  (finding (id groin_pain|hip_pain|buttock_pain|pelvic_pain|medial_thigh_pain|thigh_symptoms|low_back_pain|recent_trauma)
           (value yes))
  (not (concern (id femoral_neck_stress)))
  (open-question (id ?q&athlete|runner|jumping_sports) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential)
               (concerns femoral_neck_stress stress_fracture sports_injury))))

(defrule QUESTIONS::bone-stress-signs
  "[R] Someone who trains with pain in the hip region or back: a limp, pain on weight-bearing
   or a bone-stress risk makes it a stress fracture."
  (session (mode intake|screen))
  (finding (id athlete|runner|jumping_sports) (value yes))
  (finding (id groin_pain|hip_pain|buttock_pain|pelvic_pain|medial_thigh_pain|thigh_symptoms|low_back_pain)
           (value yes))
  (not (concern (id femoral_neck_stress)))
  (not (concern (id stress_fracture)))
  (open-question (id ?q&weight_bearing_pain|limp|bone_stress_risk) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential) (concerns femoral_neck_stress stress_fracture))))

(defrule QUESTIONS::femoral-neck-signs
  "[R] Someone who trains with groin or hip pain, already a possible bone stress injury:
   a limp or pain on hopping or walking makes it a femoral neck stress fracture (urgent)."
  (session (mode intake|screen))
  (finding (id athlete|runner|jumping_sports) (value yes))
  (finding (id groin_pain|hip_pain) (value yes))
  (concern (id stress_fracture))
  (not (concern (id femoral_neck_stress)))
  (open-question (id ?q&weight_bearing_pain|limp) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential) (concerns femoral_neck_stress))))

(defrule QUESTIONS::bone-stress-back
  "[R][SSF] Someone who trains with low back or buttock pain: pain on standing or hopping
   on one leg makes it a sacral or pelvic stress fracture."
  (session (mode intake|screen))
  (finding (id athlete|runner|jumping_sports) (value yes))
  (finding (id low_back_pain|buttock_pain) (value yes))
  (not (concern (id femoral_neck_stress)))
  (not (concern (id stress_fracture)))
  (open-question (id single_leg_stance_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id single_leg_stance_pain) (rank ?r) (reason differential) (concerns stress_fracture))))

(defrule QUESTIONS::injury-signs
  "[I][C] After an injury: thin bones make it a possible fracture; under 50, a limp or pain
   on weight-bearing."
  (session (mode intake|screen))
  (finding (id recent_trauma) (value yes))
  (not (concern (id fracture)))
  (open-question (id ?q&osteoporosis_or_steroids|limp|weight_bearing_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns fracture fracture_minor))))

(defrule QUESTIONS::child-hip
  "[Ch] A child or teenager: a limp, or hip, groin, thigh or knee pain, is a hip problem
   (SUFE, Perthes, septic hip) until shown otherwise."
  (session (mode intake|screen))
  (finding (id age) (value ?a&:(< ?a 18)))
  (not (concern (id child_hip)))
  (open-question (id ?q&limp|groin_pain|hip_pain|medial_thigh_pain|thigh_symptoms|knee_pain)
                 (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns child_hip))))

(defrule QUESTIONS::older-fragile-weight-bearing
  "[I][F] Thin bones or 70 or over, with hip-region pain: pain on weight-bearing makes it an
   insufficiency fracture."
  (session (mode intake|screen))
  (or (finding (id osteoporosis_or_steroids) (value yes))
      (finding (id age) (value ?a&:(>= ?a 70))))
  (finding (id groin_pain|hip_pain|buttock_pain|thigh_symptoms|medial_thigh_pain) (value yes))
  (pain-course (kind new))
  (not (concern (id fracture|insufficiency_fracture)))
  (open-question (id weight_bearing_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id weight_bearing_pain) (rank ?r) (reason differential) (concerns insufficiency_fracture))))

(defrule QUESTIONS::aaa-worsening-risk
  "[N156] At 60 or over, new back, side, groin or buttock pain that keeps getting worse:
   smoking or vascular risk makes it a possible aneurysm."
  (session (mode intake|screen))
  (finding (id pain_worsening) (value yes))
  (finding (id low_back_pain|flank_pain|groin_pain|buttock_pain) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 60))))
  (not (finding (id sex) (value male|other)))
  (not (concern (id aaa)))
  (open-question (id ?q&smoker|vascular_risk) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns aaa))))

(defrule QUESTIONS::appendix
  "[P] Lower right belly pain, or pain that keeps getting worse: appendicitis."
  (session (mode intake|screen))
  (finding (id fever|nausea_vomiting|pain_worsening) (value yes))
  (not (concern (id appendicitis)))
  (open-question (id right_lower_abdominal_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id right_lower_abdominal_pain) (rank ?r) (reason follow-up) (concerns appendicitis))))

;;; ---- screen: follow-ups that decide the level ----------------------------------------

(defrule QUESTIONS::screen-discharge
  "[B] Pelvic infection is a same-day matter even without fever: ask every woman about
   discharge (pelvic pain follows only on a yes)."
  (session (mode screen))
  (open-question (id abnormal_vaginal_discharge) (state unanswered) (rank ?r))
  =>
  (assert (ask (id abnormal_vaginal_discharge) (rank ?r) (reason follow-up) (concerns pid))))

(defrule QUESTIONS::screen-pelvic-pain
  "[B] With abnormal discharge, pelvic pain is a same-day matter."
  (session (mode screen))
  (finding (id abnormal_vaginal_discharge) (value yes))
  (open-question (id pelvic_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id pelvic_pain) (rank ?r) (reason follow-up) (concerns pid))))

(defrule QUESTIONS::screen-known-aneurysm
  "[N156] A known aneurysm is asked with the aortic warning signs: with pain it may be
   symptomatic (same day), with sudden pain or collapse it may be rupturing."
  (session (mode screen))
  (open-question (id known_aaa) (state unanswered) (rank ?r))
  =>
  (assert (ask (id known_aaa) (rank ?r) (reason follow-up)
               (concerns aaa_rupture aaa known_aneurysm))))

(defrule QUESTIONS::screen-blood-thinner
  "[L] A blood thinner is asked with the history: new groin, hip, side or back pain on one
   may be a bleed, a same-day matter (or an emergency)."
  (session (mode screen))
  (open-question (id anticoagulants) (state unanswered) (rank ?r))
  =>
  (assert (ask (id anticoagulants) (rank ?r) (reason follow-up)
               (concerns bleed_on_anticoagulant expanding_bleed))))

(defrule QUESTIONS::screen-unwell
  "[F][A] Feeling generally unwell is asked with the other signs of infection: with new back
   pain and a risk of infection it is a same-day matter, even without a fever."
  (session (mode screen))
  (open-question (id feeling_unwell) (state unanswered) (rank ?r))
  =>
  (assert (ask (id feeling_unwell) (rank ?r) (reason follow-up) (concerns spinal_infection))))

(defrule QUESTIONS::screen-gca
  "[PMR] At 50 or over: new headache, jaw pain or sight changes (giant cell arteritis) is a
   same-day matter."
  (session (mode screen))
  (open-question (id gca_symptoms) (state unanswered) (rank ?r))
  =>
  (assert (ask (id gca_symptoms) (rank ?r) (reason follow-up) (concerns gca))))

;;; ---- screen: what means "see a doctor before booking" ----------------------------------
;;; Asked as one checklist (kb/screen.json "doctor_first") once the red flags are done,
;;; only while nothing already sends the person to a doctor.

(defrule QUESTIONS::screen-doctor-first
  "[A][T][N12][K][P][R] Groin or hip pain (a stress fracture in someone who trains), pain
   that treatment has not helped, a change in bowel habit, side or lower right belly pain:
   a doctor first."
  (session (mode screen))
  (disposition (level ~emergency&~urgent&~refer))
  (open-question (id ?q&groin_pain|hip_pain|not_improving|bowel_habit_change|flank_pain|right_lower_abdominal_pain)
                 (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up)
               (concerns femoral_neck_stress refractory_pain colon_cancer kidney_cause abdominal_cause))))

(defrule QUESTIONS::screen-doctor-first-older
  "[NG12][PMR][CG147] At 45 or over, blood in the urine; at 50 or over, aching of both hips
   (polymyalgia) or walking pain that eases on standing (claudication): a doctor first."
  (session (mode screen))
  (disposition (level ~emergency&~urgent&~refer))
  (finding (id age) (value ?a&:(>= ?a 45)))
  (open-question (id ?q&blood_in_urine|bilateral_hip_aching|walking_pain_eases_standing) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns haematuria pmr claudication))))

(defrule QUESTIONS::screen-prostate
  "[A] Perineal pain or painful urination in a man: prostatitis."
  (session (mode screen))
  (disposition (level ~emergency&~urgent&~refer))
  (finding (id sex) (value male|other))
  (open-question (id ?q&painful_urination|perineal_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns prostatitis prostatitis_acute))))

;;; ---- both modes: follow-ups of the "doctor first" answers ------------------------------

(defrule QUESTIONS::refractory-doctor
  "[A][T] Pain not improving with treatment: has a doctor examined it already?"
  (session (mode intake|screen))
  (open-question (id doctor_assessed) (state unanswered) (rank ?r))
  =>
  (assert (ask (id doctor_assessed) (rank ?r) (reason follow-up) (concerns refractory_pain))))

(defrule QUESTIONS::bowel-left-side
  "[A] A change in bowel habit: lower left belly pain means diverticular disease."
  (session (mode intake|screen))
  (finding (id bowel_habit_change) (value yes))
  (open-question (id left_lower_abdominal_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id left_lower_abdominal_pain) (rank ?r) (reason follow-up)
               (concerns diverticulitis diverticulitis_acute))))

(defrule QUESTIONS::kidney-signs
  "[K][NG12] Side pain: frequent or painful urination or blood in the urine make it a kidney
   cause; groin pain with it is renal colic."
  (session (mode intake|screen))
  (finding (id flank_pain) (value yes))
  (not (concern (id kidney_cause)))
  (open-question (id ?q&urinary_frequency|painful_urination|blood_in_urine) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential) (concerns kidney_cause haematuria))))

(defrule QUESTIONS::flank-groin
  "[K] Side pain: does it spread to the groin (renal colic)?"
  (session (mode intake|screen))
  (finding (id flank_pain) (value yes))
  (not (concern (id kidney_stone)))
  (open-question (id groin_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id groin_pain) (rank ?r) (reason differential) (concerns kidney_stone))))

(defrule QUESTIONS::severe-rest-pain
  "[VRF][I] New back, side, groin, buttock, hip, pelvic or lower belly pain: is it severe and
   there all the time, with nothing easing it (a kidney, a vessel, an infection)?"
  (session (mode intake))
  (finding (id low_back_pain|thoracic_pain|flank_pain|groin_pain|buttock_pain|hip_pain|pelvic_pain|right_lower_abdominal_pain|left_lower_abdominal_pain)
           (value yes))
  (pain-course (kind new))
  (not (concern (id severe_rest_pain)))
  (open-question (id pain_at_rest_severe) (state unanswered) (rank ?r))
  =>
  (assert (ask (id pain_at_rest_severe) (rank ?r) (reason pattern) (concerns severe_rest_pain))))

(defrule QUESTIONS::flank-thigh
  "[L][K][ILPA] Side pain: does it spread into the front or inner thigh (a bleed or an
   abscess in the psoas pressing on the femoral nerve)?"
  (session (mode intake|screen))
  (finding (id flank_pain) (value yes))
  (not (concern (id flank_to_thigh_pain)))
  (open-question (id ?q&thigh_symptoms|medial_thigh_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential) (concerns flank_to_thigh_pain))))

(defrule QUESTIONS::polymyalgia-stiffness
  "[PMR] Aching of both hips or shoulders: long morning stiffness makes it polymyalgia."
  (session (mode intake|screen))
  (finding (id bilateral_hip_aching) (value yes))
  (not (concern (id pmr|gca)))
  (open-question (id morning_stiffness_long) (state unanswered) (rank ?r))
  =>
  (assert (ask (id morning_stiffness_long) (rank ?r) (reason differential) (concerns pmr))))

(defrule QUESTIONS::claudication-risk
  "[CG147] Walking pain that eases on standing: smoking, diabetes or vascular risk make it
   claudication."
  (session (mode intake|screen))
  (finding (id walking_pain_eases_standing) (value yes))
  (not (concern (id claudication)))
  (open-question (id ?q&smoker|diabetes|vascular_risk) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason history) (concerns claudication))))

;;; ---- intake: the map of the pain ----------------------------------------------------

(defrule QUESTIONS::pain-back
  "[A][T] Low back and buttock pain: the psoas pattern, and the sites of spinal infection,
   a bleed or an aneurysm."
  (session (mode intake))
  (open-question (id ?q&low_back_pain|buttock_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason pattern) (concerns psoas_syndrome spinal_infection bleed_on_anticoagulant))))

(defrule QUESTIONS::pain-hip-groin
  "[A][T][N226][R] Groin and hip pain: the psoas pattern, hip arthritis, a stress fracture."
  (session (mode intake))
  (open-question (id ?q&groin_pain|hip_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason pattern)
               (concerns psoas_syndrome hip_arthritis hip_joint_pain femoral_neck_stress stress_fracture))))

(defrule QUESTIONS::pain-leg
  "[I] Leg pain, and whether it goes below the knee: nerve root pain (radiculopathy)."
  (session (mode intake))
  (open-question (id ?q&leg_pain|pain_below_knee) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason pattern) (concerns radiculopathy referred_leg_pain))))

(defrule QUESTIONS::pain-belly
  "[P][B][A] Pelvic and lower belly pain: appendicitis, pelvic infection, diverticular
   disease, pregnancy complications."
  (session (mode intake))
  (open-question (id ?q&pelvic_pain|right_lower_abdominal_pain|left_lower_abdominal_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential)
               (concerns abdominal_cause appendicitis pid diverticulitis stress_fracture))))

(defrule QUESTIONS::pain-side
  "[K] Steady side pain: a kidney cause."
  (session (mode intake))
  (open-question (id flank_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id flank_pain) (rank ?r) (reason differential) (concerns kidney_cause progressive_flank_pain))))

(defrule QUESTIONS::pain-thigh
  "[A][L][R] Thigh pain, numbness or tingling: the femoral-nerve indication for psoas
   release, or a bleed, a stress fracture or an obturator hernia."
  (session (mode intake))
  (open-question (id ?q&thigh_symptoms|medial_thigh_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason pattern) (concerns abdominal_cause stress_fracture bleed_on_anticoagulant))))

(defrule QUESTIONS::bursitis
  "[A] Pain on the outside of the hip, worse lying on it: trochanteric bursitis."
  (session (mode intake))
  (open-question (id lateral_hip_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id lateral_hip_pain) (rank ?r) (reason differential) (concerns femoral_bursitis))))

(defrule QUESTIONS::postural-sign
  "[A][T] With low back, buttock or groin pain: pain on rising or difficulty standing
   upright completes the psoas pattern (asked until the pattern is established)."
  (session (mode intake))
  (finding (id low_back_pain|buttock_pain|groin_pain) (value yes))
  (not (concern (id psoas_syndrome)))
  (open-question (id ?q&pain_on_rising|difficulty_standing_upright) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason pattern) (concerns psoas_syndrome))))

(defrule QUESTIONS::psoas-support
  "[A][T] Once the psoas pattern is present: sport, running, jumping and a limp support it
   (they are named with it)."
  (session (mode intake))
  (concern (id psoas_syndrome))
  (open-question (id ?q&athlete|runner|jumping_sports|limp) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason pattern) (concerns psoas_syndrome))))

(defrule QUESTIONS::hip-arthritis
  "[N226] Groin pain at 45 or over: morning stiffness or painful rotation means hip
   arthritis (asked until it is established)."
  (session (mode intake))
  (finding (id groin_pain) (value yes))
  (finding (id age) (value ?age&:(>= ?age 45)))
  (not (concern (id hip_arthritis)))
  (open-question (id ?q&hip_stiffness_morning|pain_on_hip_rotation) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential) (concerns hip_arthritis hip_arthritis_atypical))))

(defrule QUESTIONS::knee
  "[Ch] In a child or teenager a hip problem is often felt in the knee."
  (session (mode intake))
  (finding (id age) (value ?a&:(< ?a 18)))
  (open-question (id knee_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id knee_pain) (rank ?r) (reason differential) (concerns child_hip))))

;;; ---- intake: the course of the pain --------------------------------------------------

(defrule QUESTIONS::duration
  "[F][L][NG126][E] How long the pain has lasted decides whether it is new (a bleed, an
   infection, a pregnancy complication, an aneurysm) or long-standing (spondyloarthritis);
   asked only where some pain is reported (its `when`)."
  (session (mode intake))
  (open-question (id symptom_weeks) (state unanswered) (rank ?r))
  =>
  (assert (ask (id symptom_weeks) (rank ?r) (reason history)
               (concerns bleed_on_anticoagulant spinal_infection pregnancy_pain spondyloarthritis))))

(defrule QUESTIONS::refractory
  "[A][T] Pain that has not improved with 4 weeks of treatment needs a doctor's check (not
   asked when no pain is reported, or when it has lasted less than 4 weeks)."
  (session (mode intake))
  (finding (id low_back_pain|buttock_pain|leg_pain|groin_pain|hip_pain|pelvic_pain|right_lower_abdominal_pain|left_lower_abdominal_pain|flank_pain|flank_pain_waves|medial_thigh_pain|thigh_symptoms|lateral_hip_pain|knee_pain|thoracic_pain)
           (value yes))
  (not (finding (id symptom_weeks) (value ?w&:(< ?w 4))))
  (open-question (id not_improving) (state unanswered) (rank ?r))
  =>
  (assert (ask (id not_improving) (rank ?r) (reason pattern) (concerns refractory_pain malignancy))))

;;; ---- intake: history ----------------------------------------------------------------

(defrule QUESTIONS::spinal-procedure
  "[F] A recent spinal injection or operation: watch for infection (with new back pain, a
   doctor first)."
  (session (mode intake))
  (open-question (id recent_spinal_procedure) (state unanswered) (rank ?r))
  =>
  (assert (ask (id recent_spinal_procedure) (rank ?r) (reason history)
               (concerns after_spinal_procedure spinal_infection_risk))))

(defrule QUESTIONS::urine-blood
  "[NG12][K] Blood in the urine at 45 or over (a urological cancer referral), or with side
   pain."
  (session (mode intake))
  (or (finding (id age) (value ?a&:(>= ?a 45)))
      (finding (id flank_pain_waves) (value yes)))
  (open-question (id blood_in_urine) (state unanswered) (rank ?r))
  =>
  (assert (ask (id blood_in_urine) (rank ?r) (reason differential) (concerns haematuria kidney_stone))))

(defrule QUESTIONS::prostate
  "[A] In a man, perineal pain or painful urination means prostatitis."
  (session (mode intake))
  (finding (id sex) (value male|other))
  (open-question (id ?q&perineal_pain|painful_urination) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential) (concerns prostatitis prostatitis_acute))))

(defrule QUESTIONS::bowel-habit
  "[A][N12] A lasting change in bowel habit: bowel cancer (at 50 or over, or with weight
   loss) or diverticular disease (with lower left belly pain)."
  (session (mode intake))
  (or (finding (id age) (value ?a&:(>= ?a 50)))
      (finding (id weight_loss|left_lower_abdominal_pain) (value yes)))
  (open-question (id bowel_habit_change) (state unanswered) (rank ?r))
  =>
  (assert (ask (id bowel_habit_change) (rank ?r) (reason differential)
               (concerns colon_cancer diverticulitis))))

(defrule QUESTIONS::discharge
  "[A][B] Pelvic pain in a woman: unusual discharge means pelvic inflammatory disease."
  (session (mode intake))
  (finding (id pelvic_pain) (value yes))
  (open-question (id abnormal_vaginal_discharge) (state unanswered) (rank ?r))
  =>
  (assert (ask (id abnormal_vaginal_discharge) (rank ?r) (reason differential) (concerns pid))))

(defrule QUESTIONS::kidney-stone-blood
  "[K] With colicky side pain, blood in the urine supports a kidney stone."
  (session (mode intake))
  (finding (id flank_pain_waves) (value yes))
  (open-question (id blood_in_urine) (state unanswered) (rank ?r))
  =>
  (assert (ask (id blood_in_urine) (rank ?r) (reason differential) (concerns kidney_stone))))

(defrule QUESTIONS::older-questions
  "[CG147][PMR] At 50 or over: walking pain that eases on standing (claudication), aching of
   both hips (polymyalgia), headache, jaw or sight symptoms (giant cell arteritis)."
  (session (mode intake))
  (open-question (id ?q&walking_pain_eases_standing|bilateral_hip_aching|gca_symptoms) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential) (concerns claudication pmr gca))))

(defrule QUESTIONS::walking-numbness
  "[CG147] At 50 or over (the question's `when`), as walking pain is asked: does walking
   bring on numbness or weakness in a leg (claudication of the arteries or the spinal
   canal)?"
  (session (mode intake))
  (open-question (id walking_leg_numb_weak) (state unanswered) (rank ?r))
  =>
  (assert (ask (id walking_leg_numb_weak) (rank ?r) (reason differential) (concerns walking_leg_symptoms))))

(defrule QUESTIONS::walking-numbness-stenosis
  "[CG147] Numbness or weakness on walking: a diagnosed lumbar spinal stenosis explains it."
  (session (mode intake))
  (finding (id walking_leg_numb_weak) (value yes))
  (open-question (id spinal_stenosis) (state unanswered) (rank ?r))
  =>
  (assert (ask (id spinal_stenosis) (rank ?r) (reason differential) (concerns walking_leg_symptoms))))

(defrule QUESTIONS::spondyloarthritis
  "[E] Low back pain for 12 weeks or more that began before 45: long morning stiffness
   points to spondyloarthritis."
  (session (mode intake))
  (finding (id low_back_pain) (value yes))
  (finding (id age) (value ?a&:(< ?a 45)))
  (finding (id symptom_weeks) (value ?w&:(>= ?w 12)))
  (open-question (id morning_stiffness_long) (state unanswered) (rank ?r))
  =>
  (assert (ask (id morning_stiffness_long) (rank ?r) (reason differential) (concerns spondyloarthritis))))

(defrule QUESTIONS::abscess-limp
  "[A][I] With a fever and an abscess risk: a limp is one of the signs of a psoas abscess."
  (session (mode intake))
  (finding (id fever) (value yes))
  (finding (id immunocompromised|diabetes|injection_drug_use|inflammatory_bowel_disease) (value yes))
  (not (concern (id psoas_abscess)))
  (open-question (id limp) (state unanswered) (rank ?r))
  =>
  (assert (ask (id limp) (rank ?r) (reason differential) (concerns psoas_abscess))))

;;; ---- intake: where psoas release is indicated (only while treatment may go ahead) ----

(defrule QUESTIONS::indication-findings
  "[A] Spondylolisthesis is on the article's list of indications for psoas release."
  (session (mode intake))
  (disposition (level caution|proceed|incomplete))
  (not (psoas-not-quiet))
  (open-question (id spondylolisthesis) (state unanswered) (rank ?r))
  =>
  (assert (ask (id spondylolisthesis) (rank ?r) (reason indication))))

(defrule QUESTIONS::indication-stenosis
  "[A] Lumbar spinal stenosis at 60 or over is an indication for psoas release."
  (session (mode intake))
  (disposition (level caution|proceed|incomplete))
  (not (psoas-not-quiet))
  (finding (id age) (value ?age&:(>= ?age 60)))
  (open-question (id spinal_stenosis) (state unanswered) (rank ?r))
  =>
  (assert (ask (id spinal_stenosis) (rank ?r) (reason indication))))

;;; ---- intake with --therapist: the therapist's findings ---------------------------------

(defrule QUESTIONS::therapist-pulsation
  "[A][N156] Before deep psoas work: is the aortic pulse under the fingertips, and is it
   an expanding mass?"
  (session (mode intake) (therapist yes))
  (open-question (id ?q&palpation_pulsation|pulsation_expansile) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason therapist) (concerns aortic_pulse_felt aaa aaa_screening))))

(defrule QUESTIONS::therapist-smoker
  "[N156] An aortic pulse felt in a person of 65 or over who is not male: smoking makes it
   a screening matter."
  (session (mode intake) (therapist yes))
  (finding (id palpation_pulsation) (value yes))
  (finding (id age) (value ?age&:(>= ?age 65)))
  (not (concern (id aaa_screening)))
  (open-question (id smoker) (state unanswered) (rank ?r))
  =>
  (assert (ask (id smoker) (rank ?r) (reason history) (concerns aaa_screening))))

(defrule QUESTIONS::therapist-psoas-signs
  "[A][T] With the psoas pattern: the Thomas test and a tender psoas support it."
  (session (mode intake) (therapist yes))
  (concern (id psoas_syndrome))
  (open-question (id ?q&thomas_test_positive|psoas_tender) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason therapist) (concerns psoas_syndrome))))

(defrule QUESTIONS::therapist-psoas-sign
  "[A][I][P] With a fever or lower right belly pain: a positive psoas sign points to a psoas
   abscess or appendicitis."
  (session (mode intake) (therapist yes))
  (finding (id fever|right_lower_abdominal_pain) (value yes))
  (open-question (id psoas_sign) (state unanswered) (rank ?r))
  =>
  (assert (ask (id psoas_sign) (rank ?r) (reason therapist) (concerns psoas_abscess appendicitis))))

(defrule QUESTIONS::therapist-hip-restriction
  "[RB] Is hip movement restricted in a pattern nothing musculoskeletal explains?"
  (session (mode intake) (therapist yes))
  (open-question (id hip_motion_atypical) (state unanswered) (rank ?r))
  =>
  (assert (ask (id hip_motion_atypical) (rank ?r) (reason therapist) (concerns atypical_hip_restriction))))

(defrule QUESTIONS::therapist-indications
  "[A] Hip capsular pattern and a posteriorly rotated ilium are indications for psoas
   release."
  (session (mode intake) (therapist yes))
  (disposition (level caution|proceed|incomplete))
  (not (psoas-not-quiet))
  (open-question (id ?q&hip_capsular_pattern|ilium_posterior_rotation) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason indication))))

(defrule QUESTIONS::therapist-runner
  "[A] Female runners with sacroiliac dysfunction are an indication for psoas release:
   does she run?"
  (session (mode intake) (therapist yes))
  (disposition (level caution|proceed|incomplete))
  (not (psoas-not-quiet))
  (finding (id sex) (value female))
  (open-question (id runner) (state unanswered) (rank ?r))
  =>
  (assert (ask (id runner) (rank ?r) (reason indication))))

(defrule QUESTIONS::therapist-si
  "[A] A female runner: is there sacroiliac dysfunction?"
  (session (mode intake) (therapist yes))
  (disposition (level caution|proceed|incomplete))
  (not (psoas-not-quiet))
  (finding (id sex) (value female))
  (finding (id runner) (value yes))
  (open-question (id si_dysfunction) (state unanswered) (rank ?r))
  =>
  (assert (ask (id si_dysfunction) (rank ?r) (reason indication))))
