;;; 90-questions.clp -- what a dialogue still needs to ask (goal-driven questioning).
;;; Consumes: session, open-question (applicable questions not yet answered: only those
;;;   with (state unanswered) are asked again), finding, concern, disposition.
;;; Produces: ask facts, (ask (id Q) (rank N) (reason R) (concerns C...)): the host asks
;;;   the open question with the lowest rank, asserts the answer and runs the rules
;;;   again.  `concerns` names what the answer rules in or out (shown by `why`).
;;;
;;; The red-flag questions are asked in every mode by DISPOSITION::ask-open-red-flags.
;;; This module adds, in `intake`, every other question whose answer can still change a
;;; concern, a precaution or an indication for this person, and in `screen` only the
;;; follow-ups that decide between "emergency now", "see a doctor today", "see a doctor
;;; before booking" and "fine to book".  Questions that do not apply to this person have
;;; no open-question fact (their `when` in kb/questions.json), so they are never asked.
;;; Ranks are the catalogue order (the open-question's rank), except that a follow-up
;;; that can establish an emergency gets rank 0: it is asked at once.

;;; ---- both modes: follow-ups that can establish an emergency -------------------------

(defrule QUESTIONS::hernia-strangulated
  "[H] A groin lump that grows on straining: is it now hard, painful and stuck out?"
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

;;; ---- screen: follow-ups that decide the level ----------------------------------------

(defrule QUESTIONS::screen-fragile-bone
  "[I][C] After an injury, thin bones or long-term steroids make a fracture a same-day
   matter."
  (session (mode screen))
  (finding (id recent_trauma) (value yes))
  (not (concern (id fracture)))
  (open-question (id osteoporosis_or_steroids) (state unanswered) (rank ?r))
  =>
  (assert (ask (id osteoporosis_or_steroids) (rank ?r) (reason follow-up)
               (concerns fracture fracture_minor))))

(defrule QUESTIONS::screen-discharge
  "[B] Pelvic infection is a same-day matter even without fever: ask every woman about
   discharge (pelvic pain follows only on a yes)."
  (session (mode screen))
  (open-question (id abnormal_vaginal_discharge) (state unanswered) (rank ?r))
  =>
  (assert (ask (id abnormal_vaginal_discharge) (rank ?r) (reason follow-up) (concerns pid))))

(defrule QUESTIONS::screen-pelvic-pain
  "[B] In (possible) pregnancy or with abnormal discharge, pelvic pain is a same-day
   matter."
  (session (mode screen))
  (finding (id pregnant|abnormal_vaginal_discharge) (value yes))
  (open-question (id pelvic_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id pelvic_pain) (rank ?r) (reason follow-up) (concerns pregnancy_pain pid))))

(defrule QUESTIONS::screen-known-aneurysm
  "[N156] A known aneurysm is asked with the aortic warning signs: with pain it may be
   symptomatic (same day), with sudden pain or collapse it may be rupturing."
  (session (mode screen))
  (open-question (id known_aaa) (state unanswered) (rank ?r))
  =>
  (assert (ask (id known_aaa) (rank ?r) (reason follow-up)
               (concerns aaa_rupture aaa known_aneurysm))))

(defrule QUESTIONS::screen-known-aneurysm-pain
  "[N156] A known aneurysm: back, groin, buttock, pelvic or lower-left belly pain may mean
   it is symptomatic, a same-day matter."
  (session (mode screen))
  (finding (id known_aaa) (value yes))
  (not (concern (id aaa)))
  (open-question (id ?q&low_back_pain|groin_pain|buttock_pain|pelvic_pain|left_lower_abdominal_pain)
                 (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns aaa))))

;;; ---- screen: what means "see a doctor before booking" ----------------------------------
;;; Asked as one checklist (kb/screen.json "doctor_first") once the red flags are done,
;;; only while nothing already sends the person to a doctor.

(defrule QUESTIONS::screen-hip-arthritis
  "[A][N226] Groin pain at 45 or over may be hip arthritis: a doctor first."
  (session (mode screen))
  (disposition (level ~emergency&~urgent&~refer))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 45)))
  (open-question (id groin_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id groin_pain) (rank ?r) (reason follow-up) (concerns hip_arthritis))))

