"""Reliable events on top of nameko: the outbox relay, idempotent consumers, retries, dead letters.

- The relay publishes committed outbox rows to the producing service's nameko event
  exchange with publisher confirms, and marks a row only after the broker confirmed.
- ``consumes`` declares a nameko event handler on a durable queue that validates the
  envelope, skips an event it has already handled, and records the event id in the
  same transaction as the handler's effect.
- A handler that raises is retried through per-delay queues (the message waits out a
  TTL there and is dead-lettered back to its own queue); after the last retry, or at
  once for a malformed event, it goes to ``bakohumas.dead-letters`` where an operator
  lists, inspects and replays it (``bakohumas dead-letters``).
"""
import functools
import json
import logging
import socket
import threading
import traceback
import uuid
from datetime import datetime, timezone

from kombu import Connection, Queue
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import SERVICE_POOL, EventHandler, get_event_exchange

from shared.contracts import MalformedEvent, open_envelope

log = logging.getLogger(__name__)

RETRY_DELAYS = (1, 5, 30, 120, 600)
DEAD_LETTER_QUEUE = "bakohumas.dead-letters"
ATTEMPTS = "x-bakohumas-attempts"


class OutboxRelay:
    """Sends a service's committed events to RabbitMQ; woken after each commit, and polls."""

    def __init__(self, store, config, service_name, poll_seconds=1.0):
        self.store = store
        self.service_name = service_name
        self.poll_seconds = poll_seconds
        self.owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}"
        self.exchange = get_event_exchange(service_name, config)
        self.publisher = Publisher(config[AMQP_URI_CONFIG_KEY], use_confirms=True, declare=[self.exchange])
        self._wake = threading.Event()
        store.on_outbox(self._wake.set)

    def run(self):
        while True:
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            try:
                while self.publish_due():
                    pass
            except Exception:  # the broker or database is away: keep the rows, try again
                log.warning("outbox relay of %s could not publish; will retry", self.service_name,
                            exc_info=True)
                threading.Event().wait(self.poll_seconds)

    def publish_due(self):
        rows = self.store.claim_outbox(self.owner)
        published = []
        try:
            for row in rows:
                self.publisher.publish(
                    json.loads(row.envelope), exchange=self.exchange, routing_key=row.name,
                    message_id=row.event_id, retry=False)
                published.append(row.id)
        finally:
            self.store.mark_published(published)
        return len(rows)


class RetriesThenDeadLetters:
    """Consumer mixin: a message whose handler failed is retried with backoff, then dead-lettered.

    Mixed into nameko's ``EventHandler`` (``ReliableEventHandler``) and ``Consumer`` (the
    complaints intake), so every queue we consume fails the same way.
    """

    def setup(self):
        super().setup()
        self.publisher = Publisher(self.container.config[AMQP_URI_CONFIG_KEY], use_confirms=True)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None:
            try:
                self.route_failure(message, exc_info[1])
            except Exception:
                log.exception("could not park a failed event; returning it to its queue")
                self.queue_consumer.requeue_message(message)
                return result, exc_info
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def route_failure(self, message, exc):
        headers = dict(message.headers or {})
        attempts = int(headers.get(ATTEMPTS, 0)) + 1
        headers[ATTEMPTS] = attempts
        headers["x-bakohumas-error"] = "".join(traceback.format_exception_only(type(exc), exc))[-2000:]
        if isinstance(exc, MalformedEvent) or attempts > len(RETRY_DELAYS):
            headers.update({
                "x-dead-letter-id": str(uuid.uuid4()),
                "x-original-queue": self.queue.name,
                "x-dead-lettered-at": datetime.now(timezone.utc).isoformat(),
            })
            log.error("dead-lettered an event from %s: %s", self.queue.name, headers["x-bakohumas-error"])
            self.publisher.publish(message.payload, exchange="", routing_key=DEAD_LETTER_QUEUE,
                                   headers=headers, declare=[dead_letter_queue()])
            return
        delay = RETRY_DELAYS[attempts - 1]
        waiting = retry_queue(self.queue.name, delay)
        log.warning("event handler on %s failed (attempt %d), retrying in %ss",
                    self.queue.name, attempts, delay)
        self.publisher.publish(message.payload, exchange="", routing_key=waiting.name,
                               headers=headers, declare=[waiting])


