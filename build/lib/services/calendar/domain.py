"""Calendar rules: who may do what to an item, its life cycle, clashes, free slots, the feeds.

Life cycle of an item::

    proposed --schedule (coordinator)--> scheduled --mark held (after its end)--> held
    proposed --decline (coordinator)---> declined
    proposed --withdraw (lead)---------> withdrawn
    scheduled --cancel (lead/coordinator, with a reason)--> cancelled

``revision`` counts changes of time, ``sequence`` (the feeds' SEQUENCE) counts changes of
time or state. A scheduled item holds *bookings* on its agencies, officials and venue;
clashes and free slots are indexed range queries on them.
"""
import functools
import hashlib
import json
import secrets
import uuid
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from marshmallow import EXCLUDE
from sqlalchemy import delete, select, update
from sqlalchemy.orm import lazyload

from services.calendar import schemas
from services.calendar.models import Agency, Booking, BookingLock, FeedLink, HistoryEntry, Item, Participant
from shared.agencies import keep_agency
from shared.rules import is_coordinator, require_coordinator
from shared.rules import load as load_strict
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

MAX_DURATION = timedelta(days=7)
MAX_SLOT_WINDOW = timedelta(days=92)
OPEN_STATES = ("proposed", "scheduled")
BOOKING_STATES = ("scheduled", "held")
# States every member sees (and the feeds show); a proposal is seen by its agencies and the coordinator.
FORUM_STATES = ("scheduled", "held", "cancelled")


def load(schema_cls, data, **kwargs):
    return load_strict(schema_cls, data, unknown=EXCLUDE, **kwargs)


# --- who may act ---------------------------------------------------------------------------

def require_acting_for(actor, agency_id, field="lead_agency_id"):
    """An agency acts only for itself; the coordinator may act for any agency."""
    if not actor or (not is_coordinator(actor) and actor.get("agency_id") != agency_id):
        raise Forbidden("an agency may act only for itself", {field: ["not the calling agency"]})


def require_lead_or_coordinator(actor, item):
    require_acting_for(actor, item.lead_agency_id)


# --- the local copy of the directory's agencies -------------------------------------------

def remember_agency(session, snapshot, as_of):
    """Keep the directory's view of an agency; a snapshot older than the one kept is ignored."""
    known = session.get(Agency, snapshot["id"])
    previous_name = known.short_name if known is not None else snapshot["short_name"]
    agency, applied = keep_agency(session, Agency, snapshot, as_of)
    if applied and agency.short_name != previous_name:  # the feeds name the lead agency
        for item in session.scalars(select(Item).where(Item.lead_agency_id == agency.id)):
            item.vevent = vevent(item, agency.short_name)
    return agency


def agency_left(session, snapshot, as_of, now):
    """An agency was deactivated: flag its open items that have not ended yet for the coordinator."""
    agency = remember_agency(session, snapshot, as_of)
    note = f"{agency.short_name} was deactivated in the directory"
    items = session.scalars(
        select(Item).join(Participant, Participant.item_id == Item.id)
        .where(Participant.agency_id == agency.id, Item.state.in_(OPEN_STATES), Item.ends_at > now)).all()
    for item in items:
        if item.attention and note in item.attention:
            continue
        item.attention = f"{item.attention}; {note}" if item.attention else note
        record(session, item, None, "flagged", {}, note, now)
    return items


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


# --- time ---------------------------------------------------------------------------------

def check_times(start, end):
    if end < start:
        raise ValidationFailed("the item ends before it starts", {"end": ["must be after the start"]})
    if end == start:
        raise ValidationFailed("the item has no duration", {"end": ["must be after the start (zero duration)"]})
    if end - start > MAX_DURATION:
        raise ValidationFailed("the item is too long", {"end": ["an item lasts at most 7 days"]})


def check_embargo(kind, embargo_at):
    if embargo_at is not None and kind != "press_release":
        raise ValidationFailed("only a press release has an embargo", {"embargo_at": ["press releases only"]})


