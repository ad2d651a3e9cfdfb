#!/usr/bin/env python3
"""rerecord.py -- (re)write golden transcripts after a deliberate change of wording.

    python3 tests/rerecord.py tests/transcripts/intake-psoas.txt ...
    python3 tests/rerecord.py --new FILE --args "intake --show-ids --save t.json" --exit 0 \\
        --answers "28|f|n|..."       (an empty last answer means: end of input, Ctrl-D)

Replays the answers of each transcript through a pipe and writes what the program
printed.  Read the diff before committing: the transcripts are the tests."""
import argparse
import os
import shlex
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialog  # noqa: E402


def replay(args, answers, cwd, tty=False):
    """Runs args answering each prompt in turn (None: end of input); returns the dialog."""
    d = dialog.Dialog(args, tty=tty, cwd=cwd)
    d.run(answers)
    return d


def main():
    p = argparse.ArgumentParser()
    p.add_argument("files", nargs="*")
    p.add_argument("--new")
    p.add_argument("--args")
    p.add_argument("--exit", type=int, default=0)
    p.add_argument("--answers", default="")
    p.add_argument("--comment", default="")
    o = p.parse_args()
    jobs = []
    if o.new:
        answers = o.answers.split("|")
        header = ([f"# {o.comment}"] if o.comment else []) + [f"# args: {o.args}", f"# exit: {o.exit}"]
        jobs.append((o.new, header, shlex.split(o.args), [a if a != "" else None for a in answers]))
    for f in o.files:
        with open(f) as fh:
            header = [h for h in fh.read().split("\n") if h.startswith("#")]
        args, _, _, text = dialog.read_transcript(f)
        jobs.append((f, header, args, dialog.transcript_answers(text)))
    dirs = {}
    for path, header, args, answers in jobs:
        # a series (a subdirectory) shares one working directory; other transcripts get their own
        series = os.path.basename(os.path.dirname(os.path.abspath(path))) != "transcripts"
        cwd = dirs.setdefault(os.path.dirname(path) if series else path, tempfile.mkdtemp())
        d = replay(args, answers, cwd)
        header = [h for h in header if not h.startswith("# exit:")] + [f"# exit: {d.status}"]
        with open(path, "w") as fh:
            fh.write("\n".join(header) + "\n" + d.text())
        print(f"{path}: {len(answers)} answers, exit {d.status}")


if __name__ == "__main__":
    main()
