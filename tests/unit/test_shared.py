"""The shared pieces, without a broker: config, contracts, the database layer, HTTP helpers.
(The store itself - outbox, leases, idempotent answers, handled events - is in
``tests/integration/test_store_contract.py``, run on every backend.)"""
import json
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from gateway.errors import response_for
from gateway.http import ROUTES, RouteSpec, json_depth, unstorable_text
from gateway.openapi import build_spec
from shared import contracts
from shared.config import database_url, load_config, substitute
from shared.db import make_engine
from shared.errors import Conflict, ValidationFailed
from tests.clock import PINNED_NOW

import gateway.service  # noqa: F401  (registers every route)


def test_config_takes_variables_from_the_environment_with_defaults():
    text = "a: ${A:1}\nb: ${B:x}\nc: ${C:}\n"
    assert substitute(text, {"A": "7"}) == "a: 7\nb: x\nc: \n"
    with pytest.raises(KeyError, match="NEEDED"):
        substitute("x: ${NEEDED}", {})


def test_the_shipped_config_loads_and_defaults_to_sqlite_per_service(tmp_path):
    config = load_config(environ={"DATA_DIR": str(tmp_path), "GATEWAY_PORT": "8123"})
    assert config["WEB_SERVER_ADDRESS"] == "127.0.0.1:8123"
    assert config["DATABASES"]["calendar"] is None
    assert database_url(config, "calendar") == f"sqlite:///{tmp_path / 'calendar.db'}"
    config = load_config(environ={"CALENDAR_DATABASE_URL": "postgresql://db/cal"})
    assert database_url(config, "calendar") == "postgresql://db/cal"


AGENCY = {"id": "a1", "name": "Polres Parepare", "short_name": "POLRES", "kind": "polri",
          "role": "member", "parent_id": None, "region_code": "73.72", "active": True}


def test_an_event_is_sealed_and_opened_against_its_contract():
    envelope = contracts.seal("agency.registered", {"agency": AGENCY})
    assert envelope["version"] == 1 and envelope["source"] == "directory"
    opened = contracts.open_envelope(json.loads(json.dumps(envelope)), "agency.registered")
    assert opened.data["agency"]["short_name"] == "POLRES"
    assert opened.id == envelope["id"]


def test_a_producer_cannot_send_an_event_that_breaks_its_contract():
    with pytest.raises(ValueError, match="breaks its contract"):
        contracts.seal("agency.registered", {"agency": {**AGENCY, "kind": "army"}})


@pytest.mark.parametrize("payload", [
    "not an object",
    {"id": "x"},
    {**contracts.seal("key.revoked", {"key_id": "k", "agency_id": "a"}), "data": {"key_id": 5}},
    {**contracts.seal("key.revoked", {"key_id": "k", "agency_id": "a"}), "version": 99},
])
def test_a_consumer_refuses_what_breaks_the_contract(payload):
    with pytest.raises(contracts.MalformedEvent):
        contracts.open_envelope(payload)


def test_every_contract_names_its_source_and_version():
    for spec in contracts.all_contracts():
        assert spec.version >= 1 and spec.source and "." in spec.name


def test_json_depth_is_measured_without_recursion():
    assert json_depth({"a": [1, {"b": 2}]}) == 3
    nested = current = []
    for _ in range(10_000):
        current.append([])
        current = current[0]
    assert json_depth(nested) > 32


def test_text_no_database_can_keep_is_found():
    assert unstorable_text({"name": "Dinas Kominfo 🇮🇩 ٱلعربية é"}) is None
    assert unstorable_text({"a": [{"b": "x\x00y"}]}) == "x\x00y"
    assert unstorable_text({"k\ud800": 1}) == "k\ud800"


def test_route_paths_become_openapi_paths():
    spec = RouteSpec("GET", "/api/v1/agencies/<agency_id>/keys/<key_id>", "member", "s", "t")
    assert spec.openapi_path == "/api/v1/agencies/{agency_id}/keys/{key_id}"
    assert spec.path_params == ["agency_id", "key_id"]


def test_openapi_lists_every_route_with_its_errors():
    spec = build_spec(ROUTES)
    for route in ROUTES:
        operation = spec["paths"][route.openapi_path][route.method.lower()]
        assert str(route.status) in operation["responses"]
        assert "503" in operation["responses"]
        if route.auth in ("member", "coordinator"):
            assert operation["security"] == [{"bearerAuth": []}]
            assert {"401", "403"} <= set(operation["responses"])


def test_errors_become_the_one_json_shape_and_hide_internals():
    response = response_for(Conflict("short name taken", {"short_name": ["taken"]}))
    assert response.status_code == 409
    assert json.loads(response.get_data()) == {
        "error": {"code": "conflict", "message": "short name taken", "fields": {"short_name": ["taken"]}}}
    response = response_for(ValidationFailed("bad", {"x": ["y"]}))
    assert response.status_code == 400
    response = response_for(ZeroDivisionError("secret detail"))
    assert response.status_code == 500
    assert b"secret detail" not in response.get_data() and b"Traceback" not in response.get_data()


def test_domain_errors_survive_the_rpc_boundary():
    from nameko.exceptions import deserialize, serialize
    error = deserialize(serialize(Conflict("clash", {"start": ["overlaps"]})))
    assert isinstance(error, Conflict)
    assert error.fields == {"start": ["overlaps"]}
    assert error.status == 409


def test_a_database_error_never_quotes_the_values_it_was_given(tmp_path):
    """Errors are logged and kept with dead letters; the values may be a complainant's phone."""
    engine = make_engine(f"sqlite:///{tmp_path / 'quoted.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE reporters (phone TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO reporters VALUES (:phone)"), {"phone": "081377001122"})
    with pytest.raises(IntegrityError) as duplicate, engine.begin() as connection:
        connection.execute(text("INSERT INTO reporters VALUES (:phone)"), {"phone": "081377001122"})
    assert "081377001122" not in str(duplicate.value)


def test_a_late_older_agency_snapshot_changes_nothing(service_db):
    from shared.agencies import keep_agency
    from services.complaints import models as complaints_models

    store = service_db("complaints")
    snapshot = {**AGENCY, "id": "polres"}
    now = PINNED_NOW
    with store.unit_of_work() as uow:
        keep_agency(uow.session, complaints_models.Agency, {**snapshot, "active": False}, now)
    with store.unit_of_work() as uow:
        agency, applied = keep_agency(uow.session, complaints_models.Agency, snapshot, now - timedelta(seconds=5))
        assert not applied and agency.active is False
    with store.unit_of_work() as uow:
        agency, applied = keep_agency(uow.session, complaints_models.Agency,
                                      {**snapshot, "region_code": "73.72.01"}, now + timedelta(seconds=5))
        assert applied and agency.active is True and agency.region_code == "73.72.01"


def test_openapi_documents_the_paging_of_the_content_list_and_the_delivery_log():
    paths = build_spec(ROUTES)["paths"]
    for path, most in (("/api/v1/content", 200), ("/api/v1/subscriptions/{subscription_id}/deliveries", 500)):
        parameters = {p["name"]: p["schema"] for p in paths[path]["get"]["parameters"] if p["in"] == "query"}
        assert parameters["limit"]["maximum"] == most and parameters["offset"]["minimum"] == 0
