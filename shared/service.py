"""What every service has in common: its database dependency and a health check over RPC, and
for those that send to the outside world (webhooks, mail, WhatsApp) a pool of senders."""
import logging
import socket
import uuid

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc
from sqlalchemy import text

from shared.db import utcnow
from shared.errors import EXPECTED
from shared.observe import Observation
from shared.workdays import DEFAULT_FORUM_ZONE, set_forum_zone


class ExpectedAnswersBriefly(logging.Filter):
    """nameko logs an ``expected_exceptions`` error as a WARNING with its traceback and arguments.

    A 404 or a refused input is an answer, not a failure, and the public GETs answer them to
    anyone: each becomes one INFO line naming the method and the answer, without the traceback
    and without the error's message (which may quote what the caller sent).
    """

    def filter(self, record):
        if record.levelno != logging.WARNING or not str(record.msg).startswith("(expected)"):
            return True
        worker_ctx, exc = record.args[0], record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, EXPECTED):
            return True
        record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        record.msg = "%s.%s answered %s (%s)"
        record.args = (worker_ctx.service_name, worker_ctx.entrypoint.method_name, exc.code, exc.status)
        record.exc_info = record.exc_text = None
        return logging.getLogger().isEnabledFor(logging.INFO)


# nameko.containers is the logger nameko's worker runner writes to; a filter there sees each record once.
logging.getLogger("nameko.containers").addFilter(ExpectedAnswersBriefly())


class ForumCalendar(DependencyProvider):
    """The services that keep a legal clock count the forum's working days: ``FORUM_TIMEZONE`` (the
    zone the gateway shows times in) is set for the process at start; an unknown zone stops it there."""

    def setup(self):
        set_forum_zone(str(self.container.config.get("FORUM_TIMEZONE") or DEFAULT_FORUM_ZONE))

    def get_dependency(self, worker_ctx):
        return None


def service_rpc(fn):
    """An RPC method whose domain errors are expected answers, not failures to log."""
    return rpc(expected_exceptions=EXPECTED)(fn)


class HealthCheck:
    """Mixin: ``health`` answers only after a real round trip to the service's own database.

    Its answer also carries what an operator watches (the gateway's ``/health`` and ``/metrics``):
    the outbox backlog, this process's entrypoint counts, and the service's own ``gauges``.
    """

    observation = Observation()

    @rpc
    def health(self):
        now = utcnow()
        with self.db.reading() as session:
            session.execute(text("SELECT 1"))
            backlog, oldest = self.db.outbox_backlog(session)
            gauges = self.gauges(session, now)
        return {"service": self.name, "status": "ok",
                "outbox": {"backlog": backlog,
                           "oldest_seconds": (now - oldest).total_seconds() if oldest else 0.0},
                "gauges": gauges, **self.observation.snapshot()}

    def gauges(self, session, now):
        """``{metric: {label: {value: number}}}`` of figures only this service knows (none by default)."""
        return {}



class SendingPool(DependencyProvider):
    """A dependency that sends from a green-thread pool of its own, so that a slow or dead destination
    only ever occupies one slot. ``owner`` names this process on the leases it takes; a stop waits
    for what is in flight, a kill ends it (the lease runs out and another sender tries again)."""

    def start_pool(self, concurrency):
        self.owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}"
        self.pool = eventlet.GreenPool(concurrency)

    def stop(self):
        self.pool.waitall()

    def kill(self):
        for thread in list(self.pool.coroutines_running):
            thread.kill()

    def get_dependency(self, worker_ctx):
        return self
