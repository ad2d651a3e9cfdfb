"""dialog.py -- drive `psoas-triage intake` / `screen` like a person would: through a pipe
(one answer per line) or through a pseudo-terminal (real GNU readline).

    d = Dialog(["intake", "--show-ids", "--save", "t.json"], tty=True, cwd=tmp)
    while (ids := d.prompt()) is not None:
        d.send("n")
    status = d.wait()
    d.text()          # the whole transcript, \\r removed

A prompt is the line "(ANSWERS) > " the program prints when it waits for an answer; the
ids are those of the last "[id id ...]" question line before it (run with --show-ids).
Also answers questions from a vignette (answer_for) and extracts the answers from a golden
transcript (transcript_answers)."""
import json
import fcntl
import os
import pty
import re
import select
import shlex
import signal
import struct
import subprocess
import termios
import time

import harness

PROMPT = re.compile(r"\(([^()\n]*)\) > $")
# the intake's last prompt on a terminal, the key that writes a referral letter: answered
# with Enter unless a test asks for the letter (Dialog(letter=...)), and left out of text()
LETTER = re.compile(r"\(l = a referral letter for the doctor, Enter = done\) > $")
LETTER_LINE = re.compile(r"^\(l = a referral letter for the doctor, Enter = done\) > [lL]?\n?", re.M)
IDS = re.compile(r"^\[([a-z0-9_ ]+)\] ", re.M)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x07")
STAMP = re.compile(r"\b(intake|screen)-\d{8}-\d{6}\b")


def clean(text, keep_letter=False):
    """Transcript text without carriage returns, escape sequences or time stamps (nor the
    terminal-only letter prompt)."""
    text = ANSI.sub("", text.replace("\r\n", "\n").replace("\r", ""))
    if not keep_letter:
        text = LETTER_LINE.sub("", text)
    text = re.sub(r"sha256:[0-9a-f]{16}", "sha256:KNOWLEDGE", text)  # changes with every kb edit
    return STAMP.sub(r"\1-DATE", text)


class Dialog:
    def __init__(self, args, tty=False, cwd=None, env=None, columns=88, lines=50, letter=""):
        self.letter = letter
        self.tty = tty
        e = dict(os.environ)
        # COLUMNS: the same width on a pipe and a terminal (the pty's size is set only
        # after the program may have asked for it); columns= for a test of narrow screens
        e.update({"TERM": "dumb", "INPUTRC": "/dev/null", "NO_COLOR": "1", "COLUMNS": str(columns)})
        if env:
            e.update(env)
        cmd = [harness.binary()] + list(args)
        if not tty:
            cmd = shlex.split(os.environ.get("PSOAS_WRAP", "")) + cmd
        self.buf = b""
        self.mark = 0
        if tty:
            pid, fd = pty.fork()
            if pid == 0:  # the child: the program on the terminal
                try:
                    if cwd:
                        os.chdir(cwd)
                    os.execve(cmd[0], cmd, e)
                finally:
                    os._exit(127)
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
            self.pid, self.fd, self.proc = pid, fd, None
        else:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, cwd=cwd, env=e)
            self.pid, self.fd = self.proc.pid, self.proc.stdout.fileno()
        self.status = None

    def _read(self, timeout):
        """Reads what is available within timeout; returns False at end of output."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the pty's child has exited
            chunk = b""
        if not chunk:
            return False
        self.buf += chunk
        return True

    def prompt(self, timeout=10):
        """Waits for the next prompt; returns its question ids (a list, empty without
        --show-ids), or None when the program ended instead."""
        deadline = time.time() + timeout
        while True:
            tail = clean(self.buf[self.mark:].decode("utf-8", "replace"), keep_letter=True)
            if LETTER.search(tail):
                self.mark = len(self.buf)
                self.send(self.letter)
                continue
            if PROMPT.search(tail):
                self.mark = len(self.buf)
                found = IDS.findall(tail)
                return found[-1].split() if found else []
            if time.time() > deadline:
                raise AssertionError("no prompt within %ss; output so far:\n%s" % (timeout, self.text()[-3000:]))
            if not self._read(min(0.5, max(0.01, deadline - time.time()))):
                return None

    def send(self, line):
        data = (line + "\n").encode()
        if self.tty:
            os.write(self.fd, data)
        else:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def key(self, raw):
        """Sends raw bytes (tty only), e.g. b"\\x04" for Ctrl-D, b"\\x03" for Ctrl-C."""
        os.write(self.fd, raw)

    def eof(self):
        if self.tty:
            self.key(b"\x04")
        else:
            self.proc.stdin.close()

    def wait(self, timeout=10):
        """Reads the rest of the output and returns the exit status (-N for signal N)."""
        deadline = time.time() + timeout
        while self._read(0.2):
            if time.time() > deadline:
                self.kill()
                raise AssertionError("the program did not end; output:\n" + self.text()[-3000:])
        if self.tty:
            _, st = os.waitpid(self.pid, 0)
            os.close(self.fd)
            self.status = os.waitstatus_to_exitcode(st)
        else:
            if not self.proc.stdin.closed:
                self.proc.stdin.close()
            self.status = self.proc.wait(timeout=max(1, deadline - time.time()))
            self.stderr = self.proc.stderr.read().decode()
            self.proc.stdout.close()
            self.proc.stderr.close()
        return self.status

    def run(self, answers):
        """Answers the prompts in turn (None: end of input there); ends the input when
        the answers run out.  Returns the exit status."""
        for a in list(answers) + [None]:
            if self.prompt() is None:
                break
            if a is None:
                self.eof()
                break
            self.send(a)
        return self.wait()

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def text(self):
        return clean(self.buf.decode("utf-8", "replace"))


# ---- answering from a vignette --------------------------------------------------------

with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kb", "questions.json")) as _f:
    THERAPIST = {q["id"] for q in json.load(_f)["questions"] if q["who"] == "therapist"}


def typed(x):
    """A case file's answer as a person types it: "y", "n", "?", the number or the choice."""
    if x is True or x == "yes":
        return "y"
    if x is False or x == "no":
        return "n"
    if x is None or x == "unknown":
        return "?"
    return str(x)


