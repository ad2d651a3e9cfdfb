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


def temporaries(cwd):
    return [f for f in os.listdir(cwd) if f.startswith(".")]


def answer(d, v, limit=None):
    """Answers d's prompts from vignette v (after limit prompts: end of input); returns
    the exit status."""
    n = 0
    while (ids := d.prompt()) is not None:
        if limit is not None and n == limit:
            d.eof()
            break
        d.send(dialog.answer_for(v, ids) if ids else "")
        n += 1
    return d.wait()


# Words that claim the answers are on disk (the introduction's "saved as you go" is the
# plan, said before anything failed).
CLAIMS = re.compile(r"saved in|are saved and|Saved:|answers so far are saved")


def expect_not_saved(d, status, path, error):
    text = d.text()
    expect(status == 74, f"exit {status}, not 74:\n{text[-1500:]}\n{d.stderr}")
    expect(text.count("NOT SAVED:") == 1, f"the first failed save not said once on screen:\n{text[-3000:]}")
    claim = CLAIMS.search(text)
    expect(not claim, f"claims the answers are saved: {claim and claim.group(0)!r}\n{text[-2000:]}")
    end = " ".join(text[text.rindex("Your answers are NOT saved"):].split())
    expect(f"{os.path.basename(path)} could not be saved ({error})" in end, end)
    lines = d.stderr.strip().splitlines()
    expect(lines == [f"psoas-triage: {path}: cannot save the answers: {error}",
                     f"psoas-triage: {path}: the answers are NOT saved: {error}"], f"stderr: {d.stderr}")


# ---- the intake's and the screen's saves ----------------------------------------------------

def dialogue_fault(command, rule, pattern, error, limit=None, tty=False):
    v = harness.load(DEV02)
    cwd = harness.tmpdir()
    try:
        d = dialog.Dialog([command, "--show-ids", "--save", "a.json"], cwd=cwd, tty=tty,
                          env=faults(rule, pattern.replace("DIR", os.path.realpath(cwd))))
        status = answer(d, v, limit)
        expect_not_saved(d, status, "a.json", error)
        saved = harness.load(os.path.join(cwd, "a.json"))
        expect(saved["answers"] == {}, f"the file should hold the first save only: {saved}")
        expect(not temporaries(cwd), f"temporary files left: {temporaries(cwd)}")
    finally:
        shutil.rmtree(cwd)


def test_intake_disk_full_is_said_once_and_never_called_saved():
    """A full disk after the first save: the intake says so once, goes on asking, stops
    at the end of input saying the answers are NOT saved (exit 74)."""
    dialogue_fault("intake", "write:ENOSPC:1", "DIR/.a.json.*", "No space left on device", limit=6)


def test_screen_io_error_to_the_end_shows_the_result_but_not_saved():
    """An I/O error on every save after the first: the screen still reaches its result
    (the desk wants it), then says the answers are not saved (exit 74)."""
    dialogue_fault("screen", "write:EIO:1", "DIR/.a.json.*", "Input/output error")


def test_intake_failing_fsync():
    dialogue_fault("intake", "fsync:EIO:1", "DIR/.a.json.*", "Input/output error")


def test_intake_failing_rename():
    """The rename over the file fails: the temporary file is removed, the file untouched."""
    dialogue_fault("intake", "rename:EACCES:1", "DIR/a.json", "Permission denied", limit=3)


def test_intake_failing_directory_fsync():
    """The directory is fsync()ed after the rename (else a power cut can undo it), and a
    failure there is a failed save too."""
    v = harness.load(DEV02)
    cwd = harness.tmpdir()
    try:
        d = dialog.Dialog(["intake", "--show-ids", "--save", "a.json"], cwd=cwd,
                          env=faults("fsync:EIO:1", os.path.realpath(cwd)))
        status = answer(d, v, limit=4)
        text = d.text()
        expect(status == 74 and text.count("NOT SAVED:") == 1 and not CLAIMS.search(text),
               f"{status}\n{text[-1500:]}")
        expect("a.json: cannot save the answers: Input/output error" in d.stderr, d.stderr)
    finally:
        shutil.rmtree(cwd)


