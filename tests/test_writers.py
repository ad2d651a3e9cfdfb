"""The level a human reads is the level computed, whatever the case id: no id can make a
record show another level, another record, or control characters to a terminal.
fuzz/fuzz_writers.c fuzzes the writers for this; here the real binary runs on what it
found (tests/regress/hostile-ids.jsonl), and on ids made of a file's name (a case without
an "id" is named after its file, and a name may hold any byte but / and NUL)."""
import csv
import io
import json
import os
import re
import shutil

from harness import HERE, ROOT, expect, records, run, tmpdir

HOSTILE = os.path.join(HERE, "regress", "hostile-ids.jsonl")
LEVELS = {lv["id"]: lv["label"] for lv in json.load(open(os.path.join(ROOT, "kb", "levels.json")))["levels"]}
WORDS = {label.split()[0] for label in LEVELS.values()}  # EMERGENCY, URGENT, ... PROCEED
# what a person is never shown of an id: control characters (but the line ends of the
# output itself), C1, line and paragraph separators, bidi marks (src/util.h: shown_len)
HIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
CONTINUED = "   ... "  # how the text writer starts the lines an id continues on


def hostile_cases():
    with open(HOSTILE) as f:
        return [json.loads(line) for line in f if line.strip()]


def levels_of(path):
    """The computed levels of the cases in path, in order (from the JSON Lines records,
    read line by line at "\n" alone: test_hostile_ids_jsonl_and_letter checks the rest)."""
    return [json.loads(line)["disposition"] for line in run(["eval", path]).stdout.split("\n") if line]


def level_word(line):
    """The level word a line starts with (after blanks), or None."""
    words = line.strip(" ").split(" ")
    first = re.match(r"[A-Z]*", words[0]).group(0)
    return first if first in WORDS else None


def check_text(out, ids, levels, width):
    """One record per id, each opening with its id's lines (none wider than the text, none
    a level's word) and holding exactly two banners, of its computed level, the first
    right after the id; no other line starts with a level's word."""
    expect(not HIDDEN.search(out), f"a hidden character: {HIDDEN.search(out)!r}")
    lines = out.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("Case ")]
    expect(len(starts) == len(ids), f"{len(ids)} cases, {len(starts)} 'Case' lines")
    for n, (start, level) in enumerate(zip(starts, levels)):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        record = lines[start:end]
        banners = [i for i, line in enumerate(record) if line in ("  " + lb for lb in LEVELS.values())]
        expect(len(banners) == 2 and all(record[i] == "  " + LEVELS[level] for i in banners),
               f"record {n}: banners {[record[i] for i in banners]}, computed {level}")
        for i, line in enumerate(record[:banners[0]]):
            expect(i == 0 or line.startswith(CONTINUED), f"record {n}: the id's line {line!r}")
            expect(len(line) <= width, f"record {n}: the id's line is wider than {width}: {line!r}")
        others = [line for i, line in enumerate(record) if i not in banners and level_word(line)]
        expect(not others, f"record {n}: lines that read as a level: {others}")


def test_hostile_ids_text():
    cases, levels = hostile_cases(), levels_of(HOSTILE)
    expect(len(levels) == len(cases) and len(set(levels)) == 6, f"levels {levels}")
    for cols in ("40", "88", "100"):
        out = run(["eval", "--format", "text", HOSTILE], env={"COLUMNS": cols}).stdout
        check_text(out, [c["id"] for c in cases], levels, int(cols))


def test_hostile_ids_csv():
    """A strict CSV reader finds one row per case, of its computed level; no cell runs as a
    formula; no cell holds a line break (a reader of the file sees one line per row)."""
    cases, levels = hostile_cases(), levels_of(HOSTILE)
    out = run(["eval", "--format", "csv", HOSTILE]).stdout
    expect(not HIDDEN.search(out), f"a hidden character: {HIDDEN.search(out)!r}")
    rows = list(csv.reader(io.StringIO(out), strict=True))
    expect(len(rows) == len(cases) + 1 == out.count("\n"), f"{len(cases)} cases: {len(rows) - 1} rows")
    for row, level in zip(rows[1:], levels):
        expect(len(row) == 8 and row[1] == level, f"{row[:2]}: computed {level}")
        expect(not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row if cell), row)


def test_hostile_ids_jsonl_and_letter():
    """JSON Lines keeps the ids exactly (it is data), one record a line for any reader
    (str.splitlines breaks lines at U+0085 and U+2028 too) and no hidden character; the
    letter shows each page's computed level and the id only as text in its cell."""
    cases, levels = hostile_cases(), levels_of(HOSTILE)
    out = run(["eval", HOSTILE]).stdout
    expect(len(out.splitlines()) == len(cases) and not HIDDEN.search(out), "a record is not one line")
    recs = records(out)
    expect([r["id"] for r in recs] == [c["id"] for c in cases], "an id changed in JSON Lines")
    out = run(["eval", "--format", "letter", HOSTILE]).stdout
    expect(not HIDDEN.search(out), f"a hidden character: {HIDDEN.search(out)!r}")
    expect(re.findall(r'<article class="letter lv-([a-z]+)">', out) == levels, "a page of another level")
    expect(re.findall(r'<div class="label">([^<]*)</div>', out) == [LEVELS[lv] for lv in levels],
           "a label of another level")
    cells = re.findall(r"<tr><th>Case</th><td>(.*?)</td></tr>", out, re.S)
    expect(len(cells) == len(cases), f"{len(cases)} cases, {len(cells)} id cells")
    for cell in cells:
        expect(not re.search(r"[<>\"']|&(?!amp;|lt;|gt;|quot;|#39;)", cell), f"unescaped: {cell!r}")


def test_ids_from_file_names():
    """A case without an id is named after its file: bytes that are not UTF-8, escape
    sequences, a line break and a bidi override in the name are shown as U+FFFD."""
    d = tmpdir()
    try:
        name = os.path.join(os.fsencode(d), b"x\xe2\x80\xae\n  PROCEED\x1b[2J\x9b.json")
        with open(name, "w") as f:
            f.write('{"answers": {"collapse": true}, "unanswered_means": "unknown"}')
        p = run(["eval", "--format", "text", d])
        check_text(p.stdout, [name], ["emergency"], 88)
        expect("x\ufffd\ufffd  PROCEED\ufffd[2J\ufffd.json\n" in p.stdout, p.stdout[:300])
        rows = list(csv.reader(io.StringIO(run(["eval", "--format", "csv", d]).stdout), strict=True))
        expect(len(rows) == 2 and rows[1][1] == "emergency" and not HIDDEN.search(rows[1][0]), rows)
    finally:
        shutil.rmtree(d)

