#!/usr/bin/env python3
"""oracle.py -- an independent reference reading of the triage table (stdlib only).

Written from the specification text alone (`CLINICAL.md`, including its "Revision 2"
section, and `PRODUCT.md` for the case format), never from the rules or the knowledge
base, so the differential test (tests/test_differential.py) can compare the program
against a second, separately written reading of the same table.

    evaluate(case) -> {"concerns": set of concern ids the table requires,
                       "floor":    the least severe disposition the table allows,
                       "ask":      set of red-flag / treatment-safety finding ids still needed}

    python3 tests/oracle.py CASE.json|CASES.jsonl|-     # prints the oracle's answer per case

Triggers are written below as Python expressions, close to the table's notation:
`and`/`or`/`not` for the table's ∧/∨/"no", a bare finding id is "answered yes", and the
helpers are

    age_ge(N)       age ≥ N: in an emergency or urgent trigger it holds while the age is
                    unknown (principle 1); elsewhere an unknown age fails
    age_lt(N)       age < N: needs a known age
    female, male    sex = female / sex = male: also hold for sex "other"; never while the
                    sex is unknown (principle 2)
    weeks_lt(N), weeks_ge(N), weeks_unknown
                    symptom_weeks comparisons: fail while the weeks are unknown
    new_pain        symptom_weeks < 6, or symptom_weeks unknown, or pain_worsening (principle 3)
    recent_pain     symptom_weeks < 6 (known), or pain_worsening (principle 3)
    fires('id')     the concern `id` fires (for the "when X does not fire" rows)
    at_least(k, …)  "k of {…}"
"""
import ast
import json
import sys

LEVELS = ["emergency", "urgent", "refer", "incomplete", "caution", "proceed"]

# --------------------------------------------------------------------------------------
# Findings (question catalogue).  (id, type, rf, ts, when)
#   type: "bool" | ("int", lo, hi) | ("choice", (choices…))
#   rf:   red-flag screening question;  ts: treatment-safety question (Revision 2, principle 5)
#   when: None (always asked), "therapist" (only when therapist findings are asked: never
#         in eval), or the condition text from the table.
# Original table first, in its order; a Revision 2 row with the same id replaces the
# original row in place; ids new in Revision 2 follow in Revision 2's order.
# --------------------------------------------------------------------------------------
_ORIGINAL = [
    ("age", ("int", 0, 120), True, False, None),
    ("sex", ("choice", ("female", "male", "other")), True, False, None),
    ("pregnant", "bool", True, False, "sex != male and 10 <= age <= 60"),
    ("low_back_pain", "bool", False, False, None),
    ("pain_on_rising", "bool", False, False, None),
    ("difficulty_standing_upright", "bool", False, False, None),
    ("buttock_pain", "bool", False, False, None),
    ("leg_pain", "bool", False, False, None),
    ("pain_below_knee", "bool", False, False, "leg_pain"),
    ("groin_pain", "bool", False, False, None),
    ("pelvic_pain", "bool", False, False, None),
    ("limp", "bool", False, False, None),
    ("thigh_symptoms", "bool", False, False, None),
    ("lateral_hip_pain", "bool", False, False, None),
    ("hip_stiffness_morning", "bool", False, False, "groin_pain or lateral_hip_pain"),
    ("pain_on_hip_rotation", "bool", False, False, "groin_pain or lateral_hip_pain"),
    ("symptom_weeks", ("int", 0, 520), False, False, None),
    ("not_improving", "bool", False, False, None),
    ("night_pain", "bool", True, False, None),
    ("athlete", "bool", False, False, None),
    ("runner", "bool", False, False, None),
    ("jumping_sports", "bool", False, False, None),
    ("immunocompromised", "bool", True, False, None),
    ("diabetes", "bool", False, False, None),
    ("injection_drug_use", "bool", False, False, None),
    ("cancer_history", "bool", True, False, None),
    ("smoker", "bool", False, False, None),
    ("anticoagulants", "bool", False, True, None),            # TS (principle 5; Rev. 2 row)
    ("recent_abdominal_surgery", "bool", False, True, None),  # TS (principle 5)
    ("inflammatory_bowel_disease", "bool", False, True, None),  # TS (principle 5)
    ("osteoporosis_or_steroids", "bool", False, True, None),  # TS (principle 5)
    ("recent_trauma", "bool", True, False, None),
    ("known_aaa", "bool", False, True, None),                 # TS (principle 5)
    ("fever", "bool", True, False, None),
    ("weight_loss", "bool", True, False, None),
    ("abdominal_pulsation", "bool", True, False, None),
    ("sudden_severe_pain", "bool", True, False, None),
    ("collapse", "bool", True, False, None),
    ("saddle_numbness", "bool", True, False, None),
    ("bladder_change", "bool", True, False, None),
    ("bowel_incontinence", "bool", True, False, None),
    ("leg_weakness", "bool", True, False, None),
    ("flank_pain_waves", "bool", True, False, None),
    ("blood_in_urine", "bool", False, False, None),
    ("painful_urination", "bool", False, False, None),
    ("groin_lump", "bool", True, False, None),
    ("groin_lump_irreducible", "bool", True, False, "groin_lump"),  # Rev. 2: RF (the project's)
    ("left_lower_abdominal_pain", "bool", False, False, None),
    ("bowel_habit_change", "bool", False, False, None),
    ("rectal_bleeding", "bool", True, False, None),
    ("abnormal_vaginal_discharge", "bool", False, False, "sex = female"),
    ("perineal_pain", "bool", False, False, "sex = male"),
    ("palpation_pulsation", "bool", False, False, "therapist"),
    ("pulsation_expansile", "bool", False, False, "palpation_pulsation"),
    ("thomas_test_positive", "bool", False, False, "therapist"),
    ("psoas_tender", "bool", False, False, "therapist"),
    ("psoas_sign", "bool", False, False, "therapist"),
    ("si_dysfunction", "bool", False, False, "therapist"),
    ("spinal_stenosis", "bool", False, False, None),
    ("hip_capsular_pattern", "bool", False, False, "therapist"),
    ("ilium_posterior_rotation", "bool", False, False, "therapist"),
    ("spondylolisthesis", "bool", False, False, None),
]

