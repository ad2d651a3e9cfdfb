#!/usr/bin/env python3
"""run.py -- the psoas-triage test runner (no third-party packages needed).

Runs every tests/test_*.py module's test_* functions against the real binary, plus the
C unit tests (build/unit-tests), and ends with the line `N passed, N failed`.

    python3 tests/run.py [-k SUBSTRING] [--bin PATH]

Environment: PSOAS_BIN overrides the binary (e.g. a sanitizer build); PSOAS_WRAP is a
command prefix for every run of it (e.g. "valgrind -q --error-exitcode=99").
"""
import importlib.util
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402


def main(argv):
    pattern = None
    if "-k" in argv:
        pattern = argv[argv.index("-k") + 1]
    if "--bin" in argv:
        os.environ["PSOAS_BIN"] = os.path.abspath(argv[argv.index("--bin") + 1])
    passed = failed = 0
    failures = []
    modules = sorted(f for f in os.listdir(HERE) if f.startswith("test_") and f.endswith(".py"))
    for fname in modules:
        spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(HERE, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        tests = []
        for name in dir(mod):
            obj = getattr(mod, name)
            if name.startswith("test_") and callable(obj):
                tests.append((getattr(obj, "__code__", None) and obj.__code__.co_firstlineno or 0, name, obj))
            if name == "generate_tests" and callable(obj):  # data-driven tests
                try:
                    generated = obj()
                except Exception:  # noqa: BLE001 -- report it as a failing test
                    detail = traceback.format_exc()

                    def broken(detail=detail):
                        raise AssertionError(f"generate_tests failed:\n{detail}")
                    generated = [("generate_tests", broken)]
                for tname, fn in generated:
                    tests.append((10**6, tname, fn))
        for _, name, fn in sorted(tests, key=lambda t: (t[0], t[1])):
            full = f"{fname[:-3]}::{name}"
            if pattern and pattern not in full:
                continue
            try:
                fn()
                passed += 1
                print(f"ok   {full}")
            except harness.Skip as e:
                print(f"skip {full}: {e}")
            except Exception as e:  # noqa: BLE001 -- a test failure of any kind
                failed += 1
                detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
                failures.append((full, detail))
                print(f"FAIL {full}: {detail.strip()[:2000]}")
            sys.stdout.flush()
    if failures:
        print("\nfailures:")
        for full, _ in failures:
            print(f"  {full}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
