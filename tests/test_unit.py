"""The C unit tests (tests/unit.c, built as build/unit-tests): one test here per C test."""
import os
import subprocess

from harness import ROOT, expect

UNIT = os.environ.get("PSOAS_UNIT", os.path.join(ROOT, "build", "unit-tests"))  # make sanitize


def generate_tests():
    names = subprocess.run([UNIT, "--list"], capture_output=True, text=True, check=True,
                           cwd=ROOT).stdout.split()

    def make(name):
        def t():
            p = subprocess.run([UNIT, name], capture_output=True, text=True, cwd=ROOT, timeout=60)
            expect(p.returncode == 0, f"unit test {name} failed:\n{p.stdout}{p.stderr}")
        return t
    return [(f"unit::{n}", make(n)) for n in names]
