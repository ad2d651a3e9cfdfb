"""The command line as users drive it: exit codes, error messages, formats, inputs,
--rules/--kb, install.  Each test runs the real binary."""
import json
import os
import re
import shutil
import subprocess

from harness import ROOT, HERE, expect, records, run, tmpdir, write

V = os.path.join(HERE, "vignettes")
DEV02 = os.path.join(V, "dev-02.json")
DEV05 = os.path.join(V, "dev-05.json")


# ---- global options and usage ----------------------------------------------------------

def test_help_lists_every_command():
    p = run(["--help"])
    expect(p.returncode == 0, f"exit {p.returncode}")
    for cmd in ["eval", "check", "questions"]:
        expect(f"  {cmd} " in p.stdout, f"--help lacks {cmd}: {p.stdout}")
    expect("exit status" in p.stdout, "--help does not explain exit codes")


def test_version():
    p = run(["--version"])
    expect(p.returncode == 0 and p.stdout.startswith("psoas-triage "), p.stdout)


def test_usage_errors_exit_64():
    for args, msg in [([], "usage"), (["frobnicate"], "unknown command 'frobnicate'"),
                      (["eval"], "no input"), (["eval", "--format", "xml", DEV02], "--format must be"),
                      (["eval", "--jobs", "0", DEV02], "--jobs takes"),
                      (["eval", "--bogus", DEV02], "unknown option '--bogus'"),
                      (["questions", "extra"], "unknown argument")]:
        p = run(args)
        expect(p.returncode == 64, f"{args}: exit {p.returncode}, want 64")
        expect(msg in p.stderr, f"{args}: stderr {p.stderr!r} lacks {msg!r}")
        expect(p.stdout == "", f"{args}: printed on stdout: {p.stdout!r}")


# ---- eval: inputs ---------------------------------------------------------------------------

def test_eval_one_file_matches_product_format():
    p = run(["eval", DEV02])
    expect(p.returncode == 0, p.stderr)
    [r] = records(p.stdout)
    expect(list(r) == ["id", "disposition", "action", "concerns", "precautions", "indications",
                       "ask", "disclaimer", "program", "knowledge"], f"keys {list(r)}")
    expect(r["program"].startswith("psoas-triage ") and re.fullmatch(r"sha256:[0-9a-f]{16}", r["knowledge"]), r)
    expect(r["disposition"] == "urgent", r)
    expect(r["action"].startswith("See a physician today"), r["action"])
    c = r["concerns"][0]
    expect(list(c) == ["id", "level", "title", "because"], c)
    expect(c["id"] == "aaa" and c["because"] == ["abdominal_pulsation"], c)
    expect("no_treatment_until_cleared" in r["precautions"], r["precautions"])
    expect("not a substitute for professional medical advice" in r["disclaimer"], r["disclaimer"])


def test_eval_array_file_and_directory_keep_order():
    d = tmpdir()
    cases = [json.load(open(os.path.join(V, f"dev-{i:02d}.json"))) for i in (3, 1, 2)]
    write(os.path.join(d, "b.json"), json.dumps(cases))
    shutil.copy(DEV05, os.path.join(d, "a.json"))
    os.makedirs(os.path.join(d, "sub"))
    shutil.copy(os.path.join(V, "dev-04.json"), os.path.join(d, "sub", "c.json"))
    write(os.path.join(d, "notes.txt"), "not a case")
    p = run(["eval", d])
    expect(p.returncode == 0, p.stderr)
    ids = [r["id"] for r in records(p.stdout)]
    expect(ids == ["dev-05", "dev-03", "dev-01", "dev-02", "dev-04"], ids)


def test_eval_jsonl_stdin_with_bad_line():
    lines = [json.dumps(json.load(open(DEV02))), "", "{not json", json.dumps({"answers": {"fever": True}})]
    p = run(["eval", "-"], input="\n".join(lines) + "\n")
    expect(p.returncode == 65, f"exit {p.returncode}")
    rs = records(p.stdout)
    expect(len(rs) == 3, rs)
    expect(rs[0]["id"] == "dev-02" and rs[0]["disposition"] == "urgent", rs[0])
    expect(rs[1]["id"] == "stdin:3" and "malformed JSON" in rs[1]["error"], rs[1])
    expect(rs[2]["id"] == "stdin:4" and rs[2]["disposition"] == "urgent", rs[2])


