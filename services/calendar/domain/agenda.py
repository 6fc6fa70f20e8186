"""What waits for an agency in the calendar (the console's home page), the soonest first."""
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from services.calendar.domain.access import OPEN_STATES
from services.calendar.domain.agencies import agency_names
from services.calendar.models import Item, Participant
from shared.rules import is_coordinator

AGENDA_LIMIT = 20


def _soonest(session, *conditions, stmt=None):
    stmt = select(Item) if stmt is None else stmt
    return session.scalars(stmt.where(*conditions).options(lazyload(Item.participants))
                           .order_by(Item.starts_at, Item.id).limit(AGENDA_LIMIT)).all()


def _flagged(session, now):
    """Open items flagged for attention, read from their own index (a state's index would read
    every scheduled item), the open ones kept here."""
    flagged = session.scalars(select(Item).where(Item.attention.is_not(None), Item.ends_at > now)
                              .options(lazyload(Item.participants)).order_by(Item.starts_at, Item.id)).all()
    return [item for item in flagged if item.state in OPEN_STATES][:AGENDA_LIMIT]


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
        # From the agency's participations (few) to their items, never the other way round.
        "to_answer": _soonest(session, not_over, Item.state.in_(OPEN_STATES), Participant.agency_id == me,
                              Participant.role != "lead", Participant.response == "pending",
                              stmt=select(Item).join(Participant, Participant.item_id == Item.id)),
        "to_schedule": [],
        "attention": [],
    }
    if is_coordinator(actor):
        agenda["to_schedule"] = _soonest(session, not_over, Item.state == "proposed")
        agenda["attention"] = _flagged(session, now)
    listed = {item.lead_agency_id for items in agenda.values() for item in items}
    agenda["agencies"] = agency_names(session, listed)
    return agenda