(defrule QUESTIONS::screen-hip-arthritis-signs
  "[A][N226] Groin pain at 45 or over: morning stiffness or painful rotation make it hip
   arthritis."
  (session (mode screen))
  (disposition (level ~emergency&~urgent&~refer))
  (finding (id groin_pain) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 45)))
  (open-question (id ?q&hip_stiffness_morning|pain_on_hip_rotation) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns hip_arthritis))))

(defrule QUESTIONS::screen-bursitis-refractory
  "[A][T] Lateral hip pain (bursitis) and pain that treatment has not helped: a doctor first."
  (session (mode screen))
  (disposition (level ~emergency&~urgent&~refer))
  (open-question (id ?q&lateral_hip_pain|not_improving) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns femoral_bursitis refractory_pain))))

(defrule QUESTIONS::screen-bowel
  "[A][N12] A lasting change in bowel habit: bowel cancer or diverticular disease."
  (session (mode screen))
  (disposition (level ~emergency&~urgent&~refer))
  (open-question (id bowel_habit_change) (state unanswered) (rank ?r))
  =>
  (assert (ask (id bowel_habit_change) (rank ?r) (reason follow-up)
               (concerns colon_cancer diverticulitis diverticulitis_acute))))

(defrule QUESTIONS::screen-bowel-left-side
  "[A] A change in bowel habit with lower-left belly pain: diverticular disease."
  (session (mode screen))
  (disposition (level ~emergency&~urgent&~refer))
  (finding (id bowel_habit_change) (value yes))
  (open-question (id left_lower_abdominal_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id left_lower_abdominal_pain) (rank ?r) (reason follow-up)
               (concerns diverticulitis diverticulitis_acute))))

(defrule QUESTIONS::screen-prostate
  "[A] Perineal pain or painful urination in a man: prostatitis."
  (session (mode screen))
  (disposition (level ~emergency&~urgent&~refer))
  (finding (id sex) (value male))
  (open-question (id ?q&painful_urination|perineal_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason follow-up) (concerns prostatitis prostatitis_acute))))

;;; ---- intake: the pain pattern --------------------------------------------------------

(defrule QUESTIONS::pain-sites
  "[A][T] Low back and buttock pain: the core of the psoas syndrome pattern."
  (session (mode intake))
  (open-question (id ?q&low_back_pain|buttock_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason pattern) (concerns psoas_syndrome psoas_abscess))))

(defrule QUESTIONS::groin-pain
  "[A][T][N226] Groin pain: psoas syndrome, hip arthritis, or with fever a psoas abscess."
  (session (mode intake))
  (open-question (id groin_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id groin_pain) (rank ?r) (reason pattern)
               (concerns psoas_syndrome hip_arthritis psoas_abscess))))

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
  "[A][T] Once the psoas pattern is present: sport, running, jumping and a limp support it."
  (session (mode intake))
  (concern (id psoas_syndrome))
  (open-question (id ?q&athlete|runner|jumping_sports|limp) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason pattern) (concerns psoas_syndrome))))

(defrule QUESTIONS::abscess-site
  "[A][I] With a fever: a limp is one of the signs of a psoas abscess (asked until it is
   established)."
  (session (mode intake))
  (finding (id fever) (value yes))
  (not (concern (id psoas_abscess)))
  (open-question (id limp) (state unanswered) (rank ?r))
  =>
  (assert (ask (id limp) (rank ?r) (reason differential) (concerns psoas_abscess))))

(defrule QUESTIONS::leg-pain
  "[I] Leg pain, and whether it goes below the knee: nerve root pain (radiculopathy)."
  (session (mode intake))
  (open-question (id ?q&leg_pain|pain_below_knee) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason pattern) (concerns radiculopathy))))

(defrule QUESTIONS::refractory
  "[A][T] Pain that has not improved with 4 weeks of treatment needs a doctor's check."
  (session (mode intake))
  (open-question (id not_improving) (state unanswered) (rank ?r))
  =>
  (assert (ask (id not_improving) (rank ?r) (reason pattern) (concerns refractory_pain psoas_syndrome))))