def test_intake_short_writes_are_completed():
    """Writes that write only half of what they are given are continued: the intake ends
    normally with every answer in the file."""
    v = harness.load(DEV02)
    cwd = harness.tmpdir()
    try:
        d = dialog.Dialog(["intake", "--show-ids", "--save", "a.json"], cwd=cwd,
                          env=faults("write:short", os.path.realpath(cwd) + "/.a.json.*"))
        status = answer(d, v)
        expect(status == 0 and "NOT SAVED" not in d.text(), f"{status} {d.stderr}\n{d.text()[-800:]}")
        r = harness.records(harness.run(["eval", os.path.join(cwd, "a.json")]).stdout)[0]
        expect(r["disposition"] == "urgent", r)
    finally:
        shutil.rmtree(cwd)


def test_intake_short_write_then_disk_full():
    """A short write whose rest meets a full disk (what a filling disk does)."""
    # first write (the start's save) through; the second short; the rest of it: ENOSPC
    dialogue_fault("intake", "write:short:1:1,write:ENOSPC:1", "DIR/.a.json.*",
                   "No space left on device", limit=5)


def test_intake_save_works_again_and_says_so():
    """Three failed saves, then the disk has room again: said once when it fails, once
    when it works again; the end is an ordinary one (exit 0) with every answer saved."""
    v = harness.load(DEV02)
    cwd = harness.tmpdir()
    try:
        d = dialog.Dialog(["intake", "--show-ids", "--save", "a.json"], cwd=cwd,
                          env=faults("write:ENOSPC:2:3", os.path.realpath(cwd) + "/.a.json.*"))
        status = answer(d, v)
        text = d.text()
        expect(status == 0, f"{status} {d.stderr}\n{text[-800:]}")
        expect(text.count("NOT SAVED:") == 1 and text.count("Saved: a.json holds all the answers again.") == 1,
               text[:3000])
        expect(text.index("NOT SAVED:") < text.index("Saved: a.json"), "in that order")
        expect(d.stderr.count("cannot save") == 1, d.stderr)
        r = harness.records(harness.run(["eval", os.path.join(cwd, "a.json")]).stdout)[0]
        expect(r["disposition"] == "urgent", r)
    finally:
        shutil.rmtree(cwd)


def test_intake_cannot_save_at_all_stops_before_the_questions():
    """The very first save fails: no question is asked (exit 74), and the empty file the
    intake had claimed is removed."""
    cwd = harness.tmpdir()
    try:
        p = harness.run(["intake", "--save", "a.json"], cwd=cwd, input="40\n",
                        env=faults("write:ENOSPC", os.path.realpath(cwd) + "/.a.json.*"))
        expect(p.returncode == 74 and "a.json: cannot save the answers: No space left on device" in p.stderr,
               f"{p.returncode} {p.stderr}")
        expect("How old" not in p.stdout and not os.listdir(cwd), f"{p.stdout[-300:]} {os.listdir(cwd)}")
    finally:
        shutil.rmtree(cwd)


def test_terminal_end_offers_to_try_again():
    """On a terminal, an intake whose answers are not saved ends with a key to try again:
    Enter tries (still failing: said so), Enter again (the disk has room now): saved,
    exit 0.  (tty)"""
    v = harness.load(DEV02)
    cwd = harness.tmpdir()
    try:
        d = dialog.Dialog(["intake", "--show-ids", "--save", "a.json"], cwd=cwd, tty=True)
        answer(d, v)
        saves = 1 + len(re.findall(r"\) > ", d.text()))  # the start's, then one per answer
        # every save after the start's fails, the last one and the first try again too
        d = dialog.Dialog(["intake", "--show-ids", "--save", "b.json"], cwd=cwd, tty=True,
                          env=faults(f"write:ENOSPC:1:{saves + 1}", os.path.realpath(cwd) + "/.b.json.*"))
        retries = 0
        while (ids := d.prompt()) is not None:
            if "try to save them again" in d.text()[-100:]:
                retries += 1
                d.send("")
            else:
                d.send(dialog.answer_for(v, ids))
        status = d.wait()
        text = d.text()
        expect(status == 0 and retries == 2, f"{status}, {retries} retries\n{text[-1500:]}\n{text[:600]}")
        expect("Still NOT saved: No space left on device." in text and "Saved: b.json holds all the answers again." in text,
               text[-1500:])
        r = harness.records(harness.run(["eval", os.path.join(cwd, "b.json")]).stdout)[0]
        expect(r["disposition"] == "urgent", r)
    finally:
        shutil.rmtree(cwd)


