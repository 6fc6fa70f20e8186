"""What an operator watches: JSON logs a request can be followed through, /metrics, /health.

One stack logging JSON at DEBUG: an agency registration and a complaint, each sent with its own
X-Request-Id, are followed by that id through the log of every process they reach; then
/metrics is scraped and parsed with prometheus_client's parser, and /health read.
"""
import json
import os
import re
import signal
import uuid
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from tests.e2e.complaints_e2e_support import complaint, eventually, file, tracked
from tests.e2e.observe_support import json_log_records

from bakohumas.harness import Api, LocalStack
from services import SERVICE_NAMES

pytestmark = pytest.mark.e2e

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "bakohumas.json"


@pytest.fixture(scope="module")
def stack():
    # A long metrics cache: two scrapes in a row must not ask the services again.
    running = LocalStack(extra_env={"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG",
                                    "METRICS_CACHE_SECONDS": "300"}).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def coordinator(stack):
    return Api(stack.url, stack.bootstrap()["api_key"])


def processes_that_logged(stack, correlation_id):
    """The labels of the stack's processes with a log record carrying ``correlation_id``."""
    labels = {stack.pid(name): name for name in ("gateway", *SERVICE_NAMES)}
    return {labels.get(record["process"], record["process"]) for record in json_log_records(stack.log())
            if record.get("correlation_id") == correlation_id}


def metrics(stack):
    answer = requests.get(stack.url + "/metrics", timeout=15)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(answer.text)}


def value(families, name, suffix="", **labels):
    """The sample of metric ``name`` (``suffix`` e.g. ``_total``) whose labels include ``labels``; 0 if none."""
    family = families.get(name)
    if family is None:
        return 0
    return sum(sample.value for sample in family.samples
               if sample.name == name + suffix and labels.items() <= sample.labels.items())


def test_a_request_id_follows_an_agency_registration_through_every_process(stack, coordinator):
    request_id = f"e2e-agency-{uuid.uuid4().hex[:12]}"
    made = coordinator.post("/api/v1/agencies", headers={"X-Request-Id": request_id}, json={
        "name": "Dinas Observasi", "short_name": f"OBS-{uuid.uuid4().hex[:6]}", "kind": "opd", "role": "member"})
    assert made.status_code == 201, made.text
    assert made.headers["X-Request-Id"] == request_id
    # The gateway and the directory handle the request; every other service handles agency.registered,
    # which the directory's outbox relay published after the request had long been answered.
    everyone = {"gateway", *SERVICE_NAMES}
    eventually(lambda: processes_that_logged(stack, request_id) >= everyone, timeout=60)


def test_a_request_id_follows_a_complaint_from_intake_to_routing(stack):
    request_id = f"e2e-complaint-{uuid.uuid4().hex[:12]}"
    answer = requests.post(stack.url + "/api/v1/complaints", json=complaint(), timeout=15,
                           headers={"X-Request-Id": request_id})
    assert answer.status_code == 202, answer.text
    assert answer.headers["X-Request-Id"] == request_id
    tracked(stack.url, answer.json()["tracking_number"])
    eventually(lambda: {"gateway", "complaints"} <= processes_that_logged(stack, request_id))
    routed = [record["message"] for record in json_log_records(stack.log())
              if record.get("correlation_id") == request_id and record["message"].startswith("complaint ")]
    assert routed and "received, routed by" in routed[0]


def test_every_request_gets_an_id_and_a_bad_one_is_replaced(stack):
    made_up = requests.get(stack.url + "/api/v1/complaints/categories", timeout=15)
    assert re.fullmatch(r"[0-9a-f]{32}", made_up.headers["X-Request-Id"])
    for unusable in ("has spaces in it", "x" * 129, "quote\"d"):
        answer = requests.get(stack.url + "/api/v1/complaints/categories", timeout=15,
                              headers={"X-Request-Id": unusable})
        assert answer.status_code == 200
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-Id"])


def test_every_log_line_is_one_json_object(stack, coordinator):
    records = json_log_records(stack.log())
    assert {"time", "level", "logger", "message", "process"} <= set(records[-1])
    pids = {stack.pid(name) for name in ("gateway", *SERVICE_NAMES)}
    assert pids <= {record["process"] for record in records}