# Revision 2 "Findings added or reworded".  Rows whose id is already above only reword the
# question (their RF/TS/when are reflected in the rows above); the new ids:
_REVISION2_NEW = [
    ("mechanical_onset", "bool", False, False, "sudden_severe_pain"),
    ("bilateral_leg_symptoms", "bool", True, False, None),
    ("thoracic_pain", "bool", True, False, None),
    ("flank_pain", "bool", False, False, None),
    ("pain_worsening", "bool", True, False, None),
    ("unable_to_bear_weight", "bool", True, False, None),
    ("nausea_vomiting", "bool", True, False, None),
    ("testicular_pain", "bool", True, False, "sex != female"),
    ("leg_swelling_one_side", "bool", True, False, None),
    ("breathlessness", "bool", True, False, None),
    ("cold_pale_leg", "bool", True, False, None),
    ("vaginal_bleeding", "bool", True, False, "pregnant"),
    ("right_lower_abdominal_pain", "bool", False, False, None),
    ("hip_pain", "bool", False, False, None),
    ("very_unwell", "bool", True, False, None),
    ("medial_thigh_pain", "bool", False, False, None),
    ("knee_pain", "bool", False, False, None),
    ("feeling_unwell", "bool", False, False, None),
    ("recent_infection", "bool", False, False, None),
    ("recent_spinal_procedure", "bool", False, False, None),
    ("chemo_or_transplant", "bool", False, False, "immunocompromised"),
    ("weight_bearing_pain", "bool", False, False,
     "groin_pain or hip_pain or buttock_pain or thigh_symptoms or medial_thigh_pain"
     " or lateral_hip_pain or athlete or runner or jumping_sports"),
    ("bone_stress_risk", "bool", False, False, "athlete or runner or jumping_sports"),
    ("vascular_risk", "bool", False, False, "age >= 50"),
    ("walking_pain_eases_standing", "bool", False, False, "age >= 50"),
    ("morning_stiffness_long", "bool", False, False,
     "low_back_pain or buttock_pain or bilateral_hip_aching"),
    ("bilateral_hip_aching", "bool", False, False, "age >= 50"),
    ("gca_symptoms", "bool", False, False, "age >= 50"),
    ("urinary_frequency", "bool", False, False, None),
    ("hip_replacement", "bool", False, True, None),
    ("doctor_assessed", "bool", False, False, "not_improving"),
]