def in_utc(values):
    """Times are kept (and answered) in UTC; the item's zone says how to show them."""
    for field in ("start", "end", "embargo_at"):
        if values.get(field) is not None:
            values[field] = values[field].astimezone(timezone.utc)
    return values


def local(moment, zone):
    return moment.astimezone(ZoneInfo(zone))


# --- resources and clashes ----------------------------------------------------------------

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


# --- history and events -------------------------------------------------------------------

def record(session, item, actor, action, changes, reason, now):
    session.add(HistoryEntry(item_id=item.id, at=now, actor_agency_id=actor and actor.get("agency_id"),
                             action=action, changes=json.dumps(changes, default=str), reason=reason or "",
                             revision=item.revision))


def snapshot(item):
    """The item as the calendar contracts carry it."""
    return {
        "id": item.id, "kind": item.kind, "title": item.title, "state": item.state,
        "revision": item.revision, "sequence": item.sequence, "lead_agency_id": item.lead_agency_id,
        "supporting_agency_ids": [p.agency_id for p in item.participants if p.role == "supporting"],
        "start": item.starts_at.isoformat(), "end": item.ends_at.isoformat(), "timezone": item.timezone,
        "venue": item.venue, "visibility": item.visibility,
        "embargo_at": item.embargo_at.isoformat() if item.embargo_at else None,
    }


# --- reading ------------------------------------------------------------------------------

def involved(actor, item):
    return any(p.agency_id == actor.get("agency_id") for p in item.participants)


def may_see(actor, item):
    return is_coordinator(actor) or item.state in FORUM_STATES or involved(actor, item)


def get_item(session, actor, item_id):
    item = session.get(Item, item_id)
    if item is None or not may_see(actor, item):
        raise NotFound(f"no item {item_id}", {"item_id": ["unknown item"]})
    return item


def history(session, actor, item_id):
    get_item(session, actor, item_id)
    return session.scalars(select(HistoryEntry).where(HistoryEntry.item_id == item_id)
                           .order_by(HistoryEntry.id)).all()


def taking_part(agency_id):
    return select(Participant.item_id).where(Participant.agency_id == agency_id)


def list_items(session, actor, query):
    """Items by date range (overlapping it), agency, kind, state and attention flag, by start time."""
    stmt = select(Item)
    if query["start"] is not None:
        stmt = stmt.where(Item.ends_at > query["start"], Item.starts_at >= query["start"] - MAX_DURATION)
    if query["end"] is not None:
        stmt = stmt.where(Item.starts_at < query["end"])
    if query["agency_id"]:
        stmt = stmt.join(Participant, Participant.item_id == Item.id).where(Participant.agency_id == query["agency_id"])
    if query["kind"]:
        stmt = stmt.where(Item.kind == query["kind"])
    if query["state"]:
        stmt = stmt.where(Item.state == query["state"])
    if query["needs_attention"] is not None:
        stmt = stmt.where(Item.attention.is_not(None) if query["needs_attention"] else Item.attention.is_(None))
    if not is_coordinator(actor):
        stmt = stmt.where(Item.state.in_(FORUM_STATES) | Item.id.in_(taking_part(actor["agency_id"])))
    # A list shows summaries: the participants are not loaded for it.
    stmt = stmt.options(lazyload(Item.participants)).order_by(Item.starts_at, Item.id)
    stmt = stmt.limit(query["limit"]).offset(query["offset"])
    return session.scalars(stmt).all()


def clash_check(session, query):
    """The clashes a proposed time would have, before anyone asks to schedule it."""
    check_times(query["start"], query["end"])
    keys = resources(split_list(query["agencies"]), split_list(query["officials"]), query["venue"])
    if not keys:
        raise ValidationFailed("say what to check", {"agencies": ["give agencies, officials or a venue"]})
    return find_clashes(session, keys, query["start"], query["end"], query["exclude_item_id"])


# --- free slots ---------------------------------------------------------------------------

def working_windows(start, end, zone, day_start, day_end, weekdays_only):
    """The working hours (in ``zone``) that fall inside [start, end), as UTC-aware intervals."""
    tz = ZoneInfo(zone)
    opens, closes = time.fromisoformat(day_start), time.fromisoformat(day_end)
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        if not (weekdays_only and day.weekday() >= 5):
            window_start = max(start, datetime.combine(day, opens, tz))
            window_end = min(end, datetime.combine(day, closes, tz))
            if window_end > window_start:
                yield window_start, window_end
        day += timedelta(days=1)