def test_metrics_after_traffic(stack, coordinator):
    before = metrics(stack)
    file(stack.url, complaint())
    assert coordinator.post("/api/v1/agencies", json={"name": "x"}).status_code == 400
    assert coordinator.get("/api/v1/agencies").status_code == 200
    requests.get(stack.url + "/health", timeout=15)  # refreshes what the services reported
    after = metrics(stack)

    operation = {"service": "complaints", "operation": "submit_complaint"}
    assert value(after, "bakohumas_http_requests", "_total", **operation) == \
        value(before, "bakohumas_http_requests", "_total", **operation) + 1
    assert value(after, "bakohumas_http_request_duration_seconds", "_count", **operation) >= 1
    assert value(after, "bakohumas_http_errors", "_total", service="directory", operation="register_agency",
                 status="400") >= 1
    assert value(after, "bakohumas_http_requests", "_total", service="directory", operation="list_agencies") >= 1
    assert value(after, "bakohumas_service_calls", "_total", service="complaints",
                 entrypoint="receive_complaint") >= 1
    assert value(after, "bakohumas_service_calls", "_total", service="directory", entrypoint="list_agencies") > \
        value(before, "bakohumas_service_calls", "_total", service="directory", entrypoint="list_agencies")

    for name in ("bakohumas_outbox_backlog", "bakohumas_outbox_oldest_age_seconds", "bakohumas_service_up"):
        assert {sample.labels["service"] for sample in after[name].samples} == set(SERVICE_NAMES)
    assert value(after, "bakohumas_service_up") == len(SERVICE_NAMES)
    assert {s.labels["state"] for s in after["bakohumas_webhook_deliveries"].samples} == \
        {"pending", "retrying", "delivered", "failed"}
    assert {s.labels["stage"] for s in after["bakohumas_complaints_overdue"].samples} == \
        {"verify", "follow_up", "settle"}
    for name in ("bakohumas_dead_letters", "bakohumas_complaint_intake_waiting",
                 "bakohumas_complaint_intake_oldest_age_seconds"):
        assert after[name].type == "gauge" and len(after[name].samples) == 1

    # Within METRICS_CACHE_SECONDS a scrape reuses the services' answers: no health RPC per scrape.
    health_calls = value(after, "bakohumas_service_calls", "_total", service="directory", entrypoint="health")
    metrics(stack)
    assert value(metrics(stack), "bakohumas_service_calls", "_total", service="directory",
                 entrypoint="health") == health_calls


def test_the_dashboard_shows_only_metrics_the_gateway_exposes(stack):
    # A family is exposed once declared (# TYPE), even while it has no labelled sample yet.
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    exposed = {family.name + suffix for family in metrics(stack).values() for suffix in suffixes[family.type]}
    exprs = [target["expr"] for panel in json.loads(DASHBOARD.read_text())["panels"]
             for target in panel.get("targets", [])]
    named = {name for expr in exprs for name in re.findall(r"\bbakohumas_[a-z_]+", expr)}
    assert named and named <= exposed


def test_health_tells_backlogs_and_an_rpc_timeout_is_counted(stack, coordinator):
    health = requests.get(stack.url + "/health", timeout=15)
    assert health.status_code == 200
    body = health.json()
    assert body["dead_letters"] == 0
    assert body["intake"] == {"waiting": 0, "oldest_seconds": 0.0}
    for name in SERVICE_NAMES:
        assert body["services"][name]["outbox_backlog"] >= 0
        assert body["services"][name]["outbox_oldest_seconds"] >= 0

    timeouts = value(metrics(stack), "bakohumas_rpc_timeouts", "_total", service="calendar")
    os.kill(stack.pid("calendar"), signal.SIGSTOP)
    try:
        assert coordinator.get("/api/v1/calendar/items").status_code == 503
    finally:
        os.kill(stack.pid("calendar"), signal.SIGCONT)
    assert value(metrics(stack), "bakohumas_rpc_timeouts", "_total", service="calendar") == timeouts + 1
