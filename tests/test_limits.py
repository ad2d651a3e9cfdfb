"""Limits on untrusted input, through the real binary: each over-limit case gets an error
record naming the case and what is wrong, the cases around it are still evaluated, and
the exit status is 65."""
import json
import os
import shutil
import tempfile

from harness import HERE, expect, records, run

GOOD = b'{"id":"good","answers":{"age":30,"fever":true}}'


def eval_lines(*lines, suffix=".jsonl"):
    """Writes the byte lines to a temporary file, evaluates it between two good cases;
    returns (process, records, file name)."""
    d = tempfile.mkdtemp(prefix="psoas-limits-")
    path = os.path.join(d, "cases" + suffix)
    with open(path, "wb") as f:
        f.write(b"\n".join([GOOD, *lines, GOOD]) + b"\n")
    try:
        p = run(["eval", path])
    finally:
        shutil.rmtree(d)
    return p, records(p.stdout), path


def rejected(lines, name, *words):
    """Each of lines is rejected, named `name` (or the FILE:LINE it came from), with every
    word in its message, and the good cases around them still evaluated."""
    p, recs, path = eval_lines(*lines)
    expect(p.returncode == 65, f"exit {p.returncode}, expected 65\n{p.stderr}")
    expect(len(recs) == len(lines) + 2, f"{len(lines) + 2} cases gave {len(recs)} records")
    expect(recs[0].get("disposition") and recs[-1].get("disposition"),
           f"the good cases around the bad ones were not evaluated: {recs[0]} {recs[-1]}")
    for i, r in enumerate(recs[1:-1]):
        want = name or f"{path}:{i + 2}"
        expect(r.get("id") == want, f"record names {r.get('id')!r}, expected {want!r}")
        for w in words:
            expect(w in r.get("error", ""), f"{want}: {w!r} not in {r.get('error', r)!r}")


def case(**kw):
    return json.dumps({"id": "bad", **kw}).encode()


def test_line_too_long():
    story = "x" * (1 << 20)
    rejected([case(story=story, answers={})], None, "line longer than 1048576 bytes")
    # the same through a pipe, where the line arrives in pieces
    lines = [GOOD.decode(), case(story=story, answers={}).decode(), GOOD.decode()]
    p = run(["eval", "-"], input="\n".join(lines) + "\n")
    recs = records(p.stdout)
    expect(p.returncode == 65 and len(recs) == 3, f"exit {p.returncode}, {len(recs)} records")
    expect({k: recs[1][k] for k in ("id", "error")} == {"id": "stdin:2", "error": "line longer than 1048576 bytes"}
           and set(recs[1]) == {"id", "error", "program", "knowledge"}, recs[1])


def test_file_of_64_mib_of_zeros():
    """A .json file is read as a stream: 64 MiB of NUL bytes is refused at its first byte
    (it used to be read whole), and the files around it are evaluated."""
    d = tempfile.mkdtemp(prefix="psoas-limits-")
    try:
        big = os.path.join(d, "b-big.json")
        with open(big, "wb") as f:
            f.truncate((64 << 20) + 1)  # sparse: costs no disk
        for n in ("a-good.json", "c-good.json"):
            with open(os.path.join(d, n), "wb") as f:
                f.write(GOOD)
        p = run(["eval", d])
        recs = records(p.stdout)
        expect(p.returncode == 65, f"exit {p.returncode}\n{p.stderr}")
        expect([r["id"] for r in recs] == ["good", big, "good"], f"records: {recs}")
        expect(recs[1]["error"].startswith("malformed JSON at line 1, column 1:"), recs[1])
    finally:
        shutil.rmtree(d)


