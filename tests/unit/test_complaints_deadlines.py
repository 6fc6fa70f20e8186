"""Working-day deadlines: weekends, national holidays and cuti bersama do not count."""
from datetime import date

from tests.unit.complaints_unit_support import at

from services.complaints import domain


def local_day(moment):
    return moment.astimezone(domain.forum_zone()).date()


def test_weekend_is_skipped():
    friday = at(2026, 11, 20)
    assert local_day(domain.working_deadline(friday, 3)) == date(2026, 11, 25)


def test_idul_fitri_and_cuti_bersama_inside_the_window_are_skipped():
    # Idul Fitri 1447 H: 21-22 March 2026, cuti bersama 20, 23 and 24 March; Nyepi 19 March,
    # its cuti bersama 18 March. A complaint on Tuesday 17 March waits for Wednesday 25 March.
    tuesday = at(2026, 3, 17)
    assert not domain.is_working_day(date(2026, 3, 20))
    assert not domain.is_working_day(date(2026, 3, 23))
    assert local_day(domain.working_deadline(tuesday, 1)) == date(2026, 3, 25)
    assert local_day(domain.working_deadline(tuesday, 3)) == date(2026, 3, 27)
    assert local_day(domain.working_deadline(tuesday, 5)) == date(2026, 3, 31)


def test_deadline_ends_at_the_end_of_the_day_in_jakarta():
    deadline = domain.working_deadline(at(2026, 11, 23, 23), 3)
    local = deadline.astimezone(domain.forum_zone())
    assert (local.date(), local.hour, local.minute) == (date(2026, 11, 26), 23, 59)


def test_a_complaint_late_in_the_evening_utc_counts_from_its_jakarta_day():
    # 18:00 UTC on Friday is 01:00 WIB on Saturday: the count starts after Saturday.
    late_friday_utc = at(2026, 11, 21, 1)
    assert local_day(domain.working_deadline(late_friday_utc, 1)) == date(2026, 11, 23)


def test_settle_window_crosses_new_year():
    deadline = domain.working_deadline(at(2026, 12, 21), 5)
    # 22, 23 (24 and 25 are Christmas and its cuti bersama), 28, 29, 30
    assert local_day(deadline) == date(2026, 12, 30)
