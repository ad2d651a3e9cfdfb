"""The README stays true: it names every command, its example eval runs work, and no
file carries a leftover merge-conflict marker."""
import os
import re
import shlex
import subprocess

from harness import ROOT, expect, run

README = open(os.path.join(ROOT, "README.md")).read()


def test_readme_starts_with_the_two_setup_commands():
    first = README[README.index("```sh"):].split("```")[1]
    expect("make run" in first and "make test" in first, f"first code block: {first}")


def test_readme_names_every_command():
    help_text = run(["--help"]).stdout
    commands = re.findall(r"^  (\w+) ", help_text, re.M)
    expect(len(commands) >= 5, help_text)
    for c in commands:
        expect(f"psoas-triage {c}" in README, f"README never shows `psoas-triage {c}`")


def test_readme_eval_examples_on_shipped_files_run():
    ran = 0
    for line in re.findall(r"^\./psoas-triage (eval [^#\n|>]*tests/[^#\n|>]*)", README, re.M):
        args = shlex.split(line)
        p = run(args, cwd=ROOT)
        expect(p.returncode == 0, f"README example `{line}` exits {p.returncode}: {p.stderr[:300]}")
        ran += 1
    expect(ran >= 3, f"only {ran} README examples found")


def test_no_merge_conflict_markers():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    bad = []
    for f in files:
        path = os.path.join(ROOT, f)
        if not os.path.isfile(path) or f.endswith((".bin", "LICENSE")):
            continue
        try:
            text = open(path, encoding="utf-8").read()
        except UnicodeDecodeError:
            continue
        if re.search(r"^(<<<<<<< |>>>>>>> )", text, re.M):
            bad.append(f)
    expect(not bad, f"merge-conflict markers in {bad}")


def test_knowledge_document_is_current():
    """doc/knowledge.md (the table a clinician signs off) is what `psoas-triage knowledge`
    prints from the shipped kb: `make` regenerates it, and a stale copy fails here."""
    p = run(["knowledge"])
    expect(p.returncode == 0, p.stderr)
    with open(os.path.join(ROOT, "doc", "knowledge.md")) as f:
        expect(f.read() == p.stdout, "doc/knowledge.md is stale: run make")
    for word in ("## Concerns: `emergency`", "## Beyond the specification", "## Findings", "## Sign-off"):
        expect(word in p.stdout, f"knowledge lacks {word}")


def test_docs_point_only_at_files_the_project_has():
    """README, man page and rules name no file the repository does not contain."""
    texts = [README, open(os.path.join(ROOT, "doc", "psoas-triage.1")).read()]
    rules = os.path.join(ROOT, "rules")
    texts += [open(os.path.join(rules, f)).read() for f in os.listdir(rules) if f.endswith(".clp")]
    for t in texts:
        for name in re.findall(r"([\w./-]+\.(?:md|json|clp|txt|py))\b", t):
            if name.startswith(("doc/", "kb/", "rules/", "tests/", "bench/", "fuzz/", "src/")) \
                    and not name.startswith("bench/data/") \
                    or name in ("README.md",):
                expect(os.path.exists(os.path.join(ROOT, name)) or "*" in name,
                       f"a document points at {name}, which the repository lacks")
        expect("CLINICAL.md" not in t.replace("the maintainers' clinical specification", ""),
               "a document points at CLINICAL.md, which the repository does not contain")


def test_promise_table_names_tests_that_exist():
    """Every test the README's promise table names exists (`file.py::name`, or `::name`
    for another test of the file before it; a bare `file.py` must exist)."""
    part = README[README.index("## Promises"):README.index("## Hardening")]
    rows = [r for r in part.splitlines() if r.startswith("| ") and "`" in r]
    expect(len(rows) >= 10, f"{len(rows)} rows")
    for row in rows:
        current = None
        for ref in re.findall(r"`([a-z_]*\.py)?(::[a-z0-9_]+)?`", row.split("|")[2]):
            file, name = ref
            if file:
                current = file
                path = os.path.join(ROOT, "tests", file)
                expect(os.path.exists(path), f"the README names {file}, which does not exist")
            if name:
                expect(current, f"{name} names no file")
                with open(os.path.join(ROOT, "tests", current)) as f:
                    expect(f"def {name[2:]}(" in f.read(), f"the README names {current}{name}, which does not exist")
