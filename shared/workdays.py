"""The Indonesian working-day calendar every legal clock counts in: weekends, public holidays and
cuti bersama (joint leave days) do not count. Complaints (SP4N-LAPOR!'s days) and information
requests (UU 14/2008's days) both count here, so a holiday added is added for both."""
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

JAKARTA = ZoneInfo("Asia/Jakarta")


@lru_cache(maxsize=32)
def _holidays(year):
    # "government" is the holidays package's name for cuti bersama (joint leave days).
    return holidays.country_holidays("ID", years=year, categories=("public", "government"))


def is_working_day(day):
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_deadline(start, working_days):
    """The end (23:59:59 WIB) of the ``working_days``-th working day after ``start``'s day.

    The day something arrives does not count, as in LAPOR!'s "3 hari kerja" and UU 14/2008's
    "10 hari kerja sejak diterimanya permintaan".
    """
    day = start.astimezone(JAKARTA).date()
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    end = datetime.combine(day, time(23, 59, 59), tzinfo=JAKARTA)
    return end.astimezone(timezone.utc)


def working_days_between(start, end):
    """How many working days after ``start``'s day up to and including ``end``'s day (WIB): the
    days a clock counted (0 when answered the same day or earlier)."""
    day, last = start.astimezone(JAKARTA).date(), end.astimezone(JAKARTA).date()
    counted = 0
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return counted
