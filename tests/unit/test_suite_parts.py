"""`make test`'s parts (tests/suite.py): every test module runs in exactly one part, and a part's
outcome is read from what pytest reports."""
from pathlib import Path

import pytest

from tests import suite

ROOT = Path(__file__).resolve().parents[2]


def modules_of(part):
    """The test modules a part's pytest arguments name (a folder names every module under it)."""
    found = []
    for argument in part.arguments:
        path = ROOT / argument
        if argument.startswith("-") or not path.exists():
            continue
        found.extend(sorted(path.rglob("test_*.py")) if path.is_dir() else [path])
    return found


def test_every_test_module_runs_in_exactly_one_part():
    everywhere = sorted((ROOT / "tests").rglob("test_*.py"))
    named = [module for part in suite.parts() for module in modules_of(part)]
    assert sorted(named) == everywhere


def test_every_module_kept_alone_exists():
    e2e = {path.name for path in (ROOT / "tests" / "e2e").glob("test_*.py")}
    assert set(suite.E2E_ALONE) <= e2e


def test_the_browser_part_runs_without_nameko_and_eventlet():
    [browser] = [part for part in suite.parts() if part.layer == "browser"]
    assert browser.arguments[:3] == ["-p", "no:pytest_nameko", "--confcutdir=tests/browser"]


@pytest.mark.parametrize("exit_code, filtered, fails", [
    (0, False, False), (1, False, True), (2, False, True), (5, False, True),  # 5: nothing collected
    (5, True, False),   # a -k that selects nothing in this part
    (1, True, True),
])
def test_a_part_fails_when_pytest_does(exit_code, filtered, fails):
    part = suite.Part("unit", "unit", ["tests/unit"], exit_code=exit_code)
    assert suite.failed(part, filtered) is fails


def test_counts_and_times_come_from_the_junit_report(tmp_path):
    report = tmp_path / "part.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest" errors="1" failures="2" skipped="3" tests="10">'
        '<testcase classname="tests.unit.test_a" name="test_slow" time="12.5"/>'
        '<testcase classname="tests.unit.test_a" name="test_quick" time="0.01"/>'
        "</testsuite></testsuites>")
    outcome = suite.junit_outcome(report)
    assert {key: outcome[key] for key in ("tests", "failures", "errors", "skipped")} == \
        {"tests": 10, "failures": 2, "errors": 1, "skipped": 3}
    assert (12.5, "tests.unit.test_a::test_slow") in outcome["times"]


def test_a_part_that_wrote_no_report_has_no_counts(tmp_path):
    assert suite.junit_outcome(tmp_path / "missing.xml") == {}
    (tmp_path / "cut.xml").write_text("<testsuites><testsuite")
    assert suite.junit_outcome(tmp_path / "cut.xml") == {}
