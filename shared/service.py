"""What every service has in common: its database dependency and a health check over RPC."""
from nameko.rpc import rpc
from sqlalchemy import text

from shared.db import utcnow
from shared.errors import EXPECTED
from shared.observe import Observation


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
