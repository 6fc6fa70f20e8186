"""What every service has in common: its database dependency and a health check over RPC."""
from nameko.rpc import rpc
from sqlalchemy import text

from shared.errors import EXPECTED


def service_rpc(fn):
    """An RPC method whose domain errors are expected answers, not failures to log."""
    return rpc(expected_exceptions=EXPECTED)(fn)


class HealthCheck:
    """Mixin: ``health`` answers only after a real round trip to the service's own database."""

    @rpc
    def health(self):
        with self.db.reading() as session:
            session.execute(text("SELECT 1"))
        return {"service": self.name, "status": "ok"}
