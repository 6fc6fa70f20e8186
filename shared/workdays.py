"""The Indonesian working-day calendar every legal clock counts in: weekends, public holidays and
cuti bersama (joint leave days) do not count. Complaints (SP4N-LAPOR!'s days) and information
requests (UU 14/2008's days) both count here, so a holiday added is added for both.

The holidays package knows the national days only; the forum's own non-working days (a regional
election day, a local anniversary: ``extra_days``) are passed in by the caller, read from its
service's own database, never kept in the process (each consumed event reaches one process only).

Days are the forum's days: a deadline ends at 23:59:59 of a working day in the forum's zone
(``FORUM_TIMEZONE``, read once at a process's start by ``shared.service.ForumCalendar``), so the
console, the receipt, the mails and the API name the same day."""
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_FORUM_ZONE = "Asia/Makassar"
END_OF_DAY = time(23, 59, 59)
_forum = {"zone": ZoneInfo(DEFAULT_FORUM_ZONE)}


def set_forum_zone(name):
    """The zone whose days every clock of this process counts (an unknown zone raises at start)."""
    _forum["zone"] = ZoneInfo(name)


def forum_zone():
    return _forum["zone"]


def forum_day(moment):
    """``moment``'s day in the forum's zone."""
    return moment.astimezone(forum_zone()).date()


@lru_cache(maxsize=32)
def _holidays(year):
    # "government" is the holidays package's name for cuti bersama (joint leave days).
    return holidays.country_holidays("ID", years=year, categories=("public", "government"))


def is_working_day(day, extra_days=frozenset()):
    return day.weekday() < 5 and day not in _holidays(day.year) and day not in extra_days


def end_of(day):
    """23:59:59 of ``day`` in the forum's zone, as UTC: when a deadline falling on that day ends."""
    return datetime.combine(day, END_OF_DAY, tzinfo=forum_zone()).astimezone(timezone.utc)


def working_deadline(start, working_days, extra_days=frozenset()):
    """The end (23:59:59, the forum's zone) of the ``working_days``-th working day after ``start``'s day.

    The day something arrives does not count, as in LAPOR!'s "3 hari kerja" and UU 14/2008's
    "10 hari kerja sejak diterimanya permintaan".
    """
    day = forum_day(start)
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day, extra_days):
            counted += 1
    return end_of(day)


def working_days_between(start, end, extra_days=frozenset()):
    """How many working days after ``start``'s day up to and including ``end``'s day (the forum's
    zone): the days a clock counted (0 when answered the same day or earlier)."""
    day, last = forum_day(start), forum_day(end)
    counted = 0
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day, extra_days):
            counted += 1
    return counted


def moved_to(due, was, zone):
    """A deadline that ended at 23:59:59 of a day in zone ``was``, ending that same day in ``zone``;
    any other moment is left as it is, so moving twice changes nothing."""
    if due is None:
        return None
    local = due.astimezone(ZoneInfo(was))
    if local.time() != END_OF_DAY:
        return due
    return datetime.combine(local.date(), END_OF_DAY, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def recounted(due, now, was_extra_days, extra_days):
    """A running deadline after the forum's own non-working days changed from ``was_extra_days`` to
    ``extra_days``: the working days still left before it (counted from ``now``'s day, with the old
    days) are counted again with the new days, so a day off added from now on moves it later and a
    day removed moves it back. A deadline already past, or none, is left as it is."""
    if due is None or due < now:
        return due
    return working_deadline(now, working_days_between(now, due, was_extra_days), extra_days)
