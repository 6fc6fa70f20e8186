"""What every change of an item renders once, so that reads only join stored text: the VEVENT the
feeds join and the summary the lists answer (the calendar's read models, kept in columns).

A month of the whole forum is then one indexed query of stored summaries, not a hundred items
built into objects and dumped field by field on every request.
"""
import json

from services.calendar import schemas
from services.calendar.domain.feeds import cancellation_reason, vevent
from services.calendar.models import Agency
from shared import agencies as agency_copies

SUMMARY = schemas.ItemSummary()  # one instance: building a marshmallow schema costs more than dumping with it


def summary(item, lead):
    """The item as lists answer it; ``lead`` is its lead agency named (``{"id", "name", "short_name"}``)."""
    return {**SUMMARY.dump(item), "lead_agency": lead}


def lead_of(session, item):
    return agency_copies.names_of(session, Agency, [item.lead_agency_id])[item.lead_agency_id]


def render(session, item):
    """Render the item's stored VEVENT and summary again, from the item as it is now."""
    lead = lead_of(session, item)
    # The public agenda names the lead agency as people read it (its name, not its short name).
    item.vevent = vevent(item, lead["name"] or item.lead_agency_id, cancellation_reason(session, item))
    item.summary_json = json.dumps(summary(item, lead))


def touch(session, item, now):
    """Every change of an item ends here: its DTSTAMP moves and what it shows is rendered again.

    Rendering once per change (not once per request) is what keeps a feed of hundreds of items
    and a month of the whole forum fast: they only join stored text.
    """
    item.updated_at = now
    render(session, item)
