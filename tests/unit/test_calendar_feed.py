"""The RFC 5545 feed, parsed back with icalendar."""
from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.unit.calendar_unit_support import NOW, WIT, WITA, at, member
from services.calendar import domain
from shared.errors import NotFound

POLRES = member("polres")


def feed(cal):
    return Calendar.from_ical(cal.read(domain.public_feed))


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
    assert parsed.walk("VEVENT") == [] and str(parsed["X-WR-CALNAME"]) == "Bakohumas: public press calendar"


def test_the_agency_feed_opens_with_its_secret_link_only_and_includes_members_items(cal):
    private = cal.scheduled(POLRES, visibility="members")
    supported = cal.scheduled(member("dinkes"), supporting_agency_ids=["polres"], start=at(11, 9))
    cal.scheduled(member("dinkes"), start=at(12, 9))
    old = cal.act(lambda uow, now: domain.rotate_feed_link(uow, POLRES, "polres", now))
    token = cal.act(lambda uow, now: domain.rotate_feed_link(uow, POLRES, "polres", now))
    shown = events(Calendar.from_ical(cal.read(lambda s: domain.agency_feed(s, token))))
    assert set(shown) == {f"{private.id}@bakohumas-hub", f"{supported.id}@bakohumas-hub"}
    assert str(shown[f"{private.id}@bakohumas-hub"]["CLASS"]) == "PRIVATE"
    with pytest.raises(NotFound):
        cal.read(lambda s: domain.agency_feed(s, old))


def test_a_renamed_lead_agency_is_named_in_the_feed(cal):
    item = cal.scheduled(POLRES, description="Operasi Ketupat")
    cal.agency("polres", as_of=NOW + timedelta(hours=1))
    with cal.store.unit_of_work() as uow:
        domain.keep_agency(uow, {"id": "polres", "name": "Polres Parepare", "short_name": "POLRES-PARE",
                                 "kind": "polri", "role": "member", "active": True}, NOW + timedelta(hours=2))
    shown = events(feed(cal))[f"{item.id}@bakohumas-hub"]
    assert str(shown["DESCRIPTION"]) == "Operasi Ketupat\n\nPolres Parepare"


def test_a_cancelled_event_says_why_in_the_public_and_the_agency_feed(cal):
    item = cal.scheduled(POLRES, description="Operasi Ketupat")
    cal.act(domain.cancel, POLRES, item.id, {"reason": "Banjir di lokasi"}, now=NOW + timedelta(hours=1))
    token = cal.act(lambda uow, now: domain.rotate_feed_link(uow, POLRES, "polres", now))
    agency_feed = Calendar.from_ical(cal.read(lambda s: domain.agency_feed(s, token)))
    for calendar in (feed(cal), agency_feed):
        shown = events(calendar)[f"{item.id}@bakohumas-hub"]
        assert str(shown["STATUS"]) == "CANCELLED"
        assert str(shown["COMMENT"]) == "Cancelled: Banjir di lokasi"
        assert str(shown["DESCRIPTION"]) == "Cancelled: Banjir di lokasi\n\nOperasi Ketupat\n\nAgency polres"


def test_a_cancelled_event_keeps_its_reason_when_the_lead_agency_is_renamed(cal):
    item = cal.scheduled(POLRES)
    cal.act(domain.cancel, POLRES, item.id, {"reason": "Banjir"}, now=NOW + timedelta(hours=1))
    with cal.store.unit_of_work() as uow:
        domain.keep_agency(uow, {"id": "polres", "name": "Polres Parepare", "short_name": "POLRES-PARE",
                                 "kind": "polri", "role": "member", "active": True}, NOW + timedelta(hours=2))
    shown = events(feed(cal))[f"{item.id}@bakohumas-hub"]
    assert str(shown["COMMENT"]) == "Cancelled: Banjir"
    assert str(shown["DESCRIPTION"]) == "Cancelled: Banjir\n\nPolres Parepare"
