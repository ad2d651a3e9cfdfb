"""conftest.py -- how pytest collects the psoas-triage tests (`make test`).

Each tests/test_*.py module holds plain test_* functions (they fail by raising
AssertionError, mostly through harness.expect, and skip by raising harness.Skip) and may
hold generate_tests(), which returns (name, function) pairs: the data-driven tests (every
vignette, each transcript, tests/regress/*, each C unit test of build/unit-tests).  Here
the pairs become one parametrised test, generate_tests[NAME], with the names in sorted
order and "::" written "/" so that a node id can be given back to pytest, e.g.

    python3 -m pytest 'tests/test_intake.py::generate_tests[vignette-intake/dev-02/tty]'
    python3 -m pytest -k 'vignette-screen and dev-02' tests

Within a module the test_* functions run first, in the order they are written, then the
generated tests: tests/test_intake.py's "vignettes-summary/screen-prompts" sums up the
vignette runs before it.

Environment (as before): PSOAS_BIN, the binary under test; PSOAS_UNIT, the C unit tests;
PSOAS_WRAP, a command prefix for every run of the binary (valgrind); PSOAS_TOOL_STATUS,
the exit status with which a checking tool reports errors (see harness.run).
"""
import traceback

import pytest

GENERATED = "generate_tests"


def _generated(obj):
    """[(name, function)] from a module's generate_tests(), sorted by name; a failure of
    generate_tests itself becomes one failing test (the module's other tests still run)."""
    try:
        return sorted(obj(), key=lambda t: t[0])
    except Exception:  # noqa: BLE001 -- reported as a failing test
        detail = traceback.format_exc()

        def broken():
            raise AssertionError(f"generate_tests failed:\n{detail}")
        return [("generate_tests", broken)]


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    if name != GENERATED or not isinstance(collector, pytest.Module) or not callable(obj) \
            or getattr(obj, "__test__", False):
        return None
    tests = _generated(obj)

    @pytest.mark.parametrize("case", [fn for _, fn in tests],
                             ids=[n.replace("::", "/") for n, _ in tests])
    def generate_tests(case):
        __tracebackhide__ = True  # a failure's traceback starts in the test itself
        case()
    # pytest's own collection of a parametrised function: the hook again, which passes
    # over it because of __test__ (collected although its name is not test_*); the items
    # look their function up in the module.
    generate_tests.__test__ = True
    setattr(collector.obj, GENERATED, generate_tests)
    items = collector.ihook.pytest_pycollect_makeitem(collector=collector, name=GENERATED,
                                                      obj=generate_tests)
    del generate_tests.__test__  # not a keyword for -k
    return items


def pytest_collection_modifyitems(items):
    """Per module (in the order collected: by file name): the test_* functions by line,
    then the generated tests in their sorted order."""
    modules = {}
    for it in items:
        modules.setdefault(it.path, len(modules))

    def key(it):
        if getattr(it, "originalname", None) == GENERATED:
            return (modules[it.path], 1, 0)
        code = getattr(getattr(it, "obj", None), "__code__", None)
        return (modules[it.path], 0, code.co_firstlineno if code else 0)
    items.sort(key=key)  # stable: the generated tests keep their order
