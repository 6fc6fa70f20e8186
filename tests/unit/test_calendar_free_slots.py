"""Free-slot search: the earliest gaps of a given length in working hours, around scheduled items."""
from datetime import timedelta

import pytest

from tests.unit.calendar_unit_support import WITA, at, member
from services.calendar import domain
from shared.errors import ValidationFailed

POLRES, DINKES = member("polres"), member("dinkes")
HOUR = timedelta(hours=1)


def search(cal, start, end, minutes=60, limit=3, **fields):
    query = {"start": start, "end": end, "duration_minutes": minutes, "agencies": "", "officials": "",
             "venue": "", "timezone": "Asia/Jakarta", "day_start": "08:00", "day_end": "17:00",
             "weekdays_only": True, "limit": limit, **fields}
    return cal.read(lambda s: domain.free_slots(s, query))


def starts(slots):
    return [slot["start_local"] for slot in slots]


def test_gaps_between_busy_times():
    busy = [(at(11, 9), at(11, 10)), (at(11, 9, 30), at(11, 11)), (at(11, 12), at(11, 16, 30))]
    windows = [(at(11, 8), at(11, 17))]
    assert domain.free_gaps(busy, windows, HOUR, 5) == [(at(11, 8), at(11, 9)), (at(11, 11), at(11, 12))]


def test_a_gap_shorter_than_the_duration_is_skipped():
    busy = [(at(11, 8, 30), at(11, 16, 30))]
    assert domain.free_gaps(busy, [(at(11, 8), at(11, 17))], HOUR, 5) == []


def test_working_windows_skip_weekends_and_clip_to_the_search():
    # 2030-03-08 is a Friday
    windows = list(domain.working_windows(at(8, 12), at(11, 10), "Asia/Jakarta", "08:00", "17:00", True))
    assert windows == [(at(8, 12), at(8, 17)), (at(11, 8), at(11, 10))]


def test_working_hours_are_read_in_the_given_zone():
    windows = list(domain.working_windows(at(11, 0), at(12, 0), "Asia/Makassar", "08:00", "17:00", True))
    assert windows == [(at(11, 8, zone=WITA), at(11, 17, zone=WITA))]
    assert windows[0][0] == at(11, 7)  # 08:00 WITA is 07:00 WIB


def test_earliest_slots_common_to_several_agencies(cal):
    cal.scheduled(POLRES, start=at(11, 8), end=at(11, 10))
    cal.scheduled(DINKES, start=at(11, 10, 30), end=at(11, 15))
    slots = search(cal, at(11, 0), at(13, 0), agencies="polres,dinkes")
    assert starts(slots) == ["2030-03-11T15:00:00+07:00", "2030-03-12T08:00:00+07:00"]


def test_an_item_running_into_the_window_blocks_its_start(cal):
    cal.scheduled(POLRES, kind="forum", start=at(9, 8), end=at(11, 12))  # Saturday to Monday noon
    slots = search(cal, at(11, 8), at(11, 17), limit=1, agencies="polres")
    assert starts(slots) == ["2030-03-11T12:00:00+07:00"]


def test_venue_and_officials_count_too(cal):
    cal.scheduled(DINKES, venue="Aula", start=at(11, 8), end=at(11, 16))
    cal.scheduled(DINKES, officials=[{"name": "Budi"}], start=at(11, 16), end=at(11, 17))
    assert search(cal, at(11, 0), at(12, 0), venue="aula", officials="Budi") == []


def test_the_search_needs_something_to_search_for_and_a_sane_window(cal):
    with pytest.raises(ValidationFailed) as error:
        search(cal, at(11, 0), at(12, 0))
    assert "agencies" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        search(cal, at(11, 0), at(11, 0) + timedelta(days=93), agencies="polres")
    assert "to" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        search(cal, at(11, 0), at(12, 0), agencies="polres", day_start="17:00", day_end="08:00")
    assert "day_end" in error.value.fields
