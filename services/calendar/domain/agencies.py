"""The calendar's copy of the directory's agencies: kept from the directory's events (and, for an
agency named before its event arrived, from asking the directory), checked when items name them."""
from sqlalchemy import select

from services.calendar.domain.access import OPEN_STATES
from services.calendar.domain.history import record
from services.calendar.domain.stored import render
from services.calendar.models import Agency, Item, Participant
from shared import agencies as agency_copies
from shared.errors import Conflict, ValidationFailed


def keep_agency(uow, snapshot, as_of):
    """Keep the directory's view of an agency; a snapshot older than the one kept is ignored."""
    session = uow.session
    known = session.get(Agency, snapshot["id"])
    previous = (known.name, known.short_name) if known is not None else (snapshot["name"], snapshot["short_name"])
    agency, applied = agency_copies.keep_agency(session, Agency, snapshot, as_of)
    if applied and (agency.name, agency.short_name) != previous:  # feeds and summaries name the lead agency
        session.flush()
        for item in session.scalars(select(Item).where(Item.lead_agency_id == agency.id)):
            render(session, item)
    return agency


def agency_departed(uow, snapshot, as_of, now):
    """An agency was deactivated: flag its open items that have not ended yet for the coordinator."""
    agency = keep_agency(uow, snapshot, as_of)
    note = f"{agency.short_name} was deactivated in the directory"
    items = uow.session.scalars(
        select(Item).join(Participant, Participant.item_id == Item.id)
        .where(Participant.agency_id == agency.id, Item.state.in_(OPEN_STATES), Item.ends_at > now)).all()
    for item in items:
        if item.attention and note in item.attention:
            continue
        item.attention = f"{item.attention}; {note}" if item.attention else note
        render(uow.session, item)
        record(uow.session, item, None, "flagged", {}, note, now)
    return items


def _well_formed(agency_ids):
    return [agency_id for agency_id in agency_ids if isinstance(agency_id, str) and agency_id]


def _supporting(data):
    supporting = data.get("supporting_agency_ids") if isinstance(data, dict) else None
    return supporting if isinstance(supporting, list) else []


def agencies_proposed(actor, data):
    """The agencies a raw proposal names: its lead (the caller's agency unless it names another)
    and its supporting agencies. The service asks the directory about those it does not know yet
    before the proposal is loaded, so this reads the body as sent and keeps only well-formed ids."""
    lead = (data.get("lead_agency_id") if isinstance(data, dict) else None) or (actor or {}).get("agency_id")
    return _well_formed([lead, *_supporting(data)])


def agencies_added(data):
    """The supporting agencies a raw change names (a change cannot name another lead)."""
    return _well_formed(_supporting(data))


def unknown_agencies(session, agency_ids):
    known = set(session.scalars(select(Agency.id).where(Agency.id.in_(list(agency_ids)))))
    return [agency_id for agency_id in agency_ids if agency_id not in known]


def check_agencies(session, lead_id, supporting_ids):
    """Unknown agencies are bad input (400), inactive ones conflict with the directory (409)."""
    unknown, inactive = {}, {}
    for field, ids in (("lead_agency_id", [lead_id]), ("supporting_agency_ids", supporting_ids)):
        for agency_id in ids:
            agency = session.get(Agency, agency_id)
            if agency is None:
                unknown.setdefault(field, []).append(f"unknown agency {agency_id}")
            elif not agency.active:
                inactive.setdefault(field, []).append(f"agency {agency.short_name} is inactive")
    if unknown:
        raise ValidationFailed("unknown agency", unknown)
    if inactive:
        raise Conflict("inactive agency", inactive)


def agency_names(session, agency_ids):
    """``{id: {"id", "name", "short_name"}}`` from the calendar's copy of the agencies."""
    return agency_copies.names_of(session, Agency, agency_ids)