def test_eval_invalid_cases_are_reported_and_others_evaluated():
    d = tmpdir()
    f = write(os.path.join(d, "mixed.json"), json.dumps([
        {"id": "ok-1", "answers": {"age": 40, "sex": "male", "fever": True}},
        {"id": "bad-1", "answers": {"fevr": True}},
        {"id": "bad-2", "answers": {"age": 200}},
        {"id": "bad-3", "answers": {"sex": "femme"}},
        {"id": "bad-4", "answers": {"fever": "sometimes"}},
        {"id": "ok-2", "answers": {"leg_weakness": "yes"}},
    ]))
    p = run(["eval", f])
    expect(p.returncode == 65, f"exit {p.returncode}")
    rs = {r["id"]: r for r in records(p.stdout)}
    expect(list(rs) == ["ok-1", "bad-1", "bad-2", "bad-3", "bad-4", "ok-2"], list(rs))
    expect(rs["bad-1"]["error"] == "answers: key \"fevr\" is not a finding (did you mean 'fever'?)", rs["bad-1"])
    expect("key 'age' must be from 0 to 120, got 200" in rs["bad-2"]["error"], rs["bad-2"])
    expect("key 'sex' expects \"female\", \"male\" or \"other\"" in rs["bad-3"]["error"], rs["bad-3"])
    expect("key 'fever' expects true, false" in rs["bad-4"]["error"], rs["bad-4"])
    expect(rs["ok-2"]["disposition"] == "urgent", rs["ok-2"])


def test_eval_malformed_file_is_one_error_record():
    d = tmpdir()
    f = write(os.path.join(d, "broken.json"), '{"id": "x", "answers": {"fever": true,}}')
    p = run(["eval", f, DEV02])
    expect(p.returncode == 65, f"exit {p.returncode}")
    rs = records(p.stdout)
    expect(rs[0]["id"] == f and "malformed JSON at line 1" in rs[0]["error"], rs[0])
    expect(rs[1]["id"] == "dev-02", rs[1])


def test_eval_duplicate_key_rejected():
    d = tmpdir()
    f = write(os.path.join(d, "dup.json"), '{"id": "d", "answers": {"fever": false, "fever": true}}')
    p = run(["eval", f])
    expect(p.returncode == 65 and "duplicate" in records(p.stdout)[0]["error"], p.stdout)


def test_eval_missing_input_exit_66_others_still_evaluated():
    p = run(["eval", "/nonexistent/case.json", DEV02])
    expect(p.returncode == 66, f"exit {p.returncode}")
    expect("/nonexistent/case.json: cannot read: No such file or directory" in p.stderr, p.stderr)
    recs = records(p.stdout)  # the missing input's error record in its place, then the case
    expect([r["id"] for r in recs] == ["/nonexistent/case.json", "dev-02"], p.stdout)
    expect(recs[0]["error"] == "cannot read: No such file or directory", recs[0])


# ---- eval: formats -------------------------------------------------------------------------

def test_text_format_ends_every_case_with_disclaimer():
    p = run(["eval", "--format", "text", DEV02, DEV05])
    expect(p.returncode == 0, p.stderr)
    blocks = p.stdout.split("Case ")[1:]
    expect(len(blocks) == 2, p.stdout)
    for b in blocks:
        lines = b.strip().splitlines()
        expect("Disclaimer" in b and "emergency services" in b, b)
        # the level's banner opens and closes the record: the last thing on screen
        expect(lines[1].strip() == lines[-2].strip() and lines[-2].strip().isupper(), lines[-3:])
        expect(b.index("Disclaimer") < b.rindex(lines[-2].strip()), "banner not after the disclaimer")
    expect("URGENT" in blocks[0] and "Possible abdominal aortic aneurysm" in blocks[0], blocks[0])
    expect("because: pulsing lump in the belly" in blocks[0], blocks[0])  # plain words
    ids = run(["eval", "--format", "text", "--show-ids", DEV02]).stdout
    expect("because: abdominal_pulsation" in ids and "[no_deep_abdominal_work]" in ids, ids)


def test_text_wraps_to_the_terminal_width():
    """COLUMNS (or the terminal) sets the width of a readable record, at most 100; words
    are never broken and list items keep a hanging indent."""
    for cols in ("60", "80", "200"):
        out = run(["eval", "--format", "text", DEV05], env={"COLUMNS": cols}).stdout
        width = min(int(cols), 100)
        long_lines = [line for line in out.splitlines() if len(line) > width]
        expect(not long_lines, f"COLUMNS={cols}: lines over {width}: {long_lines[:3]}")


