"""Working days in Jakarta (weekends, public holidays and cuti bersama do not count) and the deadlines
counted in them."""
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

JAKARTA = ZoneInfo("Asia/Jakarta")
SETTLE_WORKING_DAYS = 60
SILENCE_WORKING_DAYS = 10


@lru_cache(maxsize=32)
def _holidays(year):
    # "government" is the holidays package's name for cuti bersama (joint leave days).
    return holidays.country_holidays("ID", years=year, categories=("public", "government"))


def is_working_day(day):
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_deadline(start, working_days):
    """The end (23:59:59 WIB) of the ``working_days``-th working day after ``start``'s day.

    The day a complaint arrives does not count, as in LAPOR!'s "3 hari kerja".
    """
    day = start.astimezone(JAKARTA).date()
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    end = datetime.combine(day, time(23, 59, 59), tzinfo=JAKARTA)
    return end.astimezone(timezone.utc)