FINDINGS = {}
for _fid, _type, _rf, _ts, _when in _ORIGINAL + _REVISION2_NEW:
    assert _fid not in FINDINGS, _fid
    FINDINGS[_fid] = {"type": _type, "rf": _rf, "ts": _ts, "when": _when}
ORDER = list(FINDINGS)
BOOL_FINDINGS = [f for f in ORDER if FINDINGS[f]["type"] == "bool"]
THERAPIST = [f for f in ORDER if FINDINGS[f]["when"] == "therapist"]

# --------------------------------------------------------------------------------------
# Concerns: id -> level and trigger alternatives (any alternative fires the concern).
# Revision 2: "also" appends alternatives; "replaces"/"narrowed" replace them; "was refer"
# lowers the level; "(new)" adds the row.
# --------------------------------------------------------------------------------------
_PAIN_SITES_AAA = ("(low_back_pain or groin_pain or buttock_pain or pelvic_pain or flank_pain"
                   " or flank_pain_waves or left_lower_abdominal_pain)")
_HIP_ARTHRITIS = ("groin_pain and age_ge(45) and (hip_stiffness_morning or pain_on_hip_rotation)")

CONCERNS = {
    # ---- emergency ------------------------------------------------------------------
    "aaa_rupture": ("emergency", [
        "(abdominal_pulsation or pulsation_expansile or known_aaa) and (sudden_severe_pain or collapse)",
        "sudden_severe_pain and collapse and age_ge(50)",
        # Revision 2, also:
        "(pulsation_expansile or known_aaa) and recent_pain and " + _PAIN_SITES_AAA,
        "sudden_severe_pain and age_ge(50) and (not mechanical_onset or age_ge(65)"
        " or vascular_risk or smoker)",
    ]),
    "cauda_equina": ("emergency", [
        "saddle_numbness or bladder_change or bowel_incontinence",
        "bilateral_leg_symptoms",                                    # Rev. 2 also
    ]),
    "obstructed_infected_kidney": ("emergency", ["flank_pain_waves and fever"]),
    "strangulated_hernia": ("emergency", [
        "groin_lump_irreducible",
        "groin_lump and nausea_vomiting",                            # Rev. 2 also
    ]),
    "sepsis": ("emergency", [
        "fever and collapse",
        "very_unwell",                                               # Rev. 2 also
        "fever and chemo_or_transplant",                             # Rev. 2 also
    ]),
    # Revision 2 (new) emergencies
    "collapse_with_pain": ("emergency", ["collapse"]),
    "pelvic_emergency": ("emergency", [
        "female and sudden_severe_pain and (pelvic_pain or groin_pain"
        " or right_lower_abdominal_pain or left_lower_abdominal_pain) and age_lt(55)",
    ]),
    "aortic_dissection": ("emergency", [
        "sudden_severe_pain and (thoracic_pain or leg_weakness or bilateral_leg_symptoms"
        " or cold_pale_leg)",
    ]),
    "mscc": ("emergency", ["cancer_history and (leg_weakness or bilateral_leg_symptoms)"]),
    "testicular_torsion": ("emergency", [
        "testicular_pain and (sudden_severe_pain or age_lt(25))",
        "male and age_lt(25) and groin_pain and (nausea_vomiting or sudden_severe_pain)",
    ]),
    "pulmonary_embolism": ("emergency", ["breathlessness and leg_swelling_one_side"]),
    "limb_ischaemia": ("emergency", ["cold_pale_leg"]),
    "expanding_bleed": ("emergency", [
        "fires('bleed_on_anticoagulant') and (pain_worsening or leg_weakness or thigh_symptoms)",
    ]),
    # ---- urgent ---------------------------------------------------------------------
    "aaa": ("urgent", [
        "abdominal_pulsation or pulsation_expansile",
        "flank_pain_waves and age_ge(55)",
        # Revision 2, also:
        "known_aaa and " + _PAIN_SITES_AAA + " and not recent_pain",
        "age_ge(60) and (male or smoker or vascular_risk) and (low_back_pain or flank_pain"
        " or groin_pain or buttock_pain) and pain_worsening and (weeks_lt(6) or weeks_unknown)",
    ]),
    "psoas_abscess": ("urgent", [
        "fever and (immunocompromised or diabetes or injection_drug_use"
        " or inflammatory_bowel_disease) and (low_back_pain or groin_pain or buttock_pain"
        " or limp or psoas_sign)",
    ]),
    "infection": ("urgent", ["fever"]),
    "neuro_deficit": ("urgent", ["leg_weakness"]),
    "kidney_stone": ("urgent", ["flank_pain_waves"]),
    "pid": ("urgent", ["female and pelvic_pain and (abnormal_vaginal_discharge or fever)"]),
    "prostatitis_acute": ("urgent", ["male and fever and (perineal_pain or painful_urination)"]),
    "diverticulitis_acute": ("urgent", ["left_lower_abdominal_pain and fever"]),
    "pregnancy_pain": ("urgent", [                                   # Rev. 2 replaces
        "pregnant and (vaginal_bleeding or (new_pain and (pelvic_pain or groin_pain"
        " or right_lower_abdominal_pain or left_lower_abdominal_pain)))",
    ]),
    "fracture": ("urgent", ["recent_trauma and (age_ge(70) or osteoporosis_or_steroids)"]),
    "acute_severe_pain": ("urgent", ["sudden_severe_pain and not mechanical_onset"]),
    # Revision 2 (new) urgent rows
    "acute_abdomen": ("urgent", [
        "nausea_vomiting and (groin_pain or medial_thigh_pain or pelvic_pain or flank_pain"
        " or right_lower_abdominal_pain or left_lower_abdominal_pain)",
    ]),
    "appendicitis": ("urgent", [
        "right_lower_abdominal_pain and (fever or nausea_vomiting or psoas_sign or pain_worsening)",
    ]),
    "testicular": ("urgent", ["testicular_pain and not fires('testicular_torsion')"]),
    "bleed_on_anticoagulant": ("urgent", [
        "anticoagulants and (groin_pain or hip_pain or flank_pain or thigh_symptoms"
        " or medial_thigh_pain or leg_weakness) and new_pain",
    ]),
    "spinal_infection": ("urgent", [
        "(injection_drug_use or immunocompromised or recent_spinal_procedure or recent_infection"
        " or diabetes) and (low_back_pain or thoracic_pain or flank_pain or groin_pain"
        " or buttock_pain or limp or psoas_sign) and new_pain and (feeling_unwell"
        " or pain_worsening or night_pain)",
    ]),
    "spinal_metastasis": ("urgent", [
        "cancer_history and (thoracic_pain or night_pain or pain_worsening)",
    ]),
    "cannot_bear_weight": ("urgent", ["unable_to_bear_weight"]),
    "child_hip": ("urgent", [
        "age_lt(18) and (limp or groin_pain or hip_pain or medial_thigh_pain or thigh_symptoms"
        " or knee_pain)",
    ]),
    "femoral_neck_stress": ("urgent", [
        "(athlete or runner or jumping_sports) and (groin_pain or hip_pain)"
        " and (limp or weight_bearing_pain)",
    ]),
    "dvt": ("urgent", ["leg_swelling_one_side"]),
    "gca": ("urgent", ["gca_symptoms"]),
    # ---- refer ----------------------------------------------------------------------
    "malignancy": ("refer", [                                        # Rev. 2 replaces
        "cancer_history and not fires('spinal_metastasis') and not fires('mscc')",
        "weight_loss",
        "night_pain",
        "at_least(2, age_ge(50), pain_worsening, thoracic_pain, not_improving)",
    ]),
    "colon_cancer": ("refer", [
        "rectal_bleeding",
        "bowel_habit_change and (age_ge(50) or weight_loss)",
    ]),
    "diverticulitis": ("refer", ["left_lower_abdominal_pain and bowel_habit_change and not fever"]),
    "prostatitis": ("refer", ["male and (perineal_pain or painful_urination) and not fever"]),
    "hernia": ("refer", ["groin_lump and not groin_lump_irreducible"]),
    "fracture_minor": ("refer", [                                    # Rev. 2 narrowed
        "recent_trauma and (age_ge(50) or limp or weight_bearing_pain)"
        " and not fires('fracture')",
    ]),
    "refractory_pain": ("refer", ["not_improving and not doctor_assessed"]),  # Rev. 2 narrowed
    "aaa_screening": ("refer", ["palpation_pulsation and age_ge(65) and (male or smoker)"]),
    "young_patient": ("refer", ["age_lt(16)"]),
    # Revision 2 (new) refer rows
    "kidney_cause": ("refer", [
        "flank_pain and (urinary_frequency or painful_urination or blood_in_urine)",
    ]),
    "haematuria": ("refer", ["blood_in_urine and age_ge(45)"]),
    "spinal_infection_risk": ("refer", [
        "(injection_drug_use or immunocompromised or recent_spinal_procedure)"
        " and (low_back_pain or thoracic_pain or flank_pain or groin_pain or buttock_pain)"
        " and new_pain and not fires('spinal_infection')",
    ]),
    "stress_fracture": ("refer", [
        "(athlete or runner or jumping_sports) and (groin_pain or hip_pain or buttock_pain"
        " or pelvic_pain or medial_thigh_pain or thigh_symptoms) and (weight_bearing_pain"
        " or night_pain or bone_stress_risk) and not fires('femoral_neck_stress')",
    ]),
    "insufficiency_fracture": ("refer", [
        "(osteoporosis_or_steroids or age_ge(70)) and (groin_pain or hip_pain or buttock_pain"
        " or thigh_symptoms or medial_thigh_pain) and weight_bearing_pain and new_pain"
        " and not fires('fracture')",
    ]),
    "abdominal_cause": ("refer", [
        "right_lower_abdominal_pain and not fires('appendicitis')",
        "medial_thigh_pain and age_ge(65)",
    ]),
    "pmr": ("refer", ["bilateral_hip_aching and morning_stiffness_long and not fires('gca')"]),
    "claudication": ("refer", [
        "walking_pain_eases_standing and (smoker or diabetes or vascular_risk)",
    ]),
    "prosthetic_hip": ("refer", ["hip_replacement and groin_pain and new_pain"]),
    "hip_arthritis_atypical": ("refer", [_HIP_ARTHRITIS + " and (pain_worsening or night_pain)"]),
    # ---- caution --------------------------------------------------------------------
    "hip_arthritis": ("caution", [_HIP_ARTHRITIS]),                 # Rev. 2: was refer
    "femoral_bursitis": ("caution", ["lateral_hip_pain"]),          # Rev. 2: was refer
    "radiculopathy": ("caution", ["leg_pain and pain_below_knee"]),
    "pregnancy": ("caution", ["pregnant"]),
    "anticoagulated": ("caution", ["anticoagulants"]),
    "recent_surgery": ("caution", ["recent_abdominal_surgery"]),
    "bowel_inflammation": ("caution", ["inflammatory_bowel_disease"]),
    "known_aneurysm": ("caution", ["known_aaa"]),
    "fragile_bone": ("caution", ["osteoporosis_or_steroids"]),
    "aortic_pulse_felt": ("caution", ["palpation_pulsation"]),
    "spondyloarthritis": ("caution", [
        "low_back_pain and morning_stiffness_long and weeks_ge(12) and age_lt(45)",
    ]),
    "soft_tissue_injury": ("caution", [
        "recent_trauma and not fires('fracture') and not fires('fracture_minor')",
    ]),
    "hip_prosthesis": ("caution", ["hip_replacement"]),
    # ---- proceed --------------------------------------------------------------------
    "psoas_syndrome": ("proceed", [
        "(low_back_pain or buttock_pain or groin_pain) and (pain_on_rising"
        " or difficulty_standing_upright)",
    ]),
}

