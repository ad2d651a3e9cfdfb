#!/usr/bin/env python3
"""bench.py -- `make bench`: throughput, start-up and memory of `psoas-triage eval`, and
`psoas-triage serve` under load.

    python3 bench/bench.py [--bin PATH] [--cases N] [--stream N (0: none)] [--repeat N] [--quick]
                           [--web-seconds N] [--web-only]

Generates a deterministic synthetic case set (seeded PRNG, default 100,000 cases: mostly
plausible clinic answers, some checkbox forms, ~1% invalid cases) into bench/data/, then
prints, measured in this run on this file:
  - whether the outputs with 1 and 2 jobs and with the reference JSON reader alone are
    identical, and how many records the fast reader settled (PSOAS_FASTPATH=verify),
  - cases/s of `eval --jobs 1` and `eval --jobs 2` (best of --repeat runs), and of
    `eval --jobs 1` with the reference reader alone (PSOAS_FASTPATH=0),
  - the time of `jq -c .` re-printing the same file, and the ratio jobs-2 / jq,
  - the peer (peer_bench(); skipped without node or node_modules/json-rules-engine): the
    emergency and urgent concern rules ported to npm's json-rules-engine (bench/peer/) on
    the same file, its dispositions and concerns on that subset checked equal to eval's,
    and cases/s of both (whole process, the peer on one core, eval --jobs 1) and the ratio,
  - start-up to first result (median of 30 runs on a 1-case input), and beside it the
    floor CLIPS sets (bench/floor.c: exec, an environment, the eval image, exit),
  - peak RSS of the 100k run and of a --stream-case stream (default 1,000,000) piped
    into `eval --jobs 2 -` as it is generated (bounded memory: must stay < 64 MB),
  - peak RSS on the worst-case inputs (worst_inputs()) with --jobs 1, 2 and 256, against
    the promised bound (16 MB + 10 MB per worker thread),
  - the web (skipped without wrk): wrk with 64 connections for --web-seconds (default 30)
    against `serve`'s POST /api/next, every request a new session with a complete case
    (bench/api-next.lua): requests/s, latency p50/p90/p99, and the checks -- no non-2xx,
    no socket error, every completed session's case file on disk, as many files as the
    server answered 200, each file's eval the level of its case (wrk_api_next()).

Also importable: tests use gen_cases() for their generated inputs, and test_load.py
wrk_api_next() for a 5 s run.
"""
import filecmp
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")


def load_questions(kb_dir=None):
    with open(os.path.join(kb_dir or os.path.join(ROOT, "kb"), "questions.json")) as f:
        return json.load(f)["questions"]


def gen_case(rng, qs, i, invalid_rate=0.01):
    """One synthetic case (a dict).  Most answers are 'no' with a few 'yes' findings, as in
    a clinic; a small share is invalid (misspelt key, out-of-range age, wrong type)."""
    ans = {}
    age = int(rng.triangular(16, 95, 45))
    ans["age"] = age
    sex = rng.choice(["female", "male", "male", "female", "other"])
    ans["sex"] = sex
    yes_rate = rng.choice([0.02, 0.05, 0.1, 0.2])
    answer_rate = rng.choice([0.3, 0.6, 0.9, 1.0])
    for q in qs:
        qid = q["id"]
        if qid in ans or rng.random() > answer_rate:
            continue
        if q["type"] == "int":
            ans[qid] = rng.randint(q["min"], min(q["max"], 200))
        elif q["type"] == "choice":
            ans[qid] = rng.choice(q["choices"])
        else:
            r = rng.random()
            ans[qid] = True if r < yes_rate else ("unknown" if r > 0.98 else False)
    case = {"id": f"b-{i:07d}", "answers": ans}
    if rng.random() < 0.3:
        case["unanswered_means"] = "no"
    if rng.random() < invalid_rate:
        kind = rng.randrange(4)
        if kind == 0:
            ans["fevr"] = True
        elif kind == 1:
            ans["age"] = 300
        elif kind == 2:
            ans["sex"] = "mal"
        else:
            case["answers"] = ["not", "an", "object"]
    return case


def gen_cases(n, seed=4, qs=None, invalid_rate=0.01):
    """Yields n cases as compact JSON lines (no newline), deterministically."""
    rng = random.Random(seed)
    qs = qs or load_questions()
    for i in range(n):
        yield json.dumps(gen_case(rng, qs, i, invalid_rate), separators=(",", ":"))


def ensure_data(n):
    """bench/data/cases-N.jsonl, generated once (deterministic, so reusable)."""
    os.makedirs(DATA, exist_ok=True)
    path = os.path.join(DATA, f"cases-{n}.jsonl")
    if not os.path.exists(path):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            for line in gen_cases(n):
                f.write(line + "\n")
        os.replace(tmp, path)
    return path


