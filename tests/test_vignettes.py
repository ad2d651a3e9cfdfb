"""Every vignette in tests/vignettes (the 24 shared ones and our own) through `eval`:
exact disposition and every required concern present.  One test per vignette."""
import os

from harness import expect, load, records, run, vignette_files


def generate_tests():
    files = vignette_files()
    # One eval over all of them: the same path users and vignette-check take.
    proc = run(["eval", *files])
    got = {r.get("id"): r for r in records(proc.stdout)}

    def make(path):
        def t():
            c = load(path)
            want = c["expect"]
            r = got.get(c["id"])
            expect(r is not None, f"no result record for {c['id']} (exit {proc.returncode}, stderr {proc.stderr[:300]})")
            expect("error" not in r, f"error record: {r.get('error')}")
            expect(r["disposition"] == want["disposition"],
                   f"{c['id']}: disposition {r['disposition']}, expected {want['disposition']} ({c.get('story','')})")
            have = [x["id"] for x in r["concerns"]]
            lack = [x for x in want.get("concerns", []) if x not in have]
            expect(not lack, f"{c['id']}: missing concerns {lack}; got {have}")
            expect(r["disclaimer"], "no disclaimer")
        return t
    return [(os.path.basename(p)[:-5], make(p)) for p in files]