HELPERS = {"age_ge", "age_lt", "female", "male", "weeks_lt", "weeks_ge", "weeks_unknown",
           "new_pain", "recent_pain", "fires", "at_least"}


def _names(expr):
    return {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)}


def _fires_refs(expr):
    out = set()
    for n in ast.walk(ast.parse(expr, mode="eval")):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "fires":
            out.add(n.args[0].value)
    return out


def trigger_findings(cid):
    """Finding ids a concern's trigger mentions (used by the test's case generator)."""
    out = set()
    for alt in CONCERNS[cid][1]:
        out |= _names(alt) - HELPERS
    return out


# Check the transcription: every name is a bool finding or a helper, every fires() target
# a concern, every level known; compile once.
_CODE = {}
for _cid, (_level, _alts) in CONCERNS.items():
    assert _level in LEVELS and _level != "incomplete", (_cid, _level)
    for _alt in _alts:
        _bad = _names(_alt) - HELPERS - set(BOOL_FINDINGS)
        assert not _bad, (_cid, _bad)
        assert _fires_refs(_alt) <= set(CONCERNS), (_cid, _fires_refs(_alt))
    _CODE[_cid] = [compile(a, f"<{_cid}>", "eval") for a in _alts]


# --------------------------------------------------------------------------------------
# Reading a case
# --------------------------------------------------------------------------------------
class CaseError(ValueError):
    pass


