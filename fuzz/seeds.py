#!/usr/bin/env python3
"""seeds.py OUTDIR -- the fuzzer's seed corpus and dictionary, built from the repository.

Writes OUTDIR/seeds/: every vignette (tests/vignettes/**), each also as a one-line
JSON array, as a compact JSON Lines record (what the fast reader settles) and with
"unanswered_means" flipped, plus every regression case
(tests/regress/*) and hostile case ids for fuzz_writers.c (HOSTILE_IDS); and
OUTDIR/case.dict: the finding ids, choices and keywords of kb/questions.json, so
mutations reach deep into the parser and the rules, and the pieces of hostile ids."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Case ids that try to make a record show another level or another record, or drive a
# terminal (fuzz/fuzz_writers.c): line breaks, escape sequences, C1 controls (raw and as
# UTF-8), U+2028/U+2029, bidi overrides, bad UTF-8, a forged banner, a long id that a
# terminal would wrap into a "PROCEED" line, spreadsheet formulas, quotes and commas.
HOSTILE_IDS = [
    b"x\n  PROCEED\n  No red flags found",
    b"x\x1b[2J\x1b[1;32m  PROCEED\x1b[0m",
    b"x\r  PROCEED",
    b"x\x9b2J\xc2\x9b2J\xc2\x85\x7f\x07",
    b"a\xe2\x80\xa8  PROCEED\xe2\x80\xa9Case b",
    b"\xe2\x80\xaeDEECORP\xe2\x80\xac \xe2\x81\xa6x\xe2\x81\xa9 \xe2\x80\x8f",
    b"bad \xff\xc0\x80 \xed\xa0\x80 \xe2\x82",
    b"x" * 83 + b"  PROCEED" + b"y" * 120,
    b"=HYPERLINK(\"http://x\",\"PROCEED\")",
    b"\t=1+2",
    b'-1,"proceed",\n"x"',
    b"@SUM(A1),+1",
    b"<script>alert(1)</script> & \"'",
    b"Case y\n  CAUTION - TREAT WITH PRECAUTIONS",
]
HOSTILE_PIECES = [b"\n", b"\r", b"\x1b[", b"\x9b", b"\xc2\x9b", b"\xc2\x85", b"\xe2\x80\xa8",
                  b"\xe2\x80\xa9", b"\xe2\x80\xae", b"\xe2\x81\xa6", b"\xef\xbf\xbd", b"Case ",
                  b"  PROCEED", b"  EMERGENCY", b"URGENT", b"=", b"@", b'""']


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
    # fuzz_writers.c: byte 0 picks the record (a level's vignette, or 6: an error record),
    # byte 1 the text style (0: plain, 1: colour, 2: ids, 4 * (W - 39): width W)
    for i, hostile in enumerate(HOSTILE_IDS):
        put(f"writers-{i:02d}", bytes([i % 7, (i % 4) | (4 * (i % 3))]) + hostile)
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
        for w in HOSTILE_PIECES:  # libFuzzer's own escapes: "\xAB"
            f.write('"' + "".join(chr(c) if 0x20 <= c < 0x7f and c not in b'"\\' else f"\\x{c:02x}"
                                  for c in w) + '"\n')
    print(f"fuzz seeds: {n} files in {seeds}, {len(words) + len(bare) + len(HOSTILE_PIECES)} dictionary words")


if __name__ == "__main__":
    main(sys.argv[1])
