"""Helpers to fill an information database (the ``service_db("information")`` fixture) for unit tests."""
import json
from datetime import datetime, timezone

from sqlalchemy import select

from services.information import domain, models
from tests.clock import PINNED_NOW

COORDINATOR = {"agency_id": "koord", "role": "coordinator", "key_id": "k0"}
IDENTITY = "7372 0101 9001 0001"
REQUESTER = {"name": "Andi Pemohon Rahasia", "address": "Jl. Bau Massepe 12, Parepare",
             "email": "andi.pemohon@example.org", "phone": "0812-3456-7890"}


def actor(agency_id, **person):
    """An agency's key, or (with ``account_name`` etc.) a person of that agency."""
    return {"agency_id": agency_id, "role": "member", "key_id": None if person else f"key-{agency_id}",
            "account_id": None, "account_name": None, "account_role": None, **person}


def add_agency(store, agency_id, parent_id=None, role="member"):
    with store.unit_of_work() as uow:
        domain.keep_agency(uow, {"id": agency_id, "name": f"Dinas {agency_id.title()}",
                                 "short_name": agency_id.upper(), "kind": "opd", "role": role,
                                 "parent_id": parent_id, "region_code": "73.72", "active": True}, PINNED_NOW)


def with_forum(store):
    add_agency(store, "koord", role="coordinator")
    add_agency(store, "pemkot")
    add_agency(store, "kominfo", parent_id="pemkot")
    add_agency(store, "dinkes", parent_id="pemkot")
    return store


def at(year, month, day, hour=10):
    """A moment in the forum's zone (WITA, UTC+8, unless a test sets another), as UTC."""
    return datetime(year, month, day, hour, tzinfo=domain.forum_zone()).astimezone(timezone.utc)


def local_day(moment):
    return moment.astimezone(domain.forum_zone()).date()


def register(store, now, agency_id="kominfo", **changes):
    body = {"agency_id": agency_id, "requester": REQUESTER, "identity_number": IDENTITY,
            "information": "Daftar anggaran kegiatan kehumasan 2026", "purpose": "Penelitian skripsi",
            "obtain": "soft_copy", "delivery": "email", **changes}
    with store.unit_of_work() as uow:
        return domain.register(uow, None, body, now).id


def act(store, operation, *args):
    """``domain.<operation>(uow, *args)`` in its own unit of work; the request's id back."""
    with store.unit_of_work() as uow:
        return getattr(domain, operation)(uow, *args).id


def view(store, request_id, now):
    with store.reading() as session:
        return domain.request_view(session, session.get(models.InformationRequest, request_id), now)


def events(store, name=None):
    with store.reading() as session:
        found = [json.loads(row.envelope) for row in session.scalars(
            select(models.OutboxMessage).order_by(models.OutboxMessage.id))]
    return [e for e in found if name is None or e["name"] == name]


REFUSAL = {"decision": "refused", "note": "Informasi dikecualikan.",
           "exemption": {"article": "h", "consequence_test": "Membuka data pribadi pegawai."}}
