"""The clocks of UU 14/2008 and PP 61/2010, counted in Indonesian working days (``shared.workdays``:
weekends, public holidays and cuti bersama do not count; the day something arrives does not count).

- Pasal 22 ayat 7: the written answer within 10 working days of the request;
- Pasal 22 ayat 8: one extension of at most 7 working days, with written reasons;
- Pasal 36 ayat 1: an objection within 30 working days of the decision (or of the missed deadline);
- Pasal 36 ayat 2: the atasan PPID answers within 30 working days;
- Pasal 37 ayat 2: the dispute to the Komisi Informasi within 14 working days of that answer.
"""
from shared.workdays import forum_day, forum_zone, working_days_between, working_deadline

ANSWER_WORKING_DAYS = 10
EXTENSION_WORKING_DAYS = 7
OBJECTION_WINDOW_WORKING_DAYS = 30
OBJECTION_ANSWER_WORKING_DAYS = 30
COMMISSION_WINDOW_WORKING_DAYS = 14


def answer_due(clock_started_at):
    return working_deadline(clock_started_at, ANSWER_WORKING_DAYS)


def extended_due(answer_due_at):
    """Seven more working days after the first deadline's day."""
    return working_deadline(answer_due_at, EXTENSION_WORKING_DAYS)


def objection_opens(request, now):
    """When the requester's 30 days to object started (the decision, or the deadline missed),
    or None while the agency is still within its time and has not decided."""
    if request.decided_at is not None:
        return request.decided_at
    if request.answer_due < now:
        return request.answer_due
    return None


def objection_closes(request, now):
    opened = objection_opens(request, now)
    return working_deadline(opened, OBJECTION_WINDOW_WORKING_DAYS) if opened is not None else None


def objection_due(filed_at):
    return working_deadline(filed_at, OBJECTION_ANSWER_WORKING_DAYS)


def commission_closes(objection, now):
    """The last moment to take the dispute to the Komisi Informasi: 14 working days after the
    superior's answer, or after the superior's missed deadline; None before either."""
    if objection.answered_at is not None:
        return working_deadline(objection.answered_at, COMMISSION_WINDOW_WORKING_DAYS)
    if objection.due < now:
        return working_deadline(objection.due, COMMISSION_WINDOW_WORKING_DAYS)
    return None


def is_near(due, now):
    """One working day (or less) is left: ``due`` falls on or before the end of the next working day."""
    return now < due <= working_deadline(now, 1)


def days_left(due, now):
    """Working days from ``now`` to ``due`` (0 on the last day itself, negative once late)."""
    if due >= now:
        return working_days_between(now, due)
    return -working_days_between(due, now)


__all__ = ["forum_day", "forum_zone", "ANSWER_WORKING_DAYS", "EXTENSION_WORKING_DAYS", "OBJECTION_WINDOW_WORKING_DAYS",
           "OBJECTION_ANSWER_WORKING_DAYS", "COMMISSION_WINDOW_WORKING_DAYS", "answer_due", "extended_due",
           "objection_opens", "objection_closes", "objection_due", "commission_closes", "is_near", "days_left"]
