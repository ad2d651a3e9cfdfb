"""eval at scale: parallel jobs, input order, streaming, bounded memory, partial and broken
input, CSV, summaries, progress, the rules image, and GNU parallel as a distributor."""
import csv
import io
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

from harness import ROOT, Skip, binary, expect, records, run

sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench  # noqa: E402  -- the deterministic case generator

TMP = os.path.join(ROOT, "build", "test-batch")
LEVELS = ["emergency", "urgent", "refer", "incomplete", "caution", "proceed"]


def tmpdir(name):
    d = os.path.join(TMP, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def mixed_lines(n, seed=11):
    """n generated cases (1% invalid) with blank lines, a case array on one line, and a
    malformed line mixed in; returns (lines, number of records expected)."""
    lines, expected = [], 0
    for i, line in enumerate(bench.gen_cases(n, seed=seed, invalid_rate=0.05)):
        lines.append(line)
        expected += 1
        if i % 97 == 0:
            lines.append("   ")
        if i % 501 == 0:
            lines.append('{"id":"broken-%d","answers":{"fever":tru' % i)
            expected += 1
        if i % 733 == 0:
            lines.append('[{"id":"arr-%d-a","answers":{}},{"id":"arr-%d-b","answers":{"age":3}}]' % (i, i))
            expected += 2
    return lines, expected


def test_jobs_identical_and_in_order():
    lines, expected = mixed_lines(3000)
    text = "\n".join(lines) + "\n"
    outs = {}
    for jobs in (1, 2, 4):
        p = run(["eval", "--jobs", str(jobs), "-"], input=text)
        expect(p.returncode == 65, f"jobs {jobs}: exit {p.returncode} (invalid cases: 65)")
        outs[jobs] = p.stdout
    expect(outs[1] == outs[2] == outs[4], "output differs between --jobs 1, 2 and 4")
    recs = records(outs[1])
    expect(len(recs) == expected, f"{len(recs)} records for {expected} cases")
    want_ids = []
    for line in lines:
        if not line.strip():
            continue
        if line.startswith("["):
            want_ids += [c["id"] for c in json.loads(line)]
        else:
            try:
                want_ids.append(json.loads(line)["id"])
            except ValueError:
                want_ids.append(None)  # malformed: its record is named by line number
    got = [r.get("id") for r in recs]
    for i, (g, w) in enumerate(zip(got, want_ids)):
        expect(w is None or g == w, f"record {i}: id {g}, expected {w} (order not kept)")
    broken = [r for r in recs if "malformed JSON" in r.get("error", "")]
    expect(len(broken) == len([x for x in lines if x.startswith('{"id":"broken')]),
           "every malformed line gets its error record")
    expect(all(r["id"].startswith("stdin:") for r in broken), "malformed lines are named stdin:LINE")
    expect(sum("disposition" in r for r in recs) > 0.9 * len(recs), "most cases evaluated")


def test_inputs_mixed_in_argument_order():
    d = tmpdir("mixed")
    os.makedirs(os.path.join(d, "dir"))
    with open(os.path.join(d, "dir", "b.json"), "w") as f:
        json.dump([{"id": "dir-b1", "answers": {}}, {"id": "dir-b2", "answers": {}}], f)
    with open(os.path.join(d, "dir", "a.jsonl"), "w") as f:
        f.write('{"id":"dir-a1","answers":{}}\n{"id":"dir-a2","answers":{}}\n')
    with open(os.path.join(d, "dir", "ignored.txt"), "w") as f:
        f.write("not a case\n")
    with open(os.path.join(d, "one.json"), "w") as f:
        json.dump({"id": "one", "answers": {"fever": True}}, f)
    p = run(["eval", "--jobs", "2", os.path.join(d, "one.json"), os.path.join(d, "dir"), "-"],
            input='{"id":"in-1","answers":{}}\n\n{"id":"in-2","answers":{}}')
    expect(p.returncode == 0, f"exit {p.returncode}: {p.stderr}")
    ids = [r["id"] for r in records(p.stdout)]
    expect(ids == ["one", "dir-a1", "dir-a2", "dir-b1", "dir-b2", "in-1", "in-2"], f"order: {ids}")


def test_partial_last_line():
    p = run(["eval", "-"], input='{"id":"a","answers":{}}\n{"id":"b","answers":{}}')
    expect(p.returncode == 0 and [r["id"] for r in records(p.stdout)] == ["a", "b"],
           "a complete last line without newline is evaluated")
    p = run(["eval", "-"], input='{"id":"a","answers":{}}\n{"id":"b","answers":{"fev')
    recs = records(p.stdout)
    expect(p.returncode == 65, f"exit {p.returncode}")
    expect(len(recs) == 2 and recs[1]["id"] == "stdin:2" and
           "incomplete last line" in recs[1]["error"], f"records: {recs}")


def test_overlong_line_reported_in_place():
    long_line = '{"id":"huge","answers":{},"pad":"' + "x" * (1 << 20) + '"}'
    p = run(["eval", "--jobs", "2", "-"],
            input='{"id":"a","answers":{}}\n' + long_line + '\n{"id":"b","answers":{}}\n')
    recs = records(p.stdout)
    expect(p.returncode == 65, f"exit {p.returncode}")
    expect([r["id"] for r in recs] == ["a", "stdin:2", "b"], f"ids: {[r['id'] for r in recs]}")
    expect("line longer than" in recs[1]["error"], recs[1])


def test_read_error_reported():
    fd = os.open(ROOT, os.O_RDONLY)  # reading a directory fails with EISDIR
    try:
        p = subprocess.run([binary(), "eval", "-"], stdin=fd, capture_output=True, text=True,
                           timeout=30)
    finally:
        os.close(fd)
    expect(p.returncode == 66, f"exit {p.returncode}")
    expect("read error" in p.stderr, f"stderr: {p.stderr}")
    recs = records(p.stdout)
    expect(len(recs) == 1 and "read error" in recs[0]["error"], f"records: {recs}")


def test_exit_codes():
    ok = '{"id":"a","answers":{}}\n'
    expect(run(["eval", "-"], input=ok).returncode == 0, "valid cases: 0")
    expect(run(["eval", "-"], input='{"answers":{"fevr":true}}\n').returncode == 65, "invalid: 65")
    p = run(["eval", "/nonexistent/cases.jsonl", "-"], input=ok)
    recs = records(p.stdout)
    expect(p.returncode == 66 and len(recs) == 2 and "error" in recs[0] and recs[1]["id"] == "a",
           "missing input: 66, an error record in its place, others evaluated")
    if os.path.exists("/dev/full"):  # a failed write: 74, with the real reason, and it stops
        lines = "\n".join(bench.gen_cases(3000, seed=1)) + "\n"
        with open("/dev/full", "w") as full:
            p = subprocess.run([binary(), "eval", "--jobs", "2", "-"], input=lines, text=True,
                               stdout=full, stderr=subprocess.PIPE, timeout=60)
        expect(p.returncode == 74 and "No space left on device" in p.stderr,
               f"write error: exit {p.returncode}, {p.stderr!r}")
    for bad in (["--jobs", "0"], ["--jobs", "x"], ["--format", "xml"], ["--summary=json", "--format", "csv"]):
        p = run(["eval"] + bad + ["-"], input=ok)
        expect(p.returncode == 64, f"{bad}: exit {p.returncode}")


def test_csv_shape():
    lines, expected = mixed_lines(400, seed=5)
    p = run(["eval", "--format", "csv", "--jobs", "2", "-"], input="\n".join(lines) + "\n")
    rows = list(csv.reader(io.StringIO(p.stdout)))
    expect(rows[0] == ["id", "disposition", "concerns", "precautions", "ask", "error", "program", "knowledge"],
           f"header: {rows[0]}")
    expect(len(rows) == expected + 1, f"{len(rows) - 1} rows for {expected} cases")
    expect(all(len(r) == 8 for r in rows), "every row has 8 fields")
    jl = records(run(["eval", "--jobs", "1", "-"], input="\n".join(lines) + "\n").stdout)
    for row, rec in zip(rows[1:], jl):
        expect(row[0] == rec["id"], f"csv id {row[0]} vs {rec['id']}")
        if "error" in rec:
            expect(row[1] == "" and row[5] == rec["error"], f"error row {row}")
        else:
            expect(row[1] == rec["disposition"], f"row {row}")
            expect(row[2] == ";".join(c["id"] for c in rec["concerns"]), f"concerns {row}")
            expect(row[3] == ";".join(rec["precautions"]), f"precautions {row}")
            expect(row[4] == ";".join(rec["ask"]), f"ask {row}")
        expect(row[6:] == [rec["program"], rec["knowledge"]], f"provenance {row}")


def test_summary_counts():
    lines, _ = mixed_lines(1500, seed=9)
    text = "\n".join(lines) + "\n"
    p = run(["eval", "--summary=json", "-"], input=text)
    recs = records(p.stdout)
    summary = recs.pop()["summary"]
    disp = {lv: sum(r.get("disposition") == lv for r in recs) for lv in LEVELS}
    concerns = {}
    for r in recs:
        for c in r.get("concerns", []):
            concerns[c["id"]] = concerns.get(c["id"], 0) + 1
    expect(summary["cases"] == len(recs), f"cases {summary['cases']} vs {len(recs)}")
    expect(summary["dispositions"] == disp, f"{summary['dispositions']} vs {disp}")
    expect(summary["invalid"] == sum("error" in r for r in recs), "invalid count")
    expect(summary["failed"] == 0 and summary["concerns"] == concerns, "concern counts")
    t = run(["eval", "--summary", "-"], input=text)
    expect(t.stdout == p.stdout[:p.stdout.rindex('{"summary"')], "text summary leaves stdout alone")
    expect(f"summary of {len(recs)} cases" in t.stderr, t.stderr)
    for lv in LEVELS:
        expect(any(line.split() == [lv, str(disp[lv])] for line in t.stderr.splitlines()),
               f"{lv} count in: {t.stderr}")


def test_streaming_result_before_eof():
    """A result comes out while stdin is still open: eval - is a live filter."""
    p = subprocess.Popen([binary(), "eval", "--jobs", "2", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for i in range(3):
            p.stdin.write(b'{"id":"live-%d","answers":{"fever":true}}\n' % i)
            p.stdin.flush()
            ready, _, _ = select.select([p.stdout], [], [], 10)
            expect(ready, f"no result for case {i} within 10 s while stdin is open")
            line = p.stdout.readline()
            expect(json.loads(line)["id"] == f"live-{i}", f"got {line!r}")
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    expect(p.returncode == 0, f"exit {p.returncode}")


def peak_rss_kib(n_cases, jobs=2):
    """Peak RSS of eval --jobs J - fed n small generated cases through a pipe."""
    p = subprocess.Popen([binary(), "eval", "--jobs", str(jobs), "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = bench.PeakRSS(p.pid)
    line = b'{"id":"m-%d","answers":{"age":%d,"sex":"male","fever":false,"low_back_pain":true}}\n'
    block = b"".join(line % (i, i % 90) for i in range(1000))
    for _ in range(n_cases // 1000):
        p.stdin.write(block)
    p.stdin.close()
    kib, status = bench.reap(p, peak)
    expect(status == 0, f"exit {status}")
    return kib


def test_memory_flat_on_long_stream():
    if os.environ.get("PSOAS_TOOL_STATUS"):
        raise Skip("peak RSS means nothing under a sanitizer or valgrind (quarantined memory)")
    small, big = peak_rss_kib(5000), peak_rss_kib(100000)
    expect(big < 64 * 1024, f"peak RSS {big} KiB on a 100k-case stream")
    expect(big - small < 3 * 1024, f"peak RSS grows with input: {small} KiB for 5k cases, "
                                   f"{big} KiB for 100k")


def test_progress_only_on_a_terminal():
    lines = "\n".join(bench.gen_cases(300, seed=2)) + "\n"
    p = run(["eval", "--progress", "-"], input=lines)
    expect(p.stderr == "", f"progress in a pipe: {p.stderr!r}")
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([binary(), "eval", "--progress", "-"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=slave)
        proc.communicate(lines.encode(), timeout=60)
        os.close(slave)
        out = b""
        while select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    expect(b"300 cases" in out and b"cases/s" in out, f"progress on a terminal: {out!r}")


def make_image(base, image):
    """check --image, run without PSOAS_WRAP: CLIPS's bsave writes uninitialised struct
    padding, which valgrind would report as an error of ours."""
    return subprocess.run([binary()] + base + ["check", "--image", image], capture_output=True,
                          text=True, timeout=60).returncode


def test_rules_image_used_only_when_fresh():
    d = tmpdir("image")
    rules = os.path.join(d, "rules")
    shutil.copytree(os.path.join(ROOT, "rules"), rules)
    for name in ("rules.bin", "rules-eval.bin"):
        if os.path.exists(os.path.join(rules, name)):
            os.remove(os.path.join(rules, name))
    cases = "\n".join(bench.gen_cases(500, seed=3)) + "\n"
    base = ["--rules", rules, "--kb", os.path.join(ROOT, "kb")]
    parsed = run(base + ["eval", "-"], input=cases).stdout
    # an image of different rules: every case an emergency
    extra = os.path.join(rules, "95-test-everything.clp")
    with open(extra, "w") as f:
        f.write('(defrule CONCERNS::test-all "[A] test" (open-required) => '
                '(assert (concern (id aaa_rupture) (because test))))\n')
    image = os.path.join(rules, "rules.bin")
    expect(make_image(base, image) == 0, "check --image")
    os.remove(extra)  # the directory changed after the image: the image is stale
    out = run(base + ["eval", "-"], input=cases).stdout
    expect(out == parsed, "a stale image (a rule file removed since) must not be used")
    # a fresh image of the real rules: identical results
    time.sleep(0.05)
    expect(make_image(base, image) == 0, "check --image")
    expect(run(base + ["eval", "-"], input=cases).stdout == parsed, "image and .clp results differ")
    # an edited rule file is newer than the image: the source wins
    with open(os.path.join(rules, "70-disposition.clp"), "a") as f:
        f.write('\n(defrule DISPOSITION::test-all "[A] test" ?d <- (disposition (level ~emergency))'
                ' => (modify ?d (level emergency)))\n')
    out = records(run(base + ["eval", "-"], input=cases).stdout)
    expect(all(r.get("disposition", "emergency") == "emergency" for r in out),
           "an edited .clp file newer than the image must be used")
    # check always parses the source: a syntax error is reported with file and line
    with open(os.path.join(rules, "70-disposition.clp"), "a") as f:
        f.write("\n(defrule DISPOSITION::broken \"[A]\" (disposition) => (assert (ask (id ?nope))))\n")
    time.sleep(0.05)
    os.utime(image)  # even with the image newer than the broken file
    p = run(base + ["check"])
    expect(p.returncode == 65 and "70-disposition.clp:" in p.stderr, f"check: {p.stderr}")
    # a corrupt image is ignored: parse errors are then reported as usual
    with open(image, "wb") as f:
        f.write(b"not an image")
    p = run(base + ["eval", "-"], input=cases)
    expect(p.returncode == 70 and "70-disposition.clp:" in p.stderr, f"corrupt image: {p.stderr}")


def test_gnu_parallel_matches_plain_run():
    if not shutil.which("parallel"):
        raise Skip("GNU parallel is not installed (apt-get install parallel)")
    d = tmpdir("parallel")
    path = os.path.join(d, "cases.jsonl")
    with open(path, "w") as f:
        for line in bench.gen_cases(2000, seed=21, invalid_rate=0):
            f.write(line + "\n")
    with open(path) as f:
        plain = subprocess.run([binary(), "eval", "--jobs", "1", "-"], stdin=f,
                               capture_output=True, text=True, timeout=120)
    with open(path) as f:
        par = subprocess.run(["parallel", "--pipe", "-k", "--block", "20k", "-j", "2",
                              binary(), "eval", "--jobs", "1", "-"], stdin=f,
                             capture_output=True, text=True, timeout=300)
    expect(par.returncode == 0, f"parallel exit {par.returncode}: {par.stderr[-500:]}")
    expect(par.stdout.count("\n") == 2000, f"{par.stdout.count(chr(10))} records")
    expect(par.stdout == plain.stdout, "GNU parallel output differs from a plain run")


def hostile_lines(seed=5):
    """JSON Lines text (bytes) that probes the edge between the fast reader (simdjson) and
    the reference reader (jansson): escapes, duplicates, byte-order marks, numbers at and
    beyond every limit, ignored keys of every type, bad UTF-8, long lines, and random
    byte mutations of valid cases."""
    import random
    rng = random.Random(seed)
    good = list(bench.gen_cases(600, seed=seed, invalid_rate=0.02))
    out = [g.encode() for g in good]
    fixed = [
        '{"id":"esc","answers":{"fev\\u0065r":true}}',
        '{"id":"esc-\\u00e9","answers":{"fever":true}}',
        '{"id":"nul","answers":{"sex":"ma\\u0000le"}}',
        '{"id":"dup","answers":{"fever":true,"fever":false}}',
        '{"id":"dup2","id":"dup3","answers":{}}',
        '{"id":"dup4","answers":{},"answers":{"fever":true}}',
        '{"id":"dup5","x":1,"x":1,"answers":{}}',
        '{"id":"um","answers":{"fever":"yes"},"unanswered_means":"no","unanswered_means":"no"}',
        '{"id":"nested","meta":{"a":[1,{"b":2}]},"answers":{"fever":true}}',
        '{"id":"nested-dup","meta":{"a":1,"a":2},"answers":{}}',
        '{"id":"float-meta","score":1.5,"answers":{}}',
        '{"id":"huge-meta","score":1e400,"answers":{}}',
        '{"id":"scalars","src":"ehr","ok":true,"n":null,"k":-3,"answers":{"age":44}}',
        '{"id":"age-float","answers":{"age":40.0}}',
        '{"id":"age-exp","answers":{"age":4e1}}',
        '{"id":"age-negzero","answers":{"age":-0}}',
        '{"id":"age-max","answers":{"age":9223372036854775807}}',
        '{"id":"age-over","answers":{"age":9223372036854775808}}',
        '{"id":"age-min","answers":{"age":-9223372036854775808}}',
        '{"id":"age-edge","answers":{"age":120,"symptom_weeks":0}}',
        '{"id":9223372036854775807,"answers":{}}',
        '{"id":-1,"answers":{}}',
        '{"id":"","answers":{}}',
        '{"id":"%s","answers":{}}' % ("i" * 200),
        '{"id":"%s","answers":{}}' % ("i" * 201),
        '{"id":"emoji-\U0001F600","answers":{"sex":"other"}}',
        '{"id":"long-value","answers":{"sex":"%s"}}' % ("m" * 65),
        '{"id":"long-key","answers":{"%s":true}}' % ("k" * 65),
        '{"id":"choice-case","answers":{"sex":"Male"}}',
        '{"id":"bool-string","answers":{"fever":"true"}}',
        '{"id":"unknown-str","answers":{"fever":"unknown","age":"unknown","sex":null}}',
        '{"id":"ws" ,  "answers" : {"fever" : true }\t}',
        '{"id":"trail","answers":{}} x',
        '{"id":"trail2","answers":{}}{}',
        '[{"id":"arr","answers":{"fever":true}}]',
        '"just a string"',
        '{"id":"long-pad","pad":"%s","answers":{"fever":true}}' % ("p" * 70000),
    ]
    out += [f.encode() for f in fixed]
    out += [b'\xef\xbb\xbf{"id":"bom","answers":{}}', b'{"id":"bad-utf8-\xc3","answers":{}}',
            b'{"id":"overlong-\xc0\xae","answers":{}}', b'{"id":"surrogate-\xed\xa0\x80","answers":{}}',
            b'{"id":"tab\tin","answers":{}}', b'{"id":"del\x7f","answers":{}}',
            b'{"id":"nul\x00byte","answers":{}}']
    alphabet = b'{}[]:,"\\ 0123456789-+.eEtrufalsn\xc3\xa9\xff\x00\t'
    for _ in range(1500):  # random small mutations of valid cases
        b = bytearray(rng.choice(good).encode())
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(b))
            op = rng.randrange(3)
            if op == 0:
                b[i] = rng.choice(alphabet)
            elif op == 1:
                del b[i]
            else:
                b.insert(i, rng.choice(alphabet))
        out.append(bytes(b).replace(b"\n", b" "))
    rng.shuffle(out)
    return b"\n".join(out) + b"\n"


def test_fast_reader_changes_nothing():
    """The fast JSON reader may make eval faster, never different: every record, error
    message and exit status is the same with it off (PSOAS_FASTPATH=0), on, and checked
    against the reference reader case by case (PSOAS_FASTPATH=verify)."""
    d = tmpdir("fastpath")
    path = os.path.join(d, "hostile.jsonl")
    with open(path, "wb") as f:
        f.write(hostile_lines())
    refs = {}
    for fmt in ("jsonl", "csv"):
        ref = refs[fmt] = run(["eval", "--jobs", "1", "--format", fmt, path],
                              env={"PSOAS_FASTPATH": "0"})
        expect(ref.returncode == 65, f"reference run: exit {ref.returncode}: {ref.stderr[-300:]}")
        for jobs in ("1", "2"):
            fast = run(["eval", "--jobs", jobs, "--format", fmt, path])
            expect(fast.returncode == ref.returncode and fast.stdout == ref.stdout and
                   fast.stderr == ref.stderr,
                   f"{fmt}, --jobs {jobs}: output differs with the fast reader")
    v = run(["eval", "--jobs", "2", path], env={"PSOAS_FASTPATH": "verify"})
    expect(v.stdout == refs["jsonl"].stdout, "the verify run's records differ")
    m = re.search(r"fast path: (\d+) records settled, (\d+) disagreed", v.stderr)
    expect(m is not None, f"verify: no count on stderr: {v.stderr[-300:]}")
    expect(int(m.group(2)) == 0, f"verify: {m.group(0)}")
    expect(int(m.group(1)) >= 550, f"the fast reader settled too few records: {m.group(0)}")


def test_case_files_fast_and_reference_agree():
    """A directory of .json case files (parsed by the workers, the plain ones by the fast
    reader): the same records, messages and exit status with the fast reader off and on,
    with 1 and 2 jobs; a malformed file is named with its line and column."""
    d = tmpdir("casefiles")
    cases = [json.loads(line) for line in bench.gen_cases(300, seed=8, invalid_rate=0.05)]
    for i, case in enumerate(cases):
        with open(os.path.join(d, f"c{i:04d}.json"), "w") as f:
            if i % 3 == 0:
                json.dump(case, f, indent=2)  # as an editor or the intake writes them
            elif i % 3 == 1:
                f.write("\n  " + json.dumps(case) + "\n")
            else:
                json.dump([case, dict(case, id=case["id"] + "-b")], f)
    extra = {
        "z-malformed.json": '{\n  "id": "m",\n  "answers": {"fever": tru}\n}\n',
        "z-escape.json": '{"id":"e\\u0073c","answers":{"fev\\u0065r":true}}',
        "z-dup.json": '{"id":"d","answers":{"fever":true,"fever":false}}',
        "z-empty.json": "",
        "z-empty-array.json": "[]",
        "z-story.json": '{"id":"s","story":"x","expect":{"disposition":"urgent"},"answers":{"fever":true}}',
    }
    for name, text in extra.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    with open(os.path.join(d, "z-bom.json"), "wb") as f:
        f.write(b'\xef\xbb\xbf{"id":"bom","answers":{}}')
    ref = run(["eval", "--jobs", "1", d], env={"PSOAS_FASTPATH": "0"})
    expect(ref.returncode == 65, f"exit {ref.returncode}: {ref.stderr[-300:]}")
    for jobs in ("1", "2"):
        fast = run(["eval", "--jobs", jobs, d])
        expect((fast.returncode, fast.stdout, fast.stderr) == (ref.returncode, ref.stdout, ref.stderr),
               f"--jobs {jobs}: case files read differently with the fast reader")
    recs = {r["id"]: r for r in records(ref.stdout)}
    expect(len(recs) == 300 + 100 + len(extra) + 1, f"{len(recs)} records")
    bad = recs[os.path.join(d, "z-malformed.json")]
    expect("malformed JSON at line 3, column" in bad["error"], bad)
    expect(recs["esc"]["disposition"] == "urgent", recs["esc"])
    expect("disposition" in recs["bom"], f"a .json file's byte-order mark is skipped: {recs['bom']}")
    v = run(["eval", d], env={"PSOAS_FASTPATH": "verify"})
    m = re.search(r"fast path: (\d+) records settled, 0 disagreed", v.stderr)
    expect(m is not None and int(m.group(1)) >= 150, f"verify: {v.stderr[-300:]}")


def test_eval_image_leaves_out_only_the_dialogue_rules():
    """`check --image` writes two images: all the rules, and the eval image without the
    rules of module QUESTIONS (they wait for an intake or screen session).  eval gives
    byte-identical records from the eval image, from the parsed .clp files, and from a
    rules directory whose 90-questions.clp is gone (the knowledge digest aside), on
    generated cases and every vignette.  (The dialogue's engine keeps them: the intake
    and screen tests use rules.bin.)"""
    d = tmpdir("eval-image")
    rules = os.path.join(d, "rules")
    shutil.copytree(os.path.join(ROOT, "rules"), rules, ignore=shutil.ignore_patterns("*.bin"))
    base = ["--rules", rules, "--kb", os.path.join(ROOT, "kb")]
    cases = "\n".join(bench.gen_cases(3000, seed=11)) + "\n"
    vignettes = os.path.join(ROOT, "tests", "vignettes")
    parsed = run(base + ["eval", "-", vignettes], input=cases).stdout
    expect(make_image(base, os.path.join(rules, "rules.bin")) == 0, "check --image")
    for name in ("rules.bin", "rules-eval.bin"):
        path = os.path.join(rules, name)
        expect(os.path.getsize(path) > 10000, f"{name} not written")
        expect(os.stat(path).st_mtime_ns > os.stat(rules).st_mtime_ns, f"{name} is not fresh")
    full, small = (os.path.getsize(os.path.join(rules, n)) for n in ("rules.bin", "rules-eval.bin"))
    expect(small < full * 0.8, f"the eval image ({small} B) is not smaller than the whole ({full} B)")
    imaged = run(base + ["eval", "-", vignettes], input=cases).stdout
    expect(imaged == parsed, "the eval image and the parsed rules give different records")
    without = os.path.join(d, "without")
    shutil.copytree(rules, without, ignore=shutil.ignore_patterns("*.bin", "90-questions.clp"))
    other = run(["--rules", without, "--kb", os.path.join(ROOT, "kb"), "eval", "-", vignettes],
                input=cases).stdout
    strip = lambda text: re.sub(r'"knowledge":"sha256:[0-9a-f]+"', "", text)
    expect(strip(other) == strip(imaged) and len(imaged.splitlines()) > 3000,
           "eval without 90-questions.clp differs from the eval image")
