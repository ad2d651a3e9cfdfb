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
    shutil.copytree(os.path.join(ROOT, "rules"), rules, ignore=shutil.ignore_patterns("*.bin"))
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


class WebServer:
    """`psoas-triage serve --listen 127.0.0.1:0 --cases DIR` on a free port (read from the
    line "serving on ... (port N)" it writes on stderr), its log in a file (a pipe nobody
    reads would fill up and stop the server); stop() sends SIGTERM and wants exit 0.
    program: the binary to run (default: binary(), PSOAS_BIN)."""

    def __init__(self, *args, cases=None, threads=None, start_timeout=60, program=None,
                 listen="127.0.0.1:0"):
        import re
        import time
        base = tmpdir("psoas-web-")
        self.cases = cases or os.path.join(base, "cases")
        self.log_path = os.path.join(base, "serve.log")
        cmd = shlex.split(os.environ.get("PSOAS_WRAP", "")) + [
            program or binary(), "serve", "--listen", listen, "--cases", self.cases, *args]
        if threads:
            cmd += ["--threads", str(threads)]
        self.log_file = open(self.log_path, "w")
        self.p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log_file)
        deadline = time.time() + start_timeout
        while True:
            m = re.search(r"serving on \S+ \(port (\d+)\)", self.log())
            if m:
                break
            if self.p.poll() is not None or time.time() > deadline:
                self.p.kill()
                self.p.wait()
                raise AssertionError(f"serve did not start (exit {self.p.returncode}):\n{self.log()[-3000:]}")
            time.sleep(0.05)
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self, timeout=60):
        import signal
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise AssertionError(f"serve did not stop within {timeout} s of SIGTERM")
        finally:
            self.log_file.close()
        tool = os.environ.get("PSOAS_TOOL_STATUS")
        expect(not (tool and self.p.returncode == int(tool)),
               f"the checking tool reported errors:\n{self.log()[-6000:]}")
        expect(self.p.returncode == 0, f"serve exited {self.p.returncode}:\n{self.log()[-3000:]}")

    def __enter__(self):
        return self

    def __exit__(self, typ, value, tb):
        try:
            self.stop()
        except AssertionError:
            if typ is None:  # else the test's own failure is the one to see
                raise


def chromium_or_skip():
    """(chromium, chromedriver) paths for the browser tests, or the calling test module
    skipped when either is not installed (Debian: chromium chromium-driver)."""
    import shutil
    import pytest
    found = [next((p for p in ("/usr/bin/" + name, shutil.which(name) or "") if p and os.path.exists(p)), None)
             for name in ("chromium", "chromedriver")]
    if not all(found):
        pytest.skip("chromium or chromedriver is not installed (Debian: chromium chromium-driver)",
                    allow_module_level=True)
    return tuple(found)