def free_gaps(busy, windows, duration, limit):
    """The earliest ``limit`` free intervals of ``duration`` in ``windows``, each offered at the
    beginning of its gap. ``busy`` is a list of (start, end) sorted by start."""
    slots = []
    for window_start, window_end in windows:
        cursor = window_start
        for busy_start, busy_end in busy:
            if busy_end <= cursor:
                continue
            if busy_start >= window_end:
                break
            if busy_start - cursor >= duration:
                slots.append((cursor, cursor + duration))
                if len(slots) == limit:
                    return slots
            cursor = max(cursor, busy_end)
        if window_end - cursor >= duration:
            slots.append((cursor, cursor + duration))
            if len(slots) == limit:
                return slots
    return slots


def free_slots(session, query):
    start, end = query["start"], query["end"]
    if end <= start:
        raise ValidationFailed("the window ends before it starts", {"to": ["must be after from"]})
    if end - start > MAX_SLOT_WINDOW:
        raise ValidationFailed("the window is too wide", {"to": ["search at most 92 days at once"]})
    if query["day_end"] <= query["day_start"]:
        raise ValidationFailed("working hours end before they start", {"day_end": ["must be after day_start"]})
    keys = resources(split_list(query["agencies"]), split_list(query["officials"]), query["venue"])
    if not keys:
        raise ValidationFailed("say whose time to search", {"agencies": ["give agencies, officials or a venue"]})
    busy = [(b.starts_at, b.ends_at) for b in overlapping_bookings(session, keys, start, end)]
    windows = working_windows(start, end, query["timezone"], query["day_start"], query["day_end"],
                              query["weekdays_only"])
    duration = timedelta(minutes=query["duration_minutes"])
    return [{"start": s.isoformat(), "end": e.isoformat(), "start_local": local(s, query["timezone"]).isoformat(),
             "end_local": local(e, query["timezone"]).isoformat()}
            for s, e in free_gaps(busy, windows, duration, query["limit"])]


# --- changing items -----------------------------------------------------------------------

def open_item(session, actor, item_id):
    """An item that may still change: a cancelled, declined, withdrawn or held one may not."""
    item = get_item(session, actor, item_id)
    if item.state == "cancelled":
        raise Conflict("a cancelled item cannot be changed", {"state": ["item_cancelled"]})
    if item.state not in OPEN_STATES:
        raise Conflict(f"a {item.state} item cannot be changed", {"state": [f"item_{item.state}"]})
    return item


def require_state(item, wanted, action):
    if item.state != wanted:
        raise Conflict(f"only a {wanted} item can be {action}; this one is {item.state}",
                       {"state": [f"must be {wanted} to be {action}"]})


def set_participants(item, lead_id, supporting_ids, now):
    """The lead takes part by proposing; a supporting agency keeps its earlier answer."""
    earlier = {p.agency_id: p for p in item.participants}
    item.participants = [Participant(agency_id=lead_id, role="lead", response="confirmed", responded_at=now)]
    for agency_id in supporting_ids:
        kept = earlier.get(agency_id)
        item.participants.append(Participant(
            agency_id=agency_id, role="supporting", response=kept.response if kept else "pending",
            responded_at=kept.responded_at if kept else None))


def distinct_supporting(lead_id, supporting_ids):
    supporting = list(dict.fromkeys(supporting_ids))
    if lead_id in supporting:
        raise ValidationFailed("the lead agency cannot also be a supporting agency",
                               {"supporting_agency_ids": ["the lead agency is listed as supporting"]})
    return supporting


