"""The forum's own non-working days (a regional election day, a local anniversary) count on every
working-day clock beside the national holidays and cuti bersama the holidays package knows."""
from datetime import date, datetime, timedelta, timezone

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from services.complaints import domain as complaints
from services.complaints.models import AuditEntry, Complaint
from shared import contracts, workdays
from shared.intake import RECOUNT_NOTE, bilingual
from tests.unit.complaints_unit_support import submit

MONDAY_MORNING = datetime(2026, 12, 14, 2, 0, tzinfo=timezone.utc)  # 10:00 WITA
ELECTION_DAY = date(2026, 12, 16)  # a Wednesday


def test_a_deadline_counting_across_a_local_holiday_moves_by_one_working_day(forum_in):
    forum_in("Asia/Makassar")
    national_only = workdays.working_deadline(MONDAY_MORNING, 3)
    with_election = workdays.working_deadline(MONDAY_MORNING, 3, extra_days={ELECTION_DAY})
    assert workdays.forum_day(national_only) == date(2026, 12, 17)
    assert workdays.forum_day(with_election) == date(2026, 12, 18)


def test_without_the_local_holiday_the_deadline_is_the_national_one_again(forum_in):
    forum_in("Asia/Makassar")
    assert workdays.working_deadline(MONDAY_MORNING, 3, extra_days=frozenset()) == \
        workdays.working_deadline(MONDAY_MORNING, 3)


def test_a_local_holiday_is_not_a_working_day_and_is_not_counted_as_one(forum_in):
    forum_in("Asia/Makassar")
    assert workdays.is_working_day(ELECTION_DAY)
    assert not workdays.is_working_day(ELECTION_DAY, extra_days={ELECTION_DAY})
    friday_evening = datetime(2026, 12, 18, 10, 0, tzinfo=timezone.utc)
    assert workdays.working_days_between(MONDAY_MORNING, friday_evening) == 4
    assert workdays.working_days_between(MONDAY_MORNING, friday_evening, extra_days={ELECTION_DAY}) == 3


def test_a_running_deadline_moves_when_a_local_holiday_is_added_and_back_when_it_is_removed(forum_in):
    forum_in("Asia/Makassar")
    due = workdays.working_deadline(MONDAY_MORNING, 3)
    monday_noon = datetime(2026, 12, 14, 4, 0, tzinfo=timezone.utc)
    moved = workdays.recounted(due, monday_noon, frozenset(), {ELECTION_DAY})
    assert workdays.forum_day(moved) == date(2026, 12, 18)
    assert workdays.recounted(moved, monday_noon, {ELECTION_DAY}, frozenset()) == due


def test_a_local_holiday_after_the_deadline_or_a_deadline_already_past_moves_nothing(forum_in):
    forum_in("Asia/Makassar")
    due = workdays.working_deadline(MONDAY_MORNING, 1)  # Tuesday's end
    monday_noon = datetime(2026, 12, 14, 4, 0, tzinfo=timezone.utc)
    assert workdays.recounted(due, monday_noon, frozenset(), {ELECTION_DAY}) == due
    thursday = datetime(2026, 12, 17, 4, 0, tzinfo=timezone.utc)
    assert workdays.recounted(due, thursday, frozenset(), {date(2026, 12, 15)}) == due


def test_a_running_complaint_moves_with_a_history_line_and_a_closed_one_does_not(forum_in, service_db):
    forum_in("Asia/Makassar")
    store = service_db("complaints")
    running = submit(store, MONDAY_MORNING)
    settled = submit(store, MONDAY_MORNING)
    with store.unit_of_work() as uow:
        uow.session.get(Complaint, settled.id).status = "rejected"
    monday_noon = datetime(2026, 12, 14, 4, 0, tzinfo=timezone.utc)
    with store.unit_of_work() as uow:
        moved = complaints.recount_running_deadlines(uow.session, monday_noon, frozenset(), {ELECTION_DAY})
    assert moved == [running.id]
    with store.unit_of_work() as uow:
        again = uow.session.get(Complaint, running.id)
        assert workdays.forum_day(again.settle_due) == workdays.forum_day(running.settle_due) + timedelta(days=1)
        assert uow.session.get(Complaint, settled.id).settle_due == settled.settle_due
        history = uow.session.scalars(select(AuditEntry.note).where(
            AuditEntry.complaint_id == running.id, AuditEntry.action == "deadlines_recounted")).all()
        assert history == [bilingual(RECOUNT_NOTE)]
    with store.unit_of_work() as uow:
        complaints.recount_running_deadlines(uow.session, monday_noon, {ELECTION_DAY}, frozenset())
    with store.unit_of_work() as uow:
        assert uow.session.get(Complaint, running.id).settle_due == running.settle_due


def test_the_directory_announces_the_whole_list_of_local_holidays():
    schema = contracts.get("local_holidays.changed", 1).schema()
    loaded = schema.load({"days": [{"day": "2026-12-16", "name": "Pilkada serentak"}]})
    assert loaded == {"days": [{"day": ELECTION_DAY, "name": "Pilkada serentak"}]}
    with pytest.raises(ValidationError):
        schema.load({"days": [{"day": "2026-12-16", "name": ""}]})


def test_the_kept_list_moves_running_deadlines_once_and_an_older_list_changes_nothing(forum_in, service_db):
    forum_in("Asia/Makassar")
    store = service_db("complaints")
    running = submit(store, MONDAY_MORNING)
    monday_noon = datetime(2026, 12, 14, 4, 0, tzinfo=timezone.utc)
    election = [{"day": ELECTION_DAY, "name": "Pilkada serentak"}]
    for _ in range(2):  # the same event twice: the second moves nothing
        with store.unit_of_work() as uow:
            complaints.keep_local_holidays(uow, election, monday_noon, monday_noon)
    with store.unit_of_work() as uow:
        assert complaints.keep_local_holidays(uow, [], MONDAY_MORNING, monday_noon) == []  # older: ignored
    with store.unit_of_work() as uow:
        again = uow.session.get(Complaint, running.id)
        assert workdays.forum_day(again.settle_due) == workdays.forum_day(running.settle_due) + timedelta(days=1)
        assert len(uow.session.scalars(select(AuditEntry).where(
            AuditEntry.complaint_id == running.id, AuditEntry.action == "deadlines_recounted")).all()) == 1


def test_a_complaint_received_after_a_local_holiday_is_kept_counts_it_from_the_start(forum_in, service_db):
    forum_in("Asia/Makassar")
    store = service_db("complaints")
    national_only = submit(store, MONDAY_MORNING)
    with store.unit_of_work() as uow:
        complaints.keep_local_holidays(uow, [{"day": ELECTION_DAY, "name": "Pilkada serentak"}],
                                       MONDAY_MORNING, MONDAY_MORNING)
    with_election = submit(store, MONDAY_MORNING)
    assert workdays.forum_day(with_election.verify_due) == workdays.forum_day(national_only.verify_due) + timedelta(days=1)