(defrule QUESTIONS::duration
  "[A][T] How long the pain has lasted, for the treating clinician's record."
  (session (mode intake))
  (open-question (id symptom_weeks) (state unanswered) (rank ?r))
  =>
  (assert (ask (id symptom_weeks) (rank ?r) (reason history))))

;;; ---- intake: the mimics --------------------------------------------------------------

(defrule QUESTIONS::bursitis
  "[A] Pain on the outside of the hip, worse lying on it: trochanteric bursitis."
  (session (mode intake))
  (open-question (id lateral_hip_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id lateral_hip_pain) (rank ?r) (reason differential) (concerns femoral_bursitis))))

(defrule QUESTIONS::hip-arthritis
  "[N226] Groin pain at 45 or over: morning stiffness or painful rotation means hip
   arthritis (asked until it is established)."
  (session (mode intake))
  (finding (id groin_pain) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 45)))
  (not (concern (id hip_arthritis)))
  (open-question (id ?q&hip_stiffness_morning|pain_on_hip_rotation) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential) (concerns hip_arthritis))))

(defrule QUESTIONS::pelvic-pain
  "[A][B] Pelvic pain matters in a woman (pelvic infection) or in (possible) pregnancy."
  (session (mode intake))
  (or (finding (id sex) (value female))
      (finding (id pregnant) (value yes)))
  (open-question (id pelvic_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id pelvic_pain) (rank ?r) (reason differential) (concerns pid pregnancy_pain))))

(defrule QUESTIONS::discharge
  "[A][B] Pelvic pain in a woman: unusual discharge means pelvic inflammatory disease."
  (session (mode intake))
  (finding (id pelvic_pain) (value yes))
  (open-question (id abnormal_vaginal_discharge) (state unanswered) (rank ?r))
  =>
  (assert (ask (id abnormal_vaginal_discharge) (rank ?r) (reason differential) (concerns pid))))

(defrule QUESTIONS::prostate
  "[A] In a man, perineal pain or painful urination means prostatitis."
  (session (mode intake))
  (finding (id sex) (value male))
  (open-question (id ?q&perineal_pain|painful_urination) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason differential) (concerns prostatitis prostatitis_acute))))

(defrule QUESTIONS::kidney-stone-blood
  "[K] With colicky side pain, blood in the urine supports a kidney stone."
  (session (mode intake))
  (finding (id flank_pain_waves) (value yes))
  (open-question (id blood_in_urine) (state unanswered) (rank ?r))
  =>
  (assert (ask (id blood_in_urine) (rank ?r) (reason differential) (concerns kidney_stone))))

(defrule QUESTIONS::bowel-habit
  "[A][N12] A lasting change in bowel habit: bowel cancer or diverticular disease."
  (session (mode intake))
  (open-question (id bowel_habit_change) (state unanswered) (rank ?r))
  =>
  (assert (ask (id bowel_habit_change) (rank ?r) (reason differential)
               (concerns colon_cancer diverticulitis))))

(defrule QUESTIONS::diverticular
  "[A] With a change in bowel habit or a fever: lower left belly pain means diverticulitis."
  (session (mode intake))
  (finding (id bowel_habit_change|fever) (value yes))
  (open-question (id left_lower_abdominal_pain) (state unanswered) (rank ?r))
  =>
  (assert (ask (id left_lower_abdominal_pain) (rank ?r) (reason differential)
               (concerns diverticulitis diverticulitis_acute))))

(defrule QUESTIONS::abscess-risk
  "[A][I] With a fever: diabetes or injecting drugs make a psoas abscess likely (asked
   until it is established)."
  (session (mode intake))
  (finding (id fever) (value yes))
  (not (concern (id psoas_abscess)))
  (open-question (id ?q&diabetes|injection_drug_use) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason history) (concerns psoas_abscess))))

;;; ---- intake: history that sets precautions --------------------------------------------

