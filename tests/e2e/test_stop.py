"""Stopping ``bakohumas run`` the ways a terminal, systemd, ``timeout`` or a CI runner do leaves no
process behind and within the stop bound; a crashed process is started again."""
import os
import signal
import time

import pytest
import requests

from bakohumas.harness import STOP_WAYS as WAYS, LocalStack, running, stopped_within
from services import SERVICE_NAMES

STOP_TIMEOUT = 8  # the stack's bound (seconds), short so that a stuck stop shows quickly
pytestmark = pytest.mark.e2e


def started(stack):
    stack.start(timeout=120)
    pids = [stack.pid(label) for label in (*SERVICE_NAMES, "gateway")]
    assert sorted(stack.leftovers()) == sorted([stack.runner.pid, *pids])
    return pids


def assert_stops_cleanly(stack, send, pids):
    send(stack)
    # A SIGKILLed runner's children notice (PR_SET_PDEATHSIG) and stop by themselves, within the bound.
    took = stopped_within(stack, STOP_TIMEOUT + 15, pids)
    assert took is not None, f"left running: {stack.leftovers()}\n{stack.log()[-3000:]}"
    assert not [pid for pid in pids if running(pid)]
    assert "re-send() an already-triggered event" not in stack.log()
    assert "starting again" not in stack.log(), "a stop was taken for a crash"
    return took


@pytest.fixture
def own_stack():
    stack = LocalStack(own_group=True, extra_env={"STOP_TIMEOUT": str(STOP_TIMEOUT)})
    try:
        yield stack
    finally:
        if stack.runner is not None and stack.runner.poll() is None:
            os.killpg(stack.runner.pid, signal.SIGKILL)
        for pid in stack.leftovers():
            os.kill(pid, signal.SIGKILL)
        stack.stop()


@pytest.mark.parametrize("way", WAYS)
def test_a_stop_leaves_no_process_behind(own_stack, way):
    pids = started(own_stack)
    took = assert_stops_cleanly(own_stack, WAYS[way], pids)
    assert took < STOP_TIMEOUT + 10


def test_the_next_start_after_a_stop_is_clean(own_stack):
    assert_stops_cleanly(own_stack, WAYS["SIGTERM to the group twice"], started(own_stack))
    pids = started(own_stack)
    assert requests.get(own_stack.url + "/health", timeout=10).status_code == 200
    assert_stops_cleanly(own_stack, WAYS["SIGTERM to the group"], pids)


def test_a_crashed_process_is_started_again_and_the_stack_is_healthy(own_stack):
    started(own_stack)
    crashed = own_stack.pid("calendar")
    own_stack.kill("calendar", signal.SIGKILL, hold=False)
    deadline = time.monotonic() + 60
    while own_stack.pid("calendar") == crashed:
        assert time.monotonic() < deadline, "calendar was not started again"
        time.sleep(0.2)
    assert "calendar exited with code -9; starting it again" in own_stack.log()
    own_stack.wait_healthy(90)
    assert running(own_stack.pid("calendar"))


def test_one_served_process_beats_while_it_runs_and_stops_once_on_two_sigterms(tmp_path):
    """``bakohumas serve`` as in a container: the heartbeat the probes read, and a double SIGTERM."""
    import subprocess
    import sys

    from bakohumas.harness import ROOT, Vhost

    vhost = Vhost().create()
    heartbeat = tmp_path / "probe" / "heartbeat"
    env = {**os.environ, "AMQP_URI": vhost.amqp_uri, "DATA_DIR": str(tmp_path), "HEARTBEAT_FILE": str(heartbeat),
           "STOP_TIMEOUT": str(STOP_TIMEOUT)}
    served = subprocess.Popen([sys.executable, "-m", "bakohumas.cli", "serve", "directory", "--migrate"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while not heartbeat.exists():
            assert time.monotonic() < deadline and served.poll() is None, "no heartbeat"
            time.sleep(0.2)
        first = heartbeat.stat().st_mtime
        deadline = time.monotonic() + 30
        while heartbeat.stat().st_mtime == first:
            assert time.monotonic() < deadline, "the heartbeat was not renewed"
            time.sleep(0.5)
        served.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        served.send_signal(signal.SIGTERM)
        assert served.wait(STOP_TIMEOUT + 10) == 0
        log = served.stdout.read()
        assert "already stopping" in log and "starting again" not in log, log
        assert not heartbeat.exists(), "a stopped process must not look alive"
    finally:
        if served.poll() is None:
            served.kill()
        vhost.delete()