class PeakRSS:
    """Peak resident set size of a running child, from VmHWM in /proc/PID/status, sampled
    until it exits (VmHWM only grows, so the last sample is the peak).  wait4's ru_maxrss
    is no good here: Linux carries the parent's (this Python's) high-water mark into the
    child across fork and exec."""

    def __init__(self, pid):
        self.pid, self.kib, self.done = pid, 0, False
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        while not self.done:
            try:
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self.kib = max(self.kib, int(line.split()[1]))
            except (OSError, ValueError):
                return
            time.sleep(0.02)

    def stop(self):
        """Call before reaping the child (while /proc/PID still exists)."""
        self.done = True
        self.thread.join()
        return self.kib


def reap(p, peak):
    """Waits for p to exit without reaping it, takes the last VmHWM sample, then reaps.
    Returns (peak RSS KiB, exit status)."""
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    kib = peak.stop()
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    kib = max(kib, int(line.split()[1]))
    except OSError:
        pass
    return kib, p.wait()


def cpu_busy_seconds():
    """CPU time all processes of the machine have used (every core, from /proc/stat:
    user, nice, system, irq, softirq, steal), in seconds."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Busy:
    """Whether a figure was taken on a machine with cores free for it: the CPU that other
    processes used while it ran (the machine's busy time from /proc/stat, less the CPU
    time of the measured processes and of this script), in cores."""

    def __init__(self):
        self.t0, self.b0, self.mine0 = time.perf_counter(), cpu_busy_seconds(), self._mine()

    @staticmethod
    def _mine():
        """CPU seconds of this script and of its children reaped so far."""
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def others(self):
        """Cores other processes kept busy on average since this was made (call it once
        the measured children are reaped)."""
        wall = time.perf_counter() - self.t0
        mine = self._mine() - self.mine0
        return max(0.0, (cpu_busy_seconds() - self.b0 - mine) / wall) if wall > 0 else 0.0


def busy_mark(others, cores_needed):
    """" [BUSY ...]" when the other processes left fewer than cores_needed cores free (with
    a quarter of a core to spare for the kernel and this script), else ""."""
    free = (os.cpu_count() or 1) - others
    if free >= cores_needed - 0.25:
        return ""
    return (f" [BUSY: other processes used {others:.1f} of {os.cpu_count()} cores; "
            f"taken without {cores_needed} free core{'s' if cores_needed > 1 else ''}]")


def with_env(extra):
    """os.environ plus extra (None: inherit)."""
    if not extra:
        return None
    e = dict(os.environ)
    e.update(extra)
    return e


def timed(cmd, stdin=None, stdout=subprocess.DEVNULL, env=None):
    """Runs cmd (with the extra environment variables env); returns (seconds, peak RSS in
    KiB, exit status, cores other processes kept busy meanwhile)."""
    busy = Busy()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL,
                         env=with_env(env))
    peak = PeakRSS(p.pid)
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    secs = time.perf_counter() - t0
    kib, status = reap(p, peak)
    return secs, kib, status, busy.others()


def best_of(cmd, path, repeat, env=None):
    """(best seconds, peak RSS KiB, exit status, cores others used during the best run)."""
    runs = []
    for _ in range(repeat):
        with open(path, "rb") as f:
            runs.append(timed(cmd, stdin=f, env=env))
    best = min(runs, key=lambda r: r[0])
    return best[0], max(r[1] for r in runs), runs[0][2], best[3]


def startup(binary, runs=30, jobs=None):
    """(median wall time, cores others used meanwhile) of `eval FILE` on a 1-case file,
    from exec to exit after the first (only) result; with the default --jobs unless jobs."""
    d = os.path.join(DATA, "startup")
    os.makedirs(d, exist_ok=True)
    one = os.path.join(d, "one.json")
    with open(one, "w") as f:
        json.dump({"id": "s", "answers": {"age": 40, "sex": "male", "low_back_pain": True}}, f)
    cmd = [binary, "eval"] + (["--jobs", str(jobs)] if jobs else []) + [one]
    times, busy = [], Busy()
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
        assert p.stdout.startswith(b'{"id":"s"'), p.stdout[:200]
    return statistics.median(times), busy.others()


def floor_startup(runs=30):
    """(median wall time, cores others used meanwhile) of bench/floor.c -- exec, a CLIPS
    environment, the eval image, exit -- or None if it cannot be built here."""
    exe = os.path.join(DATA, "floor")
    src = os.path.join(HERE, "floor.c")
    image = os.path.join(ROOT, "rules", "rules-eval.bin")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        cc = subprocess.run(["cc", "-O2", "-isystem", "/usr/include/clips", "-o", exe, src, "-lclips", "-lm"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if cc.returncode:
            return None
    if subprocess.run([exe, image]).returncode:
        return None
    times, busy = [], Busy()
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([exe, image])
        times.append(time.perf_counter() - t0)
    return statistics.median(times), busy.others()


def stream_rss(binary, n, jobs=2):
    """Pipes n generated cases into `eval --jobs J -` as they are generated; returns
    (seconds, peak RSS KiB, records out, exit status)."""
    p = subprocess.Popen([binary, "eval", "--jobs", str(jobs), "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    count = [0]

    def drain():
        for chunk in iter(lambda: p.stdout.read(1 << 16), b""):
            count[0] += chunk.count(b"\n")

    t = threading.Thread(target=drain)
    t.start()
    peak = PeakRSS(p.pid)
    t0 = time.perf_counter()
    # a fixed block of distinct cases, repeated with fresh ids: generation stays cheap
    block = list(gen_cases(10000, seed=7))
    try:
        buf = []
        for i in range(n):
            line = block[i % len(block)]
            buf.append('{"id":"s-%d",' % i + line[line.index('"answers"'):])
            if len(buf) == 2000:
                p.stdin.write(("\n".join(buf) + "\n").encode())
                buf = []
        if buf:
            p.stdin.write(("\n".join(buf) + "\n").encode())
        p.stdin.close()
    except BrokenPipeError:
        pass
    kib, status = reap(p, peak)
    secs = time.perf_counter() - t0
    t.join()
    return secs, kib, count[0], status


# The memory bound eval promises (README "Promises"; src/batch.h): peak RSS under 16 MiB
# plus 10 MiB per worker thread, and at most JOBS_PER_CORE workers per core whatever
# --jobs asks for.
JOBS_PER_CORE = 4


def rss_bound_kib(workers):
    return (16 + 10 * workers) * 1024


def worst_inputs(d, scale=1.0):
    """The inputs that once took the most memory, written into directory d at full size
    (scale 1) or smaller; returns [(name, path, records, format)]:
      - a 64 MiB .json of [{},{},...] (22 M cases; it took 5.0 GB when read whole),
      - JSON Lines whose 1 MiB lines are arrays of ~350k cases (1.1 GB with --jobs 2),
      - JSON Lines of cases holding 1 MiB of text each (the longest a case may be),
      - the largest records: every finding yes and a 200-byte id of control characters,
        written as referral letters and as FHIR Bundles (the biggest formats),
      - JSON Lines whose 1 MiB lines are FHIR Bundles of ~19k empty QuestionnaireResponses,
        as letters (1.2 GB with --jobs 2 while a worker expanded a Bundle whole)."""
    out = []
    n = max(1000, int((64 << 20) * scale) // 3)
    path = os.path.join(d, "empty-cases.json")
    with open(path, "w") as f:
        f.write("[" + ",".join(["{}"] * n) + "]")
    out.append(("a .json of [{},{},...]", path, n, "jsonl"))
    per_line, lines = (1 << 20) // 3 - 1, max(1, int(16 * scale))
    path = os.path.join(d, "array-lines.jsonl")
    with open(path, "w") as f:
        for _ in range(lines):
            f.write("[" + ",".join(["{}"] * per_line) + "]\n")
    out.append(("JSON Lines of 1 MiB arrays", path, per_line * lines, "jsonl"))
    with open(os.path.join(ROOT, "tests", "regress", "all-findings-yes.json")) as f:
        full = json.load(f)
    full = full[0] if isinstance(full, list) else full
    big = dict(full, notes="x" * ((1 << 20) - 4000))
    lines = max(8, int(300 * scale))
    path = os.path.join(d, "long-cases.jsonl")
    with open(path, "w") as f:
        f.write((json.dumps(big) + "\n") * lines)
    out.append(("JSON Lines of 1 MiB cases", path, lines, "jsonl"))
    loud = dict(full, id="\u0001" * 200)
    lines = max(200, int(4000 * scale))
    path = os.path.join(d, "largest-records.jsonl")
    with open(path, "w") as f:
        f.write((json.dumps(loud) + "\n") * lines)
    out.append(("largest records, as letters", path, lines, "letter"))
    out.append(("largest records, as FHIR Bundles", path, lines, "fhir"))
    entry = '{"resource":{"resourceType":"QuestionnaireResponse"}}'
    per_line, lines = (1 << 20) // (len(entry) + 1) - 4, max(1, int(8 * scale))
    path = os.path.join(d, "bundle-lines.jsonl")
    with open(path, "w") as f:
        for _ in range(lines):
            f.write('{"resourceType":"Bundle","type":"collection","entry":[' + ",".join([entry] * per_line) + "]}\n")
    out.append(("JSON Lines of 1 MiB FHIR Bundles, as letters", path, per_line * lines, "letter"))
    return out


def worst_rss(binary, d, scale=1.0):
    """Peak RSS of eval on each worst-case input with --jobs 1, 2 and 256; returns
    [(name, jobs, workers, KiB, records out, records expected, exit status)]."""
    rows = []
    for name, path, n, fmt in worst_inputs(d, scale):
        for jobs in (1, 2, 256):
            p = subprocess.Popen([binary, "eval", "--jobs", str(jobs), "--format", fmt, path],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            count = [0]

            def drain():
                mark = b"\n" if fmt in ("jsonl", "fhir") else b'<article class="letter '
                tail = b""  # the end of the last read: a mark cut between two reads counts
                for chunk in iter(lambda: p.stdout.read(1 << 16), b""):
                    text = tail + chunk
                    count[0] += text.count(mark)
                    keep = len(mark) - 1
                    tail = text[-keep:] if keep else b""

            t = threading.Thread(target=drain)
            t.start()
            peak = PeakRSS(p.pid)
            kib, status = reap(p, peak)
            t.join()
            workers = min(jobs, JOBS_PER_CORE * os.cpu_count())
            rows.append((name, jobs, workers, kib, count[0], n, status))
    return rows


# ---- the web: wrk against POST /api/next (bench/api-next.lua) ----------------------------------

WRK_SCRIPT = os.path.join(HERE, "api-next.lua")


def api_next_bodies(kb_dir=None):
    """Complete cases for POST /api/next, one per vignette (tests/vignettes): its answers,
    every other question answered no (age, sex and weeks: don't know), so that the
    dialogue is over with them.  Returns [(body as one JSON line, answers)]."""
    qs = load_questions(kb_dir)
    out = []
    vdir = os.path.join(ROOT, "tests", "vignettes")
    for name in sorted(os.listdir(vdir)):
        with open(os.path.join(vdir, name)) as f:
            given = json.load(f)["answers"]
        answers = {q["id"]: given.get(q["id"], False if q["type"] == "bool" else "unknown") for q in qs}
        out.append((json.dumps({"answers": answers}, separators=(",", ":")), answers))
    return out


def same_answers(answers):
    """A key for a set of answers as a case file holds them ("yes" is saved as true)."""
    norm = {"yes": True, "no": False, None: "unknown"}
    return json.dumps({k: norm.get(v, v) if not isinstance(v, bool) else v for k, v in answers.items()},
                      sort_keys=True)


def expected_levels(binary, answers_list):
    """eval's disposition of each set of answers (one eval run over them all)."""
    lines = "".join(json.dumps({"id": f"b{i}", "answers": a}) + "\n" for i, a in enumerate(answers_list))
    p = subprocess.run([binary, "eval", "-"], input=lines, capture_output=True, text=True, check=False)
    recs = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    assert len(recs) == len(answers_list) and all("disposition" in r for r in recs), p.stderr[-2000:]
    return [r["disposition"] for r in recs]


def wrk_api_next(binary, seconds, connections=64, wrk_threads=2, server_threads=None, timeout=30,
                 workdir=None):
    """Runs `psoas-triage serve --cases DIR` on a free port and wrk (api-next.lua: every
    request a new session with a complete case) against POST /api/next for `seconds`,
    then checks the cases directory against what wrk and the server's log say.  Returns a
    dict: wrk's figures (requests, rps, latency_us p50/p90/p99/max, errors, not_200,
    not_done) and the checks:
      files      case files in DIR once the server is idle (it answers the requests in
                 flight when wrk stops, up to one a connection, after wrk has gone);
      logged_200 requests the server logged as answered 200: must equal files;
      missing    sessions wrk got a 200 for whose file is not in DIR: must be none;
      in_flight  files - completed sessions: the ones wrk stopped waiting for (<= connections);
      unreadable files that do not parse; stray: files in DIR other than cases and .secret;
      wrong      files whose eval level is not the level expected of their case, or not
                 the level the response gave: must be none."""
    import shutil
    import tempfile
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import harness  # noqa: E402
    work = workdir or tempfile.mkdtemp(prefix="psoas-load-")
    cases = os.path.join(work, "cases")
    bodies = api_next_bodies()
    want = expected_levels(binary, [a for _, a in bodies])
    by_answers = {same_answers(a): lv for (_, a), lv in zip(bodies, want)}
    body_file, out_file = os.path.join(work, "bodies.jsonl"), os.path.join(work, "sessions.txt")
    with open(body_file, "w") as f:
        f.write("".join(b + "\n" for b, _ in bodies))
    extra = ["--threads", str(server_threads)] if server_threads else []
    with harness.WebServer(*extra, cases=cases, program=binary) as server:
        p = subprocess.run(["wrk", "-t", str(wrk_threads), "-c", str(connections), "-d", f"{seconds}s",
                            "--timeout", f"{timeout}s", "--latency", "-s", WRK_SCRIPT,
                            f"{server.url}/api/next", "--", body_file, out_file],
                           capture_output=True, text=True, timeout=seconds + timeout + 120)
        line = [ln for ln in p.stdout.splitlines() if ln.startswith("wrk-api-next: ")]
        assert p.returncode == 0 and line, f"wrk failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
        res = json.loads(line[0].split(": ", 1)[1])
        res["wrk_output"] = p.stdout
        # the requests in flight when wrk stopped: wait until the server is idle
        last, still, deadline = -1, 0, time.time() + 120
        while still < 4 and time.time() < deadline:
            n = len(os.listdir(cases))
            still = still + 1 if n == last else 0
            last = n
            time.sleep(0.5)
        logged = server.log().count(" POST /api/next 200\n")
    shutil.rmtree(os.path.dirname(server.log_path), ignore_errors=True)  # the log's directory
    names = os.listdir(cases)
    files = [n for n in names if n.endswith(".json") and not n.startswith(".")]
    res["stray"] = sorted(set(names) - set(files) - {".secret"})
    res["files"], res["logged_200"] = len(files), logged
    with open(out_file) as f:
        got = dict(line.split() for line in f if line.strip())
    res["missing"] = sorted(set(got) - {n[:-5] for n in files})
    res["in_flight"] = len(files) - len(got)
    # every file: it parses, its case is one of the bodies, eval gives its expected level
    # (and the one the response said, for the sessions wrk saw)
    unreadable, wrong, levels = [], [], {}
    ev = subprocess.run([binary, "eval", cases], capture_output=True, text=True, check=False)
    for line in ev.stdout.splitlines():
        r = json.loads(line)
        levels[r["id"]] = r.get("disposition")
    for n in files:
        sid = n[:-5]
        try:
            with open(os.path.join(cases, n)) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            unreadable.append(f"{n}: {e}")
            continue
        expect = by_answers.get(same_answers(doc.get("answers") or {}))
        if expect is None or levels.get(sid) != expect or (sid in got and got[sid] != expect):
            wrong.append(f"{sid}: eval {levels.get(sid)}, expected {expect}, response {got.get(sid)}")
    res["unreadable"], res["wrong"] = unreadable, wrong
    res["levels"] = {lv: sum(1 for x in levels.values() if x == lv) for lv in sorted(set(levels.values()), key=str)}
    if not workdir:
        shutil.rmtree(work, ignore_errors=True)
    return res


def load_report(res, connections):
    """The lines `make bench` prints of a wrk_api_next result, and whether every check
    held."""
    e = res["errors"]
    socket_errors = e["connect"] + e["read"] + e["write"] + e["timeout"]
    ok = (socket_errors == 0 and res["not_200"] == 0 and e["status"] == 0 and res["not_done"] == 0
          and res["files"] == res["logged_200"] and not res["missing"] and 0 <= res["in_flight"] <= connections
          and not res["unreadable"] and not res["wrong"] and not res["stray"])
    lat = res["latency_us"]
    return [
        f"  POST /api/next, {connections} connections: {res['rps']:.0f} requests/s, latency p50 "
        f"{lat['p50'] / 1000:.1f} ms, p90 {lat['p90'] / 1000:.1f} ms, p99 {lat['p99'] / 1000:.1f} ms, max "
        f"{lat['max'] / 1000:.1f} ms ({res['requests']} requests in {res['duration_us'] / 1e6:.1f} s)",
        f"    non-2xx {res['not_200']}, not done {res['not_done']}, socket errors {socket_errors} "
        f"(connect {e['connect']}, read {e['read']}, write {e['write']}, timeout {e['timeout']})",
        f"    case files on disk {res['files']} = answered 200 in the server's log {res['logged_200']}: "
        f"{'yes' if res['files'] == res['logged_200'] else 'NO'}; every completed session on disk: "
        f"{'yes' if not res['missing'] else 'NO, %d missing' % len(res['missing'])} "
        f"({res['in_flight']} more were in flight when wrk stopped)",
        f"    each file's eval is its case's level: {'yes' if not res['wrong'] else 'NO, %d not' % len(res['wrong'])}"
        f" ({', '.join(f'{k} {v}' for k, v in res['levels'].items())}); unreadable {len(res['unreadable'])}, "
        f"stray files {len(res['stray'])}",
    ], ok


def web_bench(binary, seconds, connections=64):
    """`serve` under wrk: POST /api/next for `seconds` with `connections` connections;
    prints the figures and the checks; returns 0, or 1 when a check failed."""
    import shutil
    if not shutil.which("wrk"):
        print("  web: skipped, wrk is not installed (Debian: apt-get install wrk)")
        return 0
    res = wrk_api_next(binary, seconds, connections=connections)
    lines, ok = load_report(res, connections)
    print("\n".join(lines))
    print(f"    (wrk -t2 -c{connections} -d{seconds}s --latency -s bench/api-next.lua; serve --threads "
          f"{os.cpu_count()} on this machine's {os.cpu_count()} cores, the cases on "
          f"{tempfile_fs()}): {'every check held' if ok else 'A CHECK FAILED'}")
    return 0 if ok else 1


def tempfile_fs():
    """The file system type of the temporary directory (the cases' disk: fsync's cost)."""
    import tempfile
    try:
        p = subprocess.run(["df", "--output=fstype", tempfile.gettempdir()], capture_output=True, text=True)
        return p.stdout.split()[-1] + " " + tempfile.gettempdir()
    except (OSError, IndexError):
        return tempfile.gettempdir()


# The targets of `make bench` (issue 14), after revision 2 of the clinical table.
JOBS1_TARGET = 40000   # cases/s, eval --jobs 1
SCALE_TARGET = 1.8     # eval --jobs 2 over --jobs 1, with two free cores
JQ_TARGET = 0.5        # eval --jobs 2 at most this share of the time of `jq -c .`
STARTUP_TARGET = 0.003  # s, median start-up to the first result with the default --jobs
# Peak RSS of eval on this bench's 100,000 cases before the work on speed (0af66b3,
# measured by this script on the 2-core machine of doc/performance.md): must not grow.
RSS_BEFORE_KIB = {1: 12300, 2: 16500}


def met(ok):
    return "met" if ok else "NOT MET"


# ---- the peer: the emergency and urgent rules in npm's json-rules-engine (bench/peer/) -----

PEER_DIR = os.path.join(HERE, "peer")
PEER_TARGET = 25  # psoas-triage --jobs 1 at least 25x the peer's cases/s, per core (issue 14)
SUBSET = ("emergency", "urgent")


def peer_command(root=ROOT):
    """(the command that runs the peer on a file or "-", the json-rules-engine version), or
    (None, why it cannot run here)."""
    import shutil
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        return None, "node is not installed (Debian: nodejs)"
    pkg = os.path.join(root, "node_modules", "json-rules-engine", "package.json")
    if not os.path.exists(pkg):
        return None, "node_modules/json-rules-engine is missing (run `npm ci`)"
    with open(pkg) as f:
        version = json.load(f)["version"]
    return [node, os.path.join(PEER_DIR, "run.js")], version


def subset_levels(kb_dir=None):
    """{concern id: level} of the concerns the peer ports (kb/concerns.json: emergency, urgent)."""
    with open(os.path.join(kb_dir or os.path.join(ROOT, "kb"), "concerns.json")) as f:
        return {c["id"]: c["level"] for c in json.load(f)["concerns"] if c["level"] in SUBSET}


def on_subset(rec, levels):
    """(disposition on the subset, sorted emergency/urgent concern ids) of one of eval's
    JSON Lines records: emergency if it holds an emergency concern, urgent if an urgent one,
    else below."""
    ids = sorted({c["id"] for c in rec["concerns"] if c["id"] in levels})
    lv = {levels[i] for i in ids}
    return ("emergency" if "emergency" in lv else "urgent" if "urgent" in lv else "below"), ids


def peer_compare(ours_text, peer_text, levels):
    """Compares eval's records with the peer's, line by line (both keep input order).
    Returns (cases compared, [mismatch descriptions], invalid cases skipped).  A case eval
    rejects ("error") is skipped; for the others the peer must give the same id, the same
    disposition on the subset and the same emergency/urgent concerns -- and eval's own
    disposition must be that of its concerns (emergency and urgent are exactly those)."""
    ours = [json.loads(ln) for ln in ours_text.splitlines() if ln.strip()]
    peer = [json.loads(ln) for ln in peer_text.splitlines() if ln.strip()]
    bad, compared, skipped = [], 0, 0
    if len(ours) != len(peer):
        bad.append(f"{len(ours)} records from eval, {len(peer)} from the peer")
    for o, p in zip(ours, peer):
        if "error" in o:
            skipped += 1
            continue
        compared += 1
        disp, ids = on_subset(o, levels)
        mine = o["disposition"] if o["disposition"] in SUBSET else "below"
        if mine != disp:
            bad.append(f"{o['id']}: eval's disposition {o['disposition']} with concerns {ids}")
        if p.get("id") != o["id"] or "error" in p or p.get("disposition") != disp or p.get("concerns") != ids:
            theirs = p.get("error") or f"{p.get('disposition')} {p.get('concerns')}"
            bad.append(f"{o['id']}: eval {disp} {ids}; peer ({p.get('id')}) {theirs}")
    return compared, bad, skipped


def peer_run(cmd, path, out_path):
    """Runs cmd on path (on stdin) with its output in out_path; returns (wall seconds, exit
    status, stderr)."""
    with open(path, "rb") as f, open(out_path, "wb") as o:
        busy = Busy()
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdin=f, stdout=o, stderr=subprocess.PIPE)
        secs = time.perf_counter() - t0
        return secs, p.returncode, p.stderr.decode(errors="replace"), busy.others()


