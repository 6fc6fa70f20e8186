"""Each agency's Daftar Informasi Publik: what it publishes periodically (berkala), at once
(serta merta), on request (setiap saat), and what it withholds (dikecualikan), kept by its PPID."""
import uuid

from sqlalchemy import select

from services.information import schemas
from services.information.domain.agencies import active_agency, agency_names
from services.information.models import Agency, DipEntry
from shared.errors import Forbidden, NotFound
from shared.rules import is_coordinator, load

CLASS_ORDER = {klass: position for position, klass in enumerate(schemas.DIP_CLASSES)}


def dip(session, agency_id):
    """The public list of an active agency, by class then title."""
    agency = session.get(Agency, agency_id)
    if agency is None or not agency.active:
        raise NotFound("no such agency")
    entries = session.scalars(select(DipEntry).where(DipEntry.agency_id == agency_id)).all()
    entries = sorted(entries, key=lambda e: (CLASS_ORDER.get(e.klass, 99), e.title.casefold()))
    return {"agency": agency_names(session, [agency_id])[agency_id], "entries": entries}


def _keeper(actor, agency_id):
    if not is_coordinator(actor) and agency_id != actor["agency_id"]:
        raise Forbidden("an agency keeps its own list of public information")


def add_entry(uow, actor, data, now):
    values = load(schemas.DipEntryInput, data)
    agency_id = values.pop("agency_id") or actor["agency_id"]
    _keeper(actor, agency_id)
    active_agency(uow.session, agency_id, "agency_id")
    entry = DipEntry(id=str(uuid.uuid4()), agency_id=agency_id, updated_at=now, **values)
    uow.session.add(entry)
    return entry


def _entry(session, actor, entry_id):
    entry = session.get(DipEntry, entry_id)
    if entry is None:
        raise NotFound("no such entry")
    _keeper(actor, entry.agency_id)
    return entry


def change_entry(uow, actor, entry_id, data, now):
    values = load(schemas.DipEntryUpdate, data)
    entry = _entry(uow.session, actor, entry_id)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.updated_at = now
    return entry


def remove_entry(uow, actor, entry_id):
    entry = _entry(uow.session, actor, entry_id)
    uow.session.delete(entry)
    return entry