(defrule QUESTIONS::known-aneurysm
  "[N156] A known aneurysm rules out deep abdominal work."
  (session (mode intake))
  (open-question (id known_aaa) (state unanswered) (rank ?r))
  =>
  (assert (ask (id known_aaa) (rank ?r) (reason history) (concerns known_aneurysm aaa_rupture))))

(defrule QUESTIONS::blood-thinners
  "[M] Blood thinners: only gentle pressure."
  (session (mode intake))
  (open-question (id anticoagulants) (state unanswered) (rank ?r))
  =>
  (assert (ask (id anticoagulants) (rank ?r) (reason history) (concerns anticoagulated))))

(defrule QUESTIONS::recent-surgery
  "[M] Recent abdominal or pelvic surgery: no deep abdominal work."
  (session (mode intake))
  (open-question (id recent_abdominal_surgery) (state unanswered) (rank ?r))
  =>
  (assert (ask (id recent_abdominal_surgery) (rank ?r) (reason history) (concerns recent_surgery))))

(defrule QUESTIONS::bowel-inflammation
  "[M][A] Crohn's disease or colitis: no deep abdominal work; with fever, a psoas abscess."
  (session (mode intake))
  (open-question (id inflammatory_bowel_disease) (state unanswered) (rank ?r))
  =>
  (assert (ask (id inflammatory_bowel_disease) (rank ?r) (reason history)
               (concerns bowel_inflammation psoas_abscess))))

(defrule QUESTIONS::fragile-bone
  "[M][I][C] Osteoporosis or long-term steroids: gentle pressure; after an injury, a
   possible fracture."
  (session (mode intake))
  (open-question (id osteoporosis_or_steroids) (state unanswered) (rank ?r))
  =>
  (assert (ask (id osteoporosis_or_steroids) (rank ?r) (reason history) (concerns fragile_bone fracture))))

;;; ---- intake: where psoas release is indicated (only while treatment may go ahead) ----

(defrule QUESTIONS::indication-findings
  "[A] Thigh symptoms (femoral nerve) and spondylolisthesis are on the article's list of
   indications for psoas release."
  (session (mode intake))
  (disposition (level caution|proceed|incomplete))
  (open-question (id ?q&thigh_symptoms|spondylolisthesis) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason indication))))

(defrule QUESTIONS::indication-stenosis
  "[A] Lumbar spinal stenosis at 60 or over is an indication for psoas release."
  (session (mode intake))
  (disposition (level caution|proceed|incomplete))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 60)))
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
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 65)))
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

(defrule QUESTIONS::therapist-psoas-sign-fever
  "[A][I] With a fever: a positive psoas sign points to a psoas abscess."
  (session (mode intake) (therapist yes))
  (finding (id fever) (value yes))
  (open-question (id psoas_sign) (state unanswered) (rank ?r))
  =>
  (assert (ask (id psoas_sign) (rank ?r) (reason therapist) (concerns psoas_abscess))))

(defrule QUESTIONS::therapist-indications
  "[A] Hip capsular pattern and a posteriorly rotated ilium are indications for psoas
   release."
  (session (mode intake) (therapist yes))
  (disposition (level caution|proceed|incomplete))
  (open-question (id ?q&hip_capsular_pattern|ilium_posterior_rotation) (state unanswered) (rank ?r))
  =>
  (assert (ask (id ?q) (rank ?r) (reason indication))))

(defrule QUESTIONS::therapist-runner
  "[A] Female runners with sacroiliac dysfunction are an indication for psoas release:
   does she run?"
  (session (mode intake) (therapist yes))
  (disposition (level caution|proceed|incomplete))
  (finding (id sex) (value female))
  (open-question (id runner) (state unanswered) (rank ?r))
  =>
  (assert (ask (id runner) (rank ?r) (reason indication))))

(defrule QUESTIONS::therapist-si
  "[A] A female runner: is there sacroiliac dysfunction?"
  (session (mode intake) (therapist yes))
  (disposition (level caution|proceed|incomplete))
  (finding (id sex) (value female))
  (finding (id runner) (value yes))
  (open-question (id si_dysfunction) (state unanswered) (rank ?r))
  =>
  (assert (ask (id si_dysfunction) (rank ?r) (reason indication))))
