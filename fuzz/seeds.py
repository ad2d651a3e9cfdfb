#!/usr/bin/env python3
"""seeds.py OUTDIR -- the fuzzer's seed corpus and dictionary, built from the repository.

Writes OUTDIR/seeds/: every vignette (tests/vignettes/**), each also as a one-line
JSON array, as a compact JSON Lines record (what the fast reader settles) and with
"unanswered_means" flipped, plus every regression case
(tests/regress/*); and OUTDIR/case.dict: the finding ids, choices and keywords of
kb/questions.json, so mutations reach deep into the parser and the rules."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(out):
    seeds = os.path.join(out, "seeds")
    os.makedirs(seeds, exist_ok=True)
    n = 0

    def put(name, data):
        nonlocal n
        with open(os.path.join(seeds, name), "wb") as f:
            f.write(data)
        n += 1

    for d, _, files in os.walk(os.path.join(ROOT, "tests", "vignettes")):
        for fn in sorted(files):
            if not fn.endswith(".json"):
                continue
            with open(os.path.join(d, fn), "rb") as f:
                raw = f.read()
            put(fn, raw)
            case = json.loads(raw)
            case.pop("story", None)
            case.pop("expect", None)
            put("array-" + fn, json.dumps([case]).encode())
            put("line-" + fn, json.dumps(case, separators=(",", ":")).encode())  # JSON Lines form
            case["unanswered_means"] = "unknown" if case.get("unanswered_means") == "no" else "no"
            put("flip-" + fn, json.dumps(case).encode())
    regress = os.path.join(ROOT, "tests", "regress")
    if os.path.isdir(regress):
        for fn in sorted(os.listdir(regress)):
            with open(os.path.join(regress, fn), "rb") as f:
                put("regress-" + fn, f.read())
    with open(os.path.join(ROOT, "kb", "questions.json")) as f:
        questions = json.load(f)["questions"]
    words = {"id", "answers", "unanswered_means", "unknown", "yes", "no"}
    bare = {"true", "false", "null", "[", "]", "{", "}", ":", ","}  # not quoted
    for q in questions:
        words.add(q["id"])
        words.update(q.get("choices", []))
        for k in ("min", "max"):
            if k in q:
                bare.add(str(q[k]))
    with open(os.path.join(out, "case.dict"), "w") as f:
        for w in sorted(words):
            f.write(json.dumps(json.dumps(w)) + "\n")
        for w in sorted(bare):
            f.write(json.dumps(w) + "\n")
    print(f"fuzz seeds: {n} files in {seeds}, {len(words) + len(bare)} dictionary words")


if __name__ == "__main__":
    main(sys.argv[1])
