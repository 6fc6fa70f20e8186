"""Late complaints: which stage is overdue, escalating it once, closing after the reporter's silence."""
from sqlalchemy import and_, func, or_, select, update

from services.complaints.domain.statuses import SETTLED
from services.complaints.domain.trail import audit, emit_status
from services.complaints.domain.workdays import SILENCE_WORKING_DAYS, working_deadline
from services.complaints.models import Agency, Complaint
from shared.intake import SILENCE_NOTE, bilingual


def overdue_stages(complaint, now):
    late = []
    if complaint.status == "received" and complaint.verify_due < now:
        late.append("verify")
    if complaint.status == "assigned" and complaint.follow_up_due and complaint.follow_up_due < now:
        late.append("follow_up")
    if complaint.status not in SETTLED and complaint.settle_due < now:
        late.append("settle")
    return late


def stages_overdue_in_sql(now):
    """``overdue_stages`` as one SQL condition per stage, for what is counted in the database."""
    return {"verify": and_(Complaint.status == "received", Complaint.verify_due < now),
            "follow_up": and_(Complaint.status == "assigned", Complaint.follow_up_due.is_not(None),
                              Complaint.follow_up_due < now),
            "settle": and_(Complaint.status.not_in(SETTLED), Complaint.settle_due < now)}


def overdue_in_sql(now):
    """Some stage is late, as a SQL condition (lists and figures). No follow-up deadline is
    explicitly not late (never NULL, so NOT works)."""
    return or_(*stages_overdue_in_sql(now).values())


DUE_COLUMN = {"verify": "verify_due", "follow_up": "follow_up_due", "settle": "settle_due"}


def overdue_by_stage(session, now):
    """How many open complaints are past each stage's deadline (every stage named, 0 when none),
    counted in the database: this runs on every health check."""
    late = stages_overdue_in_sql(now)
    counts = session.execute(select(*(func.count().filter(condition).label(stage)
                                      for stage, condition in late.items()))).one()
    return dict(counts._mapping)


def overdue_candidates(session, now):
    """Complaints with a stage overdue and not yet escalated: ``[(complaint_id, stage)]``."""
    found = []
    open_complaints = session.scalars(select(Complaint).where(Complaint.status.not_in(("closed", "rejected")))).all()
    for complaint in open_complaints:
        for stage in overdue_stages(complaint, now):
            if getattr(complaint, f"{stage}_escalated_at") is None:
                found.append((complaint.id, stage))
    return found


def escalate(uow, complaint_id, stage, now):
    """Claim the escalation with a conditional UPDATE: only one sweeper (of any instance, before
    or after a restart) wins, and the event is in the outbox of that same transaction."""
    column = getattr(Complaint, f"{stage}_escalated_at")
    claimed = uow.session.execute(
        update(Complaint).where(Complaint.id == complaint_id, column.is_(None))
        .values({column: now}).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    complaint = uow.session.get(Complaint, complaint_id)
    uow.session.refresh(complaint)
    assigned = uow.session.get(Agency, complaint.agency_id) if complaint.agency_id else None
    parent_id = assigned.parent_id if assigned is not None else None
    audit(uow.session, complaint, now, f"escalated:{stage}", "system",
          note=f"coordinator{' and parent ' + parent_id if parent_id else ''} notified")
    uow.emit("complaint.escalated", {
        "complaint_id": complaint.id, "category": complaint.category, "agency_id": complaint.agency_id,
        "stage": stage, "due_at": getattr(complaint, DUE_COLUMN[stage]).isoformat(),
        "parent_agency_id": parent_id})
    return True


def silent_candidates(session, now):
    """Responded complaints whose reporter stayed silent for 10 working days."""
    responded = session.scalars(select(Complaint).where(Complaint.status == "responded")).all()
    return [c.id for c in responded
            if working_deadline(c.responded_at, SILENCE_WORKING_DAYS) < now]


def close_silent(uow, complaint_id, now):
    closed = uow.session.execute(
        update(Complaint).where(Complaint.id == complaint_id, Complaint.status == "responded")
        .values(status="closed", closed_at=now, updated_at=now).execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        return False
    complaint = uow.session.get(Complaint, complaint_id)
    uow.session.refresh(complaint)
    audit(uow.session, complaint, now, "status:closed", "system", public=True,
          note=bilingual(SILENCE_NOTE))
    emit_status(uow, complaint, "responded")
    return True
