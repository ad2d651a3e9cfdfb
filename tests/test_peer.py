"""The bench's peer (bench/peer/: the emergency and urgent concern rules ported to npm's
json-rules-engine, `make bench` prints its speed beside eval's) must conclude what eval
concludes on that subset, so that the ratio the bench prints compares the same work:

  - every rule of rules/*.clp that raises an emergency or urgent concern (kb/concerns.json)
    is in bench/peer/rules.json under its defrule's name, raising the same concern, and
    the port has no other concern rule;
  - on 2,000 generated cases (bench.gen_cases), 30 cases aimed at each ported rule (its
    findings and those of the rules raising the same concern mostly yes, its thresholds of
    age and symptom_weeks at the value, one below, or unknown) and every vignette, each
    valid case gets the same disposition on the subset (emergency, urgent, below) and the
    same emergency/urgent concerns from the peer as from `eval --jobs 1`;
  - each ported rule is in some of those cases the only one behind its concern (so deleting
    it from the port would show), but kidney-stone-haematuria, which kidney-stone covers;
  - the check can fail: the port without one rule disagrees with eval.

Skipped when node or node_modules/json-rules-engine is missing (`npm ci`), and under a
checking tool (PSOAS_TOOL_STATUS: sanitizers, valgrind): the peer is not the program, and
what eval does on these cases the other tests run under the tools."""
import collections
import functools
import glob
import json
import os
import random
import re
import subprocess
import sys

import pytest

from harness import ROOT, Skip, expect, load, run, tmpdir, vignette_files, write

sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench  # noqa: E402  -- the case generator, the peer's command and comparison

if os.environ.get("PSOAS_TOOL_STATUS"):
    pytest.skip("under a checking tool (PSOAS_TOOL_STATUS): the peer is node, not the program; "
                "eval on generated cases runs under the tools in test_batch.py",
                allow_module_level=True)

RULES = os.path.join(ROOT, "bench", "peer", "rules.json")
# rules whose concern another rule always raises with them: deleting them changes nothing
COVERED = {"CONCERNS::kidney-stone-haematuria": "CONCERNS::kidney-stone (flank_pain_waves alone)"}


def port():
    return load(RULES)["rules"]


def peer_command():
    """The command that runs the peer, or Skip."""
    cmd, version = bench.peer_command()
    if cmd is None:
        raise Skip(f"the peer cannot run: {version}")
    return cmd


def peer(text, rules=None, why=False):
    """The peer's records on the JSON Lines text (stdout), or Skip."""
    cmd = peer_command()
    extra = (["--rules", rules] if rules else []) + (["--why"] if why else [])
    p = subprocess.run(cmd + extra + ["-"], input=text, capture_output=True, text=True, timeout=600)
    expect(p.returncode == 0, f"the peer failed (exit {p.returncode}): {p.stderr[-2000:]}")
    return p.stdout


def conditions_of(c, facts, nums, ops=None):
    """The boolean facts and the numeric thresholds a condition tree names; with ops, also
    fact -> the operators it tests each boolean fact with ("equal": the rule needs it yes,
    "notEqual": the rule needs it not yes)."""
    for k in ("all", "any"):
        for x in c.get(k, []):
            conditions_of(x, facts, nums, ops)
    if "not" in c:
        conditions_of(c["not"], facts, nums, ops)
    if "fact" in c:
        if isinstance(c["value"], bool):
            facts.add(c["fact"])
            if ops is not None:
                ops.setdefault(c["fact"], set()).add(c["operator"])
        elif isinstance(c["value"], int):
            nums.setdefault(c["fact"], set()).add(c["value"])


def polarity(c, out):
    """conditions_of's operators alone: fact -> the operators c tests it with."""
    conditions_of(c, set(), {}, out)
    return out


