"""Run the whole system on this machine: migrate, start every service and the gateway, keep them
running, stop on Ctrl-C or SIGTERM."""
import ctypes
import ctypes.util
import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from services import SERVICE_NAMES
from shared.config import database_url, load_config, local_secret
from shared.db import migrate

PR_SET_PDEATHSIG = 1

PROCESSES = {
    "directory": "services.directory.service:DirectoryService",
    "calendar": "services.calendar.service:CalendarService",
    "distribution": "services.distribution.service:DistributionService",
    "complaints": "services.complaints.service:ComplaintsService",
    "information": "services.information.service:InformationService",
    "notifications": "services.notifications.service:NotificationsService",
    "gateway": "gateway.service:GatewayService",
}


def service_class(name):
    try:
        module, attr = PROCESSES[name].split(":")
    except KeyError:
        raise SystemExit(f"unknown process {name!r}; one of: {', '.join(PROCESSES)}") from None
    return getattr(importlib.import_module(module), attr)


def migrate_all(config):
    for name in SERVICE_NAMES:
        migrate(name, database_url(config, name), forum_zone=config.get("FORUM_TIMEZONE"))


def gateway_url(config):
    host, port = config["WEB_SERVER_ADDRESS"].rsplit(":", 1)
    return f"http://{host or '127.0.0.1'}:{port}"


def local_gateway_secret(config):
    """The gateway's secret when none is configured: made once under DATA_DIR, readable by its owner only."""
    return local_secret(config, "gateway.secret")


def provide_gateway_secret(config):
    """Put the gateway's secret in its process's environment, unless one is configured.

    Called by the gateway process itself, so ``run``, ``serve gateway`` and a restarted gateway
    all find the same one under DATA_DIR.
    """
    if not config.get("GATEWAY_SECRET"):
        os.environ["GATEWAY_SECRET"] = local_gateway_secret(config)


def stop_seconds(config):
    """How long a process may take to stop (finishing its in-flight work) before it is killed."""
    return float(config.get("STOP_TIMEOUT") or 20)


def die_with_parent():
    """In a child, before exec: get SIGTERM when the runner dies, even by SIGKILL (Linux only)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return


def spawn(name, log=None):
    return subprocess.Popen([sys.executable, "-m", "bakohumas.process", name], stdout=log,
                            stderr=subprocess.STDOUT, env=os.environ.copy(), preexec_fn=die_with_parent)


class StackFailed(RuntimeError):
    pass


class SupervisedProcess:
    """One supervised process: started again with backoff when it exits by itself.

    An operator keeps it down by creating ``DATA_DIR/run/<label>.hold`` before stopping it, and has
    it started again by removing that file.
    """

    # An exit sooner than this after starting counts as a failed start; this many in a row mean
    # the process cannot start at all (bad configuration, a broken migration), and the stack stops.
    QUICK_SECONDS = 10
    FAILED_STARTS = 5

    def __init__(self, label, name, pid_file):
        self.label, self.name, self.pid_file = label, name, pid_file
        self.process = None
        self.failed_starts = 0
        self.restart_at = None
        self.held = False

    def start(self, now):
        self.process = spawn(self.name)
        self.started = now
        self.restart_at = None
        # Whole or not at all: a reader (the test harness, an operator's script) never sees it empty.
        partial = self.pid_file.with_suffix(".pid.partial")
        partial.write_text(str(self.process.pid))
        os.replace(partial, self.pid_file)

    def supervise(self, now):
        """Start again when due; notice an exit and schedule the restart. Raises StackFailed."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.start(now)
                print(f"bakohumas: {self.label} started again (pid {self.process.pid})", file=sys.stderr, flush=True)
            return
        code = self.process.poll()
        if code is None:
            return
        if self.pid_file.with_suffix(".hold").exists():
            if not self.held:
                self.held = True
                print(f"bakohumas: {self.label} exited with code {code}; held (its .hold file exists), "
                      f"not starting it again until that file is removed", file=sys.stderr, flush=True)
            return
        if self.held:
            self.held = False
            self.failed_starts = 0
            self.start(now)
            print(f"bakohumas: {self.label} released, started again (pid {self.process.pid})", file=sys.stderr, flush=True)
            return
        self.failed_starts = self.failed_starts + 1 if now - self.started < self.QUICK_SECONDS else 1
        if self.failed_starts >= self.FAILED_STARTS:
            raise StackFailed(f"{self.label} exited {self.failed_starts} times within {self.QUICK_SECONDS}s "
                              f"of starting (last code {code}); it cannot start, stopping everything")
        delay = 2 ** (self.failed_starts - 1)
        self.restart_at = now + delay
        print(f"bakohumas: {self.label} exited with code {code}; starting it again in {delay}s",
              file=sys.stderr, flush=True)

    def running(self):
        return self.restart_at is None and self.process.poll() is None


