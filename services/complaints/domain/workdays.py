"""The complaint clocks of SP4N-LAPOR!, counted in the shared Indonesian working-day calendar
(``shared.workdays``: weekends, public holidays and cuti bersama do not count)."""
from services.complaints.models import LocalHoliday
from shared import local_holidays
from shared.workdays import forum_day, forum_zone, is_working_day, working_deadline

SETTLE_WORKING_DAYS = 60
SILENCE_WORKING_DAYS = 10



def days_off(session):
    """The forum's own non-working days (local holidays), from this service's copy."""
    return local_holidays.extra_days(session, LocalHoliday)


__all__ = ["days_off", "forum_day", "forum_zone", "SETTLE_WORKING_DAYS", "SILENCE_WORKING_DAYS", "is_working_day", "working_deadline"]