def test_case_too_long_in_json_file():
    """A case in a .json file is at most 1 MiB, as a JSON Lines line is; the cases around
    it in the same array are evaluated."""
    story = "x" * (1 << 20)
    d = tempfile.mkdtemp(prefix="psoas-limits-")
    try:
        path = os.path.join(d, "cases.json")
        with open(path, "wb") as f:
            f.write(b"[" + GOOD + b"," + case(story=story, answers={}) + b",\n" + GOOD + b"]\n")
        p = run(["eval", path])
        recs = records(p.stdout)
        expect(p.returncode == 65 and len(recs) == 3, f"exit {p.returncode}: {recs}")
        expect(recs[1] == {**recs[1], "id": path + "[2]", "error": "a case longer than 1048576 bytes"},
               recs[1])
        expect(recs[0]["id"] == recs[2]["id"] == "good", recs)
    finally:
        shutil.rmtree(d)


def test_nesting_depth():
    deep = {}
    for _ in range(70):
        deep = {"x": deep}
    rejected([case(story=deep, answers={})], "bad", "nested more than 64 levels")


def test_nesting_beyond_the_parser():
    rejected([b'{"id":"bad","x":' + b"[" * 5000 + b"]" * 5000 + b"}"], None, "nested too deeply")


def test_too_many_answers():
    answers = {f"finding_{i}": True for i in range(200)}
    rejected([case(answers=answers)], "bad", "200 answers", "catalogue has only")


def test_string_lengths():
    rejected([case(answers={"sex": "f" * 65})], "bad", "key 'sex'", "string of 65 bytes")
    rejected([case(answers={"k" * 65: True})], "bad", "a key of 65 bytes")
    p, recs, _ = eval_lines(json.dumps({"id": "i" * 201, "answers": {}}).encode())
    expect(p.returncode == 65 and "1 to 200 bytes" in recs[1]["error"], recs[1])


def test_numbers_out_of_range():
    rejected([b'{"id":"bad","answers":{"age":99999999999999999999999}}',
              b'{"id":"bad","answers":{"age":-99999999999999999999999}}',
              b'{"id":"bad","answers":{"age":1e999}}'], None, "number out of range")
    rejected([case(answers={"age": 2**62})], "bad", "key 'age' must be from 0 to 120")


def test_nul_bytes():
    rejected([b'{"id":"bad","answers":{"sex":"fe\\u0000male"}}'], None, "NUL character")
    rejected([b'{"id":"bad","answers":{"sex":"fe\x00male"}}'], None, "NUL byte")
    rejected([b'{"id":"bad\\u0000","answers":{}}'], None, "NUL")


def test_invalid_utf8():
    rejected([b'{"id":"bad","answers":{"sex":"\xff\xfe"}}',
              b'{"id":"bad","answers":{"sex":"\xc3"}}'], None, "not valid UTF-8")


def test_invalid_utf8_in_json_file():
    d = tempfile.mkdtemp(prefix="psoas-limits-")
    try:
        path = os.path.join(d, "bad.json")
        with open(path, "wb") as f:
            f.write(b'{"id":"bad","story":"caf\xe9","answers":{}}')
        p = run(["eval", path])
        recs = records(p.stdout)
        expect(p.returncode == 65, f"exit {p.returncode}")
        expect(recs and recs[0]["id"] == path and "not valid UTF-8" in recs[0]["error"], recs)
    finally:
        shutil.rmtree(d)


def generate_tests():
    """tests/regress/*: every case gives a record (a result or an error), exit 0 or 65."""
    d = os.path.join(HERE, "regress")

    def make(path):
        def t():
            p = run(["eval", path])
            recs = records(p.stdout)
            expect(p.returncode in (0, 65), f"exit {p.returncode}:\n{p.stderr[-3000:]}")
            expect(p.stderr == "", f"diagnostics on stderr:\n{p.stderr[-3000:]}")
            with open(path, "rb") as f:
                lines = [x for x in f.read().split(b"\n") if x.strip()]
            want = len(lines) if path.endswith(".jsonl") else 1
            expect(len(recs) >= want, f"{want} inputs gave {len(recs)} records")
            for r in recs:
                expect("id" in r and ("disposition" in r or "error" in r), f"odd record {r}")
        return t
    return [(f"regress::{f}", make(os.path.join(d, f)))
            for f in sorted(os.listdir(d)) if f.endswith((".json", ".jsonl"))]