def test_text_output_cannot_be_forged_by_an_id():
    """A case id holding newlines or escape sequences cannot print a second banner or drive
    the terminal: control characters are shown as U+FFFD."""
    forged = "x\n  PROCEED\n  No red flags found\x1b[2J"
    p = run(["eval", "--format", "text", "-"],
            input=json.dumps({"id": forged, "answers": {"collapse": True}}) + "\n")
    expect("\x1b" not in p.stdout, "an escape sequence reached the output")
    expect("\n  PROCEED" not in p.stdout and "EMERGENCY" in p.stdout, p.stdout[:400])


def test_csv_format():
    p = run(["eval", "--format", "csv", DEV02, os.path.join(V, "dev-21.json")])
    lines = p.stdout.splitlines()
    expect(lines[0] == "id,disposition,concerns,precautions,ask,error,program,knowledge", lines[0])
    knowledge = records(run(["eval", DEV02]).stdout)[0]["knowledge"]
    expect(lines[1] == "dev-02,urgent,aaa,no_treatment_until_cleared;no_deep_abdominal_work,,,"
           f"psoas-triage 0.1.0,{knowledge}", lines[1])
    expect(lines[2].startswith("dev-21,incomplete,psoas_syndrome,,sudden_severe_pain;collapse;"), lines[2])


# ---- knowledge: --rules / --kb, broken knowledge -----------------------------------------

def rules_with(name, text):
    """A copy of rules/ with one more file; returns its directory."""
    rules = os.path.join(tmpdir(), "rules")
    shutil.copytree(os.path.join(ROOT, "rules"), rules)
    write(os.path.join(rules, name), text)
    return rules


def test_broken_rule_file_exit_70_with_file_and_line():
    rules = rules_with("55-typo.clp",
                       ';; a broken rule\n(defrule CONCERNS::typo "[A] x"\n  (finding (id fever) (value yes))\n'
                       '  =>\n  (assert (concern (id infection) (because ?missing))))\n')
    p = run(["--rules", rules, "eval", DEV02])
    expect(p.returncode == 70, f"exit {p.returncode}")
    expect("55-typo.clp:" in p.stderr and "Undefined variable missing" in p.stderr, p.stderr)
    expect(p.stdout == "", f"a half-loaded engine produced output: {p.stdout}")


def test_broken_kb_exit_70_names_file_and_entry():
    d = tmpdir()
    shutil.copytree(os.path.join(ROOT, "kb"), os.path.join(d, "kb"))
    path = os.path.join(d, "kb", "concerns.json")
    data = json.load(open(path))
    data["concerns"][0]["level"] = "soonish"
    with open(path, "w") as f:
        json.dump(data, f, indent=2)
    with open(path) as f:  # the line of the broken entry's id
        line = next(i for i, t in enumerate(f, 1) if '"id": "aaa_rupture"' in t)
    p = run(["--kb", os.path.join(d, "kb"), "eval", DEV02])
    expect(p.returncode == 70, f"exit {p.returncode}")
    expect(f"{path}:{line}: aaa_rupture: \"level\" must be emergency, urgent, refer, caution or proceed, not 'soonish'"
           in p.stderr, p.stderr)


def test_levels_out_of_order_are_refused():
    """The rules' (severity LEVEL) and the safety net rank levels in kb/levels.json's order:
    a file that lists them in another order does not load."""
    d = tmpdir()
    shutil.copytree(os.path.join(ROOT, "kb"), os.path.join(d, "kb"))
    path = os.path.join(d, "kb", "levels.json")
    data = json.load(open(path))
    data["levels"][0], data["levels"][1] = data["levels"][1], data["levels"][0]
    with open(path, "w") as f:
        json.dump(data, f, indent=2)
    p = run(["--kb", os.path.join(d, "kb"), "eval", DEV02])
    expect(p.returncode == 70, f"exit {p.returncode}")
    expect("urgent: out of order: levels are listed from the most severe to the least" in p.stderr,
           p.stderr)


def test_rules_raising_unknown_concern_is_an_error_not_silence():
    rules = rules_with("55-new.clp", '(defrule CONCERNS::new "[A] x" (finding (id fever) (value yes))\n'
                                     '  => (assert (concern (id brand_new_concern))))\n')
    p = run(["--rules", rules, "eval", os.path.join(V, "dev-22.json")])
    expect(p.returncode == 70, f"exit {p.returncode}")
    [r] = records(p.stdout)
    expect("brand_new_concern" in r["error"] and "kb/concerns.json lacks" in r["error"], r)


