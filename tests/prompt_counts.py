#!/usr/bin/env python3
"""prompt_counts.py -- how many prompts intake and screen take for each vignette.

    python3 tests/prompt_counts.py [VIGNETTE.json ...]

Answers every prompt from the vignette (through a pipe, as tests/test_intake.py does) and
prints, per vignette, the prompts of the full intake and of the front-desk screen and the
level each reached; then the screen's median and maximum for the people it clears with no
red flag (the target is at most 8)."""
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialog  # noqa: E402
import harness  # noqa: E402
from test_intake import red_flags_clear  # noqa: E402


def main(files):
    cwd = tempfile.mkdtemp(prefix="psoas-counts-")
    clear = []
    print(f"{'vignette':10} {'expect':10} {'intake':>6} {'level':10} {'screen':>6} {'level':10}")
    for path in files or harness.vignette_files():
        v = harness.load(path)
        row = [f"{v['id']:10}", f"{v['expect']['disposition']:10}"]
        for command in ("intake", "screen"):
            d, asked, status, saved = dialog.run_vignette(v, command, cwd)
            if command == "screen":  # the desk's level (eval of the file waits for the
                level = dialog.screen_level(d.text())  # treatment-safety questions)
            else:
                level = harness.records(harness.run(["eval", saved]).stdout)[0]["disposition"]
            row += [f"{len(asked):6}", f"{level:10}"]
            if command == "screen" and red_flags_clear(v) and level in ("caution", "proceed"):
                clear.append(len(asked))
        print(" ".join(row))
    if clear:
        print(f"\nscreen, no red flags ({len(clear)} people cleared): median {statistics.median(clear)}, "
              f"max {max(clear)} prompts")


if __name__ == "__main__":
    main(sys.argv[1:])