def peer_bench(binary, path, repeat):
    """The peer side by side with `eval --jobs 1 -` on the same file: json-rules-engine
    (bench/peer/run.js, rules.json: the emergency and urgent concern rules and the
    disposition on them) and eval each run `repeat` times, whole-process wall time (start-up,
    reading, evaluating, writing the output to a file; best of the runs), the peer on one
    core (node runs JavaScript on one thread) against eval with one worker.  Then every valid
    case's disposition on the subset and emergency/urgent concerns are compared.  Prints the
    figures; returns 0, or 1 when an output differs or a run failed (a peer that cannot run
    here is skipped with a line saying why, and returns 0)."""
    cmd, version = peer_command()
    if cmd is None:
        print(f"  peer json-rules-engine: skipped, {version}")
        return 0
    with open(path, "rb") as f:
        n = sum(1 for line in f if line.strip())
    outs = {"ours": os.path.join(DATA, "out-peer-ours.jsonl"), "peer": os.path.join(DATA, "out-peer.jsonl")}
    best, loop, marks = {}, None, {}
    for _ in range(repeat):  # interleaved, so that load on the machine falls on both alike
        for side, c in (("ours", [binary, "eval", "--jobs", "1", "-"]), ("peer", cmd + ["-"])):
            secs, status, err, others = peer_run(c, path, outs[side])
            if status not in ((0, 65) if side == "ours" else (0,)):
                print(f"  peer bench: {' '.join(c)} failed with exit status {status}: {err[-500:]}")
                return 1
            if secs < best.get(side, float("inf")):
                best[side], marks[side] = secs, busy_mark(others, 1)
                if side == "peer":  # its own time of the evaluation loop, in that run
                    loop = [ln for ln in err.splitlines() if "evaluation loop" in ln]
    texts = {}
    for side, out in outs.items():
        with open(out) as f:
            texts[side] = f.read()
        os.remove(out)
    compared, bad, skipped = peer_compare(texts["ours"], texts["peer"], subset_levels())
    with open(os.path.join(PEER_DIR, "rules.json")) as f:
        nrules = sum(1 for r in json.load(f)["rules"] if r["event"]["type"] == "concern")
    print(f"  peer: json-rules-engine {version}, {nrules} emergency/urgent concern rules ported "
          f"(bench/peer/rules.json), one Engine reused, one case at a time")
    print(f"    compared {compared} valid cases ({skipped} invalid skipped): "
          f"{len(bad)} mismatches in disposition on the subset or emergency/urgent concerns")
    for b in bad[:5]:
        print(f"      {b}")
    peer_rate, ours_rate = n / best["peer"], n / best["ours"]
    ratio = ours_rate / peer_rate
    print(f"    whole process, same file, best of {repeat}: peer {best['peer']:.3f} s, "
          f"eval --jobs 1 {best['ours']:.3f} s" + (f"; the peer's {loop[0].split(': ', 1)[1]}" if loop else ""))
    print(f"  peer json-rules-engine {version}: {peer_rate:.0f} cases/s; psoas-triage --jobs 1: "
          f"{ours_rate:.0f} cases/s; ratio {ratio:.1f}x per core (target >= {PEER_TARGET}x: "
          f"{met(ratio >= PEER_TARGET)}){marks['ours'] or marks['peer']}")
    return 1 if bad else 0