def one_answer(v, fid):
    """The typed answer to question fid for vignette v ("y", "n", "?", a number, a choice)."""
    a = v["answers"]
    if fid in a:
        return typed(a[fid])
    if v.get("unanswered_means") == "no" and fid not in ("age", "sex", "symptom_weeks"):
        return "n"
    return "?"


def answer_for(v, ids):
    """The answer to a prompt: one question, or a checklist group (y if any member is yes,
    ? if none is but one is not known, else n)."""
    if len(ids) == 1:
        return one_answer(v, ids[0])
    got = [one_answer(v, i) for i in ids]
    return "y" if "y" in got else "?" if "?" in got else "n"


def screen_level(text):
    """The desk level the screen's result shows (its verdict line, kb/screen.json)."""
    with open(os.path.join(harness.ROOT, "kb", "screen.json")) as f:
        verdicts = json.load(f)["verdicts"]
    flat = " ".join(text.split())  # the verdict is wrapped to the terminal's width
    found = [lv for lv, words in verdicts.items() if " ".join(words.split()) in flat]
    harness.expect(len(found) == 1, f"no single desk verdict in the screen's result: {found}\n{text[-1500:]}")
    return found[0]


def run_vignette(v, command, cwd, tty=False, extra=()):
    """Runs intake or screen answering from vignette v, saving to cwd/<id>.json.
    Returns (dialog, list of prompts' ids, exit status)."""
    path = os.path.join(cwd, v["id"] + "." + command + ".json")
    args = [command, "--show-ids", "--save", path] + list(extra)
    if command == "intake" and THERAPIST & set(v["answers"]):
        args.append("--therapist")
    d = Dialog(args, tty=tty, cwd=cwd)
    asked = []
    while True:
        ids = d.prompt()
        if ids is None:
            break
        harness.expect(ids, "a prompt without ids:\n" + d.text()[-2000:])
        harness.expect(len(asked) < 100, "more than 100 prompts")
        asked.append(ids)
        d.send(answer_for(v, ids))
    return d, asked, d.wait(), path


# ---- golden transcripts --------------------------------------------------------------

def read_transcript(path):
    """A golden transcript: header lines "# args: ...", "# exit: N", "# tty: no" (pipe
    only) and comments, then the expected output.  Returns (args, status, tty_ok, text)."""
    with open(path) as f:
        lines = f.read().split("\n")
    args, status, tty_ok = [], 0, True
    while lines and lines[0].startswith("#"):
        h = lines.pop(0)
        if h.startswith("# args:"):
            args = shlex.split(h[len("# args:"):])
        elif h.startswith("# exit:"):
            status = int(h[len("# exit:"):])
        elif h.strip() == "# tty: no":
            tty_ok = False
    return args, status, tty_ok, "\n".join(lines)


def transcript_answers(text):
    """The answers typed in a transcript: what follows each prompt.  An empty answer at
    the very last prompt stands for the end of input (Ctrl-D); returned as None."""
    answers = [m.group(1) for m in re.finditer(r"\([^()\n]*\) > (.*)$", text, re.M)]
    if answers and answers[-1] == "":
        answers[-1] = None
    return answers
