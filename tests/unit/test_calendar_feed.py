"""The RFC 5545 feed, parsed back with icalendar."""
from datetime import timedelta

from icalendar import Calendar

from calendar_fixtures import NOW, WIT, WITA, at, cal, member  # noqa: F401
from services.calendar import domain

POLRES = member("polres")


def feed(cal):
    def render(session):
        items = domain.public_feed_items(session)
        return domain.render_feed(items, "Bakohumas", domain.short_names(session, items))
    return Calendar.from_ical(cal.read(render))


def events(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_feed_shows_local_times_with_a_vtimezone_per_zone(cal):
    wita = cal.scheduled(POLRES, start=at(10, 9, zone=WITA), timezone="Asia/Makassar", venue="Aula")
    wit = cal.scheduled(POLRES, start=at(11, 9, zone=WIT), timezone="Asia/Jayapura")
    cal.scheduled(POLRES, start=at(12, 9), visibility="members")
    cal.propose(POLRES, start=at(13, 9))
    parsed = feed(cal)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    assert sorted(str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")) == ["Asia/Jayapura", "Asia/Makassar"]
    shown = events(parsed)
    assert set(shown) == {f"{wita.id}@bakohumas-hub", f"{wit.id}@bakohumas-hub"}  # not members-only, not proposed
    event = shown[f"{wita.id}@bakohumas-hub"]
    assert event["DTSTART"].params["TZID"] == "Asia/Makassar"
    assert event.decoded("DTSTART").hour == 9 and event.decoded("DTSTART") == at(10, 8)
    assert str(event["LOCATION"]) == "Aula" and str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert event["DTSTAMP"].to_ical().endswith(b"Z")


def test_uid_stays_sequence_rises_dtstamp_moves_and_cancelled_items_stay(cal):
    item = cal.scheduled(POLRES)
    before = events(feed(cal))[f"{item.id}@bakohumas-hub"]
    later = NOW + timedelta(hours=2)
    cal.act(domain.change, POLRES, item.id, {"start": at(10, 13).isoformat(), "end": at(10, 14).isoformat(),
                                             "reason": "moved"}, now=later)
    moved = events(feed(cal))[f"{item.id}@bakohumas-hub"]
    cal.act(domain.cancel, POLRES, item.id, {"reason": "flood"}, now=later + timedelta(hours=1))
    cancelled = events(feed(cal))[f"{item.id}@bakohumas-hub"]
    assert [e["SEQUENCE"] for e in (before, moved, cancelled)] == [1, 2, 3]
    assert [e.decoded("DTSTAMP") for e in (before, moved, cancelled)] == [NOW, later, later + timedelta(hours=1)]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert moved.decoded("DTSTART") == at(10, 13)


def test_empty_feed_is_still_a_calendar(cal):
    parsed = feed(cal)
    assert parsed.walk("VEVENT") == [] and str(parsed["X-WR-CALNAME"]) == "Bakohumas"
