"""Calendar rules: who may do what to an item, its life cycle, clashes, free slots, the feeds.

Life cycle of an item::

    proposed --schedule (coordinator)--> scheduled --mark held (after its end)--> held
    proposed --decline (coordinator)---> declined
    proposed --withdraw (lead)---------> withdrawn
    scheduled --cancel (lead/coordinator, with a reason)--> cancelled

``revision`` counts changes of time, ``sequence`` (the feeds' SEQUENCE) counts changes of
time or state. A scheduled item holds *bookings* on its agencies, officials and venue;
clashes and free slots are indexed range queries on them.

One module per topic; the operations the service, the tests and the bench call are named here.
"""
from services.calendar.domain.agenda import waiting_for
from services.calendar.domain.agencies import (
    agencies_added, agencies_proposed, agency_departed, agency_names, keep_agency, unknown_agencies)
from services.calendar.domain.changing import cancel, change, decline, mark_held, propose, respond, schedule, withdraw
from services.calendar.domain.clashes import find_clashes, resources_of
from services.calendar.domain.feeds import agency_feed, public_feed, rotate_feed_link
from services.calendar.domain.free_slots import free_gaps, free_slots, working_windows
from services.calendar.domain.reading import clash_check, get_item, history, list_days, list_items, named_history
from services.calendar.domain.stored import touch

__all__ = [
    "waiting_for",
    "agencies_added", "agencies_proposed", "agency_departed", "agency_names", "keep_agency", "unknown_agencies",
    "cancel", "change", "decline", "mark_held", "propose", "respond", "schedule", "withdraw",
    "find_clashes", "resources_of",
    "agency_feed", "public_feed", "rotate_feed_link", "touch",
    "free_gaps", "free_slots", "working_windows",
    "clash_check", "get_item", "history", "list_days", "list_items", "named_history",
]
