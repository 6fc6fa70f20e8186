"""The life cycle of an item, who may move it, what is refused, and what is recorded."""
import json
from datetime import timedelta

import pytest

from tests.unit.calendar_unit_support import COORDINATOR, NOW, WITA, at, member
from services.calendar import domain, schemas
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

POLRES, DINKES, KOMINFO = member("polres"), member("dinkes"), member("kominfo")


def refused(error_type, work):
    with pytest.raises(error_type) as error:
        work()
    return error.value


def test_propose_then_schedule_emits_both_events(cal):
    item = cal.propose(POLRES, supporting_agency_ids=["dinkes"], kind="press_release")
    assert (item.state, item.revision, item.sequence) == ("proposed", 1, 0)
    assert item.embargo_at == item.starts_at  # a release is embargoed until its time by default
    scheduled = cal.schedule(item)
    assert (scheduled.state, scheduled.sequence) == ("scheduled", 1)
    assert cal.event_names() == ["calendar.item_proposed", "calendar.item_scheduled"]
    data = cal.events[-1]["data"]["item"]
    assert data["supporting_agency_ids"] == ["dinkes"] and data["lead_agency_id"] == "polres"
    assert data["embargo_at"] == data["start"] and data["state"] == "scheduled"


def test_reschedule_keeps_identity_raises_revision_moves_embargo_and_records_why(cal):
    item = cal.scheduled(POLRES, kind="press_release", embargo_at=at(10, 10).isoformat())
    moved = cal.act(domain.change, POLRES, item.id, {"start": at(11, 9).isoformat(), "end": at(11, 10).isoformat(),
                                                     "reason": "the regent is away"})
    assert moved.id == item.id
    assert (moved.revision, moved.sequence) == (2, 2)
    assert moved.embargo_at == at(11, 10)
    event = cal.events[-1]
    assert event["name"] == "calendar.item_rescheduled"
    assert event["data"]["previous_embargo_at"] == at(10, 10).astimezone(NOW.tzinfo).isoformat()
    entries = cal.read(lambda s: domain.history(s, POLRES, item.id))
    assert [e.action for e in entries] == ["proposed", "scheduled", "rescheduled"]
    assert entries[-1].reason == "the regent is away" and entries[-1].actor_agency_id == "polres"
    assert set(json.loads(entries[-1].changes)) >= {"start", "end", "embargo_at"}


def test_only_a_release_has_an_embargo_and_clearing_it_means_its_start(cal):
    forum = cal.propose(POLRES, kind="forum")
    assert cal.act(domain.change, POLRES, forum.id, {"embargo_at": None}).embargo_at is None
    refused(ValidationFailed, lambda: cal.act(domain.change, POLRES, forum.id, {"embargo_at": at(10, 8).isoformat()}))
    release = cal.propose(POLRES, kind="press_release", embargo_at=at(10, 10).isoformat())
    assert cal.act(domain.change, POLRES, release.id, {"embargo_at": None}).embargo_at == at(10, 9)


def test_rescheduling_a_scheduled_item_needs_a_reason(cal):
    item = cal.scheduled(POLRES)
    error = refused(ValidationFailed, lambda: cal.act(domain.change, POLRES, item.id, {"start": at(10, 8).isoformat()}))
    assert "reason" in error.fields


def test_an_edit_without_a_time_change_keeps_revision_and_sequence(cal):
    item = cal.scheduled(POLRES)
    edited = cal.act(domain.change, POLRES, item.id, {"title": "Press conference on floods"}, now=NOW + timedelta(1))
    assert (edited.revision, edited.sequence) == (1, 1)
    assert edited.updated_at == NOW + timedelta(1)


def test_cancel_needs_a_reason_emits_and_then_nothing_changes(cal):
    item = cal.scheduled(POLRES)
    refused(ValidationFailed, lambda: cal.act(domain.cancel, POLRES, item.id, {}))
    cancelled = cal.act(domain.cancel, POLRES, item.id, {"reason": "the flood"})
    assert (cancelled.state, cancelled.sequence) == ("cancelled", 2)
    assert cal.events[-1]["name"] == "calendar.item_cancelled"
    for attempt in (lambda: cal.act(domain.change, POLRES, item.id, {"title": "Again"}),
                    lambda: cal.act(domain.cancel, POLRES, item.id, {"reason": "twice"}),
                    lambda: cal.schedule(item),
                    lambda: cal.act(domain.mark_held, POLRES, item.id)):
        assert refused(Conflict, attempt).fields == {"state": ["item_cancelled"]}


