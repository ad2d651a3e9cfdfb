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
