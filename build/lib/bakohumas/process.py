"""One nameko process: ``python -m bakohumas.process NAME``.

eventlet must patch the standard library before anything else imports it.
"""
import warnings

# eventlet announces on import that it is in bugfix-only mode; nameko 2 has no other hub.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import errno  # noqa: E402
import logging  # noqa: E402
import logging.config  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import amqp.exceptions  # noqa: E402
import kombu.exceptions  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402

from bakohumas.stack import provide_gateway_secret, service_class, stop_seconds  # noqa: E402
from shared.config import load_config  # noqa: E402

log = logging.getLogger("bakohumas.process")

# How often a running process renews its heartbeat file (see ``heartbeat``).
HEARTBEAT_SECONDS = 5

# The connection to RabbitMQ broke (it restarts, or is still booting): wait and start again.
BROKER_ERRORS = (ConnectionError, socket.timeout, amqp.exceptions.ConnectionError, kombu.exceptions.OperationalError)
MAX_PAUSE_SECONDS = 10

# A container that dies sooner than this after starting did not start at all (bad configuration,
# a broken migration): the process ends instead of starting it again.
FAILED_START_SECONDS = 5


class Process:
    """Runs one service until told to stop, and stops once however many signals arrive.

    nameko's own ``run`` answers every SIGTERM with another ``stop``: a second signal (systemd,
    ``timeout`` and CI runners signal the whole process group, and ``bakohumas run`` forwards
    it too) stops the container twice, which fails, and a failed container used to be started
    again. Here the first SIGTERM or SIGINT starts the one stop — in-flight workers finish — and
    an alarm ends the process if that takes longer than the bound; later signals change nothing.
    """

    def __init__(self, name, config):
        self.name = name
        self.config = config
        self.bound = stop_seconds(config)
        self.stopping = False
        self.runner = None
        self.runner_stopped = False
        self.heartbeat_file = Path(config["HEARTBEAT_FILE"]) if config.get("HEARTBEAT_FILE") else None

    def request_stop(self, signum, _frame):
        # Runs in the hub's loop, where eventlet primitives may not block: the stop gets a greenlet.
        if self.stopping:
            log.info("%s is already stopping (signal %s ignored)", self.name, signal.Signals(signum).name)
            return
        self.stopping = True
        log.info("%s stopping on %s (at most %ss)", self.name, signal.Signals(signum).name, self.bound)
        signal.setitimer(signal.ITIMER_REAL, self.bound)
        eventlet.spawn_n(self.stop_runner)

    def stop_runner(self):
        # Greenlets switch only when they wait, so this check-and-set cannot interleave.
        if self.runner is not None and not self.runner_stopped:
            self.runner_stopped = True
            self.runner.stop()

    def out_of_time(self, _signum, _frame):
        log.error("%s did not stop within %ss; exiting now", self.name, self.bound)
        logging.shutdown()
        os._exit(1)

    def serve(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.request_stop)
        signal.signal(signal.SIGALRM, self.out_of_time)
        # nameko kills the whole container when a worker cannot ack or answer because the broker
        # went away (a RabbitMQ restart): start a fresh one, which waits for the broker to come back.
        # Unacked messages are redelivered and unanswered callers retry, so nothing is lost.
        # Losing the broker again while starting (it is still booting) is more of the same, never
        # a reason to give up; any other failure right at start (bad configuration, a broken
        # migration) ends the process, and whoever runs it decides (``bakohumas run`` counts them).
        pause = 1
        while not self.stopping:
            started = time.monotonic()
            try:
                self.run_once()
                return
            except Exception as exc:
                if self.stopping:
                    log.warning("%s stopped with an error while stopping", self.name, exc_info=True)
                    return
                quick = time.monotonic() - started < FAILED_START_SECONDS
                if quick and not isinstance(exc, BROKER_ERRORS):
                    raise
                pause = min(MAX_PAUSE_SECONDS, pause * 2) if quick else 1
                log.exception("%s stopped with an error; starting again in %ss", self.name, pause)
                self.runner = None
                deadline = time.monotonic() + pause
                while not self.stopping and time.monotonic() < deadline:
                    eventlet.sleep(0.2)

    def run_once(self):
        runner = ServiceRunner(self.config)
        runner.add_service(service_class(self.name))
        try:
            runner.start()
        except Exception:
            runner.kill()  # what did start (a consumer, a timer) must not outlive a failed start
            raise
        self.runner, self.runner_stopped = runner, False
        if self.stopping:  # the signal came while starting
            self.stop_runner()
        beating = eventlet.spawn(self.heartbeat) if self.heartbeat_file else None
        # A signal arriving while the main greenlet waits interrupts that wait (EINTR); waiting in
        # a greenlet of its own keeps the runner's outcome intact (as nameko's own ``run`` does).
        waiting = eventlet.spawn(runner.wait)
        try:
            while True:
                try:
                    return waiting.wait()
                except OSError as exc:
                    if exc.errno != errno.EINTR:
                        raise
        finally:
            if beating is not None:
                beating.kill()
                self.heartbeat_file.unlink(missing_ok=True)

    def heartbeat(self):
        """Touch HEARTBEAT_FILE while the service runs: a probe (Kubernetes, a supervisor) reads a
        fresh file as alive — the event loop turns — and a present one as ready (consumers are up)."""
        self.heartbeat_file.parent.mkdir(parents=True, exist_ok=True)
        while True:
            self.heartbeat_file.touch()
            eventlet.sleep(HEARTBEAT_SECONDS)


def main(name):
    if name == "gateway":
        provide_gateway_secret(load_config())
    config = load_config()
    if name == "gateway":
        config["max_workers"] = config.get("GATEWAY_MAX_WORKERS") or config["max_workers"]
    logging.config.dictConfig(config["LOGGING"])
    Process(name, config).serve()
    # Stopped: every worker finished and nameko closed what it opened. Tearing down the interpreter
    # under eventlet can take seconds longer (more on Python 3.13) and would eat into the stop bound.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
