#!/usr/bin/env python3
"""validate.py -- the case-report validation suite (tests/case-reports/*.json).

Each file is a published case report translated into a case file: its `answers` hold only
what the report states at first presentation, and its `expect.disposition` is what a careful
clinician would require at first contact, written before the case was ever run.  This runs
every case through `eval` twice -- as written ("unanswered_means": "unknown") and as a
checkbox form would send it ("unanswered_means": "no") -- and prints, per case, the expected
and the actual level in both modes; per expected level, how many were caught (at least as
severe as expected); the under-triage count in each mode; and how many benign cases were
cleared (caution / proceed) with unanswered meaning no.

    python3 tests/validate.py [--bin PATH] [--markdown] [--only-findings-of KBDIR] [--as-first-written] [DIR]

A case written before the catalogue had a finding its report states may carry
`later_answers`: the answers to such findings, each with the report's words, added without
running the program (the expectation is never touched); --as-first-written leaves them out.

A case listed in tests/case-reports/gaps.json (a known gap of the catalogue, with the
reason) is marked GAP instead of UNDER.  Exit status 1 when a case not listed there is
under-triaged in either mode, or when a listed case no longer is (`make test` runs it)."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ORDER = ["emergency", "urgent", "refer", "incomplete", "caution", "proceed"]
MODES = ("unknown", "no")


def load_cases(d, as_first_written=False):
    """The cases of directory d.  A case's `later_answers` (answers to findings the
    catalogue gained after the case was written, each with the report's own words in
    `quotes`) are added to its `answers` unless as_first_written."""
    cases = []
    for name in sorted(os.listdir(d)):
        if name.endswith(".json") and name != "gaps.json":
            with open(os.path.join(d, name)) as f:
                c = json.load(f)
            c["_file"] = name
            later = c.get("later_answers", {}).get("answers", {})
            c["_later"] = sorted(later)
            if not as_first_written:
                c["answers"] = {**c["answers"], **later}
            cases.append(c)
    return cases


def evaluate(binary, cases, mode, rules=None):
    """The eval records of the cases with `unanswered_means` set to mode, by case id
    (with the rules of directory `rules` if given)."""
    lines = "".join(json.dumps({"id": c["id"], "answers": c["answers"], "unanswered_means": mode}) + "\n"
                    for c in cases)
    wrap = os.environ.get("PSOAS_WRAP", "").split()
    extra = ["--rules", rules] if rules else []
    p = subprocess.run(wrap + [binary] + extra + ["eval", "--jobs", "1", "-"], input=lines,
                       capture_output=True, text=True, timeout=300)
    recs = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    if len(recs) != len(cases):
        raise SystemExit(f"validate: {len(cases)} cases gave {len(recs)} records (exit {p.returncode}):\n{p.stderr}")
    return {r["id"]: r for r in recs}


def load_gaps(d):
    path = os.path.join(d, "gaps.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)["gaps"]


def severity(level):
    return ORDER.index(level) if level in ORDER else -1


def run(binary, d, known=None, rules=None, as_first_written=False):
    """Returns (rows, summary): one row per case, and the counts the table ends with.
    known: if set, answers to findings outside it are left out (an older kb).
    as_first_written: without the cases' later answers."""
    cases = load_cases(d, as_first_written)
    gaps = load_gaps(d)
    if known is not None:
        for c in cases:
            c["answers"] = {k: v for k, v in c["answers"].items() if k in known}
    got = {m: evaluate(binary, cases, m, rules) for m in MODES}
    rows = []
    for c in cases:
        want = c["expect"]["disposition"]
        row = {"id": c["id"], "category": c["category"], "condition": c.get("condition", ""),
               "expected": want, "gap": c["id"] in gaps, "later": c["_later"]}
        for m in MODES:
            r = got[m][c["id"]]
            level = r.get("disposition", "error: " + r.get("error", "?"))
            row[m] = level
            row[m + "_under"] = "error" in r or severity(level) > severity(want)
            row[m + "_concerns"] = [x["id"] for x in r.get("concerns", [])]
        rows.append(row)
    s = {"cases": len(rows),
         "dangerous": sum(r["category"] == "dangerous" for r in rows),
         "benign": sum(r["category"] == "benign" for r in rows),
         "benign_clearable": sum(r["category"] == "benign" and r["expected"] in ("caution", "proceed") for r in rows),
         "later": sorted(f"{r['id']} ({', '.join(r['later'])})" for r in rows if r["later"]),
         "stale_gaps": [g for g in gaps if not any(r["id"] == g and (r["unknown_under"] or r["no_under"]) for r in rows)]}
    for m in MODES:
        s[m + "_under"] = [r["id"] for r in rows if r[m + "_under"]]
        s[m + "_new_under"] = [i for i in s[m + "_under"] if i not in gaps]
        s[m + "_exact"] = sum(r[m] == r["expected"] for r in rows)
        s[m + "_caught"] = {lv: (sum(1 for r in rows if r["expected"] == lv and not r[m + "_under"]),
                                 sum(1 for r in rows if r["expected"] == lv)) for lv in ORDER}
        s[m + "_benign_cleared"] = sum(1 for r in rows if r["category"] == "benign" and r[m] in ("caution", "proceed"))
        s[m + "_clearable_cleared"] = sum(1 for r in rows if r["category"] == "benign" and r["expected"] in ("caution", "proceed")
                                          and r[m] in ("caution", "proceed"))
    return rows, s


