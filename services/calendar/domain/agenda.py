"""What waits for an agency in the calendar (the console's home page), the soonest first."""
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from services.calendar.domain.access import OPEN_STATES
from services.calendar.domain.agencies import agency_names
from services.calendar.models import Item, Participant
from shared.rules import is_coordinator

AGENDA_LIMIT = 20


def _soonest(session, *conditions):
    return session.scalars(select(Item).where(*conditions).options(lazyload(Item.participants))
                           .order_by(Item.starts_at, Item.id).limit(AGENDA_LIMIT)).all()


def waiting_for(session, actor, now):
    """Items that have not ended: the agency's own proposals and their state (declined ones
    included, so that it learns of them), the items awaiting its answer to take part; for the
    coordinator also the proposals to schedule or decline and the items flagged for attention.
    ``agencies`` names every lead agency listed."""
    me = actor["agency_id"]
    not_over = Item.ends_at > now
    agenda = {
        "proposals": _soonest(session, not_over, Item.lead_agency_id == me,
                              Item.state.in_(("proposed", "scheduled", "declined"))),
        "to_answer": _soonest(session, not_over, Item.state.in_(OPEN_STATES), Item.id.in_(
            select(Participant.item_id).where(Participant.agency_id == me, Participant.role != "lead",
                                              Participant.response == "pending"))),
        "to_schedule": [],
        "attention": [],
    }
    if is_coordinator(actor):
        agenda["to_schedule"] = _soonest(session, not_over, Item.state == "proposed")
        agenda["attention"] = _soonest(session, not_over, Item.state.in_(OPEN_STATES), Item.attention.is_not(None))
    listed = {item.lead_agency_id for items in agenda.values() for item in items}
    agenda["agencies"] = agency_names(session, listed)
    return agenda