def test_only_a_proposal_can_be_scheduled(cal):
    item = cal.scheduled(POLRES)
    error = refused(Conflict, lambda: cal.schedule(item))
    assert "state" in error.fields


def test_only_the_coordinator_schedules_and_declines(cal):
    item = cal.propose(POLRES)
    refused(Forbidden, lambda: cal.act(domain.schedule, POLRES, item.id, {}))
    refused(Forbidden, lambda: cal.act(domain.decline, POLRES, item.id, {"reason": "no"}))
    declined = cal.act(domain.decline, COORDINATOR, item.id, {"reason": "covered by the governor's office"})
    assert declined.state == "declined"
    refused(Conflict, lambda: cal.schedule(item))


def test_a_member_withdraws_only_its_own_proposal(cal):
    item = cal.propose(POLRES, supporting_agency_ids=["dinkes"])
    refused(Forbidden, lambda: cal.act(domain.withdraw, DINKES, item.id, {}))
    refused(NotFound, lambda: cal.act(domain.withdraw, KOMINFO, item.id, {}))  # not even seen
    assert cal.act(domain.withdraw, POLRES, item.id, {"reason": "merged"}).state == "withdrawn"
    refused(Conflict, lambda: cal.act(domain.withdraw, POLRES, item.id, {}))


def test_an_agency_acts_only_for_itself(cal):
    error = refused(Forbidden, lambda: cal.propose(POLRES, lead_agency_id="dinkes"))
    assert "lead_agency_id" in error.fields
    item = cal.scheduled(POLRES)
    refused(Forbidden, lambda: cal.act(domain.change, DINKES, item.id, {"title": "Hijacked"}))
    refused(Forbidden, lambda: cal.act(domain.cancel, DINKES, item.id, {"reason": "not mine"}))
    assert cal.propose(COORDINATOR, lead_agency_id="dinkes").lead_agency_id == "dinkes"


def test_held_only_after_the_end(cal):
    item = cal.scheduled(POLRES)
    error = refused(Conflict, lambda: cal.act(domain.mark_held, POLRES, item.id))
    assert "end" in error.fields
    held = cal.act(domain.mark_held, POLRES, item.id, now=at(10, 11))
    assert held.state == "held"
    refused(Conflict, lambda: cal.act(domain.change, POLRES, item.id, {"title": "After"}))


def test_supporting_agencies_answer_for_their_own_part(cal):
    item = cal.propose(POLRES, supporting_agency_ids=["dinkes", "kominfo"])
    refused(Forbidden, lambda: cal.act(domain.respond, POLRES, item.id, {"response": "confirmed"}))
    refused(NotFound, lambda: cal.act(domain.respond, member("imigrasi"), item.id, {"response": "confirmed"}))
    answered = cal.act(domain.respond, DINKES, item.id, {"response": "confirmed"})
    parts = {p.agency_id: p.response for p in answered.participants}
    assert parts == {"polres": "confirmed", "dinkes": "confirmed", "kominfo": "pending"}


@pytest.mark.parametrize("fields, field", [
    ({"end": at(10, 8)}, "end"),                                   # ends before it starts
    ({"end": at(10, 9)}, "end"),                                   # zero duration
    ({"end": at(10, 9) + timedelta(days=7, minutes=1)}, "end"),    # over 7 days
    ({"supporting_agency_ids": ["polres"]}, "supporting_agency_ids"),
    ({"supporting_agency_ids": ["nobody"]}, "supporting_agency_ids"),
    ({"lead_agency_id": "nobody"}, "lead_agency_id"),
    ({"embargo_at": at(10, 9).isoformat()}, "embargo_at"),         # not a release
    ({"timezone": "Europe/Berlin"}, "timezone"),
    ({"kind": "party"}, "kind"),
])
def test_bad_proposals_name_the_field(cal, fields, field):
    actor = COORDINATOR if fields.get("lead_agency_id") == "nobody" else POLRES
    error = refused(ValidationFailed, lambda: cal.propose(actor, **fields))
    assert field in error.fields


def test_a_time_without_a_zone_is_refused(cal):
    body = {"kind": "forum", "title": "Forum", "timezone": "Asia/Jakarta",
            "start": "2030-03-10T09:00:00", "end": "2030-03-10T10:00:00+07:00"}
    error = refused(ValidationFailed, lambda: cal.act(domain.propose, POLRES, body))
    assert "start" in error.fields


