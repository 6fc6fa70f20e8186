"""What the gateway tells an operator: ``/metrics`` (Prometheus text format) and the figures of ``/health``.

Requests, errors and latency per operation are measured here, where each route is one
operation. What only the services know (outbox, entrypoint counts, deliveries, overdue
complaints) comes from their ``health`` answers, and what only the broker knows (dead
letters, complaint intake waiting) from a passive look at its queues. A scrape reuses those
answers while they are younger than ``METRICS_CACHE_SECONDS``, so scraping often costs no
round trip; ``/health`` always asks afresh and refreshes them.
"""
import json
import logging
import threading
import time
from datetime import datetime, timezone

from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from services import SERVICE_NAMES
from shared.contracts.complaints import INTAKE_QUEUE
from shared.messaging import DEAD_LETTER_QUEUE

log = logging.getLogger(__name__)

DEFAULT_CACHE_SECONDS = 10.0
BROKER_LOOK_SECONDS = 1.0
# An instance that stopped answering (scaled down, restarted) drops out of the entrypoint counts.
INSTANCE_FORGOTTEN_AFTER = 300.0
# Routes of the gateway itself, and Open311 (served by the complaints service), by the service they reach.
ROUTE_SERVICE = {"system": "gateway", "open311": "complaints"}

REGISTRY = CollectorRegistry()
REQUESTS = Counter("bakohumas_http_requests", "HTTP requests answered by the gateway, per operation",
                   ["service", "operation"], registry=REGISTRY)
ERRORS = Counter("bakohumas_http_errors", "HTTP requests answered with a 4xx or 5xx status, per operation",
                 ["service", "operation", "status"], registry=REGISTRY)