def test_check_and_questions_on_shipped_knowledge():
    p = run(["check"])
    expect(p.returncode == 0, p.stdout + p.stderr)
    q = run(["questions"])
    expect(q.returncode == 0, q.stderr)
    data = json.load(open(os.path.join(ROOT, "kb", "questions.json")))
    for item in data["questions"]:
        expect(item["id"] in q.stdout, f"questions lacks {item['id']}")


# ---- safety: hostile input cannot change a result ----------------------------------------

HOSTILE_IDS = [
    '") (assert (concern (id aaa_rupture))) ("',
    "(assert (disposition (level proceed)))",
    "x\n(reset)\n(run)",
    "\u202e\u0007;; ?var $?x &:(eq 1 1)",
    "'; DROP TABLE cases; --",
    "%s%s%n%x",
    "é" * 100,  # 200 bytes: the longest id allowed
]


def test_hostile_id_cannot_change_results():
    base = json.load(open(os.path.join(V, "dev-19.json")))
    cases = []
    for i, hid in enumerate(HOSTILE_IDS):
        c = dict(base)
        c["id"] = hid
        cases.append(c)
    cases.append(base)
    d = tmpdir()
    f = write(os.path.join(d, "hostile.json"), json.dumps(cases))
    p = run(["eval", f])
    expect(p.returncode == 0, f"exit {p.returncode}: {p.stderr}")
    rs = records(p.stdout)
    expect([r["id"] for r in rs] == HOSTILE_IDS + ["dev-19"], "ids not echoed verbatim")
    ref = {k: v for k, v in rs[-1].items() if k != "id"}
    for r in rs[:-1]:
        expect({k: v for k, v in r.items() if k != "id"} == ref, f"result changed by id {r['id']!r}")


def test_hostile_answer_values_are_rejected_not_run():
    for val in ['male) (assert (concern (id aaa_rupture)))', "male\u0000", "male "]:
        p = run(["eval", "-"], input=json.dumps({"id": "h", "answers": {"sex": val}}) + "\n")
        [r] = records(p.stdout)
        expect(p.returncode == 65 and ("key 'sex' expects" in r["error"] or "\\u0000" in r["error"]),
               f"{val!r}: {r}")


# ---- install ---------------------------------------------------------------------------------

def test_make_install_finds_installed_knowledge():
    d = tmpdir()
    p = subprocess.run(["make", "-s", "install", f"DESTDIR={d}", "PREFIX=/opt/pt"], cwd=ROOT,
                       capture_output=True, text=True)
    expect(p.returncode == 0, p.stdout + p.stderr)
    binpath = os.path.join(d, "opt/pt/bin/psoas-triage")
    for rel in ["opt/pt/share/psoas-triage/rules/00-base.clp", "opt/pt/share/psoas-triage/kb/questions.json",
                "opt/pt/share/man/man1/psoas-triage.1"]:
        expect(os.path.exists(os.path.join(d, rel)), f"not installed: {rel}")
    # Run the installed copy from elsewhere: it must use its own share/ tree.
    q = subprocess.run([binpath, "eval", DEV02], capture_output=True, text=True, cwd="/")
    expect(q.returncode == 0 and json.loads(q.stdout)["disposition"] == "urgent", q.stdout + q.stderr)
    shutil.rmtree(d)


def test_knowledge_version_changes_with_one_rule():
    """Provenance: every record names the knowledge that produced it (a digest of rules/ and
    kb/); editing one rule changes it, and --summary says it."""
    before = records(run(["eval", DEV02]).stdout)[0]["knowledge"]
    d = tmpdir()
    rules = os.path.join(d, "rules")
    shutil.copytree(os.path.join(ROOT, "rules"), rules, ignore=shutil.ignore_patterns("*.bin"))
    path = os.path.join(rules, "20-urgent.clp")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("Any fever with this pain is a same-day matter.",
                             "Any fever with this pain is a same-day matter (edited)."))
    after = records(run(["--rules", rules, "eval", DEV02]).stdout)[0]["knowledge"]
    expect(after != before, f"the knowledge version did not change: {before}")
    p = run(["eval", "--summary", DEV02])
    expect(before in p.stderr, p.stderr)
    p = run(["eval", "--summary=json", DEV02])
    expect(records(p.stdout)[-1]["summary"]["knowledge"] == before, p.stdout)


