;;; 10-emergency.clp -- concerns that force the level `emergency` (kb/concerns.json).
;;; Consumes: finding, pain-course, concern (bleed_on_anticoagulant).  Produces: concern.
;;; Any one of these ends a guided interview at once.  An `age >= N` condition here holds
;;; while the age is unknown; an `age < N` condition needs a known age; a sex condition
;;; holds for that sex or `other` (principles P1 and P2 (kb/principles.json)).

;;; ---- the aorta -------------------------------------------------------------------------

(defrule CONCERNS::aaa-rupture-mass-and-pain
  "[N156] A pulsatile mass or a known aneurysm with sudden severe pain or collapse:
   a leaking or ruptured abdominal aortic aneurysm until shown otherwise."
  (or (finding (id ?mass&abdominal_pulsation) (value yes))
      (finding (id ?mass&pulsation_expansile) (value yes))
      (finding (id ?mass&known_aaa) (value yes)))
  (or (finding (id ?pain&sudden_severe_pain) (value yes))
      (finding (id ?pain&collapse) (value yes)))
  =>
  (assert (concern (id aaa_rupture) (because ?mass ?pain))))

(defrule CONCERNS::aaa-rupture-pain-and-collapse
  "[N156] Sudden severe pain with collapse at 50 or over (or of unknown age): suspect a
   ruptured aneurysm even when no mass has been felt."
  (finding (id sudden_severe_pain) (value yes))
  (finding (id collapse) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 50))))
  =>
  (assert (concern (id aaa_rupture) (because sudden_severe_pain collapse (age-at-least 50)))))

(defrule CONCERNS::aaa-rupture-known-with-recent-pain
  "[N156][ESVS][L] An expanding mass or a known aneurysm with recent back, groin, buttock,
   pelvic, side or lower-left belly pain: a symptomatic aneurysm may be leaking (leaks
   present as groin, hip or 'renal colic' pain)."
  (or (finding (id ?mass&pulsation_expansile) (value yes))
      (finding (id ?mass&known_aaa) (value yes)))
  (pain-course (kind recent) (because $?course))
  (or (finding (id ?site&low_back_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&buttock_pain) (value yes))
      (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&flank_pain) (value yes))
      (finding (id ?site&flank_pain_waves) (value yes))
      (finding (id ?site&left_lower_abdominal_pain) (value yes)))
  =>
  (assert (concern (id aaa_rupture) (because ?mass ?site $?course))))

(defrule CONCERNS::aaa-rupture-sudden-pain-unexplained
  "[N156][ESVS] Sudden severe pain at 50 or over (or of unknown age) that did not start
   with a lift or a twist."
  (finding (id sudden_severe_pain) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 50))))
  (not (finding (id mechanical_onset) (value yes)))
  =>
  (assert (concern (id aaa_rupture) (because sudden_severe_pain (age-at-least 50) "no mechanical_onset"))))

(defrule CONCERNS::aaa-rupture-sudden-pain-old
  "[N156][ESVS] Sudden severe pain at 65 or over (or of unknown age), however it began."
  (finding (id sudden_severe_pain) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 65))))
  =>
  (assert (concern (id aaa_rupture) (because sudden_severe_pain (age-at-least 65)))))

(defrule CONCERNS::aaa-rupture-sudden-pain-vascular
  "[N156][ESVS] Sudden severe pain at 50 or over (or of unknown age) in a smoker or a
   person with vascular risk, however it began."
  (finding (id sudden_severe_pain) (value yes))
  (not (finding (id age) (value ?a&:(< ?a 50))))
  (or (finding (id ?risk&vascular_risk) (value yes))
      (finding (id ?risk&smoker) (value yes)))
  =>
  (assert (concern (id aaa_rupture) (because sudden_severe_pain (age-at-least 50) ?risk))))

(defrule CONCERNS::aortic-dissection
  "[N156][I] Sudden severe or tearing pain with pain between the shoulder blades, leg
   weakness, symptoms in both legs or a cold pale leg: aortic dissection."
  (finding (id sudden_severe_pain) (value yes))
  (or (finding (id ?sign&thoracic_pain) (value yes))
      (finding (id ?sign&leg_weakness) (value yes))
      (finding (id ?sign&bilateral_leg_symptoms) (value yes))
      (finding (id ?sign&cold_pale_leg) (value yes)))
  =>
  (assert (concern (id aortic_dissection) (because sudden_severe_pain ?sign))))

(defrule CONCERNS::collapse-with-pain
  "[N156][NG126] Fainting, near-fainting or cold clammy sweats with this pain, at any age:
   a rupture, an ectopic pregnancy, a bleed or sepsis until shown otherwise."
  (finding (id collapse) (value yes))
  =>
  (assert (concern (id collapse_with_pain) (because collapse))))

(defrule CONCERNS::limb-ischaemia
  "[CG147] A leg that has suddenly gone cold, pale, numb or weak: acute limb ischaemia."
  (finding (id cold_pale_leg) (value yes))
  =>
  (assert (concern (id limb_ischaemia) (because cold_pale_leg))))

(defrule CONCERNS::pulmonary-embolism
  "[NG158] New breathlessness or chest pain with a swollen, tender leg: pulmonary embolism."
  (finding (id breathlessness) (value yes))
  (finding (id leg_swelling_one_side) (value yes))
  =>
  (assert (concern (id pulmonary_embolism) (because breathlessness leg_swelling_one_side))))

;;; ---- the spinal cord and nerves ----------------------------------------------------------

