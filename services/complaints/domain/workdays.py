"""The complaint clocks of SP4N-LAPOR!, counted in the shared Indonesian working-day calendar
(``shared.workdays``: weekends, public holidays and cuti bersama do not count)."""
from shared.workdays import forum_day, forum_zone, is_working_day, working_deadline

SETTLE_WORKING_DAYS = 60
SILENCE_WORKING_DAYS = 10

__all__ = ["forum_day", "forum_zone", "SETTLE_WORKING_DAYS", "SILENCE_WORKING_DAYS", "is_working_day", "working_deadline"]
