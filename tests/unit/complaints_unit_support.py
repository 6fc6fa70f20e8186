"""Helpers to fill a complaints database (the ``service_db("complaints")`` fixture) for unit tests."""
from datetime import datetime, timezone

from services.complaints import domain
from shared import intake
from tests.clock import PINNED_NOW

COORDINATOR = {"agency_id": "coord", "role": "coordinator", "key_id": "k0"}


def actor(agency_id):
    return {"agency_id": agency_id, "role": "member", "key_id": f"key-{agency_id}"}


def with_city(store):
    """``store`` knowing a city government, its public works office, the city police and a closed office."""
    add_agency(store, "pemkot", region_code="73.72")
    add_agency(store, "dinas", parent_id="pemkot", region_code="73.72")
    add_agency(store, "polres", kind="polri", region_code="73.72")
    add_agency(store, "gone", active=False)
    return store


def add_agency(store, agency_id, kind="opd", parent_id=None, region_code=None, active=True, role="member"):
    with store.unit_of_work() as uow:
        domain.keep_agency(uow, {
            "id": agency_id, "name": f"Agency {agency_id}", "short_name": agency_id.upper(), "kind": kind,
            "role": role, "parent_id": parent_id, "region_code": region_code, "active": active}, PINNED_NOW)


def submit(store, now, reporter=None, secret="s3cret", **complaint):
    body = {"channel": "web", "text": "Jalan berlubang di depan pasar", "category": "infrastruktur",
            **complaint}
    message = {"tracking_number": intake.new_tracking_number(), "reporter_secret_hash": intake.secret_hash(secret),
               "submitted_at": now, "filed_by_agency_id": None, "complaint": body, "reporter": reporter}
    with store.unit_of_work() as uow:
        complaint = domain.receive(uow, message, now)
    return complaint


def move(store, who, complaint, status, when, **extra):
    """``who`` moves ``complaint`` to ``status`` at ``when``."""
    with store.unit_of_work() as uow:
        return domain.change_status(uow, who, complaint.id, {"status": status, **extra}, when)


def at(year, month, day, hour=10):
    """A moment in the forum's zone (WITA, UTC+8, unless a test sets another), as UTC."""
    return datetime(year, month, day, hour, tzinfo=domain.forum_zone()).astimezone(timezone.utc)