def read_answers(case):
    """Returns {finding: value}: bools as "yes"/"no"/"unknown", numbers as int or None,
    choices as str or None.  unanswered_means "no" turns only ABSENT bools into "no"."""
    answers = case.get("answers") or {}
    if not isinstance(answers, dict):
        raise CaseError("answers: expected an object")
    um = case.get("unanswered_means", "unknown")
    if um not in ("unknown", "no"):
        raise CaseError(f"unanswered_means: expected \"unknown\" or \"no\", got {um!r}")
    for k in answers:
        if k not in FINDINGS:
            raise CaseError(f"answers: {k!r} is not a finding")
    vals = {}
    for fid in ORDER:
        t = FINDINGS[fid]["type"]
        present = fid in answers
        v = answers.get(fid)
        if t == "bool":
            if not present:
                vals[fid] = "no" if um == "no" else "unknown"
            elif v is True or v == "yes":
                vals[fid] = "yes"
            elif v is False or v == "no":
                vals[fid] = "no"
            elif v is None or v == "unknown":
                vals[fid] = "unknown"
            else:
                raise CaseError(f"answers: {fid}: expected yes/no/unknown, got {v!r}")
        elif t[0] == "int":
            if v is None or v == "unknown":
                vals[fid] = None
            elif isinstance(v, int) and not isinstance(v, bool) and t[1] <= v <= t[2]:
                vals[fid] = v
            else:
                raise CaseError(f"answers: {fid}: expected an integer {t[1]}-{t[2]}, got {v!r}")
        else:
            if v is None or v == "unknown":
                vals[fid] = None
            elif v in t[1]:
                vals[fid] = v
            else:
                raise CaseError(f"answers: {fid}: expected one of {t[1]}, got {v!r}")
    return vals