def main(argv):
    binary = os.path.join(ROOT, "psoas-triage")
    n, stream_n, repeat = 100000, 1000000, 3
    if "--bin" in argv:
        binary = os.path.abspath(argv[argv.index("--bin") + 1])
    if "--cases" in argv:
        n = int(argv[argv.index("--cases") + 1])
    if "--stream" in argv:
        stream_n = int(argv[argv.index("--stream") + 1])
    if "--repeat" in argv:
        repeat = int(argv[argv.index("--repeat") + 1])
    web_seconds = int(argv[argv.index("--web-seconds") + 1]) if "--web-seconds" in argv else 30
    if "--quick" in argv:
        n, stream_n = 20000, 100000
        web_seconds = 10 if "--web-seconds" not in argv else web_seconds
        repeat = 1 if "--repeat" not in argv else repeat
    if "--web-only" in argv:
        return web_bench(binary, web_seconds)
    path = ensure_data(n)
    size = os.path.getsize(path)
    print(f"bench: {n} cases, {size / 1e6:.1f} MB ({path}), {os.cpu_count()} cores, "
          f"best of {repeat}")

    # identical results with 1 and 2 jobs, and with the reference JSON reader alone (a
    # cheap check that the speed is honest); the fast reader's share of the records
    outs = []
    for name, jobs, env in (("jobs1", 1, None), ("jobs2", 2, None),
                            ("reference", 1, {"PSOAS_FASTPATH": "0"})):
        out = os.path.join(DATA, f"out-{name}.jsonl")
        with open(path, "rb") as f, open(out, "wb") as o:
            subprocess.run([binary, "eval", "--jobs", str(jobs), "-"], stdin=f, stdout=o,
                           stderr=subprocess.DEVNULL, env=with_env(env))
        outs.append(out)
    with open(outs[0], "rb") as a:
        lines = sum(1 for _ in a)
    same = all(filecmp.cmp(outs[0], o, shallow=False) for o in outs[1:]) and lines == n
    for out in outs:
        os.remove(out)
    print(f"  outputs identical with 1 and 2 jobs and with the reference reader alone "
          f"({lines} records): {'yes' if same else 'NO'}")
    with open(path, "rb") as f:
        v = subprocess.run([binary, "eval", "--jobs", "2", "-"], stdin=f,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           env=with_env({"PSOAS_FASTPATH": "verify"}))
    verdict = [ln for ln in v.stderr.decode().splitlines() if "fast path:" in ln]
    print(f"  fast reader (PSOAS_FASTPATH=verify): "
          f"{verdict[0].split('fast path: ')[1] if verdict else 'NO REPORT'}")

    res, busy = {}, {}
    for jobs in (1, 2):
        secs, rss, status, others = best_of([binary, "eval", "--jobs", str(jobs), "-"], path, repeat)
        if status not in (0, 65):  # 65: the set holds some invalid cases on purpose
            sys.exit(f"bench: eval --jobs {jobs} failed with exit status {status}")
        res[jobs], busy[jobs] = secs, busy_mark(others, jobs)
        before = RSS_BEFORE_KIB[jobs]
        print(f"  eval --jobs {jobs}: {secs:7.3f} s  {n / secs:9.0f} cases/s  "
              f"peak RSS {rss / 1024:5.1f} MB (exit {status}){busy[jobs]}")
        print(f"    target peak RSS unchanged (before: {before / 1024:.1f} MB, 5% allowed): "
              f"{met(rss <= before * 1.05)}")
    print(f"    target --jobs 1 >= {JOBS1_TARGET} cases/s: {met(n / res[1] >= JOBS1_TARGET)}{busy[1]}")
    scale = res[1] / res[2]
    if busy[1] or busy[2]:
        print(f"    target --jobs 2 >= {SCALE_TARGET}x --jobs 1 on a quiet machine: "
              f"not judged, {scale:.2f}x taken without free cores (see BUSY above)")
    else:
        print(f"    target --jobs 2 >= {SCALE_TARGET}x --jobs 1 on a quiet machine: {scale:.2f}x, "
              f"{met(scale >= SCALE_TARGET)}")
    secs, _, _, others = best_of([binary, "eval", "--jobs", "1", "-"], path, repeat,
                                 env={"PSOAS_FASTPATH": "0"})
    print(f"  eval --jobs 1, reference JSON reader only (PSOAS_FASTPATH=0): {secs:7.3f} s  "
          f"{n / secs:9.0f} cases/s{busy_mark(others, 1)}")
    jq, _, _, others = best_of(["jq", "-c", "."], path, repeat)
    print(f"  jq -c .     : {jq:7.3f} s  {n / jq:9.0f} cases/s{busy_mark(others, 1)}")
    print(f"    target eval --jobs 2 <= {JQ_TARGET} x the time of jq: {res[2] / jq:.2f}x, "
          f"{met(res[2] <= JQ_TARGET * jq)}")
    peer_status = peer_bench(binary, path, repeat)
    (s1, o1), (sd, od) = startup(binary, jobs=1), startup(binary)
    print(f"  start-up to first result, `eval FILE` on a 1-case file (median of 30): "
          f"{s1 * 1000:.1f} ms with --jobs 1{busy_mark(o1, 1)}, {sd * 1000:.1f} ms with the "
          f"default --jobs {os.cpu_count()}{busy_mark(od, 1)}")
    print(f"    target median start-up with the default --jobs <= {STARTUP_TARGET * 1000:.0f} ms: "
          f"{met(sd <= STARTUP_TARGET)}")
    floor = floor_startup()
    if floor:
        print(f"    floor: exec, a CLIPS environment, the eval image and exit, nothing else "
              f"(bench/floor.c, median of 30): {floor[0] * 1000:.1f} ms{busy_mark(floor[1], 1)}")
    web_status = web_bench(binary, web_seconds) | peer_status
    if stream_n <= 0:
        return web_status
    secs, rss, count, status = stream_rss(binary, stream_n)
    print(f"  stream of {stream_n} cases on stdin, --jobs 2: {secs:.1f} s, {count} records, "
          f"peak RSS {rss / 1024:.1f} MB (target < 64 MB: {met(rss < 64 * 1024)}, exit {status})")
    secs2, rss2, count2, _ = stream_rss(binary, stream_n // 10)
    print(f"  stream of {stream_n // 10} cases: peak RSS {rss2 / 1024:.1f} MB "
          f"(independent of input size: {'yes' if abs(rss - rss2) < 4096 else 'NO'})")
    worst = os.path.join(DATA, "worst")
    os.makedirs(worst, exist_ok=True)
    print(f"  worst-case inputs (peak RSS; bound: 16 MB + 10 MB per worker, at most "
          f"{JOBS_PER_CORE} workers per core):")
    for name, jobs, workers, kib, count, _, status in worst_rss(binary, worst, 0.25 if "--quick" in argv else 1.0):
        bound = rss_bound_kib(workers)
        print(f"    {name:30} --jobs {jobs:3} ({workers} workers): {kib / 1024:6.1f} MB of "
              f"{bound / 1024:4.0f} MB: {met(kib < bound)}  ({count} records, exit {status})")
    return web_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