def aimed_cases(rules, per_rule=30, seed=14):
    """Cases aimed at each concern rule of the port: its findings yes 70% of the time, those
    of the other rules raising the same concern 50%, any other finding 3%; each age or
    symptom_weeks threshold N it or they name given as N, N-1 or left unknown; sex any.
    A third of them aim at the rule alone: its findings as it needs them, and the other
    rules' own findings the way that stops them (no where they need yes, yes where they
    need no), so that every ported rule is sometimes the only one behind its concern."""
    qs = bench.load_questions()
    by_concern = collections.defaultdict(list)
    for r in rules:
        if r["event"]["type"] == "concern":
            by_concern[r["event"]["params"]["id"]].append(r)

    def named(rs):
        facts, nums = set(), {}
        for r in rs:
            conditions_of(r["conditions"], facts, nums)
        for f in sorted(facts):  # derived facts: what they are derived from
            if f.startswith("pain-course:"):
                facts.add("pain_worsening")
                nums.setdefault("symptom_weeks", set()).add(6)
            elif f.startswith("concern:"):
                more, more_nums = named(by_concern[f.split(":", 1)[1]])
                facts |= more
                for k, v in more_nums.items():
                    nums.setdefault(k, set()).update(v)
        return {f for f in facts if ":" not in f}, nums

    rng = random.Random(seed)
    out = []
    for r in rules:
        if r["event"]["type"] != "concern":
            continue
        own, nums = named([r])
        sib, sib_nums = named(by_concern[r["event"]["params"]["id"]])
        for k, v in sib_nums.items():
            nums.setdefault(k, set()).update(v)
        own_pol = polarity(r["conditions"], {})
        sib_pol = {}
        for x in by_concern[r["event"]["params"]["id"]]:
            if x is not r:
                polarity(x["conditions"], sib_pol)
        for i in range(per_rule):
            ans = {q["id"]: True for q in qs if q["type"] == "bool" and rng.random() < 0.03}
            if i < per_rule // 3:  # the rule alone
                for f in sorted(sib - own):
                    ops = sib_pol.get(f, set())
                    ans[f] = True if ops == {"notEqual"} else False if ops == {"equal"} else rng.random() < 0.5
                for f in sorted(own):
                    ops = own_pol.get(f, {"equal"})
                    ans[f] = (rng.random() < 0.9) if ops == {"equal"} else False if ops == {"notEqual"} else rng.random() < 0.5
            else:
                ans.update({f: rng.random() < 0.5 for f in sorted(sib - own)})
                ans.update({f: rng.random() < 0.7 for f in sorted(own)})
            for f, vals in sorted(nums.items()):
                v = rng.choice(sorted(vals) + [None])
                if v is None:
                    ans.pop(f, None)
                else:
                    ans[f] = max(0, v - rng.choice([0, 1]))
            if "age" not in nums and rng.random() < 0.8:
                ans["age"] = rng.randint(10, 95)
            if rng.random() < 0.9:
                ans["sex"] = rng.choice(["female", "male", "other"])
            out.append(json.dumps({"id": f"aimed-{r['name'].split('::')[1]}-{i}", "answers": ans}))
    return out


@functools.lru_cache(maxsize=None)
def inputs():
    """(the cases as JSON Lines, eval's records of them)."""
    lines = list(bench.gen_cases(2000, seed=14)) + aimed_cases(port())
    lines += [json.dumps(load(f)) for f in vignette_files()]
    text = "\n".join(lines) + "\n"
    p = run(["eval", "--jobs", "1", "-"], input=text, timeout=600)
    expect(p.returncode in (0, 65), f"eval exit {p.returncode}: {p.stderr[-1000:]}")
    return text, p.stdout


