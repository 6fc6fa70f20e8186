"""``make test``: every test, in parallel lanes, with each layer's time printed at the end.

``python -m tests.suite [--lanes N] [--layer unit --layer e2e ...] [-- extra pytest arguments]``

The suite is cut into parts, each an ordinary pytest session of its own, and ``--lanes`` of them run
at once, the longest first. A part owns its session: its migrated templates, its e2e ``stack`` and
the vhosts and data folders of every stack it starts (``bakohumas.harness`` names each uniquely), so
parts never see one another. Tests sharing a stack stay in one part, so no stack starts twice.

Why not pytest-xdist: tests/conftest.py monkey-patches the standard library with eventlet (nameko
needs it), and execnet, which carries xdist's workers, then hangs before the first test; a worker
interpreter patched before execnet starts dies instead when eventlet's hub cannot poll its output.

Each part writes its log and JUnit XML into ``test-artifacts/suite/``; a failing part's failures are
printed when it ends. The closing lines: a table of the layers (their parts' wall span, summed
time and CPU time), the slowest tests, and one ``N passed, N failed`` line.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "suite"
LAYERS = ("unit", "integration", "e2e", "browser")
# The browser tests run without nameko's plugin and without tests/conftest.py's eventlet patch.
BROWSER_PASS = ["-p", "no:pytest_nameko", "--confcutdir=tests/browser"]
# e2e modules that start stacks of their own (or whose tests take long), each a part of its own,
# longest first as measured on 2 cores; every other e2e module shares the one session stack of
# the part "e2e shared stack".
E2E_ALONE = (
    "test_faults.py",                  # four scenarios, each its own stack on a private RabbitMQ node
    "test_backup_restore.py",          # the restore drill, on SQLite and on PostgreSQL
    "test_privacy_scan.py",            # a stack per log format
    "test_hostile.py",                 # schemathesis over every operation, as two roles
    "test_gateway_edges.py",
    "test_postgresql.py",
    "test_notifications.py",
    "test_observability.py",
    "test_stop.py",                    # a stack per way of stopping it
    "test_distribution_delivery.py",
    "test_directory_demo.py",
    "test_complaints_resilience.py",
    "test_authorization_matrix.py",
    "test_console_kept_answers.py",
)
# How many parts run at once: the e2e parts mostly wait on their stacks, so more than the cores.
DEFAULT_LANES = 3
# The lanes' lines, one whole line at a time.
OUTPUT = threading.Lock()
# How long a stopped part may take to tear its stacks down.
STOP_SECONDS = 60
FAILURE_HEADER = re.compile(r"^=+ (FAILURES|ERRORS) =+$", re.MULTILINE)


@dataclass
class Part:
    layer: str
    name: str
    arguments: list
    outcome: dict = field(default_factory=dict)
    started: float = 0.0
    ended: float = 0.0
    exit_code: int = None
    cpu_seconds: float = 0.0

    @property
    def slug(self):
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def log(self):
        return ARTIFACTS / f"{self.slug}.log"

    @property
    def junit(self):
        return ARTIFACTS / f"{self.slug}.xml"

    @property
    def seconds(self):
        return self.ended - self.started


def parts():
    """Every test of the suite in exactly one part, the longest parts first."""
    e2e = sorted(path.name for path in (ROOT / "tests" / "e2e").glob("test_*.py"))
    shared = [f"tests/e2e/{name}" for name in e2e if name not in E2E_ALONE]
    alone = [name for name in E2E_ALONE if name in e2e]
    return [
        Part("e2e", f"e2e {alone[0]}", [f"tests/e2e/{alone[0]}"]),
        Part("browser", "browser", [*BROWSER_PASS, "tests/browser"]),
        Part("unit", "unit", ["tests/unit"]),
        Part("e2e", "e2e shared stack", shared),
        *(Part("e2e", f"e2e {name}", [f"tests/e2e/{name}"]) for name in alone[1:]),
        Part("integration", "integration", ["tests/integration"]),
    ]


def junit_outcome(path):
    """Counts and per-test times from a part's JUnit XML (empty when pytest wrote none)."""
    try:
        suites = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return {}
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    times = []
    for suite in suites.iter("testsuite"):
        for key in counts:
            counts[key] += int(suite.get(key, 0))
        for case in suite.iter("testcase"):
            times.append((float(case.get("time", 0)), f"{case.get('classname')}::{case.get('name')}"))
    return {**counts, "times": times}


def failures_of(part):
    """What pytest printed about a failing part: its FAILURES/ERRORS sections, or the log's end."""
    text = part.log.read_text(errors="replace") if part.log.exists() else ""
    found = FAILURE_HEADER.search(text)
    return text[found.start():] if found else "\n".join(text.splitlines()[-100:])


