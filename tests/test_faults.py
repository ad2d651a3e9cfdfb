"""Faults injected under the real binary (tests/faults.c, LD_PRELOAD build/libfaults.so):
a full disk, an I/O error, a short write, a failing fsync, rename or close, and a kill in
the middle of a save -- on the intake's and the screen's save path, on eval's output (a
file as its standard output) and on `check --image`.  Each must end with exit status 74,
a message naming the file and the error, and no word of success that is not true: no
"saved" for a file that does not hold the answers, no summary record after lost results.

The shim touches only the files matching PSOAS_FAULT_PATH, so the dialogue's own output
and stderr are untouched.  Rules are OP:ACTION[:AFTER[:TIMES]] (see tests/faults.c): e.g.
write:ENOSPC:1 lets the first write through (the save made when the intake starts) and
fails every later one; each save is one write of the whole file."""
import json
import os
import re
import shutil
import subprocess

import dialog
import harness
from harness import ROOT, expect

SHIM = os.path.join(ROOT, "build", "libfaults.so")
DEV02 = os.path.join(ROOT, "tests", "vignettes", "dev-02.json")  # urgent, 20-odd prompts


def faults(rule, pattern):
    """The environment that injects rule into the files matching pattern."""
    if not os.path.exists(SHIM):
        raise harness.Skip("build/libfaults.so is missing (make build/libfaults.so)")
    asan = os.environ.get("ASAN_OPTIONS", "")
    # the shim is loaded before the ASan runtime of a `make sanitize` binary
    return {"LD_PRELOAD": SHIM, "PSOAS_FAULT": rule, "PSOAS_FAULT_PATH": pattern,
            "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"}


# ---- eval's output: a file as standard output --------------------------------------------------

def eval_to_file(rule, *args):
    """Runs eval over the vignettes with its output in a file under rule; returns
    (process, the records written)."""
    cwd = harness.tmpdir()
    try:
        out = os.path.join(cwd, "out.jsonl")
        with open(out, "w") as f:
            p = harness.run(["eval", "--jobs", "1", *args, os.path.join(ROOT, "tests", "vignettes")],
                            stdout=f, env=faults(rule, os.path.realpath(out)))
        with open(out) as f:
            text = f.read()
        return p, text
    finally:
        shutil.rmtree(cwd)


def expect_eval_failed(p, text, error):
    expect(p.returncode == 74, f"exit {p.returncode}: {p.stderr}")
    expect(error in p.stderr, f"no {error!r}: {p.stderr}")
    expect('"summary"' not in text, "a summary record after lost results")
    expect(len(p.stderr.strip().splitlines()) == 1, f"one message: {p.stderr}")


def test_eval_output_disk_full():
    p, text = eval_to_file("write:ENOSPC", "--summary=json")
    expect_eval_failed(p, text, "error writing the results: No space left on device")
    expect(text == "", text[:200])


def test_eval_output_io_error_midway():
    p, text = eval_to_file("write:EIO:1", "--summary=json")
    expect_eval_failed(p, text, "error writing the results: Input/output error")


def test_eval_output_short_writes_are_completed():
    clean = harness.run(["eval", "--jobs", "1", os.path.join(ROOT, "tests", "vignettes")]).stdout
    p, text = eval_to_file("write:short")
    expect(p.returncode in (0, 65) and text == clean, f"{p.returncode} {p.stderr}")


def test_eval_output_short_write_then_disk_full():
    p, text = eval_to_file("write:short:0:1,write:ENOSPC", "--summary=json")
    expect_eval_failed(p, text, "error writing the results: No space left on device")


def test_eval_output_failing_fsync():
    """eval's output, when it is a file, is fsync()ed before the exit status says all
    is well; a failure is exit 74.  (eval renames nothing: no rename fault to try.)"""
    p, text = eval_to_file("fsync:EIO")
    expect_eval_failed(p, text, "standard output: Input/output error")


def test_eval_output_failing_close():
    p, text = eval_to_file("close:EIO")
    expect_eval_failed(p, text, "standard output: Input/output error")


# ---- check --image -------------------------------------------------------------------------------

def check_image(cwd, rule=None, pattern=None, preexec=None):
    """check --image cwd/rules.bin, run directly (so that preexec runs in its process) and
    never under valgrind (PSOAS_WRAP): CLIPS's bsave writes the uninitialised padding of
    its structures into every image, which memcheck reports (CLIPS's, not ours; the
    sanitizer build runs these tests)."""
    cmd = [harness.binary(), "check", "--image", os.path.join(cwd, "rules.bin")]
    env = dict(os.environ, **(faults(rule, pattern) if rule else {}))
    return subprocess.run(cmd, capture_output=True, text=True, env=env, preexec_fn=preexec, timeout=120)


def test_check_image_ignores_a_planted_symlink():
    """The temporary name of the image is not predictable: a symlink planted at the name
    the program once used (FILE.tmp<pid>) is not followed, the file it points to stays as
    it was, and the image is written."""
    cwd = harness.tmpdir()
    try:
        victim = harness.write(os.path.join(cwd, "victim.txt"), "precious\n")

        def plant():  # in the child, before exec: its pid is the program's
            os.symlink(victim, os.path.join(cwd, f"rules.bin.tmp{os.getpid()}"))
        p = check_image(cwd, preexec=plant)
        expect(p.returncode == 0, p.stderr)
        with open(victim, "rb") as f:
            expect(f.read() == b"precious\n", "the symlink's target was overwritten")
        img = os.path.join(cwd, "rules.bin")
        expect(os.path.isfile(img) and not os.path.islink(img) and os.path.getsize(img) > 1000, os.listdir(cwd))
        expect(os.stat(img).st_mode & 0o044, f"the image is readable by others: {oct(os.stat(img).st_mode)}")
        expect([f for f in os.listdir(cwd) if f.startswith(".")] == [], os.listdir(cwd))
    finally:
        shutil.rmtree(cwd)


def test_check_image_write_errors():
    """Writing the image fails (full disk, fsync, rename): exit 74 naming the file and the
    error, no image, no temporary file left."""
    for rule, error in (("write:ENOSPC", "No space left on device"), ("fsync:EIO", "Input/output error"),
                        ("rename:EXDEV", "Invalid cross-device link")):
        cwd = harness.tmpdir()
        try:
            p = check_image(cwd, rule, os.path.realpath(cwd) + "/*")
            img = os.path.join(cwd, "rules.bin")
            expect(p.returncode == 74 and f"{img}: cannot write the rule image: {error}" in p.stderr,
                   f"{rule}: {p.returncode} {p.stderr}")
            expect(os.listdir(cwd) == [], f"{rule}: {os.listdir(cwd)}")
        finally:
            shutil.rmtree(cwd)


def test_shim_leaves_other_files_alone():
    """The shim fails only the files matching its pattern: the dialogue's own output
    (a pipe) and an unmatched save go through."""
    cwd = harness.tmpdir()
    try:
        p = harness.run(["intake", "--save", "a.json"], cwd=cwd, input="40\nquit\n",
                        env=faults("write:EIO,fsync:EIO,rename:EIO,close:EIO", "*/nothing-here"))
        expect(p.returncode == 75 and "How old" in p.stdout and p.stderr == "", f"{p.returncode} {p.stderr}")
        expect(json.loads(open(os.path.join(cwd, "a.json")).read())["answers"] == {"age": 40}, "saved")
    finally:
        shutil.rmtree(cwd)
