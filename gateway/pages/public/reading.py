"""Turning what the services answer into what a public page shows (no transport, no templates)."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar

CONTENT_URI = "urn:bakohumas:content:"
# What a visitor may open: a release that went public, or one withdrawn after it did.
def release_from_ninjs(document):
    """A feed entry as the pages list it."""
    headline = next((h["value"] for h in document.get("headlines", []) if h.get("role") == "main"), "")
    summary = next((d["value"] for d in document.get("descriptions", []) if d.get("role") == "summary"), "")
    sources = document.get("infoSources", [])
    return {"id": document["uri"].removeprefix(CONTENT_URI), "headline": headline, "summary": summary,
            "kind": document.get("profile"), "claim": document.get("claim"),
            "version": int(document.get("version", 1)), "updated": document.get("versionCreated"),
            "agencies": [{"id": s["uri"].rsplit(":", 1)[-1], "name": s.get("name", "")} for s in sources]}


def upcoming_events(ics_text, now=None, days=None):
    """The public calendar's events that have not ended, by start time (cancelled ones left out)."""
    now = now or datetime.now(timezone.utc)
    horizon = now + timedelta(days=days) if days else None
    events = []
    for event in Calendar.from_ical(ics_text).walk("VEVENT"):
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        start, end = event.decoded("dtstart"), event.decoded("dtend", None)
        if not isinstance(start, datetime):
            continue
        end = end if isinstance(end, datetime) else start
        if end < now or (horizon and start > horizon):
            continue
        zone = getattr(start.tzinfo, "key", None) or str(event["dtstart"].params.get("TZID", "Asia/Jakarta"))
        events.append({"uid": str(event["uid"]), "title": str(event.get("summary", "")),
                       "venue": str(event.get("location", "")), "description": str(event.get("description", "")),
                       "start": start, "end": end, "zone": zone})
    return sorted(events, key=lambda e: e["start"])


def by_week(events):
    """Events grouped by the (ISO) week they start in, in their own zone: ``[(monday, [events])]``."""
    weeks = {}
    for event in events:
        local = event["start"].astimezone(ZoneInfo(event["zone"])).date()
        monday = local - timedelta(days=local.weekday())
        weeks.setdefault(monday, []).append(event)
    return sorted(weeks.items())


def one_event_calendar(ics_text, uid):
    """The public feed cut down to one event (with its time zone), or None if it has no such event."""
    feed = Calendar.from_ical(ics_text)
    event = next((e for e in feed.walk("VEVENT") if str(e["uid"]) == uid), None)
    if event is None:
        return None
    single = Calendar()
    for name, value in feed.items():
        single.add(name, value)
    zone = event["dtstart"].params.get("TZID")
    for component in feed.walk("VTIMEZONE"):
        if str(component.get("tzid")) == zone:
            single.add_component(component)
    single.add_component(event)
    return single.to_ical().decode("utf-8")