def test_peer_ports_every_emergency_and_urgent_rule():
    """rules/*.clp's emergency and urgent concern rules, and only they, are in the port,
    each under its defrule's name and raising its concern at its level."""
    levels = bench.subset_levels()
    want = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "rules", "*.clp"))):
        with open(path) as f:
            text = f.read()
        for m in re.finditer(r"\(defrule\s+(\S+)(.*?)(?=\n\(def|\Z)", text, re.S):
            ids = re.findall(r"\(concern \(id ([\w-]+)\)", m.group(2).split("=>", 1)[1])
            hot = [i for i in ids if i in levels]
            if hot:
                expect(len(set(hot)) == 1, f"{m.group(1)} raises {hot}: the port's events hold one concern")
                want[m.group(1)] = (hot[0], os.path.relpath(path, ROOT))
    got = {r["name"]: (r["event"]["params"]["id"], r["event"]["params"]["file"])
           for r in port() if r["event"]["type"] == "concern"}
    expect(set(want) - set(got) == set(), f"not ported: {sorted(set(want) - set(got))}")
    expect(set(got) - set(want) == set(), f"in the port but not a rule raising an emergency or urgent "
           f"concern: {sorted(set(got) - set(want))}")
    for name, (cid, path) in want.items():
        expect(got[name] == (cid, path), f"{name}: the port says {got[name]}, {path} raises {cid}")
    for r in port():
        if r["event"]["type"] == "concern":
            expect(r["event"]["params"]["level"] == levels[r["event"]["params"]["id"]],
                   f"{r['name']}: level {r['event']['params']['level']}, kb/concerns.json "
                   f"{levels[r['event']['params']['id']]}")
    expect(len(got) > 50, f"only {len(got)} rules")


def test_peer_agrees_with_eval():
    """The same disposition on the subset and the same emergency/urgent concerns for every
    valid case; every such concern is met, and every ported rule is somewhere the only one
    behind its concern."""
    peer_command()
    text, ours = inputs()
    theirs = peer(text, why=True)
    levels = bench.subset_levels()
    compared, bad, skipped = bench.peer_compare(ours, theirs, levels)
    expect(not bad, f"{len(bad)} mismatches of {compared} cases; the first:\n" + "\n".join(bad[:10]))
    expect(compared > 3500 and skipped < 100, f"{compared} compared, {skipped} invalid")
    rules = {r["name"]: r["event"]["params"]["id"] for r in port() if r["event"]["type"] == "concern"}
    seen, alone = collections.Counter(), collections.Counter()
    dispositions = collections.Counter()
    for o, p in zip(ours.splitlines(), theirs.splitlines()):
        o, p = json.loads(o), json.loads(p)
        if "error" in o:
            continue
        dispositions[p["disposition"]] += 1
        seen.update(p["concerns"])
        behind = collections.defaultdict(list)
        for name in p["rules"]:
            behind[rules[name]].append(name)
        alone.update(ns[0] for ns in behind.values() if len(ns) == 1)
    expect(set(levels) - set(seen) == set(), f"concerns no case raised: {sorted(set(levels) - set(seen))}")
    expect(min(dispositions[d] for d in ("emergency", "urgent", "below")) > 500, f"{dispositions}")
    never = sorted(n for n in rules if not alone[n] and n not in COVERED)
    expect(not never, f"ported rules never the only one behind their concern (deleting them from "
           f"the port would not show): {never}")


def test_peer_check_fails_without_a_rule():
    """The port without aaa-rupture-pain-and-collapse (sudden severe pain and collapse at 50
    or over) disagrees with eval: the comparison can fail."""
    peer_command()
    text, ours = inputs()
    d = load(RULES)
    gone = "CONCERNS::aaa-rupture-pain-and-collapse"
    d["rules"] = [r for r in d["rules"] if r["name"] != gone]
    rules = write(os.path.join(tmpdir("psoas-peer-"), "rules.json"), json.dumps(d))
    compared, bad, _ = bench.peer_compare(ours, peer(text, rules=rules), bench.subset_levels())
    expect(bad and all("aaa_rupture" in b for b in bad),
           f"without {gone}: {len(bad)} mismatches of {compared}: {bad[:5]}")
