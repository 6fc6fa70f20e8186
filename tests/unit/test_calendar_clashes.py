"""Clash rules: the same agency, official or venue double-booked by scheduled items, across zones."""
from datetime import timedelta

import eventlet.patcher
import pytest
from tests.unit.calendar_unit_support import COORDINATOR, NOW, WIB, WITA, WIT, at, member
from services.calendar import domain, models
from shared.db import Store
from shared.errors import Conflict, Forbidden

POLRES, DINKES, KOMINFO = member("polres"), member("dinkes"), member("kominfo")


def clash_of(error):
    return error.value.fields["clashes"]


def test_0900_wita_and_0800_wib_are_the_same_instant_and_clash(cal):
    first = cal.scheduled(POLRES, start=at(10, 9, zone=WITA), timezone="Asia/Makassar")
    second = cal.propose(POLRES, start=at(10, 8, zone=WIB))
    with pytest.raises(Conflict) as error:
        cal.schedule(second)
    assert [c["id"] for c in clash_of(error)] == [first.id]
    assert clash_of(error)[0]["on"] == ["agency:polres"]


def test_0900_wit_and_0900_wib_do_not_clash(cal):
    cal.scheduled(POLRES, start=at(10, 9, zone=WIT), timezone="Asia/Jayapura")
    later = cal.scheduled(POLRES, start=at(10, 9, zone=WIB))  # two hours later in absolute time
    assert later.state == "scheduled"


def test_touching_items_do_not_clash(cal):
    cal.scheduled(POLRES, start=at(10, 9), end=at(10, 10))
    assert cal.scheduled(POLRES, start=at(10, 10), end=at(10, 11)).state == "scheduled"


def test_a_supporting_agency_is_booked_like_the_lead(cal):
    joint = cal.scheduled(DINKES, supporting_agency_ids=["polres"], start=at(10, 9), end=at(10, 12))
    mine = cal.propose(POLRES, start=at(10, 11))
    with pytest.raises(Conflict) as error:
        cal.schedule(mine)
    assert clash_of(error)[0]["id"] == joint.id
    assert "agency:polres" in clash_of(error)[0]["on"]


def test_same_official_spelt_differently_clashes_across_agencies(cal):
    cal.scheduled(DINKES, officials=[{"name": "Andi  Makkasau", "position": "Wali Kota"}])
    other = cal.propose(KOMINFO, officials=[{"name": "andi makkasau", "position": "Wali Kota"}],
                        start=at(10, 9, 30))
    with pytest.raises(Conflict) as error:
        cal.schedule(other)
    assert clash_of(error)[0]["on"] == ["official:andi makkasau"]


def test_same_venue_clashes_across_agencies(cal):
    cal.scheduled(DINKES, venue="Aula Rumah Jabatan")
    other = cal.propose(KOMINFO, venue="aula rumah jabatan ", start=at(10, 9, 59))
    with pytest.raises(Conflict) as error:
        cal.schedule(other)
    assert clash_of(error)[0]["on"] == ["venue:aula rumah jabatan"]


def test_different_agencies_officials_and_venues_do_not_clash(cal):
    cal.scheduled(DINKES, venue="Aula A", officials=[{"name": "Budi"}])
    assert cal.scheduled(KOMINFO, venue="Aula B", officials=[{"name": "Citra"}]).state == "scheduled"


def test_proposals_hold_no_time(cal):
    cal.propose(POLRES)
    assert cal.scheduled(POLRES).state == "scheduled"


def test_a_clash_lists_every_clashing_item(cal):
    first = cal.scheduled(DINKES, venue="Aula", start=at(10, 9), end=at(10, 10))
    second = cal.scheduled(KOMINFO, officials=[{"name": "Budi"}], start=at(10, 10), end=at(10, 11))
    wide = cal.propose(POLRES, venue="Aula", officials=[{"name": "Budi"}], start=at(10, 8), end=at(10, 12))
    with pytest.raises(Conflict) as error:
        cal.schedule(wide)
    assert [c["id"] for c in clash_of(error)] == [first.id, second.id]


def test_the_coordinator_overrides_a_clash_with_a_reason_recorded(cal):
    cal.scheduled(POLRES)
    second = cal.schedule(cal.propose(POLRES), override_reason="two rooms, two spokespeople")
    assert second.state == "scheduled"
    entries = cal.read(lambda s: domain.history(s, COORDINATOR, second.id))
    assert "clash overridden: two rooms, two spokespeople" in entries[-1].reason
    assert cal.events[-1]["data"]["override_reason"] == "two rooms, two spokespeople"


