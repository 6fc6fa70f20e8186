"""The calendar service on the real RabbitMQ: it keeps the directory's agencies from their events,
asks the directory about one it has not heard of yet, and flags items when an agency leaves."""
import json
from datetime import timedelta

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from services.calendar import models
from services.calendar.service import CalendarService
from shared import contracts
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.service import service_rpc
from tests.clock import wall_now
from tests.integration.integration_support import wait_until

COORDINATOR = {"agency_id": "koord", "role": "coordinator", "key_id": "k"}
LATE = {"id": "late", "name": "Kantor Imigrasi", "short_name": "IMIGRASI", "kind": "imigrasi",
        "role": "member", "parent_id": None, "region_code": None, "active": True,
        "created_at": "2026-01-01T00:00:00+00:00", "updated_at": "2026-01-01T00:00:00+00:00"}


class DirectoryStandIn:
    """Answers ``get_agency`` as the directory does, for an agency whose event has not arrived."""
    name = "directory"

    @service_rpc
    def get_agency(self, agency_id):
        if agency_id != LATE["id"]:
            raise NotFound(f"no agency {agency_id}", {"agency_id": ["unknown agency"]})
        return LATE


def snapshot(agency_id, active=True):
    return {"id": agency_id, "name": f"Humas {agency_id}", "short_name": agency_id.upper(), "kind": "opd",
            "role": "member", "parent_id": None, "region_code": None, "active": active}


@pytest.fixture
def calendar(container_factory, config, service_db):
    store = service_db("calendar")
    container = container_factory(CalendarService, config)
    container.start()
    directory = container_factory(DirectoryStandIn, config)
    directory.start()
    return container, store


def known(store, agency_id):
    with store.reading() as session:
        return session.get(models.Agency, agency_id)


def body(start, **fields):
    return {"kind": "forum", "title": "Forum humas", "timezone": "Asia/Makassar", "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(), **fields}


def test_agencies_from_events_then_deactivation_flags_future_items(calendar, config):
    container, store = calendar
    dispatch = event_dispatcher(config)
    for agency_id in ("dinkes", "polres"):
        dispatch("directory", "agency.registered", contracts.seal("agency.registered", {"agency": snapshot(agency_id)}))
    wait_until(lambda: known(store, "dinkes") and known(store, "polres"))

    start = wall_now() + timedelta(days=3)
    with entrypoint_hook(container, "propose_item") as propose, \
            entrypoint_hook(container, "schedule_item") as schedule:
        joint = propose({"agency_id": "dinkes", "role": "member", "key_id": "k1"},
                        body(start, supporting_agency_ids=["polres"]))
        assert schedule(COORDINATOR, joint["id"], {})["state"] == "scheduled"

    left = contracts.seal("agency.deactivated", {"agency": snapshot("polres", active=False)})
    for _ in range(2):  # a redelivery changes nothing
        dispatch("directory", "agency.deactivated", left)
    with entrypoint_hook(container, "list_items") as list_items:
        flagged = wait_until(lambda: json.loads(list_items(COORDINATOR, {"needs_attention": "true"}))["items"])
    assert [item["id"] for item in flagged] == [joint["id"]]
    assert flagged[0]["attention"] == "POLRES was deactivated in the directory"
    assert known(store, "polres").active is False
    with entrypoint_hook(container, "propose_item") as propose:
        with pytest.raises(Conflict) as refused:
            propose({"agency_id": "dinkes", "role": "member", "key_id": "k1"},
                    body(start, supporting_agency_ids=["polres"]))
        assert "supporting_agency_ids" in refused.value.fields

    def published():
        with store.reading() as session:
            return [row.name for row in session.scalars(select(models.OutboxMessage)) if row.published_at]
    assert wait_until(lambda: published() == ["calendar.item_proposed", "calendar.item_scheduled"])


def test_an_agency_not_heard_of_yet_is_asked_of_the_directory_once(calendar):
    container, store = calendar
    start = wall_now() + timedelta(days=5)
    with entrypoint_hook(container, "propose_item") as propose:
        item = propose({"agency_id": "late", "role": "member", "key_id": "k2"}, body(start))
        assert item["lead_agency_id"] == "late"
        assert known(store, "late").short_name == "IMIGRASI"
        with pytest.raises(ValidationFailed) as unknown:
            propose({"agency_id": "late", "role": "member", "key_id": "k2"},
                    body(start, supporting_agency_ids=["nobody"]))
        assert "supporting_agency_ids" in unknown.value.fields