# --------------------------------------------------------------------------------------
# `when`, three-valued (principle 6)
# --------------------------------------------------------------------------------------
def _tri_and(xs):
    if any(x is False for x in xs):
        return False
    if all(x is True for x in xs):
        return True
    return None


def _clause(text, vals):
    """One clause of a `when` condition: True / False / None (undecided)."""
    sex, age = vals["sex"], vals["age"]
    t = text.split()
    if t[0] == "sex":
        if sex is None:
            return None
        op, want = t[1], t[2]
        if op == "=":                       # principle 2: "other" gets the question too
            return sex == want or sex == "other"
        if op == "!=":
            return sex != want
    if t[0] == "age" and t[1] == ">=":
        return None if age is None else age >= int(t[2])
    if len(t) == 5 and t[1] == "<=" and t[2] == "age" and t[3] == "<=":
        return None if age is None else int(t[0]) <= age <= int(t[4])
    raise AssertionError(f"unreadable when clause {text!r}")


def when_kind(fid):
    w = FINDINGS[fid]["when"]
    if w is None:
        return "always"
    if w == "therapist":
        return "therapist"
    parts = [p.strip() for p in w.split(" or ")]
    if all(p in FINDINGS and FINDINGS[p]["type"] == "bool" for p in parts):
        return "followup"
    return "condition"


def applies(fid, vals, therapist=False):
    """Does finding fid's question apply (principle 6)?  A condition applies while true or
    undecided; a follow-up on a yes applies only once one of its findings is answered yes;
    therapist questions apply only when therapist findings are being asked."""
    kind = when_kind(fid)
    w = FINDINGS[fid]["when"]
    if kind == "always":
        return True
    if kind == "therapist":
        return therapist
    if kind == "followup":
        return any(vals[p.strip()] == "yes" for p in w.split(" or "))
    return _tri_and([_clause(c.strip(), vals) for c in w.split(" and ")]) is not False


for _fid in ORDER:        # every `when` must be readable
    if when_kind(_fid) == "condition":
        for _c in FINDINGS[_fid]["when"].split(" and "):
            _clause(_c.strip(), {"sex": None, "age": None})


