"""What every process tells an operator: the correlation id of the work in hand, and its own counts.

A request's correlation id is made (or taken from ``X-Request-Id``) by the gateway and travels
as nameko context data (the ``nameko.correlation_id`` header) on every RPC made while handling
it; an event carries it in its envelope, because the outbox relay publishes it later, outside
the worker that emitted it. Each worker holds its id in a green-thread local, where the log
filter and :func:`shared.contracts.seal` find it.
"""
import logging
import os
import re
import socket
import threading
import time
import uuid

from nameko.extensions import DependencyProvider

log = logging.getLogger(__name__)

CORRELATION_KEY = "correlation_id"
# Whatever a client sends must be safe to log and bounded; anything else is replaced by our own.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_current = threading.local()


def current_correlation_id():
    return getattr(_current, "correlation_id", None)


def request_correlation_id(header_value):
    """The client's ``X-Request-Id`` when it is safe to carry, else a new id."""
    if header_value and REQUEST_ID.match(header_value):
        return header_value
    return uuid.uuid4().hex


def _correlation_of(worker_ctx):
    """From the context data (RPC, HTTP), else from an event envelope given as the first argument."""
    found = worker_ctx.data.get(CORRELATION_KEY)
    if found is None and worker_ctx.args and isinstance(worker_ctx.args[0], dict):
        found = worker_ctx.args[0].get(CORRELATION_KEY)
    return found if isinstance(found, str) and REQUEST_ID.match(found) else None


class CorrelationFilter(logging.Filter):
    """Puts the current worker's correlation id on each log record that has none (JSON logs show it)."""

    def filter(self, record):
        if not hasattr(record, CORRELATION_KEY):
            correlation = current_correlation_id()
            if correlation is not None:
                record.correlation_id = correlation
        return True


class EntrypointCounts:
    """Calls, failures and time spent per entrypoint of this process."""

    def __init__(self):
        self.instance = f"{socket.gethostname()}:{os.getpid()}"
        self.entries = {}

    def record(self, entrypoint, seconds, failed):
        calls, errors, total = self.entries.get(entrypoint, (0, 0, 0.0))
        self.entries[entrypoint] = (calls + 1, errors + int(failed), total + seconds)

    def snapshot(self):
        return {"instance": self.instance,
                "entrypoints": [{"entrypoint": name, "calls": calls, "errors": errors, "seconds": round(total, 6)}
                                for name, (calls, errors, total) in sorted(self.entries.items())]}


class Observation(DependencyProvider):
    """Sets each worker's correlation id for its lifetime and counts its entrypoint's outcome.

    An expected exception (a domain error answered to the caller) is an answer, not a failure.
    """

    def setup(self):
        self.counts = EntrypointCounts()
        self.started = {}

    def get_dependency(self, worker_ctx):
        return self.counts

    def worker_setup(self, worker_ctx):
        _current.correlation_id = _correlation_of(worker_ctx)
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx, None)
        if started is None:
            return
        entrypoint = worker_ctx.entrypoint
        failed = exc_info is not None and not isinstance(exc_info[1], entrypoint.expected_exceptions)
        seconds = time.perf_counter() - started
        self.counts.record(entrypoint.method_name, seconds, failed)
        log.debug("%s %s in %.1f ms", entrypoint.method_name, "failed" if failed else "done", seconds * 1000)

    def worker_teardown(self, worker_ctx):
        self.started.pop(worker_ctx, None)
        _current.correlation_id = None