class Lanes:
    """Runs parts ``lanes`` at a time; ``stop`` ends the running ones (their fixtures tear down)."""

    def __init__(self, lanes, extra_arguments):
        self.lanes = lanes
        self.extra_arguments = extra_arguments
        self.running = {}
        self.lock = threading.Lock()
        self.stopping = False

    def run(self, part):
        command = [sys.executable, "-m", "pytest", *part.arguments, f"--junitxml={part.junit}", "-q",
                   "-rfE", *self.extra_arguments]
        part.started = time.monotonic()
        with open(part.log, "w") as log:
            log.write(f"$ {' '.join(command)}\n")
            log.flush()
            # A process group of its own: whatever the part starts (its stacks) is stopped with it.
            process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            with self.lock:
                self.running[part.name] = process
            # wait4: the exit and the CPU time of pytest and of every process it waited for (its stacks).
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = part.exit_code = os.waitstatus_to_exitcode(status)
            part.cpu_seconds = usage.ru_utime + usage.ru_stime
            with self.lock:
                del self.running[part.name]
        part.ended = time.monotonic()
        # A part that died before its fixtures tore down (a timeout, a crash) leaves its stacks
        # running in its group; they stop as on Ctrl-C.
        signal_group(process, signal.SIGINT)
        part.outcome = junit_outcome(part.junit)

    def lane(self, queue, report):
        while not self.stopping:
            with self.lock:
                if not queue:
                    return
                part = queue.pop(0)
            with OUTPUT:
                print(f"suite: {part.name} started", flush=True)
            self.run(part)
            report(part)

    def all(self, chosen, report):
        queue = list(chosen)
        threads = [threading.Thread(target=self.lane, args=(queue, report)) for _ in range(self.lanes)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def stop(self, *_signal):
        """Ctrl-C to every running part and its stacks; what still runs a minute later is killed."""
        self.stopping = True
        with self.lock:
            running = list(self.running.values())
        for process in running:
            signal_group(process, signal.SIGINT)
        killer = threading.Timer(STOP_SECONDS, lambda: [signal_group(process, signal.SIGKILL) for process in running])
        killer.daemon = True
        killer.start()


def signal_group(process, sig):
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def failed(part, filtered):
    """A part fails when pytest does; collecting nothing counts only when no filter was given."""
    return part.exit_code not in ((0, 5) if filtered else (0,))


def minutes(seconds):
    return f"{int(seconds // 60)}m{seconds % 60:04.1f}s"


def summary(chosen, began, ended, lanes, filtered):
    print(f"\nsuite: time per layer ({lanes} lanes; wall: first start to last end of its parts, "
          "summed: its parts' durations added; cpu: their processes' CPU time, stacks included)")
    print(f"  {'layer':<12}{'parts':>6}{'tests':>7}{'failed':>8}{'skipped':>9}{'wall':>12}{'summed':>12}{'cpu':>12}")
    totals = {"tests": 0, "failed": 0, "skipped": 0}
    for layer in LAYERS:
        of_layer = [part for part in chosen if part.layer == layer and part.exit_code is not None]
        if not of_layer:
            continue
        tests = sum(part.outcome.get("tests", 0) for part in of_layer)
        bad = sum(part.outcome.get("failures", 0) + part.outcome.get("errors", 0) for part in of_layer)
        bad += sum(1 for part in of_layer if failed(part, filtered) and not part.outcome.get("failures")
                   and not part.outcome.get("errors"))
        skipped = sum(part.outcome.get("skipped", 0) for part in of_layer)
        wall = max(part.ended for part in of_layer) - min(part.started for part in of_layer)
        summed = sum(part.seconds for part in of_layer)
        cpu = sum(part.cpu_seconds for part in of_layer)
        print(f"  {layer:<12}{len(of_layer):>6}{tests:>7}{bad:>8}{skipped:>9}{minutes(wall):>12}{minutes(summed):>12}"
              f"{minutes(cpu):>12}")
        totals["tests"] += tests
        totals["failed"] += bad
        totals["skipped"] += skipped
    unrun = [part.name for part in chosen if part.exit_code is None]
    if unrun:
        print(f"  not run (stopped): {', '.join(unrun)}")
    slowest = sorted((time_, test) for part in chosen for time_, test in part.outcome.get("times", []))[-15:]
    print("\nsuite: the slowest tests")
    for seconds, test in reversed(slowest):
        print(f"  {seconds:8.1f}s  {test}")
    passed = totals["tests"] - totals["failed"] - totals["skipped"]
    cpu = sum(part.cpu_seconds for part in chosen)
    print(f"\nsuite: whole run {minutes(ended - began)} on {lanes} lanes, {minutes(cpu)} of CPU time")
    print(f"suite: {passed} passed, {totals['failed']} failed, {totals['skipped']} skipped")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.suite", description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, default=int(os.environ.get("SUITE_LANES", DEFAULT_LANES)),
                        help=f"parts run at once (default {DEFAULT_LANES}, or SUITE_LANES)")
    parser.add_argument("--layer", action="append", choices=LAYERS, help="only this layer (repeatable)")
    parser.add_argument("pytest_arguments", nargs="*", help="after --: passed to every part's pytest")
    options = parser.parse_args(argv)
    chosen = [part for part in parts() if not options.layer or part.layer in options.layer]
    filtered = bool(options.pytest_arguments)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    lanes = Lanes(max(1, options.lanes), options.pytest_arguments)
    signal.signal(signal.SIGTERM, lanes.stop)

    def report(part):
        counts = part.outcome
        state = "FAILED" if failed(part, filtered) else "passed"
        told = (f"{counts['tests']} tests, {counts['failures'] + counts['errors']} failed, {counts['skipped']} skipped"
                if counts else f"pytest ended without a report (exit {part.exit_code})")
        with OUTPUT:
            print(f"suite: {part.name} {state} in {minutes(part.seconds)}: {told} "
                  f"(log: {part.log.relative_to(ROOT)})", flush=True)
            if failed(part, filtered):
                print(failures_of(part), flush=True)

    began = time.monotonic()
    try:
        lanes.all(chosen, report)
    except KeyboardInterrupt:
        lanes.stop()
        raise
    summary(chosen, began, time.monotonic(), lanes.lanes, filtered)
    return 1 if lanes.stopping or any(failed(part, filtered) for part in chosen) else 0


if __name__ == "__main__":
    sys.exit(main())
