"""The delivery engine: sends claimed webhook deliveries from a green-thread pool of its own.

A timer claims due deliveries (with a lease) and hands them here; the timer's worker
returns at once, so a slow or dead destination only ever occupies one pool slot. No
database transaction is open while a request is in flight: the claim and the record
of each attempt are short units of work of their own.
"""
import logging
import time
from datetime import timedelta

from services.distribution import domain, webhooks
from shared.db import utcnow
from shared.service import SendingPool

log = logging.getLogger(__name__)


def _flag(value):
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


class Courier(SendingPool):

    def setup(self):
        config = self.container.config.get("WEBHOOKS") or {}
        self.allow_private = _flag(config.get("ALLOW_PRIVATE", False))
        self.timeout = float(config.get("TIMEOUT_SECONDS") or 10)
        self.concurrency = int(config.get("CONCURRENCY") or 100)
        self.policy = webhooks.RetryPolicy(base_seconds=float(config.get("RETRY_BASE_SECONDS") or 30),
                                           max_attempts=int(config.get("MAX_ATTEMPTS") or 12))
        self.lease = timedelta(seconds=self.timeout + 30)
        self.start_pool(self.concurrency)

    def dispatch(self, store):
        """Claim as many due deliveries as there are free senders and start sending them."""
        free = self.pool.free()
        if free <= 0:
            return 0
        with store.unit_of_work() as uow:
            claimed = domain.claim_deliveries(uow, self.owner, free, self.lease, utcnow())
        for delivery in claimed:
            self.pool.spawn_n(self._send, store, delivery)
        return len(claimed)

    def _send(self, store, delivery):
        body = delivery["payload"].encode("utf-8")
        headers = webhooks.signed_headers(delivery["secrets"], delivery["id"], int(time.time()), body)
        try:
            outcome = webhooks.attempt(delivery["url"], body, headers, self.timeout, self.allow_private)
        except Exception as exc:  # a bug or a surprise of the HTTP stack: retried later, never left leased
            log.exception("sending delivery %s failed unexpectedly", delivery["id"])
            outcome = webhooks.Outcome("retry", None, f"unexpected {type(exc).__name__}: {str(exc)[:300]}")
        try:
            with store.unit_of_work() as uow:
                domain.record_attempt(uow, self.owner, delivery["id"], outcome, self.policy, utcnow())
        except Exception:  # the lease runs out and the delivery is tried again: at-least-once
            log.exception("could not record the attempt of delivery %s", delivery["id"])
