"""The forum's own non-working days changed: every deadline still running is counted again with
the new days, and each complaint whose deadline moved says so in its public history."""
from sqlalchemy import select

from services.complaints.domain.deadlines import DUE_COLUMN, stage_open
from services.complaints.domain.statuses import SETTLED
from services.complaints.domain.trail import audit
from services.complaints.models import Complaint, LocalHoliday, LocalHolidaysKept
from shared import local_holidays
from shared.intake import RECOUNT_NOTE, bilingual
from shared.workdays import recounted


def recount_running_deadlines(session, now, was_extra_days, extra_days):
    """Moves the open stages' deadlines of every unsettled complaint; returns the ids of those moved."""
    moved = []
    for complaint in session.scalars(select(Complaint).where(Complaint.status.not_in(SETTLED))).all():
        changed = False
        for stage, column in DUE_COLUMN.items():
            due = getattr(complaint, column)
            if not stage_open(complaint, stage) or due is None:
                continue
            new_due = recounted(due, now, was_extra_days, extra_days)
            if new_due != due:
                setattr(complaint, column, new_due)
                changed = True
        if changed:
            audit(session, complaint, now, "deadlines_recounted", "system", note=bilingual(RECOUNT_NOTE), public=True)
            moved.append(complaint.id)
    return moved


def keep_local_holidays(uow, days, as_of, now):
    """The directory's whole list of local holidays, kept here; running deadlines follow the days
    that changed. An older list than the one kept, or the same list again, moves nothing."""
    kept = local_holidays.keep_local_holidays(uow.session, LocalHoliday, LocalHolidaysKept, days, as_of)
    if kept is None or kept[0] == kept[1]:
        return []
    return recount_running_deadlines(uow.session, now, *kept)
