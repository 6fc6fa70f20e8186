"""Working days are the forum's days: a deadline ends at 23:59:59 of a working day in FORUM_TIMEZONE,
for complaints and information requests alike, and every page names that day."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from alembic.command import downgrade

from gateway.pages.web import deadline_day
from services.complaints import domain as complaints
from services.complaints.models import Complaint
from services.information.domain import clocks as information
from shared import workdays
from shared.db import Store, alembic_config, migrate
from tests.databases import models_of
from tests.unit.complaints_unit_support import submit

THURSDAY_MORNING = datetime(2026, 12, 10, 2, 0, tzinfo=timezone.utc)  # 10:00 WITA, 09:00 WIB, 11:00 WIT


@pytest.mark.parametrize("zone", ["Asia/Makassar", "Asia/Jakarta", "Asia/Jayapura"])
def test_a_deadline_ends_at_the_end_of_a_working_day_in_the_forums_zone(forum_in, zone):
    forum_in(zone)
    due = workdays.working_deadline(THURSDAY_MORNING, 1)
    local = due.astimezone(ZoneInfo(zone))
    assert (local.date().isoformat(), local.time().isoformat()) == ("2026-12-11", "23:59:59")  # Friday
    assert deadline_day(due) == "Jumat, 11 Desember 2026"


def test_complaints_and_information_count_the_same_days(forum_in):
    forum_in("Asia/Makassar")
    assert information.answer_due(THURSDAY_MORNING).astimezone(workdays.forum_zone()).time().isoformat() == "23:59:59"
    # Friday 23:59:59 WITA, not Saturday 00:59:59 WITA (the WIB end of Friday a WITA console showed).
    assert complaints.working_deadline(THURSDAY_MORNING, 1) == datetime(2026, 12, 11, 15, 59, 59, tzinfo=timezone.utc)


def test_a_moment_after_midnight_in_the_forums_zone_is_already_the_next_day(forum_in):
    """23:30 UTC on Thursday is 07:30 WITA on Friday: the day it arrives (not counted) is Friday."""
    forum_in("Asia/Makassar")
    late_thursday_utc = datetime(2026, 12, 10, 23, 30, tzinfo=timezone.utc)
    assert workdays.working_deadline(late_thursday_utc, 1).astimezone(workdays.forum_zone()).date().isoformat() \
        == "2026-12-14"  # Monday


def test_an_unknown_zone_stops_a_process_at_start(forum_in):
    with pytest.raises(Exception):
        forum_in("Asia/Atlantis")


def test_stored_deadlines_keep_their_day_when_they_move_into_the_forums_zone(tmp_path, monkeypatch):
    """A deadline stored before (23:59:59 WIB) ends the same day at 23:59:59 WITA after the
    revision, and moves back on downgrade; any other moment stays as it is."""
    url = f"sqlite:///{tmp_path / 'complaints.db'}"
    migrate("complaints", url, "0006_notify")
    # The copy of the forum's local holidays comes with a later revision than this database's.
    monkeypatch.setattr("services.complaints.domain.intake.days_off", lambda session: frozenset())
    friday_wib = datetime(2026, 12, 11, 16, 59, 59, tzinfo=timezone.utc)  # 23:59:59 WIB
    odd = datetime(2026, 12, 11, 3, 0, tzinfo=timezone.utc)
    store = Store(url, models_of("complaints"))
    complaint_id = submit(store, THURSDAY_MORNING).id
    with store.unit_of_work() as uow:
        stored = uow.session.get(Complaint, complaint_id)
        stored.verify_due, stored.follow_up_due, stored.settle_due = friday_wib, None, odd

    def deadlines():
        with store.reading() as session:
            stored = session.get(Complaint, complaint_id)
            return stored.verify_due, stored.follow_up_due, stored.settle_due

    migrate("complaints", url, forum_zone="Asia/Makassar")
    friday_wita = datetime(2026, 12, 11, 15, 59, 59, tzinfo=timezone.utc)
    assert deadlines() == (friday_wita, None, odd)
    migrate("complaints", url, forum_zone="Asia/Makassar")  # at head: nothing moves again
    assert deadlines() == (friday_wita, None, odd)
    downgrade(alembic_config("complaints", url), "0006_notify")
    assert deadlines() == (friday_wib, None, odd)
    store.dispose()
