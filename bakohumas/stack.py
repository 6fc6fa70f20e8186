"""Run the whole system on this machine: migrate, start every service and the gateway, stop on Ctrl-C."""
import importlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from services import SERVICE_NAMES
from shared.config import database_url, load_config
from shared.db import migrate

PROCESSES = {
    "directory": "services.directory.service:DirectoryService",
    "calendar": "services.calendar.service:CalendarService",
    "distribution": "services.distribution.service:DistributionService",
    "complaints": "services.complaints.service:ComplaintsService",
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
        migrate(name, database_url(config, name))


def gateway_url(config):
    host, port = config["WEB_SERVER_ADDRESS"].rsplit(":", 1)
    return f"http://{host or '127.0.0.1'}:{port}"


def local_gateway_secret(config):
    """The gateway's secret when none is configured: made once under DATA_DIR, readable by its owner only."""
    path = Path(config.get("DATA_DIR") or "data").resolve() / "gateway.secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def provide_gateway_secret(config):
    """Put the gateway's secret in its process's environment, unless one is configured.

    Called by the gateway process itself, so ``run``, ``serve gateway`` and a restarted gateway
    all find the same one under DATA_DIR.
    """
    if not config.get("GATEWAY_SECRET"):
        os.environ["GATEWAY_SECRET"] = local_gateway_secret(config)


def spawn(name, log):
    return subprocess.Popen([sys.executable, "-m", "bakohumas.process", name],
                            stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())


class Stack:
    """The processes of one running system, with a pid file each under DATA_DIR/run."""

    def __init__(self, config, instances=1):
        self.config = config
        self.instances = instances
        self.run_dir = Path(config.get("DATA_DIR") or "data").resolve() / "run"
        self.processes = {}

    def start(self):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for name in PROCESSES:
            copies = 1 if name == "gateway" else self.instances
            for index in range(copies):
                label = name if copies == 1 else f"{name}-{index + 1}"
                process = spawn(name, None)
                self.processes[label] = process
                (self.run_dir / f"{label}.pid").write_text(str(process.pid))

    def wait_healthy(self, timeout=60):
        url = gateway_url(self.config) + "/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for label, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{label} exited with code {process.returncode} while starting")
            try:
                if requests.get(url, timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the gateway did not report healthy within {timeout}s")

    def watch(self):
        """Block until told to stop; report (but survive) a process that exits by itself."""
        reported = set()
        while True:
            for label, process in self.processes.items():
                if process.poll() is not None and label not in reported:
                    reported.add(label)
                    print(f"bakohumas: {label} exited with code {process.returncode}", file=sys.stderr)
            time.sleep(0.5)

    def stop(self, grace=15):
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pid_file in self.run_dir.glob("*.pid"):
            pid_file.unlink(missing_ok=True)


def run(instances=1):
    config = load_config()
    migrate_all(config)
    stack = Stack(config, instances)

    def stop_on_signal(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        stack.start()
        stack.wait_healthy()
        print(f"Bakohumas Hub is running at {gateway_url(config)}  (public pages: {gateway_url(config)}/, "
              f"API description: {gateway_url(config)}/openapi.json). Press Ctrl-C to stop.", flush=True)
        stack.watch()
    except KeyboardInterrupt:
        print("\nbakohumas: stopping…", flush=True)
    except RuntimeError as exc:
        print(f"bakohumas: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        stack.stop()
    print("bakohumas: stopped.", flush=True)
    return 0
