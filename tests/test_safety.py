"""Safety regression: no vignette (tests/vignettes/**) may get a less severe disposition
than its `expect` says, nor lose a concern it expects -- so a rule edit can never quietly
under-triage.  Over-triage (more severe than expected) is reported but passes."""
import os
import shutil

from harness import HERE, expect, load, records, rules_without, run, severity, vignette_files


def triage_gaps(rules=None):
    """Evaluates every vignette; returns (under, over): lists of messages naming the case.
    `under` holds every under-triaged case and every missing expected concern."""
    files = vignette_files()
    expect(files, "no vignettes under tests/vignettes")
    args = (["--rules", rules] if rules else []) + ["eval", "--jobs", "1"] + files
    p = run(args, timeout=600)
    recs = records(p.stdout)
    expect(len(recs) == len(files), f"{len(files)} vignettes gave {len(recs)} records:\n{p.stderr}")
    under, over = [], []
    for path, rec in zip(files, recs):
        want = load(path).get("expect", {})
        name = f"{os.path.relpath(path, HERE)} ({rec.get('id')})"
        if "error" in rec:
            under.append(f"{name}: no result at all: {rec['error']}")
            continue
        got, exp = rec["disposition"], want.get("disposition")
        if exp and severity(got) > severity(exp):
            under.append(f"{name}: UNDER-TRIAGED: {got}, expected {exp}")
        elif exp and severity(got) < severity(exp):
            over.append(f"{name}: over-triaged: {got}, expected {exp}")
        have = {c["id"] for c in rec.get("concerns", [])}
        for c in want.get("concerns", []):
            if c not in have:
                under.append(f"{name}: missing concern {c} (got {sorted(have)})")
    return under, over


def test_no_vignette_under_triaged():
    under, over = triage_gaps()
    for o in over:
        print(f"     note: {o}")
    expect(not under, "under-triage:\n  " + "\n  ".join(under))


def test_safety_check_catches_a_removed_red_flag():
    """The check above can fail: with the cauda equina rule removed from a copy of the
    rules, dev-04 must be named as under-triaged."""
    rules = rules_without("10-emergency.clp", "CONCERNS::cauda-equina")
    d = os.path.dirname(rules)
    try:
        under, _ = triage_gaps(rules)
        expect(any("dev-04" in u and "UNDER-TRIAGED" in u for u in under),
               f"removing the cauda equina rule went unnoticed: {under}")
        expect(any("dev-04" in u and "missing concern cauda_equina" in u for u in under),
               f"the missing concern went unnoticed: {under}")
    finally:
        shutil.rmtree(d)
