;;; 10-emergency.clp -- concerns that force the level `emergency` (kb/concerns.json).
;;; Consumes: finding.  Produces: concern.
;;; Any one of these ends a guided interview at once.

(defrule CONCERNS::aaa-rupture-mass-and-pain
  "[N156] A pulsatile mass or a known aneurysm with sudden severe pain or collapse:
   a leaking or ruptured abdominal aortic aneurysm until shown otherwise."
  (finding (id ?mass&abdominal_pulsation|pulsation_expansile|known_aaa) (value yes))
  (finding (id ?pain&sudden_severe_pain|collapse) (value yes))
  =>
  (assert (concern (id aaa_rupture) (because ?mass ?pain))))

(defrule CONCERNS::aaa-rupture-pain-and-collapse
  "[N156] Sudden severe abdominal or back pain with collapse at 50 or over:
   suspect a ruptured aneurysm even when no mass has been felt."
  (finding (id sudden_severe_pain) (value yes))
  (finding (id collapse) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 50)))
  =>
  (assert (concern (id aaa_rupture) (because sudden_severe_pain collapse "age>=50"))))

(defrule CONCERNS::cauda-equina
  "[I][C] Saddle anaesthesia, new bladder or bowel dysfunction: cauda equina syndrome."
  (finding (id ?sign&saddle_numbness|bladder_change|bowel_incontinence) (value yes))
  =>
  (assert (concern (id cauda_equina) (because ?sign))))

(defrule CONCERNS::obstructed-infected-kidney
  "[K] Renal colic with fever: an infected, obstructed kidney needs emergency drainage."
  (finding (id flank_pain_waves) (value yes))
  (finding (id fever) (value yes))
  =>
  (assert (concern (id obstructed_infected_kidney) (because flank_pain_waves fever))))

(defrule CONCERNS::strangulated-hernia
  "[H] A groin lump that has become hard, painful and irreducible: strangulation."
  (finding (id groin_lump_irreducible) (value yes))
  =>
  (assert (concern (id strangulated_hernia) (because groin_lump_irreducible))))

(defrule CONCERNS::sepsis
  "[I] Fever with collapse or near-collapse: possible sepsis."
  (finding (id fever) (value yes))
  (finding (id collapse) (value yes))
  =>
  (assert (concern (id sepsis) (because fever collapse))))

(defrule CONCERNS::collapse-with-sudden-pain
  "[N156][I] Sudden severe pain with collapse or near-collapse at any age (added to the
   CLINICAL.md table, which requires age >= 50 for the aneurysm: under 50 the same picture
   can be a dissection, a ruptured ectopic pregnancy or a perforation)."
  (finding (id sudden_severe_pain) (value yes))
  (finding (id collapse) (value yes))
  =>
  (assert (concern (id collapse_with_pain) (because sudden_severe_pain collapse))))