LATENCY = Histogram("bakohumas_http_request_duration_seconds", "Time to answer an HTTP request, per operation",
                    ["service", "operation"], registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
RPC_TIMEOUTS = Counter("bakohumas_rpc_timeouts", "RPCs from the gateway that got no answer in time "
                       "(or could not be sent): each became a 503", ["service"], registry=REGISTRY)


def record_request(tag, operation, status, seconds):
    service = ROUTE_SERVICE.get(tag, tag)
    REQUESTS.labels(service, operation).inc()
    if status >= 400:
        ERRORS.labels(service, operation, str(status)).inc()
    LATENCY.labels(service, operation).observe(seconds)


def age_seconds(iso_time, now=None):
    if not iso_time:
        return None
    now = now or datetime.now(timezone.utc)
    return max(0.0, (now - datetime.fromisoformat(iso_time)).total_seconds())


class BrokerQueues:
    """Dead letters and complaint intake waiting, read from RabbitMQ without consuming anything.

    One connection is kept open (a look is then a few round trips, not a new login each time)
    and opened again after the broker went away. Looks within ``BROKER_LOOK_SECONDS`` of the
    last one share its figures, so many health checks at once cost the broker one look.
    """

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri
        self.connection = None
        self.lock = threading.Lock()
        self.last = (float("-inf"), None)

    def look(self):
        """``{"dead_letters", "intake_waiting", "intake_oldest_seconds"}``; None for what the broker did not tell."""
        with self.lock:
            taken, figures = self.last
            if time.monotonic() - taken < BROKER_LOOK_SECONDS:
                return figures
            figures = self._read()
            self.last = (time.monotonic(), figures)
            return figures

    def _read(self):
        figures = {"dead_letters": None, "intake_waiting": None, "intake_oldest_seconds": None}
        try:
            if self.connection is None:
                self.connection = Connection(self.amqp_uri, connect_timeout=2)
                self.connection.connect()
            figures["dead_letters"] = self._depth(self.connection, DEAD_LETTER_QUEUE)
            figures["intake_waiting"] = self._depth(self.connection, INTAKE_QUEUE)
            figures["intake_oldest_seconds"] = (
                self._oldest_intake_age(self.connection) if figures["intake_waiting"] else 0.0)
        except Exception:  # the broker is away: /health says so through the services
            log.warning("could not read queue depths from the broker", exc_info=True)
            self.close()
            return dict.fromkeys(figures)
        return figures

    def close(self):
        if self.connection is not None:
            self.connection.release()
            self.connection = None

    @staticmethod
    def _depth(connection, queue):
        channel = connection.channel()
        try:
            return channel.queue_declare(queue=queue, passive=True).message_count
        except connection.channel_errors:  # not declared yet: nothing ever waited there
            return 0
        finally:
            if channel.is_open:
                channel.close()

    @staticmethod
    def _oldest_intake_age(connection):
        """Peek at the head of the intake queue: the message goes back when the channel closes.

        Only the envelope's ``occurred_at`` is read; the complaint itself is not looked at.
        """
        channel = connection.channel()
        try:
            message = channel.basic_get(queue=INTAKE_QUEUE, no_ack=False)
            if message is None:
                return 0.0
            try:
                return age_seconds(json.loads(message.body).get("occurred_at"))
            except (ValueError, TypeError, AttributeError):
                return None
        finally:
            channel.close()


class Snapshot:
    """The latest health answers of the services and the broker's figures, and when they were taken."""

    def __init__(self, cache_seconds):
        self.cache_seconds = cache_seconds
        self.taken = float("-inf")
        self.answers = {}
        self.instances = {}
        self.broker = {}

    def fresh(self):
        return time.monotonic() - self.taken < self.cache_seconds

    def update(self, answers, broker):
        now = time.monotonic()
        self.taken, self.answers, self.broker = now, answers, broker
        for name, answer in answers.items():
            if answer and answer.get("instance"):
                self.instances[(name, answer["instance"])] = (now, answer.get("entrypoints") or [])
        self.instances = {key: value for key, value in self.instances.items()
                          if now - value[0] < INSTANCE_FORGOTTEN_AFTER}

    def collect(self):
        """The snapshot as Prometheus metric families (prometheus_client's custom collector protocol)."""
        up = GaugeMetricFamily("bakohumas_service_up", "1 when the service answered its last health check",
                               labels=["service"])
        backlog = GaugeMetricFamily("bakohumas_outbox_backlog", "Events committed but not yet published",
                                    labels=["service"])
        oldest = GaugeMetricFamily("bakohumas_outbox_oldest_age_seconds",
                                   "Age of the oldest event not yet published (0 when none)", labels=["service"])
        gauges = {}
        for name, answer in sorted(self.answers.items()):
            up.add_metric([name], 1 if answer else 0)
            if not answer:
                continue
            outbox = answer.get("outbox") or {}
            backlog.add_metric([name], outbox.get("backlog") or 0)
            oldest.add_metric([name], outbox.get("oldest_seconds") or 0)
            for metric, by_label in (answer.get("gauges") or {}).items():
                for label, values in by_label.items():
                    family = gauges.setdefault(metric, GaugeMetricFamily(
                        f"bakohumas_{metric}", GAUGE_HELP.get(metric, metric), labels=[label]))
                    for value_label, value in sorted(values.items()):
                        family.add_metric([value_label], value)
        yield from (up, backlog, oldest, *gauges.values())
        yield from self._entrypoints()
        yield from self._broker()

    def _entrypoints(self):
        labels = ["service", "instance", "entrypoint"]
        calls = CounterMetricFamily("bakohumas_service_calls", "Entrypoint calls handled by a service process "
                                    "(RPC, events, timers)", labels=labels)
        errors = CounterMetricFamily("bakohumas_service_call_errors", "Entrypoint calls that failed "
                                     "(an unexpected exception)", labels=labels)
        seconds = CounterMetricFamily("bakohumas_service_call_seconds", "Time spent in entrypoint calls",
                                      labels=labels)
        for (service, instance), (_, entries) in sorted(self.instances.items()):
            for entry in entries:
                key = [service, instance, entry["entrypoint"]]
                calls.add_metric(key, entry["calls"])
                errors.add_metric(key, entry["errors"])
                seconds.add_metric(key, entry["seconds"])
        return calls, errors, seconds

    def _broker(self):
        for key, name, help_text in (
                ("dead_letters", "bakohumas_dead_letters", "Events parked in the dead-letter queue"),
                ("intake_waiting", "bakohumas_complaint_intake_waiting",
                 "Complaints queued for the complaints service, not yet taken"),
                ("intake_oldest_seconds", "bakohumas_complaint_intake_oldest_age_seconds",
                 "Age of the oldest complaint waiting in the intake queue (0 when none)")):
            if self.broker.get(key) is not None:
                family = GaugeMetricFamily(name, help_text)
                family.add_metric([], self.broker[key])
                yield family


GAUGE_HELP = {
    "webhook_deliveries": "Webhook deliveries by state",
    "complaints_overdue": "Open complaints with a stage past its deadline, per stage",
    "information_overdue": "Information requests with a stage past its legal deadline, per stage",
    "notification_messages": "Notification messages by state (failed: after the last try)",
    "notification_channel_on": "1 when a notification channel (mail, whatsapp) is configured, else 0",
}


def exposition(snapshot):
    """The text a Prometheus scrape gets: the gateway's own metrics and the snapshot's."""
    registry = CollectorRegistry()
    registry.register(snapshot)
    return generate_latest(REGISTRY) + generate_latest(registry), CONTENT_TYPE_LATEST


class Watch(DependencyProvider):
    """The gateway's snapshot of the services and the broker, shared by all its workers."""

    def setup(self):
        config = self.container.config
        self.broker = BrokerQueues(config[AMQP_URI_CONFIG_KEY])
        for service in SERVICE_NAMES:  # at 0 from the start, so that a rate over them is defined
            RPC_TIMEOUTS.labels(service)
        cache_seconds = config.get("METRICS_CACHE_SECONDS")
        self.snapshot = Snapshot(DEFAULT_CACHE_SECONDS if cache_seconds in (None, "") else float(cache_seconds))

    def get_dependency(self, worker_ctx):
        return self

    def stop(self):
        self.broker.close()

    kill = stop
