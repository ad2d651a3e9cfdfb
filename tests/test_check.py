"""`psoas-triage check`: clean on the shipped knowledge; each kind of broken copy caught,
reported as FILE:LINE: problem, with a non-zero exit."""
import json
import os
import re
import shutil
import tempfile

from harness import ROOT, expect, run


def test_shipped_knowledge_is_clean():
    p = run(["check"])
    expect(p.returncode == 0, f"check failed on the shipped rules/kb:\n{p.stderr}")
    expect(p.stderr == "", f"check printed problems:\n{p.stderr}")
    expect(p.stdout.rstrip().endswith(": ok"), f"no ok line:\n{p.stdout}")


class Copy:
    """A temporary copy of rules/ and kb/ to break."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="psoas-check-")
        self.rules = os.path.join(self.dir, "rules")
        self.kb = os.path.join(self.dir, "kb")
        shutil.copytree(os.path.join(ROOT, "rules"), self.rules)
        shutil.copytree(os.path.join(ROOT, "kb"), self.kb)

    def edit(self, rel, old, new, count=1):
        """Replaces old by new in file rel; returns the 1-based line of the change."""
        path = os.path.join(self.dir, rel)
        with open(path) as f:
            text = f.read()
        expect(old in text, f"test setup: {old!r} not in {rel}")
        line = text[:text.index(old)].count("\n") + 1
        with open(path, "w") as f:
            f.write(text.replace(old, new, count))
        return line

    def edit_json(self, rel, fn):
        path = os.path.join(self.dir, rel)
        with open(path) as f:
            doc = json.load(f)
        fn(doc)
        with open(path, "w") as f:
            json.dump(doc, f, indent=2)

    def check(self):
        p = run(["--rules", self.rules, "--kb", self.kb, "check"])
        shutil.rmtree(self.dir)
        return p


def caught(p, file, line, *words):
    """The check failed and reported FILE:LINE: with every word in one message."""
    expect(p.returncode != 0, f"check exited 0 on broken knowledge:\n{p.stdout}{p.stderr}")
    prefix = f"{file}:{line}: " if line else f"{file}:"
    for msg in p.stderr.splitlines():
        if prefix in msg and all(w in msg for w in words):
            return msg
    raise AssertionError(f"no message with {prefix!r} and {words}:\n{p.stderr}")


def test_misspelt_finding_in_rule():
    c = Copy()
    # the short form of alternatives, as inside a not (rules/00-base.clp)
    line = c.edit("rules/20-urgent.clp", "(finding (id ?risk&diabetes) (value yes))",
                  "(finding (id ?risk&diabetes|injection_drug_us) (value yes))")
    caught(c.check(), "20-urgent.clp", line, "'injection_drug_us'", "did you mean 'injection_drug_use'")


def test_misspelt_finding_in_an_or():
    c = Copy()
    line = c.edit("rules/10-emergency.clp", "(id ?sign&saddle_numbness)", "(id ?sign&sadle_numbness)")
    caught(c.check(), "10-emergency.clp", line, "'sadle_numbness'", "did you mean 'saddle_numbness'")


def test_misspelt_finding_in_plain_pattern():
    c = Copy()
    line = c.edit("rules/20-urgent.clp", "(finding (id leg_weakness)", "(finding (id leg_weaknes)")
    caught(c.check(), "20-urgent.clp", line, "uses finding 'leg_weaknes'", "did you mean 'leg_weakness'")


def test_misspelt_concern_asserted():
    c = Copy()
    line = c.edit("rules/10-emergency.clp", "(concern (id limb_ischaemia)", "(concern (id limb_ischemia)")
    p = c.check()
    caught(p, "10-emergency.clp", line, "asserts concern 'limb_ischemia'", "did you mean 'limb_ischaemia'")
    caught(p, "concerns.json", None, "concern 'limb_ischaemia' is asserted by no rule")


def test_missing_concern_entry():
    c = Copy()
    c.edit_json("kb/concerns.json",
                lambda d: d.update(concerns=[x for x in d["concerns"] if x["id"] != "cauda_equina"]))
    with open(os.path.join(c.rules, "10-emergency.clp")) as f:
        line = f.read().split("(concern (id cauda_equina)")[0].count("\n") + 1
    caught(c.check(), "10-emergency.clp", line, "asserts concern 'cauda_equina'", "concerns.json lacks")


def test_concern_entry_without_level():
    c = Copy()
    c.edit_json("kb/concerns.json", lambda d: d["concerns"][0].pop("level"))
    p = c.check()
    expect(p.returncode != 0 and "\"level\"" in p.stderr, f"missing level not caught:\n{p.stderr}")


def test_unused_concern_entry():
    c = Copy()
    c.edit_json("kb/concerns.json", lambda d: d["concerns"].append(
        {"id": "shingles", "title": "Possible shingles", "level": "refer", "source": ["A"],
         "triggers": "fever.", "advice": "See a doctor."}))
    caught(c.check(), "concerns.json", None, "concern 'shingles' is asserted by no rule")


def test_unused_precaution_and_indication():
    c = Copy()
    c.edit_json("kb/precautions.json", lambda d: d["precautions"].append({"id": "no_ice", "text": "No ice."}))
    c.edit_json("kb/indications.json", lambda d: d["indications"].append(
        {"id": "golfers", "text": "Golfers.", "source": ["A"]}))
    p = c.check()
    caught(p, "precautions.json", None, "precaution 'no_ice' is asserted by no rule")
    caught(p, "indications.json", None, "indication 'golfers' is asserted by no rule")


def test_misspelt_precaution_asserted():
    c = Copy()
    line = c.edit("rules/60-precautions.clp", "(precaution (id no_treatment_while_febrile)",
                  "(precaution (id no_treatment_while_feverish)")
    caught(c.check(), "60-precautions.clp", line, "asserts precaution 'no_treatment_while_feverish'")


def test_unused_question():
    c = Copy()
    def add(d):
        q = dict(next(q for q in d["questions"] if q["id"] == "athlete"), id="cycles_to_work")
        d["questions"].append(q)
    c.edit_json("kb/questions.json", add)
    caught(c.check(), "questions.json", None, "question 'cycles_to_work' is used by no rule")


def test_syntax_error():
    c = Copy()
    line = c.edit("rules/20-urgent.clp", "(finding (id leg_weakness) (value yes))",
                  "(finding (id leg_weakness) (value yes)")
    p = c.check()
    caught(p, "20-urgent.clp", None, "never closed")
    expect(re.search(r"20-urgent\.clp:\d+: .*Syntax Error", p.stderr) or
           re.search(r"20-urgent\.clp:\d+: .*ERROR", p.stderr),
           f"no CLIPS parse error with file:line (change at line {line}):\n{p.stderr}")


def test_clips_error_in_balanced_rule():
    c = Copy()
    c.edit("rules/30-refer.clp", "(finding (id weight_loss) (value yes))",
           "(finding (id weight_loss) (valu yes))")
    p = c.check()
    expect(p.returncode != 0, "a bad slot name passed check")
    expect(re.search(r"30-refer\.clp:\d+: ", p.stderr), f"no FILE:LINE for the CLIPS error:\n{p.stderr}")


def test_rule_without_source():
    c = Copy()
    line = c.edit("rules/10-emergency.clp", '"[K] Renal colic', '"Renal colic')
    caught(c.check(), "10-emergency.clp", line, "obstructed-infected-kidney has no source")


def test_rule_with_unknown_source():
    c = Copy()
    line = c.edit("rules/10-emergency.clp", '"[K] Renal colic', '"[KK] Renal colic')
    caught(c.check(), "10-emergency.clp", line, "cites source [KK]")


def test_choice_value_typo():
    c = Copy()
    line = c.edit("rules/80-indications.clp", "(id sex) (value female)", "(id sex) (value femal)")
    caught(c.check(), "80-indications.clp", line, "'femal'", "did you mean 'female'")


def test_yes_no_value_typo():
    c = Copy()
    line = c.edit("rules/10-emergency.clp", "(finding (id groin_lump_irreducible) (value yes))",
                  "(finding (id groin_lump_irreducible) (value true))")
    caught(c.check(), "10-emergency.clp", line, "'true'", "which it never has (yes)")


def test_matching_a_no_answer():
    """Only yes answers (and numbers and choices) are facts: a rule waiting for a "no"
    would never fire, so "no fever" must be written as (not (finding ... (value yes)))."""
    c = Copy()
    line = c.edit("rules/30-refer.clp", "(not (finding (id fever) (value yes)))",
                  "(finding (id fever) (value no))")
    caught(c.check(), "30-refer.clp", line, "answered 'no', which is never a fact")


def test_level_typo():
    c = Copy()
    line = c.edit("rules/70-disposition.clp", "(more-severe incomplete ?level)",
                  "(more-severe incomplet ?level)")
    caught(c.check(), "70-disposition.clp", line, "level 'incomplet'", "did you mean 'incomplete'")
    c = Copy()
    line = c.edit("rules/60-precautions.clp", "(concern-at-least ?id refer)",
                  "(concern-at-least ?id refr)")
    caught(c.check(), "60-precautions.clp", line, "level 'refr'", "did you mean 'refer'")


def test_concern_at_least_names_a_concern():
    c = Copy()
    line = c.edit("rules/60-precautions.clp", "(concern-at-least ?id refer)",
                  "(concern-at-least aaa_rupturre refer)")
    caught(c.check(), "60-precautions.clp", line, "aaa_rupturre", "did you mean 'aaa_rupture'")


def test_duplicate_rule_name():
    c = Copy()
    line = c.edit("rules/20-urgent.clp", "(defrule CONCERNS::infection", "(defrule CONCERNS::sepsis")
    caught(c.check(), "20-urgent.clp", line, "CONCERNS::sepsis is defined again")


def _set_when(qid, when):
    def fn(d):
        for q in d["questions"]:
            if q["id"] == qid:
                q["when"] = when
    return fn


def test_red_flag_range_outside():
    c = Copy()
    c.edit_json("kb/questions.json", _set_when("pregnant", {"range": ["age", 130, 140]}))
    caught(c.check(), "questions.json", None, "red-flag question 'pregnant' can never be asked",
           "outside")


def test_red_flag_behind_therapist_finding():
    c = Copy()
    def fn(d):
        qs = d["questions"]
        tender = [q for q in qs if q["id"] == "psoas_tender"][0]
        qs.remove(tender)
        qs.insert(0, tender)  # a `when` may only name an earlier question
        _set_when("collapse", {"yes": "psoas_tender"})(d)
    c.edit_json("kb/questions.json", fn)
    caught(c.check(), "questions.json", None, "red-flag question 'collapse' can never be asked",
           "therapist finding")


def test_red_flag_behind_unaskable_chain():
    c = Copy()
    c.edit_json("kb/questions.json", _set_when("bowel_incontinence", {"range": ["age", 200, 300]}))
    c.edit_json("kb/questions.json", _set_when("flank_pain_waves", {"yes": "bowel_incontinence"}))
    p = c.check()
    caught(p, "questions.json", None, "red-flag question 'bowel_incontinence' can never be asked",
           "outside")
    caught(p, "questions.json", None, "red-flag question 'flank_pain_waves' can never be asked",
           "'bowel_incontinence' can never be asked")


def test_red_flag_therapist_only():
    c = Copy()

    def fn(d):
        for q in d["questions"]:
            if q["id"] == "collapse":
                q["who"] = "therapist"
    c.edit_json("kb/questions.json", fn)
    p = c.check()
    expect(p.returncode != 0, "a therapist-only red flag passed check")
    expect("collapse: a therapist finding cannot be a red-flag or treatment-safety question" in p.stderr, p.stderr)


def test_informational_mark_checked():
    c = Copy()

    def fn(d):
        for q in d["questions"]:
            if q["id"] == "fever":
                q["informational"] = True
            if q["id"] == "symptom_weeks":
                q["informational"] = "yes"
    c.edit_json("kb/questions.json", fn)
    p = c.check()
    caught(p, "questions.json", None, "red-flag question 'fever' cannot be \"informational\"")
    caught(p, "questions.json", None, "'symptom_weeks': \"informational\" must be true or false")


def test_triggers_statement_matches_the_rules():
    """A concern's "triggers" (what a clinician signs off) must name exactly the findings its
    rules use: one naming a finding no rule uses, and a rule using a finding the statement
    does not name, are both reported against concerns.json."""
    c = Copy()

    def fn(d):
        for x in d["concerns"]:
            if x["id"] == "dvt":
                x["triggers"] = "leg_swelling_one_side with breathlessness."
    c.edit_json("kb/concerns.json", fn)
    caught(c.check(), "concerns.json", None,
           "dvt: \"triggers\" names the finding 'breathlessness', which no rule asserting it uses")
    c = Copy()
    c.edit("rules/20-urgent.clp", "(finding (id gca_symptoms) (value yes))",
           "(finding (id gca_symptoms) (value yes))\n  (finding (id smoker) (value yes))")
    caught(c.check(), "concerns.json", None, "gca: its rules use the finding 'smoker', which \"triggers\" does not name")
    c = Copy()
    c.edit("rules/20-urgent.clp", "(pain-course (kind new) (because $?course))\n  (or (finding (id ?sign&feeling_unwell",
           "(or (finding (id ?sign&feeling_unwell")
    caught(c.check(), "concerns.json", None, "spinal_infection: \"triggers\" names \"new pain\", which no rule asserting it uses")


def test_session_read_outside_the_dialogue():
    """eval asserts no session fact: a rule outside QUESTIONS that reads it would never
    fire there."""
    c = Copy()
    line = c.edit("rules/60-precautions.clp", "  (finding (id fever) (value yes))\n",
                  "  (finding (id fever) (value yes))\n  (session (therapist yes))\n")
    caught(c.check(), "60-precautions.clp", line - 2, "PRECAUTIONS::febrile",
           "reads the session, which eval does not assert")


def test_dialogue_rule_that_could_fire_in_eval():
    """The eval engine leaves module QUESTIONS out, so each of its rules must wait for a
    session of mode intake or screen: one that names eval too, or none, is a problem."""
    c = Copy()
    line = c.edit("rules/90-questions.clp", "(session (mode intake|screen))",
                  "(session (mode intake|screen|eval))")
    caught(c.check(), "90-questions.clp", line - 2, "QUESTIONS::hernia-strangulated",
           "could fire in eval")