def propose(uow, actor, data, now):
    """A member proposes an item for itself; emits ``calendar.item_proposed``."""
    values = in_utc(load(schemas.ItemInput, data))
    lead_id = values["lead_agency_id"] or actor["agency_id"]
    require_acting_for(actor, lead_id)
    supporting = distinct_supporting(lead_id, values["supporting_agency_ids"])
    check_times(values["start"], values["end"])
    check_embargo(values["kind"], values.get("embargo_at"))
    check_agencies(uow.session, lead_id, supporting)
    embargo_at = values.get("embargo_at")
    if values["kind"] == "press_release" and embargo_at is None:
        embargo_at = values["start"]
    item = Item(id=str(uuid.uuid4()), kind=values["kind"], title=values["title"],
                description=values["description"], starts_at=values["start"], ends_at=values["end"],
                timezone=values["timezone"], venue=values["venue"].strip(),
                officials=json.dumps(values["officials"]), lead_agency_id=lead_id,
                visibility=values["visibility"], embargo_at=embargo_at, state="proposed",
                revision=1, sequence=0, created_at=now)
    set_participants(item, lead_id, supporting, now)
    touch(uow.session, item, now)
    uow.session.add(item)
    uow.session.flush()
    record(uow.session, item, actor, "proposed", {}, "", now)
    uow.emit("calendar.item_proposed", {"item": snapshot(item)})
    return item


def change(uow, actor, item_id, data, now):
    """Edit an open item. A new start or end of a scheduled item is a reschedule: it needs a
    reason, is checked for clashes, raises the revision and emits ``calendar.item_rescheduled``."""
    values = in_utc(load(schemas.ItemChange, data))
    session = uow.session
    item = open_item(session, actor, item_id)
    require_lead_or_coordinator(actor, item)
    before = {"start": item.starts_at, "end": item.ends_at, "embargo_at": item.embargo_at,
              "resources": resources_of(item)}
    changes = {}

    def put(field, attribute, value):
        old = getattr(item, attribute)
        if old != value:
            changes[field] = [old, value]
            setattr(item, attribute, value)

    for field in ("title", "description", "timezone", "visibility"):
        if field in values:
            put(field, field, values[field])
    if "venue" in values:
        put("venue", "venue", values["venue"].strip())
    if "officials" in values:
        put("officials", "officials", json.dumps(values["officials"]))
    if "supporting_agency_ids" in values:
        supporting = distinct_supporting(item.lead_agency_id, values["supporting_agency_ids"])
        current = [p.agency_id for p in item.participants if p.role == "supporting"]
        if supporting != current:
            check_agencies(session, item.lead_agency_id, supporting)
            set_participants(item, item.lead_agency_id, supporting, now)
            changes["supporting_agency_ids"] = [current, supporting]
    start, end = values.get("start", item.starts_at), values.get("end", item.ends_at)
    moved = start != item.starts_at or end != item.ends_at
    if moved:
        check_times(start, end)
        put("start", "starts_at", start)
        put("end", "ends_at", end)
    check_embargo(item.kind, values.get("embargo_at"))
    if item.kind == "press_release":
        if "embargo_at" in values:
            put("embargo_at", "embargo_at", values["embargo_at"] or item.starts_at)
        elif moved:
            # The embargo follows the item: distribution publishes against it.
            put("embargo_at", "embargo_at", item.embargo_at + (item.starts_at - before["start"]))
    if not changes:
        return item
    rescheduled = item.state == "scheduled" and moved
    reason = values.get("reason", "")
    override = values.get("override_reason")
    if rescheduled and not reason:
        raise ValidationFailed("say why the item is rescheduled", {"reason": ["required to reschedule"]})
    if item.state == "scheduled" and (moved or resources_of(item) != before["resources"]):
        lock_bookings(session, now)
        clashes = find_clashes(session, resources_of(item), item.starts_at, item.ends_at, item.id)
        refuse_clashes(actor, clashes, override)
        book(session, item)
    if moved:
        item.revision += 1
        item.sequence += 1
    touch(session, item, now)
    record(session, item, actor, "rescheduled" if rescheduled else "updated", changes,
           "; ".join(filter(None, [reason, override and f"clash overridden: {override}"])), now)
    if rescheduled:
        uow.emit("calendar.item_rescheduled", {
            "item": snapshot(item), "previous_start": before["start"].isoformat(),
            "previous_end": before["end"].isoformat(),
            "previous_embargo_at": before["embargo_at"].isoformat() if before["embargo_at"] else None,
            "reason": reason, "override_reason": override})
    return item