def ask_set(vals):
    """Every applicable RF or TS question not answered (therapist questions: never in eval)."""
    out = []
    for fid in ORDER:
        f = FINDINGS[fid]
        if not (f["rf"] or f["ts"]) or not applies(fid, vals):
            continue
        v = vals[fid]
        if v is None or v == "unknown":
            out.append(fid)
    return out


# --------------------------------------------------------------------------------------
# Concerns
# --------------------------------------------------------------------------------------
def concerns_of(vals, assume_fired=()):
    """The concerns the table gives.  `assume_fired`: concern ids to take as firing when
    another row asks whether they fire (`fires('X')`), e.g. the ones a program raised beyond
    the table -- for the "when X does not fire" rows."""
    age, sex, weeks = vals["age"], vals["sex"], vals["symptom_weeks"]
    yes = {f: vals[f] == "yes" for f in BOOL_FINDINGS}
    weeks_lt6 = weeks is not None and weeks < 6
    base = dict(yes)
    base.update({
        "__builtins__": {},
        "age_lt": lambda n: age is not None and age < n,
        "female": sex in ("female", "other"),
        "male": sex in ("male", "other"),
        "weeks_lt": lambda n: weeks is not None and weeks < n,
        "weeks_ge": lambda n: weeks is not None and weeks >= n,
        "weeks_unknown": weeks is None,
        "new_pain": weeks_lt6 or weeks is None or yes["pain_worsening"],
        "recent_pain": weeks_lt6 or yes["pain_worsening"],
        "at_least": lambda k, *xs: sum(1 for x in xs if x) >= k,
    })
    memo = {}

    def fires(cid):
        if cid in assume_fired:
            return True
        if cid not in memo:
            memo[cid] = None                      # cycle guard
            level = CONCERNS[cid][0]
            risky = level in ("emergency", "urgent")   # principle 1
            ns = dict(base)
            ns["age_ge"] = (lambda n: True if age is None else age >= n) if risky else \
                           (lambda n: age is not None and age >= n)
            ns["fires"] = fires
            memo[cid] = any(eval(code, ns) for code in _CODE[cid])  # noqa: S307 -- our own table
        assert memo[cid] is not None, f"cycle through {cid}"
        return memo[cid]

    return {cid for cid in CONCERNS if cid not in assume_fired and fires(cid)}


def level_of(cid):
    return CONCERNS[cid][0]


def required_given(case, raised):
    """The concerns the table requires once the concerns `raised` (say, by the program,
    some beyond the table) are taken as firing where a row asks "when X does not fire" or
    builds on X (expanding_bleed on bleed_on_anticoagulant)."""
    return concerns_of(read_answers(case), set(raised) & set(CONCERNS))


def evaluate(case):
    """The table's answer for one case: {"concerns", "floor", "ask"} (see the module doc)."""
    vals = read_answers(case)
    concerns = concerns_of(vals)
    ask = ask_set(vals)
    floor = "proceed"
    for c in concerns:
        if LEVELS.index(level_of(c)) < LEVELS.index(floor):
            floor = level_of(c)
    if floor in ("caution", "proceed") and ask:
        floor = "incomplete"
    return {"concerns": concerns, "floor": floor, "ask": set(ask), "ask_order": ask}


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------
def _cases_from_text(text):
    text = text.strip()
    if not text:
        return []
    try:
        doc = json.loads(text)
        return doc if isinstance(doc, list) else [doc]
    except json.JSONDecodeError:
        out = []
        for line in text.splitlines():
            if line.strip():
                d = json.loads(line)
                out += d if isinstance(d, list) else [d]
        return out


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[0])
        print("usage: python3 tests/oracle.py CASE.json|CASES.jsonl|-")
        return 64 if not argv else 0
    status = 0
    for path in argv:
        text = sys.stdin.read() if path == "-" else open(path).read()
        for case in _cases_from_text(text):
            try:
                r = evaluate(case)
            except CaseError as e:
                print(json.dumps({"id": case.get("id"), "error": str(e)}))
                status = 65
                continue
            cs = sorted(r["concerns"], key=lambda c: (LEVELS.index(level_of(c)), c))
            print(json.dumps({"id": case.get("id"), "floor": r["floor"],
                              "concerns": [{"id": c, "level": level_of(c)} for c in cs],
                              "ask": r["ask_order"]}))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