class ReliableEventHandler(RetriesThenDeadLetters, EventHandler):
    """An event handler whose failures are retried with backoff, then dead-lettered."""


def retry_queue(queue_name, delay):
    return Queue(
        f"{queue_name}.retry-{delay}s", durable=True, auto_delete=False,
        queue_arguments={
            "x-message-ttl": int(delay * 1000),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": queue_name,
        })


def dead_letter_queue():
    return Queue(DEAD_LETTER_QUEUE, durable=True, auto_delete=False)


def consumes(source_service, event_name, handler_type=SERVICE_POOL):
    """Declare an idempotent, retried handler of one event from another service.

    The decorated method receives ``(self, uow, envelope)`` inside a unit of work
    opened on the service's ``db`` dependency; its effects and the record that this
    event was handled commit together.
    """
    def decorate(method):
        handler_id = method.__qualname__

        @functools.wraps(method)
        def handle(self, payload):
            envelope = open_envelope(payload, event_name)
            with self.db.unit_of_work() as uow:
                if uow.already_handled(envelope.id, handler_id):
                    return None
                result = method(self, uow, envelope)
                uow.mark_handled(envelope.id, handler_id)
            return result

        return ReliableEventHandler.decorator(
            source_service, event_name, handler_type=handler_type, reliable_delivery=True,
        )(handle)
    return decorate


PERSONAL_FIELDS = frozenset({"reporter", "name", "phone", "email"})
REDACTED = "[redacted]"


def redact(value):
    """``value`` with every personal field (a reporter, a name, phone or email) replaced."""
    if isinstance(value, dict):
        return {key: REDACTED if key in PERSONAL_FIELDS and value[key] is not None else redact(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def redact_envelope(payload):
    """Redact an event's data (its envelope's ``name`` is the event's, not a person's)."""
    if isinstance(payload, dict) and isinstance(payload.get("data"), dict):
        return {**payload, "data": redact(payload["data"])}
    return redact(payload)


class DeadLetters:
    """Operator access to the dead-letter queue: list, show, replay, discard."""

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri

    def _drain(self, channel):
        """Take every dead letter off the queue unacknowledged (closing the channel returns them)."""
        queue = dead_letter_queue()(channel)
        queue.declare()
        while True:
            message = queue.get(no_ack=False)
            if message is None:
                return
            yield message

    @staticmethod
    def describe(message, reveal=False):
        """A dead letter for an operator; personal data in its payload is redacted unless ``reveal``."""
        headers = message.headers or {}
        try:
            payload = json.loads(message.body)
        except ValueError:
            payload = message.body if isinstance(message.body, str) else repr(message.body)
        if not reveal:
            payload = redact_envelope(payload)
        return {
            "id": headers.get("x-dead-letter-id"),
            "queue": headers.get("x-original-queue"),
            "attempts": headers.get(ATTEMPTS),
            "error": headers.get("x-bakohumas-error"),
            "dead_lettered_at": headers.get("x-dead-lettered-at"),
            "event": payload.get("name") if isinstance(payload, dict) else None,
            "payload": payload,
        }

    def list(self, reveal=False):
        with Connection(self.amqp_uri) as connection:
            channel = connection.channel()
            try:
                return [self.describe(m, reveal) for m in self._drain(channel)]
            finally:
                channel.close()

    def _take(self, wanted, action):
        done = []
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as connection:
            channel = connection.channel()
            producer = connection.Producer(channel)
            try:
                for message in list(self._drain(channel)):
                    letter = self.describe(message)
                    if wanted is None or letter["id"] in wanted:
                        action(producer, message, letter)
                        message.ack()
                        done.append(letter["id"])
            finally:
                channel.close()
        return done

    def replay(self, ids=None):
        """Send dead letters back to the queue they came from, with a fresh retry budget."""
        def resend(producer, message, letter):
            headers = {k: v for k, v in (message.headers or {}).items()
                       if not k.startswith(("x-bakohumas-", "x-dead-letter", "x-original"))}
            producer.publish(message.body, exchange="", routing_key=letter["queue"], headers=headers,
                             content_type=message.content_type, content_encoding=message.content_encoding,
                             delivery_mode=2)
        return self._take(set(ids) if ids else None, resend)

    def discard(self, ids):
        return self._take(set(ids), lambda *_: None)