def test_killed_in_the_middle_of_a_save_leaves_a_temporary_the_next_start_removes():
    """SIGKILL between writing the temporary file and renaming it (the shim kills the
    process at its third fsync): the file holds the last complete save, and the next
    start (--resume) removes the temporary file, saying so, and touches nothing else
    that looks like it (another file's, a symlink, a directory, a near name)."""
    cwd = harness.tmpdir()
    try:
        p = harness.run(["intake", "--save", "a.json"], cwd=cwd, input="40\nm\nn\n",
                        env=faults("fsync:kill:2:1", os.path.realpath(cwd) + "/.a.json.*"))
        expect(p.returncode == -9, f"{p.returncode} {p.stderr}")
        left = temporaries(cwd)
        expect(len(left) == 1 and re.fullmatch(r"\.a\.json\.[A-Za-z0-9]{6}", left[0]), left)
        expect(harness.load(os.path.join(cwd, "a.json"))["answers"] == {"age": 40}, "the last complete save")
        decoys = [".b.json.ABC123", ".a.json.ABC12", ".a.json.ABC1234", "a.json.ABC123", ".a.json.AB-123"]
        for name in decoys:
            harness.write(os.path.join(cwd, name), "not ours\n")
        os.symlink("a.json", os.path.join(cwd, ".a.json.LINK99"))
        os.mkdir(os.path.join(cwd, ".a.json.DIR999"))
        p = harness.run(["intake", "--resume", "a.json"], cwd=cwd, input="quit\n")
        expect(p.returncode == 75, f"{p.returncode} {p.stderr}")
        expect(f"{left[0]}: removed: a save of a.json was cut short there" in p.stderr, p.stderr)
        expect(p.stderr.count("removed") == 1, p.stderr)
        rest = sorted(os.listdir(cwd))
        expect(rest == sorted(decoys + [".a.json.LINK99", ".a.json.DIR999", "a.json"]), rest)
        expect(harness.load(os.path.join(cwd, "a.json"))["answers"] == {"age": 40}, "resumed")
    finally:
        shutil.rmtree(cwd)


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
    expect_eval_failed(p, text, "error writing the results to standard output: No space left on device")
    expect(text == "", text[:200])


def test_eval_output_io_error_midway():
    p, text = eval_to_file("write:EIO:1", "--summary=json")
    expect_eval_failed(p, text, "error writing the results to standard output: Input/output error")


def test_eval_output_io_error_no_summary_table():
    """--summary's table on stderr counts what was evaluated: after lost results it is not
    printed (it would read as a run that went well)."""
    p, text = eval_to_file("write:EIO:1", "--summary")
    expect_eval_failed(p, text, "error writing the results to standard output: Input/output error")
    expect("summary of" not in p.stderr, p.stderr)


def test_eval_output_short_writes_are_completed():
    clean = harness.run(["eval", "--jobs", "1", os.path.join(ROOT, "tests", "vignettes")]).stdout
    p, text = eval_to_file("write:short")
    expect(p.returncode in (0, 65) and text == clean, f"{p.returncode} {p.stderr}")


def test_eval_output_short_write_then_disk_full():
    p, text = eval_to_file("write:short:0:1,write:ENOSPC", "--summary=json")
    expect_eval_failed(p, text, "error writing the results to standard output: No space left on device")


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
