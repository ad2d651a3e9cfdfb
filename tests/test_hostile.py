"""Hostile inputs to eval (issue 11), through the real binary: each reproduction of an
attack that once broke a promise, now a test.  Every input yields a record (a result or
an error naming it), nothing hangs, and memory stays bounded."""
import json
import os
import subprocess
import sys

from harness import HERE, ROOT, binary, expect, records, run, tmpdir, write

sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench  # noqa: E402  -- the worst-case inputs, and peak RSS of a child

DEV2 = os.path.join(HERE, "vignettes", "dev-02.json")
with open(DEV2) as f:
    DEV2_TEXT = f.read()
GOOD = '{"id":"good","answers":{"age":30,"fever":true}}'


def ids(recs):
    return [r.get("id") for r in recs]


def test_device_in_a_directory_is_not_read():
    """A .json name on /dev/zero in a directory used to exhaust memory and abort the run,
    losing the records already made: now it is an error record, the rest evaluated."""
    d = tmpdir("psoas-hostile-")
    write(os.path.join(d, "a.json"), DEV2_TEXT)
    os.symlink("/dev/zero", os.path.join(d, "b.json"))
    write(os.path.join(d, "c.json"), GOOD)
    p = run(["eval", "--jobs", "1", d], timeout=60)
    recs = records(p.stdout)
    expect(ids(recs) == ["dev-02", f"{d}/b.json", "good"], recs)
    expect(recs[1]["error"] == "not a regular file (a character device): not read", recs[1])
    expect(p.returncode == 66 and f"{d}/b.json: not a regular file" in p.stderr, p.stderr)


def test_fifo_in_a_directory_does_not_hang():
    d = tmpdir("psoas-hostile-")
    write(os.path.join(d, "a.json"), DEV2_TEXT)
    os.mkfifo(os.path.join(d, "b.json"))  # nobody ever writes to it
    write(os.path.join(d, "c.jsonl"), GOOD + "\n")
    p = run(["eval", d], timeout=60)
    recs = records(p.stdout)
    expect(ids(recs) == ["dev-02", f"{d}/b.json", "good"], recs)
    expect(recs[1]["error"] == "not a regular file (a FIFO): not read", recs[1])
    expect(p.returncode == 66, f"exit {p.returncode}")


def test_dev_zero_named_is_refused_at_once():
    p = run(["eval", "/dev/zero"], timeout=60)
    recs = records(p.stdout)
    expect(p.returncode == 65 and ids(recs) == ["/dev/zero"], f"exit {p.returncode}: {recs}")
    expect(recs[0]["error"].startswith("malformed JSON at line 1, column 1:"), recs[0])


def test_a_stream_named_on_the_command_line_is_read():
    """`eval <(cmd)` names a pipe: it is read as the .json text it holds, whatever its
    length, in constant memory (/dev/stdin stands for the pipe here)."""
    p = run(["eval", "/dev/stdin"], input=DEV2_TEXT)
    expect(p.returncode == 0 and ids(records(p.stdout)) == ["dev-02"], p.stdout + p.stderr)
    arr = "[" + ",\n".join([GOOD] * 3000) + "]"
    p = run(["eval", "/dev/stdin"], input=arr)
    expect(p.returncode == 0 and ids(records(p.stdout)) == ["good"] * 3000, p.stderr)


def test_symbolic_link_loops_read_each_directory_once():
    """`ln -s . d/loop` gave 41 copies of each case; two such links ran without end."""
    d = tmpdir("psoas-hostile-")
    write(os.path.join(d, "a.json"), DEV2_TEXT)
    os.mkdir(os.path.join(d, "sub"))
    write(os.path.join(d, "sub", "b.jsonl"), GOOD + "\n" + GOOD + "\n")
    os.symlink(".", os.path.join(d, "loop"))
    os.symlink("..", os.path.join(d, "sub", "up"))
    os.symlink("sub", os.path.join(d, "same-as-sub"))
    p = run(["eval", d], timeout=60)
    expect(p.returncode == 0, f"exit {p.returncode}: {p.stderr}")
    expect(ids(records(p.stdout)) == ["dev-02", "good", "good"], p.stdout)
    for link in ("loop", "same-as-sub/up", "sub"):  # (name order: same-as-sub is read first)
        expect(f"{d}/{link}: not read again: it is " in p.stderr, p.stderr)