def move_state(session, actor, item, state, reason, now):
    """A change of state is a change the feeds announce (SEQUENCE), recorded under the new state's name."""
    changes = {"state": [item.state, state]}
    item.state = state
    item.sequence += 1
    touch(session, item, now)
    record(session, item, actor, state, changes, reason, now)


def schedule(uow, actor, item_id, data, now):
    """The coordinator schedules a proposal, unless it clashes (or the clash is overridden)."""
    require_coordinator(actor)
    override = load(schemas.ScheduleInput, data)["override_reason"]
    session = uow.session
    item = open_item(session, actor, item_id)
    require_state(item, "proposed", "scheduled")
    check_agencies(session, item.lead_agency_id,
                   [p.agency_id for p in item.participants if p.role == "supporting"])
    lock_bookings(session, now)
    clashes = find_clashes(session, resources_of(item), item.starts_at, item.ends_at, item.id)
    refuse_clashes(actor, clashes, override)
    move_state(session, actor, item, "scheduled",
               f"clash overridden: {override}" if clashes else (override or ""), now)
    book(session, item)
    uow.emit("calendar.item_scheduled", {"item": snapshot(item), "override_reason": override if clashes else None})
    return item


def decline(uow, actor, item_id, data, now):
    require_coordinator(actor)
    reason = load(schemas.ReasonInput, data)["reason"]
    item = open_item(uow.session, actor, item_id)
    require_state(item, "proposed", "declined")
    move_state(uow.session, actor, item, "declined", reason, now)
    return item


def withdraw(uow, actor, item_id, data, now):
    """The lead agency takes back its own proposal."""
    reason = load(schemas.OptionalReasonInput, data)["reason"]
    item = open_item(uow.session, actor, item_id)
    if actor.get("agency_id") != item.lead_agency_id:
        raise Forbidden("only the lead agency may withdraw its proposal", {"lead_agency_id": ["not the calling agency"]})
    require_state(item, "proposed", "withdrawn")
    move_state(uow.session, actor, item, "withdrawn", reason, now)
    return item


def cancel(uow, actor, item_id, data, now):
    """Cancel a scheduled item (a reason is required); its release is withheld."""
    reason = load(schemas.ReasonInput, data)["reason"]
    item = open_item(uow.session, actor, item_id)
    require_lead_or_coordinator(actor, item)
    require_state(item, "scheduled", "cancelled")
    move_state(uow.session, actor, item, "cancelled", reason, now)
    release(uow.session, item)
    uow.emit("calendar.item_cancelled", {"item": snapshot(item), "reason": reason})
    return item


def mark_held(uow, actor, item_id, now):
    item = open_item(uow.session, actor, item_id)
    require_lead_or_coordinator(actor, item)
    require_state(item, "scheduled", "held")
    if item.ends_at > now:
        raise Conflict("the item has not ended yet", {"end": ["an item can be marked held only after its end"]})
    move_state(uow.session, actor, item, "held", "", now)
    return item


def respond(uow, actor, item_id, data, now):
    """A supporting agency confirms or declines its own part; a declined part books no time."""
    response = load(schemas.ParticipationInput, data)["response"]
    item = open_item(uow.session, actor, item_id)
    part = next((p for p in item.participants
                 if p.role == "supporting" and p.agency_id == actor.get("agency_id")), None)
    if part is None:
        raise Forbidden("only a supporting agency of the item answers for its part",
                        {"agency_id": ["not a supporting agency of this item"]})
    if part.response == response:
        return item
    record(uow.session, item, actor, f"participation_{response}",
           {"participation": [part.response, response]}, "", now)
    part.response, part.responded_at = response, now
    touch(uow.session, item, now)
    if item.state == "scheduled":
        book(uow.session, item)
    return item


# --- feeds --------------------------------------------------------------------------------

