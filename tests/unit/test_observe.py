"""The correlation id, the JSON log format, and the Grafana dashboard against what /metrics exposes."""
import json
import logging
import logging.config
import re
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from gateway import observe
from services.complaints import models as complaints_models
from services.complaints.service import ComplaintsService
from services.distribution import models as distribution_models
from services.distribution.service import DistributionService
from services.information import models as information_models
from services.information.service import InformationService
from shared import contracts
from shared.config import load_config
from shared.db import make_engine
from shared.observe import CorrelationFilter, _current, request_correlation_id
from tests.clock import PINNED_NOW

ROOT = Path(__file__).resolve().parents[2]
AGENCY = {"agency": {"id": "7f1c0d6e-1111-4222-8333-944455556666", "name": "Dinas Uji", "short_name": "UJI",
                     "kind": "opd", "parent_id": None, "region_code": "73.72", "role": "member", "active": True,
                     "officers": [], "channels": {}, "contributors": []}}


@pytest.fixture
def correlation():
    _current.correlation_id = "req-4711"
    yield "req-4711"
    _current.correlation_id = None


@pytest.mark.parametrize("sent", ["3f2a9c1e-7b4d-4e7a-9f0a-1c2d3e4f5a6b", "trace.abc:1_2-3"])
def test_a_usable_request_id_is_kept(sent):
    assert request_correlation_id(sent) == sent


@pytest.mark.parametrize("sent", [None, "", "with space", "x" * 129, "new\nline", "quote\"", "ümlaut"])
def test_an_unusable_request_id_is_replaced(sent):
    assert re.fullmatch(r"[0-9a-f]{32}", request_correlation_id(sent))


def test_an_event_sealed_in_a_request_carries_its_correlation_id(correlation):
    envelope = contracts.seal("agency.registered", AGENCY)
    assert envelope["correlation_id"] == correlation
    assert contracts.open_envelope(envelope).correlation_id == correlation


def test_an_event_without_a_correlation_id_still_validates():
    envelope = contracts.seal("agency.registered", AGENCY)
    assert "correlation_id" not in envelope
    assert contracts.open_envelope(envelope).correlation_id is None


def json_formatter(environ):
    logging_config = load_config(environ=environ)["LOGGING"]
    chosen = logging_config["handlers"]["console"]["formatter"]
    spec = dict(logging_config["formatters"][chosen])
    configurator = logging.config.BaseConfigurator({})
    if "()" not in spec:
        return chosen, logging.Formatter(spec["format"])
    return chosen, configurator.resolve(spec.pop("()"))(**spec)


def test_log_format_selects_plain_by_default_and_json_on_request():
    assert json_formatter({})[0] == "plain"
    assert json_formatter({"LOG_FORMAT": "json"})[0] == "json"


def test_a_json_log_record_is_one_line_with_the_correlation_id(correlation):
    _, formatter = json_formatter({"LOG_FORMAT": "json"})
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("services.complaints", logging.ERROR, __file__, 1, "complaint %s failed",
                                   ("c-1",), sys.exc_info())
    assert CorrelationFilter().filter(record)
    line = formatter.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "complaint c-1 failed"
    assert parsed["level"] == "ERROR" and parsed["logger"] == "services.complaints"
    assert parsed["correlation_id"] == correlation
    assert "ValueError: boom" in parsed["exc_info"]


def exposed_metric_names():
    """Every sample name /metrics gives, from the gateway's own metrics and a snapshot whose service
    gauges come from the services' own ``gauges`` over their (empty) databases."""
    observe.record_request("directory", "list_agencies", 500, 0.01)
    observe.RPC_TIMEOUTS.labels("calendar")
    now = PINNED_NOW
    answers = {}
    for name, service, models in (("complaints", ComplaintsService, complaints_models),
                                  ("distribution", DistributionService, distribution_models),
                                  ("information", InformationService, information_models)):
        engine = make_engine("sqlite://")
        models.Base.metadata.create_all(engine)
        with Session(engine) as session:
            answers[name] = {"service": name, "status": "ok", "instance": f"test:{name}",
                             "outbox": {"backlog": 0, "oldest_seconds": 0.0},
                             "gauges": service.gauges(None, session, now),
                             "entrypoints": [{"entrypoint": "health", "calls": 1, "errors": 0, "seconds": 0.1}]}
    snapshot = observe.Snapshot(cache_seconds=10)
    snapshot.update(answers, {"dead_letters": 0, "intake_waiting": 0, "intake_oldest_seconds": 0.0})
    text, _ = observe.exposition(snapshot)
    return {sample.name for family in text_string_to_metric_families(text.decode()) for sample in family.samples}


def test_every_dashboard_query_names_a_metric_the_gateway_exposes():
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "bakohumas.json").read_text())
    exposed = exposed_metric_names()
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            named = set(re.findall(r"\bbakohumas_[a-z_]+", target["expr"]))
            assert named and named <= exposed, (panel["title"], named - exposed)