def test_unreadable_and_missing_inputs_get_a_record():
    """Every input that cannot be read has an error record in its place (and exit 66),
    like a read error after opening always had."""
    d = tmpdir("psoas-hostile-")
    write(os.path.join(d, "a.json"), GOOD)
    os.symlink("nowhere.json", os.path.join(d, "b.json"))    # dangling: a case file's name
    os.symlink("nowhere.txt", os.path.join(d, "notes.txt"))  # not a case file: passed over
    missing = os.path.join(d, "missing.jsonl")
    p = run(["eval", missing, d])
    recs = records(p.stdout)
    expect(ids(recs) == [missing, "good", f"{d}/b.json"], recs)
    for r in (recs[0], recs[2]):
        expect(r["error"] == "cannot read: No such file or directory", r)
    expect(p.returncode == 66, f"exit {p.returncode}")


def test_long_paths_keep_their_line_numbers():
    """Default ids were cut at 300 bytes: every id-less case of a file at a 319-byte path
    got the same id."""
    d = tmpdir("psoas-hostile-")
    deep = os.path.join(d, *(["a" * 60] * 6))
    os.makedirs(deep)
    path = os.path.join(deep, "cases.jsonl")
    write(path, '{"answers":{"age":30}}\n' * 3)
    expect(len(path) > 400, len(path))
    p = run(["eval", path])
    expect(ids(records(p.stdout)) == [f"{path}:{i}" for i in (1, 2, 3)], p.stdout[:2000])


def test_json_array_is_read_case_by_case():
    """A .json array is cut into its cases as it is read: the same records as the same
    cases on JSON Lines; an array cut off keeps the cases before the cut, each in place,
    and the cut is an error record; what follows a single case makes the file one error."""
    cases = [json.loads(c) for c in bench.gen_cases(300, seed=8)]
    for c in cases:
        c.setdefault("id", "x")
    d = tmpdir("psoas-hostile-")
    arr = write(os.path.join(d, "all.json"), json.dumps(cases, indent=1))
    lines = write(os.path.join(d, "all.jsonl"), "".join(json.dumps(c) + "\n" for c in cases))
    a, b = run(["eval", arr]), run(["eval", lines])
    expect(a.returncode == b.returncode and a.stdout == b.stdout, "array and lines differ")
    cut = write(os.path.join(d, "cut.json"), "[" + GOOD + ",\n" + GOOD + ',\n{"id":"half",')
    p = run(["eval", cut])
    recs = records(p.stdout)
    expect(ids(recs) == ["good", "good", f"{cut}[3]"], recs)
    expect(recs[2]["error"].startswith("malformed JSON at line 3, column "), recs[2])
    expect(p.returncode == 65, f"exit {p.returncode}")
    two = write(os.path.join(d, "two.json"), GOOD + "\n" + GOOD + "\n")
    p = run(["eval", two])
    expect(records(p.stdout) == [{**records(p.stdout)[0], "id": two, "error":
           "malformed JSON at line 2, column 1: end of input expected after the case"}], p.stdout)


def test_memory_is_bounded_whatever_the_input():
    """Worst cases that once took gigabytes (a .json of [{},{},...], JSON Lines lines that
    are arrays of ~350k cases, cases with 1 MiB of text each, --jobs 256): peak RSS stays
    under the documented bound, 16 MB + 10 MB per worker thread (README "Promises")."""
    d = tmpdir("psoas-hostile-")
    tool = os.environ.get("PSOAS_TOOL_STATUS")  # sanitizers: slower, and memory quarantined
    rows = bench.worst_rss(binary(), d, scale=0.01 if tool else 0.05)
    for name, jobs, workers, kib, count, want, status in rows:
        expect(status in (0, 65) and count == want,
               f"{name} --jobs {jobs}: exit {status}, {count} records of {want}")
        bound = bench.rss_bound_kib(workers)
        if not tool:
            expect(kib < bound, f"{name} --jobs {jobs}: peak RSS {kib} KiB, bound {bound} KiB")
    p = run(["eval", "--jobs", "256", "-"], input=GOOD + "\n")
    expect(f"--jobs 256: using {bench.JOBS_PER_CORE * os.cpu_count()}" in p.stderr, p.stderr)