def test_an_inactive_agency_is_a_conflict(cal):
    cal.agency("bubar", active=False)
    error = refused(Conflict, lambda: cal.propose(POLRES, supporting_agency_ids=["bubar"]))
    assert "supporting_agency_ids" in error.fields


def test_deactivation_flags_future_open_items_once(cal):
    past = cal.scheduled(POLRES, supporting_agency_ids=["dinkes"], start=at(1, 9))
    future = cal.scheduled(POLRES, supporting_agency_ids=["dinkes"], start=at(20, 9))
    proposal = cal.propose(DINKES, start=at(21, 9))
    other = cal.scheduled(KOMINFO, start=at(20, 9))
    snapshot = {"id": "dinkes", "name": "Dinas Kesehatan", "short_name": "DINKES", "kind": "opd", "role": "member",
                "active": False}
    for _ in range(2):
        cal.act(lambda uow, now: domain.agency_departed(uow, snapshot, NOW, now), now=at(5, 9))
    flagged = json.loads(cal.read(lambda s: domain.list_items(s, COORDINATOR, {"needs_attention": "true"})))["items"]
    assert {i["id"] for i in flagged} == {future.id, proposal.id}
    assert flagged[0]["attention"] == "DINKES was deactivated in the directory"
    assert past.id not in {i["id"] for i in flagged} and other.id not in {i["id"] for i in flagged}


def test_an_older_directory_snapshot_does_not_undo_a_newer_one(cal):
    cal.agency("polres", active=False, as_of=NOW + timedelta(hours=1))
    cal.agency("polres", active=True, as_of=NOW)
    refused(Conflict, lambda: cal.propose(COORDINATOR, lead_agency_id="polres"))


def test_the_agencies_a_raw_body_names_are_learnt_before_it_is_loaded():
    """The service asks the directory about these before the unit of work: only well-formed ids."""
    assert domain.agencies_proposed(POLRES, {"supporting_agency_ids": ["dinkes", "", 7]}) == ["polres", "dinkes"]
    assert domain.agencies_proposed(COORDINATOR, {"lead_agency_id": "kominfo"}) == ["kominfo"]
    assert domain.agencies_proposed(POLRES, "not a body") == ["polres"]
    assert domain.agencies_proposed(None, {"supporting_agency_ids": "dinkes"}) == []
    assert domain.agencies_added({"lead_agency_id": "kominfo", "supporting_agency_ids": ["dinkes"]}) == ["dinkes"]
    assert domain.agencies_added({"title": "no agencies"}) == []


def test_listing_by_range_agency_kind_and_state(cal):
    early = cal.scheduled(POLRES, start=at(3, 9), kind="forum")
    joint = cal.scheduled(DINKES, start=at(12, 9, zone=WITA), timezone="Asia/Makassar", supporting_agency_ids=["polres"])
    cal.scheduled(KOMINFO, start=at(25, 9))
    mine = cal.propose(POLRES, start=at(13, 9))

    def listed(actor, **args):
        """The ids a member's list query (strings, as sent) answers."""
        return [i["id"] for i in json.loads(cal.read(lambda s: domain.list_items(s, actor, args)))["items"]]

    assert listed(POLRES, agency_id="polres") == [early.id, joint.id, mine.id]
    assert listed(POLRES, **{"from": at(10, 0).isoformat(), "to": at(20, 0).isoformat()}) == [joint.id, mine.id]
    assert listed(POLRES, kind="forum") == [early.id]
    assert listed(POLRES, state="proposed") == [mine.id]
    assert listed(DINKES, state="proposed") == []  # another agency's proposal is not shown
    assert listed(COORDINATOR, state="proposed") == [mine.id]
    refused(NotFound, lambda: cal.read(lambda s: domain.get_item(s, DINKES, mine.id)))


def test_the_history_names_the_agency_that_acted(cal):
    cal.agency("polres")
    item = cal.scheduled(POLRES)
    entries = cal.read(lambda s: domain.named_history(s, POLRES, item.id))
    assert [e["action"] for e in entries] == ["proposed", "scheduled"]
    assert entries[0]["actor_agency"] == {"id": "polres", "name": "Agency polres", "short_name": "POLRES"}
    assert entries[1]["actor_agency"] == {"id": "koord", "name": "Agency koord", "short_name": "KOORD"}
    dumped = schemas.HistoryEntry(many=True).dump(entries)
    assert dumped[0]["actor_agency"]["short_name"] == "POLRES" and dumped[1]["changes"] == {"state": ["proposed", "scheduled"]}