def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def rotate_feed_link(uow, actor, agency_id, now):
    """A new secret link to the agency's feed; the previous link stops working."""
    require_acting_for(actor, agency_id, "agency_id")
    agency = uow.session.get(Agency, agency_id)
    if agency is None or not agency.active:
        raise NotFound(f"no active agency {agency_id}", {"agency_id": ["unknown or inactive agency"]})
    token = secrets.token_urlsafe(32)
    link = uow.session.get(FeedLink, agency_id)
    if link is None:
        uow.session.add(FeedLink(agency_id=agency_id, token_hash=token_hash(token), created_at=now))
    else:
        link.token_hash, link.created_at = token_hash(token), now
    return token


def feed_agency(session, token):
    """Whose feed a secret link opens; an unknown or rotated-away token opens nothing."""
    link = session.scalar(select(FeedLink).where(FeedLink.token_hash == token_hash(token)))
    agency = link and session.get(Agency, link.agency_id)
    if agency is None or not agency.active:
        raise NotFound("no feed at this link", {"token": ["unknown or rotated link"]})
    return agency


@functools.lru_cache(maxsize=None)
def vtimezone(zone):
    """The VTIMEZONE of a zone, built once from zoneinfo (building it is slow)."""
    return Timezone.from_tzid(zone, first_date=date(2000, 1, 1), last_date=date(2045, 1, 1)).to_ical()


def vevent(item, lead_name):
    """The item's VEVENT: UID never changes, DTSTAMP is the last change in UTC, SEQUENCE counts
    changes of time and state, a cancelled item says STATUS:CANCELLED, times are local with a TZID."""
    event = Event()
    event.add("uid", f"{item.id}@bakohumas-hub")
    event.add("dtstamp", item.updated_at)
    event.add("last-modified", item.updated_at)
    event.add("created", item.created_at)
    event.add("dtstart", local(item.starts_at, item.timezone))
    event.add("dtend", local(item.ends_at, item.timezone))
    event.add("sequence", item.sequence)
    event.add("status", "CANCELLED" if item.state == "cancelled" else "CONFIRMED")
    event.add("summary", item.title)
    event.add("description", f"{item.description}\n\n{lead_name}" if item.description else lead_name)
    if item.venue:
        event.add("location", item.venue)
    event.add("categories", [item.kind])
    event.add("class", "PUBLIC" if item.visibility == "public" else "PRIVATE")
    return event.to_ical().decode("utf-8")


def touch(session, item, now):
    """Every change of an item ends here: its DTSTAMP moves and its VEVENT is rendered again.

    Rendering once per change (not once per feed request) is what keeps a feed of hundreds
    of items fast: a feed only joins stored VEVENTs.
    """
    item.updated_at = now
    lead = session.get(Agency, item.lead_agency_id)
    item.vevent = vevent(item, lead.short_name if lead else item.lead_agency_id)


def render_feed(entries, name):
    """An RFC 5545 calendar of stored VEVENTs; ``entries`` are (timezone, vevent) pairs.
    Every TZID used gets its VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", "-//Bakohumas Hub//Joint press calendar//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    head = calendar.to_ical().decode("utf-8")
    end = "END:VCALENDAR\r\n"
    zones = [vtimezone(zone).decode("utf-8") for zone in sorted({zone for zone, _ in entries})]
    return "".join([head[:-len(end)], *zones, *(event for _, event in entries), end])


FEED_ROWS = select(Item.timezone, Item.vevent).where(Item.state.in_(FORUM_STATES)).order_by(Item.starts_at, Item.id)


def public_feed(session):
    rows = session.execute(FEED_ROWS.where(Item.visibility == "public")).all()
    return render_feed(rows, "Bakohumas: public press calendar")


def agency_feed(session, token):
    """The feed behind a secret link: every item the agency takes part in once scheduled,
    members-only ones included."""
    agency = feed_agency(session, token)
    # Joined from the agency's participations: the planner then reads its few hundred items,
    # not every scheduled item of the forum.
    rows = session.execute(FEED_ROWS.join(Participant, Participant.item_id == Item.id)
                           .where(Participant.agency_id == agency.id)).all()
    return render_feed(rows, f"Bakohumas: {agency.short_name}")
