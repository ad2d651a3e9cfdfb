"""The case-report validation suite (tests/case-reports/, tests/validate.py): published
case reports of people who first presented with back, hip, groin, flank or thigh pain,
each with the level a careful clinician would require, written before it was run.  No case
may be under-triaged, in either answer mode, except the known gaps of the catalogue listed
with their reason in tests/case-reports/gaps.json (and a listed case that is caught now
must leave that list)."""
import os

import validate
from harness import HERE, binary, expect, rules_without

DIR = os.path.join(HERE, "case-reports")


def test_case_reports_not_under_triaged():
    rows, s = validate.run(binary(), DIR)
    print("     " + validate.report(rows, s).split("\n\n", 1)[1].replace("\n", "\n     "))
    expect(s["cases"] >= 40, f"only {s['cases']} case reports")
    for m in validate.MODES:
        expect(not s[m + "_new_under"], f"under-triaged with unanswered = {m}: {s[m + '_new_under']}")
    expect(not s["stale_gaps"], f"caught now, remove from gaps.json: {s['stale_gaps']}")


def test_case_reports_are_well_formed():
    """Every case names its source and says what was expected and why, in the format
    eval reads (an error record would count as under-triage anyway)."""
    for c in validate.load_cases(DIR):
        for key in ("citation", "story", "condition", "answers", "expect"):
            expect(c.get(key), f"{c['_file']}: no {key}")
        expect(c["id"] + ".json" == c["_file"], f"{c['_file']}: id {c['id']}")
        expect(c["category"] in ("dangerous", "benign"), f"{c['_file']}: category")
        expect(c["expect"].get("reasoning"), f"{c['_file']}: no reasoning")
        expect("doi" in c["citation"].lower() or "http" in c["citation"] or "pmid" in c["citation"].lower()
               or any(ch.isdigit() for ch in c["citation"]), f"{c['_file']}: citation without year, DOI or URL")


def test_validation_catches_a_removed_rule():
    """The suite can fail: without the project's rule that torsion can be felt only in the
    lower belly, the boy of inf-08 is no longer an emergency."""
    import shutil
    rules = rules_without("15-beyond-table.clp", "CONCERNS::beyond-torsion-lower-abdomen")
    d = os.path.dirname(rules)
    try:
        rows, s = validate.run(binary(), DIR, rules=rules)
        expect(any("inf-08" in i for i in s["no_new_under"]), f"the removed rule went unnoticed: {s['no_new_under']}")
    finally:
        shutil.rmtree(d)


# Findings the catalogue gained after the first cases were written: only these may be
# answered in a case's `later_answers`, each with the report's own words.
LATER_FINDINGS = {"single_leg_stance_pain", "hip_motion_atypical", "pain_at_rest_severe", "walking_leg_numb_weak"}


def test_later_answers_are_quoted_and_only_for_later_findings():
    """A case's `later_answers` adds answers only to findings added to the catalogue after
    it was written (each quoted from the report; tests/case-reports-retranslation.json is
    the re-reading of every report), never to its first answers, and never touches the
    expectation."""
    import json
    with open(os.path.join(HERE, "case-reports-retranslation.json")) as f:
        reread = json.load(f)
    for c in validate.load_cases(DIR, as_first_written=True):
        later = c.get("later_answers")
        if not later:
            continue
        expect(set(later["answers"]) <= LATER_FINDINGS, f"{c['_file']}: later answers {sorted(later['answers'])}")
        expect(not set(later["answers"]) & set(c["answers"]), f"{c['_file']}: a later answer overrides a first one")
        for k, v in later["answers"].items():
            expect(later["quotes"].get(k), f"{c['_file']}: no quote for {k}")
            expect(reread["cases"].get(c["id"], {}).get(k) == v, f"{c['_file']}: {k} not from the re-reading")
