"""`psoas-triage serve` under load: wrk (Debian's) with 64 connections for 5 s against
POST /api/next, every request a new session with a complete case (bench/api-next.lua,
the same run as `make bench`'s 30 s one: bench.wrk_api_next).  No response other than
200, no socket error, every session wrk completed is a case file on disk, as many files
as the server answered 200, and each file's eval gives the level its case should have.
Skipped when wrk is missing."""
import os
import shutil
import sys

from harness import ROOT, Skip, binary, expect

sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench  # noqa: E402  -- the load run and its checks

CONNECTIONS = 64
SECONDS = 5


def test_api_next_under_load():
    if not shutil.which("wrk"):
        raise Skip("wrk is not installed (Debian: wrk)")
    if os.environ.get("PSOAS_TOOL_STATUS"):
        raise Skip("the load test does not run again under the sanitizers and valgrind")
    res = bench.wrk_api_next(binary(), SECONDS, connections=CONNECTIONS)
    report = "\n".join(bench.load_report(res, CONNECTIONS)[0]) + "\n" + res["wrk_output"]
    e = res["errors"]
    expect(res["requests"] >= 50 and res["done"] == res["requests"],
           f"wrk completed {res['requests']} requests, {res['done']} of them sessions done:\n{report}")
    expect(res["not_200"] == 0 and e["status"] == 0, f"responses other than 200:\n{report}")
    expect(res["not_done"] == 0, f"responses whose dialogue was not over:\n{report}")
    expect(e["connect"] == e["read"] == e["write"] == e["timeout"] == 0, f"socket errors:\n{report}")
    expect(not res["missing"], f"{len(res['missing'])} completed sessions have no case file, e.g. "
           f"{res['missing'][:3]}:\n{report}")
    expect(res["files"] == res["logged_200"], f"{res['files']} case files, {res['logged_200']} requests "
           f"answered 200 in the server's log:\n{report}")
    expect(0 <= res["in_flight"] <= CONNECTIONS, f"{res['in_flight']} files beyond the completed sessions "
           f"(at most one request a connection can be in flight when wrk stops):\n{report}")
    expect(not res["unreadable"] and not res["stray"], f"unreadable files {res['unreadable'][:3]}, "
           f"stray files {res['stray'][:5]}:\n{report}")
    expect(not res["wrong"], f"{len(res['wrong'])} files whose level is not their case's, e.g. "
           f"{res['wrong'][:3]}:\n{report}")