def test_a_member_cannot_override_a_clash_when_rescheduling(cal):
    cal.scheduled(POLRES, start=at(10, 9))
    mine = cal.scheduled(POLRES, start=at(10, 13))
    with pytest.raises(Forbidden):
        cal.act(domain.change, POLRES, mine.id, {"start": at(10, 9).isoformat(), "end": at(10, 10).isoformat(),
                                                 "reason": "moved", "override_reason": "I insist"})


def test_rescheduling_into_a_clash_is_refused_and_nothing_changes(cal):
    cal.scheduled(POLRES, start=at(10, 9))
    mine = cal.scheduled(POLRES, start=at(10, 13))
    with pytest.raises(Conflict):
        cal.act(domain.change, POLRES, mine.id, {"start": at(10, 9, 30).isoformat(),
                                                 "end": at(10, 10, 30).isoformat(), "reason": "moved"})
    again = cal.read(lambda s: domain.get_item(s, POLRES, mine.id))
    assert again.starts_at == at(10, 13) and again.revision == 1


def test_an_item_does_not_clash_with_itself_when_rescheduled(cal):
    mine = cal.scheduled(POLRES, start=at(10, 9))
    moved = cal.act(domain.change, POLRES, mine.id, {"start": at(10, 9, 30).isoformat(),
                                                     "end": at(10, 10, 30).isoformat(), "reason": "later"})
    assert moved.starts_at == at(10, 9, 30)


def test_cancelled_items_free_their_time(cal):
    first = cal.scheduled(POLRES)
    cal.act(domain.cancel, POLRES, first.id, {"reason": "the minister cannot come"})
    assert cal.scheduled(POLRES).state == "scheduled"


def test_a_declined_supporting_agency_is_not_booked(cal):
    joint = cal.scheduled(DINKES, supporting_agency_ids=["polres"])
    cal.act(domain.respond, POLRES, joint.id, {"response": "declined"})
    assert cal.scheduled(POLRES).state == "scheduled"


def test_a_clash_check_before_proposing(cal):
    first = cal.scheduled(DINKES, venue="Aula")
    found = cal.read(lambda s: domain.clash_check(s, {
        "start": at(10, 9, 30), "end": at(10, 11), "agencies": "polres,kominfo", "officials": "",
        "venue": "AULA", "exclude_item_id": None}))
    assert [c["id"] for c in found] == [first.id]


def test_long_items_are_found_by_the_bounded_range_query(cal):
    week = cal.scheduled(DINKES, kind="forum", start=at(1, 8), end=at(1, 8) + timedelta(days=7))
    found = cal.read(lambda s: domain.find_clashes(s, {"agency:dinkes"}, at(7, 23), at(8, 1)))
    assert [c["id"] for c in found] == [week.id]


def test_the_clash_query_uses_the_resource_index(cal):
    plan = cal.read(lambda s: s.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN SELECT item_id FROM bookings WHERE resource IN ('agency:x', 'venue:y') "
        "AND starts_at < '2030-03-02' AND starts_at >= '2030-02-22' AND ends_at > '2030-03-01'").all())
    assert any("ix_bookings_resource_starts" in row[-1] for row in plan), plan


def test_two_processes_scheduling_at_once_cannot_both_pass_the_check(cal):
    """The second scheduler waits for the first one's booking lock and then sees its booking."""
    other = Store(cal.store.url, models)
    first = cal.propose(POLRES, start=at(10, 9))
    second = cal.propose(POLRES, start=at(10, 9, 30))
    try:
        with cal.store.unit_of_work() as uow:
            domain.schedule(uow, COORDINATOR, first.id, {}, NOW)
            finished = []

            def schedule_second():
                try:
                    with other.unit_of_work() as racing:
                        domain.schedule(racing, COORDINATOR, second.id, {}, NOW)
                except Conflict as refused:
                    finished.append(refused)

            # a real OS thread, as another process would be: SQLite's busy wait must not stop us
            racer = eventlet.patcher.original("threading").Thread(target=schedule_second)
            racer.start()
            racer.join(0.5)
            assert racer.is_alive()  # waiting on the lock, not checking against stale bookings
        racer.join(10)
        assert [c["id"] for c in finished[0].fields["clashes"]] == [first.id]
    finally:
        other.dispose()
