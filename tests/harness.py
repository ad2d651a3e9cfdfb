"""harness.py -- helpers shared by the tests: run the real binary, load vignettes."""
import json
import os
import shlex
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ORDER = ["emergency", "urgent", "refer", "incomplete", "caution", "proceed"]


try:  # raised by a test that cannot run here (e.g. a tool is missing): pytest's skip
    import pytest
    Skip = pytest.skip.Exception
except ImportError:  # the scripts that use these helpers outside pytest (prompt_counts.py)
    class Skip(Exception):
        """Raised by a test that cannot run here (e.g. a tool is missing)."""


def binary():
    return os.environ.get("PSOAS_BIN", os.path.join(ROOT, "psoas-triage"))


def run(args, input=None, timeout=120, env=None, cwd=None, stdout=None):
    """Runs the binary with args; returns CompletedProcess (text mode).  stdout: a file
    object to write the output to (p.stdout is then None), else it is captured."""
    cmd = shlex.split(os.environ.get("PSOAS_WRAP", "")) + [binary()] + list(args)
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(cmd, input=input, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout, env=e, cwd=cwd)
    # Under a checking tool (valgrind, sanitizers: `make valgrind`, `make sanitize`) its
    # report exits with PSOAS_TOOL_STATUS: fail the test whatever it expected.
    tool = os.environ.get("PSOAS_TOOL_STATUS")
    if tool and p.returncode == int(tool):
        raise AssertionError(f"{' '.join(cmd[:12])}...: the checking tool reported errors "
                             f"(exit {tool}):\n{p.stderr[-6000:]}")
    return p


def records(stdout):
    """The JSON Lines records of an eval run."""
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def vignette_files():
    out = []
    for d, _, files in os.walk(os.path.join(HERE, "vignettes")):
        out += [os.path.join(d, f) for f in files if f.endswith(".json")]
    return sorted(out)


def load(path):
    with open(path) as f:
        return json.load(f)


def severity(level):
    return ORDER.index(level) if level in ORDER else -1


def expect(cond, msg):
    __tracebackhide__ = True  # pytest: a failure shows the test's line, not this one
    if not cond:
        raise AssertionError(msg)


def rules_without(file, rule):
    """A copy of rules/ (in a new temporary directory, without the binary image) with the
    defrule `rule` taken out of `file`; returns the copy's path (the caller removes its
    parent)."""
    import shutil
    import tempfile
    rules = os.path.join(tempfile.mkdtemp(prefix="psoas-rules-"), "rules")
    shutil.copytree(os.path.join(ROOT, "rules"), rules, ignore=shutil.ignore_patterns("rules.bin"))
    path = os.path.join(rules, file)
    with open(path) as f:
        text = f.read()
    start = text.index(f"(defrule {rule}")
    end = text.find("(defrule", start + 1)
    with open(path, "w") as f:
        f.write(text[:start] + (text[end:] if end >= 0 else ""))
    return rules


def tmpdir(prefix="psoas-test-"):
    """A new temporary directory (the caller removes it, or leaves it to the system)."""
    import tempfile
    return tempfile.mkdtemp(prefix=prefix)


def write(path, text):
    """Writes text to path; returns path."""
    with open(path, "w") as f:
        f.write(text)
    return path