def test_every_command_has_help():
    """`psoas-triage COMMAND --help` prints that command's usage and exits 0."""
    help_text = run(["--help"]).stdout
    commands = re.findall(r"^  (\w+) ", help_text, re.M)
    expect(len(commands) >= 6, help_text)
    for c in commands:
        p = run([c, "--help"])
        expect(p.returncode == 0 and p.stdout.startswith(f"usage: psoas-triage {c}"), f"{c} --help: {p.returncode} {p.stdout}{p.stderr}")


def test_man_page_matches_help():
    """The man page names every command and every option `--help` shows, and every exit
    status the program uses."""
    with open(os.path.join(ROOT, "doc", "psoas-triage.1")) as f:
        man = f.read().replace("\\-", "-").replace("\\fB", "").replace("\\fR", "").replace("\\fI", "")
    help_text = run(["--help"]).stdout
    for c in re.findall(r"^  (\w+) ", help_text, re.M):
        expect(f"psoas-triage {c}" in man, f"the man page lacks the command {c}")
        usage = run([c, "--help"]).stdout.splitlines()[0]
        for opt in re.findall(r"--[a-z-]+(?:=[a-z]+)?", usage):
            expect(opt in man, f"the man page lacks {c} {opt}")
    for status in re.findall(r"\b(\d\d\d?) [a-z]", help_text.split("exit status:")[1]):
        expect(f".B {status}\n" in man, f"the man page lacks exit status {status}")


def test_an_input_with_no_case_is_said():
    """An empty directory (or one with no case files) or an empty .jsonl file: a clear
    message and exit 66; an empty stream on stdin: no record, exit 0."""
    d = tmpdir()
    open(os.path.join(d, "notes.txt"), "w").close()
    p = run(["eval", d])
    expect(p.returncode == 66 and "no case in it" in p.stderr and not p.stdout, f"{p.returncode} {p.stderr}")
    empty = os.path.join(d, "empty.jsonl")
    open(empty, "w").close()
    p = run(["eval", empty, DEV02])
    expect(p.returncode == 66 and f"{empty}: no case in it" in p.stderr and len(records(p.stdout)) == 1, p.stderr)
    p = run(["eval", "-"], input="")
    expect(p.returncode == 0 and p.stdout == "" and p.stderr == "", f"{p.returncode} {p.stderr}")


def test_choice_and_yes_no_answers_in_any_case():
    """"M", "Female", "YES", "Unknown": eval takes answers as the dialogue does."""
    lines = ['{"id":"a","answers":{"sex":"M","fever":"YES"}}',
             '{"id":"b","answers":{"sex":"Female","fever":"No","collapse":"Unknown"}}',
             '{"id":"c","answers":{"sex":"o"}}']
    recs = records(run(["eval", "-"], input="\n".join(lines) + "\n").stdout)
    expect(all("error" not in r for r in recs), recs)
    expect(recs[0]["disposition"] == "urgent", recs[0])
    p = run(["eval", "-"], input='{"id":"d","answers":{"sex":"x"}}\n')
    expect(p.returncode == 65 and "expects" in records(p.stdout)[0]["error"], p.stdout)


def test_byte_order_mark():
    """A .json file's byte-order mark is skipped; one before a JSON Lines record is named in
    words, not quoted as an invisible character."""
    d = tmpdir()
    path = os.path.join(d, "bom.json")
    with open(path, "wb") as f:
        f.write(b'\xef\xbb\xbf{"id":"bom","answers":{"fever":true}}')
    r = records(run(["eval", path]).stdout)[0]
    expect(r.get("disposition") == "urgent", r)
    p = subprocess.run([os.environ.get("PSOAS_BIN", os.path.join(ROOT, "psoas-triage")), "eval", "-"],
                       input=b'\xef\xbb\xbf{"id":"x","answers":{}}\n', capture_output=True)
    err = json.loads(p.stdout)["error"]
    expect("byte-order mark" in err and "\ufeff" not in err, err)


def test_csv_cells_cannot_run_as_formulas():
    """OWASP CSV injection: a cell starting with = + - @ is neutralised with a leading quote."""
    lines = ['{"id":"=1+2","answers":{}}', '{"id":"@SUM(A1)","answers":{}}', '{"id":"+x","answers":{}}',
             '{"id":"-y","answers":{"sex":"nope"}}']
    p = run(["eval", "--format", "csv", "-"], input="\n".join(lines) + "\n")
    import csv
    import io
    rows = list(csv.reader(io.StringIO(p.stdout)))[1:]
    for row in rows:
        expect(row[0].startswith("'"), f"formula not neutralised: {row}")
    expect([r[0] for r in rows] == ["'=1+2", "'@SUM(A1)", "'+x", "'-y"], rows)