(defrule CONCERNS::cauda-equina
  "[I][C][G] Saddle anaesthesia, new bladder or bowel dysfunction, or symptoms spreading
   into both legs in the last 2 weeks: cauda equina syndrome."
  (or (finding (id ?sign&saddle_numbness) (value yes))
      (finding (id ?sign&bladder_change) (value yes))
      (finding (id ?sign&bowel_incontinence) (value yes))
      (finding (id ?sign&bilateral_leg_symptoms) (value yes)))
  =>
  (assert (concern (id cauda_equina) (because ?sign))))

(defrule CONCERNS::mscc
  "[NG234] A history of cancer with leg weakness or symptoms in both legs: metastatic
   spinal cord compression."
  (finding (id cancer_history) (value yes))
  (or (finding (id ?sign&leg_weakness) (value yes))
      (finding (id ?sign&bilateral_leg_symptoms) (value yes)))
  =>
  (assert (concern (id mscc) (because cancer_history ?sign))))

;;; ---- infection ---------------------------------------------------------------------------

(defrule CONCERNS::obstructed-infected-kidney
  "[K] Renal colic with fever: an infected, obstructed kidney needs emergency drainage."
  (finding (id flank_pain_waves) (value yes))
  (finding (id fever) (value yes))
  =>
  (assert (concern (id obstructed_infected_kidney) (because flank_pain_waves fever))))

(defrule CONCERNS::sepsis
  "[I] Fever with collapse or near-collapse: possible sepsis."
  (finding (id fever) (value yes))
  (finding (id collapse) (value yes))
  =>
  (assert (concern (id sepsis) (because fever collapse))))

(defrule CONCERNS::sepsis-high-risk-signs
  "[NG51] Fast breathing, confusion, mottled or bluish skin, no urine: NICE's high-risk
   signs of sepsis (or shock), with or without a fever."
  (finding (id very_unwell) (value yes))
  =>
  (assert (concern (id sepsis) (because very_unwell))))

(defrule CONCERNS::sepsis-neutropenic
  "[CG151] Fever after recent chemotherapy or a transplant: neutropenic sepsis until shown
   otherwise."
  (finding (id fever) (value yes))
  (finding (id chemo_or_transplant) (value yes))
  =>
  (assert (concern (id sepsis) (because fever chemo_or_transplant))))

;;; ---- the groin, the pelvis, the testes ------------------------------------------------

(defrule CONCERNS::strangulated-hernia
  "[H] A groin lump that has become hard, painful and irreducible: strangulation."
  (finding (id groin_lump_irreducible) (value yes))
  =>
  (assert (concern (id strangulated_hernia) (because groin_lump_irreducible))))

(defrule CONCERNS::strangulated-hernia-vomiting
  "[H] A groin lump with nausea or vomiting: an obstructed or strangulated hernia."
  (finding (id groin_lump) (value yes))
  (finding (id nausea_vomiting) (value yes))
  =>
  (assert (concern (id strangulated_hernia) (because groin_lump nausea_vomiting))))

(defrule CONCERNS::pelvic-emergency
  "[NG126] Sudden severe pelvic, groin or lower belly pain in a woman under 55: ectopic
   pregnancy, ovarian torsion or a ruptured cyst."
  (finding (id sudden_severe_pain) (value yes))
  (finding (id sex) (value ?sex&female|other))
  (or (finding (id ?site&pelvic_pain) (value yes))
      (finding (id ?site&groin_pain) (value yes))
      (finding (id ?site&right_lower_abdominal_pain) (value yes))
      (finding (id ?site&left_lower_abdominal_pain) (value yes)))
  (finding (id age) (value ?a&:(< ?a 55)))
  =>
  (assert (concern (id pelvic_emergency)
                   (because (str-cat "sex=" ?sex) sudden_severe_pain ?site "age<55"))))

(defrule CONCERNS::testicular-torsion
  "[S] A painful testicle with sudden pain, or under 25: torsion until shown otherwise."
  (finding (id testicular_pain) (value yes))
  (or (finding (id ?sign&sudden_severe_pain) (value yes))
      (finding (id ?sign&age) (value ?a&:(< ?a 25))))
  =>
  (assert (concern (id testicular_torsion)
                   (because testicular_pain (if (eq ?sign age) then "age<25" else ?sign)))))

(defrule CONCERNS::testicular-torsion-groin
  "[S] Groin pain with vomiting or sudden onset in a boy or young man under 25: torsion
   can be felt only in the groin or belly."
  (finding (id groin_pain) (value yes))
  (finding (id sex) (value ?sex&male|other))
  (finding (id age) (value ?a&:(< ?a 25)))
  (or (finding (id ?sign&nausea_vomiting) (value yes))
      (finding (id ?sign&sudden_severe_pain) (value yes)))
  =>
  (assert (concern (id testicular_torsion) (because (str-cat "sex=" ?sex) "age<25" groin_pain ?sign))))

;;; ---- bleeding ---------------------------------------------------------------------------

(defrule CONCERNS::expanding-bleed
  "[L] A possible bleed on a blood thinner that is getting worse, weakens the leg or
   reaches the front of the thigh: an expanding iliopsoas or retroperitoneal haematoma
   compressing the femoral nerve."
  (concern (id bleed_on_anticoagulant) (because $?bleed))
  (or (finding (id ?sign&pain_worsening) (value yes))
      (finding (id ?sign&leg_weakness) (value yes))
      (finding (id ?sign&thigh_symptoms) (value yes)))
  =>
  (assert (concern (id expanding_bleed) (because $?bleed ?sign))))
