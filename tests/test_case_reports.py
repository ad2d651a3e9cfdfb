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
