"""Late and nearly late stages: the answer (10 working days, 17 when extended) and the superior's
answer to an objection (30). One working day before, the agency is warned once; once late, the
stage escalates once (to the coordinator and the agency's parent, as complaints do)."""
from sqlalchemy import and_, func, select, update

from services.information.domain import clocks
from services.information.domain.trail import audit, ref
from services.information.models import Agency, InformationRequest, Objection
from shared.workdays import working_deadline

UNDECIDED = InformationRequest.decision.is_(None)


def answer_late(now):
    return and_(UNDECIDED, InformationRequest.answer_due < now)


def objection_late(now):
    return and_(Objection.outcome.is_(None), Objection.due < now)


def overdue_in_sql(now):
    """Some stage of a request is late, as one SQL condition (lists and figures)."""
    late_objections = select(Objection.request_id).where(objection_late(now))
    return answer_late(now) | InformationRequest.id.in_(late_objections)


def overdue_stages(request, objection, now):
    late = []
    if request.decision is None and request.answer_due < now:
        late.append("answer")
    if objection is not None and objection.outcome is None and objection.due < now:
        late.append("objection")
    return late


def overdue_by_stage(session, now):
    """How many requests are late at each stage, counted in the database (every health check)."""
    return {"answer": session.scalar(select(func.count()).select_from(InformationRequest).where(answer_late(now))),
            "objection": session.scalar(select(func.count()).select_from(Objection).where(objection_late(now)))}


def near_candidates(session, now):
    """``[(stage, request_id)]`` whose deadline falls within one working day, not yet warned."""
    horizon = working_deadline(now, 1)
    answers = session.scalars(select(InformationRequest.id).where(
        UNDECIDED, InformationRequest.answer_near_at.is_(None), InformationRequest.answer_due > now,
        InformationRequest.answer_due <= horizon)).all()
    objections = session.scalars(select(Objection.request_id).where(
        Objection.outcome.is_(None), Objection.near_at.is_(None), Objection.due > now,
        Objection.due <= horizon)).all()
    return [("answer", request_id) for request_id in answers] + [("objection", request_id) for request_id in objections]


def overdue_candidates(session, now):
    """``[(stage, request_id)]`` late and not yet escalated."""
    answers = session.scalars(select(InformationRequest.id).where(
        answer_late(now), InformationRequest.answer_escalated_at.is_(None))).all()
    objections = session.scalars(select(Objection.request_id).where(
        objection_late(now), Objection.escalated_at.is_(None))).all()
    return [("answer", request_id) for request_id in answers] + [("objection", request_id) for request_id in objections]


def warn(uow, stage, request_id, now):
    """"One working day left" for ``stage``, said once."""
    request, due = _take(uow, stage, request_id, "answer_near_at" if stage == "answer" else "near_at", now,
                         lambda due: clocks.is_near(due, now))
    if request is None:
        return False
    uow.emit("information.deadline_near", {**ref(request), "stage": stage, "due_at": due.isoformat()})
    return True


def escalate(uow, stage, request_id, now):
    """A late stage, escalated once: the audit says so and ``information.stage_overdue`` tells
    the coordinator and the agency's parent."""
    request, due = _take(uow, stage, request_id, "answer_escalated_at" if stage == "answer" else "escalated_at",
                         now, lambda due: due < now)
    if request is None:
        return False
    agency = uow.session.get(Agency, request.agency_id)
    parent_id = agency.parent_id if agency is not None else None
    audit(uow.session, request, now, f"escalated:{stage}",
          note=f"coordinator{' and parent ' + parent_id if parent_id else ''} notified")
    uow.emit("information.stage_overdue", {**ref(request), "stage": stage, "due_at": due.isoformat(),
                                           "parent_agency_id": parent_id})
    return True


def _take(uow, stage, request_id, column_name, now, applies):
    session = uow.session
    if stage == "answer":
        model, key, open_ = InformationRequest, InformationRequest.id, UNDECIDED
    else:
        model, key, open_ = Objection, Objection.request_id, Objection.outcome.is_(None)
    record = session.scalar(select(model).where(key == request_id))
    if record is None:
        return None, None
    due = record.answer_due if stage == "answer" else record.due
    if not applies(due):
        return None, None
    claimed = session.execute(update(model).where(key == request_id, getattr(model, column_name).is_(None), open_)
                              .values({column_name: now}).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return None, None
    request = session.get(InformationRequest, request_id)
    session.refresh(request)
    return request, due