class Stack:
    """The processes of one running system, with a pid file each under DATA_DIR/run.

    A process that exits by itself is started again (1 s later; 2, 4, 8 s after failed starts); one that keeps failing
    right at start stops the stack. ``stop`` signals every process once and kills what is still
    there after the bound.
    """

    def __init__(self, config, instances=1):
        self.config = config
        self.instances = instances
        self.run_dir = Path(config.get("DATA_DIR") or "data").resolve() / "run"
        self.children = []
        self.stop_requested = None

    def start(self):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for name in PROCESSES:
            copies = 1 if name == "gateway" else self.instances
            for index in range(copies):
                label = name if copies == 1 else f"{name}-{index + 1}"
                child = SupervisedProcess(label, name, self.run_dir / f"{label}.pid")
                child.start(time.monotonic())
                self.children.append(child)

    def supervise(self):
        now = time.monotonic()
        for child in self.children:
            child.supervise(now)

    def healthy(self):
        try:
            return requests.get(gateway_url(self.config) + "/health", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def wait_healthy(self, timeout=60):
        """True once healthy, False when a stop was requested meanwhile; raises StackFailed."""
        deadline = time.monotonic() + timeout
        while self.stop_requested is None:
            self.supervise()
            if self.healthy():
                return True
            if time.monotonic() > deadline:
                raise StackFailed(f"the gateway did not report healthy within {timeout}s")
            time.sleep(0.3)
        return False

    def watch(self):
        """Keep every process running until a stop is requested."""
        while self.stop_requested is None:
            self.supervise()
            time.sleep(0.3)

    def request_stop(self, signum, _frame):
        # Only the first signal counts: stop already runs within its bound, whatever arrives after.
        if self.stop_requested is None:
            self.stop_requested = signum

    def stop(self):
        bound = stop_seconds(self.config)
        running = [child.process for child in self.children if child.running()]
        for process in running:
            process.send_signal(signal.SIGTERM)
        # Each process ends itself after the bound; the margin covers a process too stuck to do so.
        deadline = time.monotonic() + bound + 5
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"bakohumas: pid {process.pid} did not stop within {bound}s; killing it",
                      file=sys.stderr, flush=True)
                process.kill()
                process.wait()
        for run_file in (*self.run_dir.glob("*.pid"), *self.run_dir.glob("*.hold")):
            run_file.unlink(missing_ok=True)


def run(instances=1):
    config = load_config()
    stack = Stack(config, instances)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stack.request_stop)
    migrate_all(config)
    try:
        if stack.stop_requested is None:
            stack.start()
            if stack.wait_healthy():
                public = str(config.get("PUBLIC_URL") or gateway_url(config)).rstrip("/")
                print(f"Bakohumas Hub is running at {gateway_url(config)}  (public pages: {public}/, complaint "
                      f"form: {public}/lapor, console: {public}/console/, API description: "
                      f"{gateway_url(config)}/openapi.json). Press Ctrl-C to stop.", flush=True)
            stack.watch()
    except StackFailed as exc:
        print(f"bakohumas: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        print("\nbakohumas: stopping…", flush=True)
        stack.stop()
        print("bakohumas: stopped.", flush=True)
    return 0