def report(rows, s, markdown=False):
    out = []
    if markdown:
        out.append("| case | category | expected | unanswered = unknown | unanswered = no |")
        out.append("|---|---|---|---|---|")
    else:
        out.append(f"{'case':<52} {'category':<9} {'expected':<10} {'unknown':<12} {'no':<12}")
    for r in rows:
        cells = []
        for m in MODES:
            cells.append(r[m] + ((" GAP" if r["gap"] else " UNDER") if r[m + "_under"] else ""))
        if markdown:
            out.append(f"| {r['id']} | {r['category']} | {r['expected']} | {cells[0]} | {cells[1]} |")
        else:
            out.append(f"{r['id']:<52} {r['category']:<9} {r['expected']:<10} {cells[0]:<12} {cells[1]:<12}")
    out.append("")
    out.append(f"{s['cases']} case reports ({s['dangerous']} dangerous, {s['benign']} benign)")
    for m in MODES:
        caught = ", ".join(f"{lv} {a}/{b}" for lv, (a, b) in s[m + "_caught"].items() if b)
        out.append(f"unanswered = {m:<7}: caught per expected level: {caught}; "
                   f"exact {s[m + '_exact']}/{s['cases']}; under-triaged {len(s[m + '_under'])}"
                   + (f" ({', '.join(s[m + '_under'])})" if s[m + "_under"] else "")
                   + f", of them not known gaps: {len(s[m + '_new_under'])}")
    for m in MODES:
        out.append(f"benign cases cleared (caution/proceed), unanswered = {m}: "
                   f"{s[m + '_benign_cleared']}/{s['benign']}; of the {s['benign_clearable']} whose expected level "
                   f"is caution or proceed: {s[m + '_clearable_cleared']}")
    if s["later"]:
        out.append(f"with later answers (findings added to the catalogue after the case was written): {'; '.join(s['later'])}")
    if s["stale_gaps"]:
        out.append(f"listed in gaps.json but no longer under-triaged (remove them): {', '.join(s['stale_gaps'])}")
    return "\n".join(out)


def main(argv):
    binary = os.environ.get("PSOAS_BIN", os.path.join(ROOT, "psoas-triage"))
    if "--bin" in argv:
        i = argv.index("--bin")
        binary = argv[i + 1]
        del argv[i:i + 2]
    known = None
    if "--only-findings-of" in argv:  # for comparing with an older kb: drop what it lacks
        i = argv.index("--only-findings-of")
        with open(os.path.join(argv[i + 1], "questions.json")) as f:
            known = {q["id"] for q in json.load(f)["questions"]}
        del argv[i:i + 2]
    markdown = "--markdown" in argv
    first = "--as-first-written" in argv  # the answers as the cases were first written
    argv = [a for a in argv if a not in ("--markdown", "--as-first-written")]
    d = argv[0] if argv else os.path.join(HERE, "case-reports")
    rows, s = run(binary, d, known, as_first_written=first)
    print(report(rows, s, markdown))
    return 1 if s["unknown_new_under"] or s["no_new_under"] or s["stale_gaps"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
