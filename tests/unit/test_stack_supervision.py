"""``bakohumas run`` starts a process that exits again, with backoff, and gives up on one that
cannot start at all; ``bakohumas --version`` says which release runs."""
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bakohumas import __version__, cli, stack


@pytest.fixture
def exits_at_once(monkeypatch):
    def spawn(_name, log=None):
        process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
        process.wait()
        return process
    monkeypatch.setattr(stack, "spawn", spawn)


def test_a_process_that_keeps_failing_at_start_stops_the_stack_after_backing_off(tmp_path, exits_at_once, capsys):
    child = stack.SupervisedProcess("calendar", "calendar", tmp_path / "calendar.pid")
    child.start(0.0)
    delays, now = [], 0.0
    with pytest.raises(stack.StackFailed, match="calendar exited 5 times"):
        while True:
            child.supervise(now)
            if child.restart_at is not None and (not delays or delays[-1][0] != child.restart_at):
                delays.append((child.restart_at, child.restart_at - now))
            now += 0.5
    assert [delay for _at, delay in delays] == [1, 2, 4, 8]
    assert "calendar exited with code 3; starting it again in 4s" in capsys.readouterr().err


def test_a_process_that_ran_a_while_is_started_again_after_a_second(tmp_path, exits_at_once, monkeypatch):
    child = stack.SupervisedProcess("gateway", "gateway", tmp_path / "gateway.pid")
    now = 0.0
    for _ in range(10):  # crashes after running a while never add up to a failed start
        child.start(now)
        now += stack.SupervisedProcess.QUICK_SECONDS + 1
        child.supervise(now)
        assert child.restart_at - now == 1
    assert (tmp_path / "gateway.pid").read_text() == str(child.process.pid)


def test_a_held_process_stays_down_until_released(tmp_path, exits_at_once):
    child = stack.SupervisedProcess("complaints", "complaints", tmp_path / "complaints.pid")
    child.start(0.0)
    (tmp_path / "complaints.hold").touch()
    first = child.process
    for tick in range(20):
        child.supervise(tick)
    assert child.process is first and child.restart_at is None
    (tmp_path / "complaints.hold").unlink()
    child.supervise(21)
    assert child.process is not first


def test_version_is_the_package_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"bakohumas-hub {__version__}"
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    assert __version__ == project["version"], "the installed package is older than pyproject.toml: run make setup"


def serving(outcomes):
    """A Process whose runs end with ``outcomes`` in turn (an exception raised, or None: stopped)."""
    from bakohumas.process import Process

    process = Process("calendar", {"STOP_TIMEOUT": 5})
    runs = iter(outcomes)

    def run_once():
        outcome = next(runs)
        if outcome is not None:
            raise outcome
    process.run_once = run_once
    return process


def test_losing_the_broker_while_starting_is_waited_out_not_a_failed_start(monkeypatch):
    monkeypatch.setattr("bakohumas.process.signal.signal", lambda *_: None)
    process = serving([ConnectionResetError(104, "Connection reset by peer"), None])
    process.serve()  # returns: started again after the reset


def test_any_other_failure_right_at_start_ends_the_process(monkeypatch):
    monkeypatch.setattr("bakohumas.process.signal.signal", lambda *_: None)
    with pytest.raises(KeyError):
        serving([KeyError("DATABASES"), None]).serve()
