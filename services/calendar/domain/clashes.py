"""Resources and clashes: a scheduled item holds bookings on its agencies, officials and venue;
clashes are indexed range queries on them."""
import json

from sqlalchemy import delete, select, update

from services.calendar.domain.times import MAX_DURATION
from services.calendar.models import Booking, BookingLock, Item
from shared.errors import Conflict, Forbidden
from shared.rules import is_coordinator


def normalise(name):
    return " ".join(name.split()).casefold()


def resources(agency_ids=(), officials=(), venue=""):
    """The resource keys bookings are made on: the same official or venue however it is spelt."""
    keys = {f"agency:{agency_id}" for agency_id in agency_ids if agency_id}
    keys |= {f"official:{normalise(name)}" for name in officials if name.strip()}
    if venue and venue.strip():
        keys.add(f"venue:{normalise(venue)}")
    return keys


def split_list(text):
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def resources_of(item):
    """What a scheduled item occupies: its lead, the supporting agencies that did not decline,
    its officials and its venue."""
    agencies = [p.agency_id for p in item.participants if p.response != "declined"]
    return resources(agencies, [o["name"] for o in json.loads(item.officials)], item.venue)


def overlapping_bookings(session, keys, start, end, exclude_item_id=None):
    """Bookings of ``keys`` overlapping [start, end): ``starts_at < end AND ends_at > start``,
    as (item_id, resource, starts_at, ends_at) rows by start.

    No booking lasts over MAX_DURATION, so ``starts_at >= start - MAX_DURATION`` bounds the
    scan of the ``(resource, starts_at)`` index to a narrow range.
    """
    if not keys:
        return []
    query = (select(Booking.item_id, Booking.resource, Booking.starts_at, Booking.ends_at)
             .where(Booking.resource.in_(sorted(keys)), Booking.starts_at < end,
                    Booking.starts_at >= start - MAX_DURATION, Booking.ends_at > start)
             .order_by(Booking.starts_at))
    if exclude_item_id:
        query = query.where(Booking.item_id != exclude_item_id)
    return session.execute(query).all()


def find_clashes(session, keys, start, end, exclude_item_id=None):
    """The scheduled items that double-book any of ``keys`` in [start, end), with what they share."""
    shared = {}
    for booking in overlapping_bookings(session, keys, start, end, exclude_item_id):
        shared.setdefault(booking.item_id, []).append(booking.resource)
    if not shared:
        return []
    rows = session.execute(
        select(Item.id, Item.title, Item.starts_at, Item.ends_at, Item.timezone, Item.lead_agency_id)
        .where(Item.id.in_(list(shared))).order_by(Item.starts_at, Item.id)).all()
    return [{"id": row.id, "title": row.title, "start": row.starts_at.isoformat(), "end": row.ends_at.isoformat(),
             "timezone": row.timezone, "lead_agency_id": row.lead_agency_id, "on": sorted(shared[row.id])}
            for row in rows]


def lock_bookings(session, now):
    """Take the booking lock: until this transaction ends no other one checks or books, so two
    overlapping items scheduled at the same moment cannot both pass the clash check."""
    if session.execute(update(BookingLock).where(BookingLock.id == 1).values(taken_at=now)).rowcount == 0:
        session.add(BookingLock(id=1, taken_at=now))
        session.flush()


def refuse_clashes(actor, clashes, override_reason):
    """A clash is refused (409 listing the items) unless the coordinator overrides it with a reason."""
    if override_reason and not is_coordinator(actor):
        raise Forbidden("only the coordinator may override a clash", {"override_reason": ["coordinator only"]})
    if clashes and not override_reason:
        raise Conflict(f"the item clashes with {len(clashes)} scheduled item(s)", {"clashes": clashes})


def book(session, item):
    """Make the item's bookings match its time and resources."""
    session.execute(delete(Booking).where(Booking.item_id == item.id))
    session.add_all(Booking(item_id=item.id, resource=key, starts_at=item.starts_at, ends_at=item.ends_at)
                    for key in resources_of(item))


def release(session, item):
    session.execute(delete(Booking).where(Booking.item_id == item.id))
