"""The iCalendar feeds: each item's VEVENT (rendered once per change: ``stored.touch``), the public
feed and each agency's feed behind a secret link."""
import functools
import hashlib
import secrets
from datetime import date, timedelta

from icalendar import Calendar, Event, Timezone
from sqlalchemy import select

from services.calendar.domain.access import FORUM_STATES, require_acting_for
from services.calendar.domain.times import local
from services.calendar.models import Agency, FeedLink, HistoryEntry, Item, Participant
from shared.errors import NotFound


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


def cancellation_reason(session, item):
    """Why a cancelled item was cancelled (the reason recorded with the cancel), else None."""
    if item.state != "cancelled":
        return None
    return session.scalar(select(HistoryEntry.reason).where(
        HistoryEntry.item_id == item.id, HistoryEntry.action == "cancelled")
        .order_by(HistoryEntry.id.desc()).limit(1))


def vevent(item, lead_name, cancelled_because=None):
    """The item's VEVENT: UID never changes, DTSTAMP is the last change in UTC, SEQUENCE counts
    changes of time and state, a cancelled item says STATUS:CANCELLED and why (first in
    DESCRIPTION, which every client shows, and as a COMMENT), times are local with a TZID."""
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
    described = f"{item.description}\n\n{lead_name}" if item.description else lead_name
    if cancelled_because:
        event.add("comment", f"Cancelled: {cancelled_because}")
        described = f"Cancelled: {cancelled_because}\n\n{described}"
    event.add("description", described)
    if item.venue:
        event.add("location", item.venue)
    event.add("categories", [item.kind])
    event.add("class", "PUBLIC" if item.visibility == "public" else "PRIVATE")
    return event.to_ical().decode("utf-8")


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
