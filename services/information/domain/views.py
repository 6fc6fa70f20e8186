"""Requests as an agency or the coordinator sees them (with the requester), and the public
tracking page (without): who sees what is decided here, where a unit test meets it."""
import json
from dataclasses import dataclass
from datetime import datetime

from marshmallow import EXCLUDE
from sqlalchemy import case, func, select

from services.information import schemas
from services.information.domain import clocks
from services.information.domain.agencies import agency_names
from services.information.domain.deadlines import overdue_in_sql, overdue_stages
from services.information.domain.objections import by_number
from services.information.domain.requests import objection_of, pending_forward
from services.information.domain.trail import actor_label
from services.information.models import Agency, AuditEntry, Forward, InformationRequest, Objection
from shared.rules import is_coordinator, load


def stage_of(request, objection):
    if objection is not None:
        if objection.outcome is None:
            return "objection"
        if objection.commission_filed_on is not None and objection.commission_outcome == "pending":
            return "commission"
        return "closed"
    return "answer" if request.decision is None else "closed"


def current_due(request, objection):
    stage = stage_of(request, objection)
    if stage == "answer":
        return request.answer_due
    if stage == "objection":
        return objection.due
    return None


def objection_view(objection, now):
    if objection is None:
        return None
    return {"id": objection.id, "grounds": json.loads(objection.grounds), "reason": objection.reason,
            "filed_at": objection.filed_at, "due": objection.due, "outcome": objection.outcome,
            "answer": objection.answer, "answered_at": objection.answered_at,
            "escalated": objection.escalated_at is not None,
            "commission_due": clocks.commission_closes(objection, now),
            "commission_filed_on": objection.commission_filed_on,
            "commission_outcome": objection.commission_outcome, "commission_note": objection.commission_note}


def _forward_view(forward, names):
    return {"id": forward.id, "from_agency_id": forward.from_agency_id, "to_agency_id": forward.to_agency_id,
            "from_agency": names.get(forward.from_agency_id), "to_agency": names.get(forward.to_agency_id),
            "reason": forward.reason, "state": forward.state, "answer_reason": forward.answer_reason,
            "created_at": forward.created_at, "answered_at": forward.answered_at}


@dataclass
class Around:
    """What a listed request's view needs beside the request, read for a whole page at once."""
    objection: object
    proposal: object
    names: dict


def request_view(session, request, now, detail=True, around=None):
    """A request as the agencies handling it and the coordinator see it: the requester with the
    identity number's last four characters only; every agency named; the audit says who acted.
    ``around`` (from a list) spares the queries of one request."""
    if around is None:
        around = Around(objection_of(session, request), pending_forward(session, request), None)
    objection, proposal = around.objection, around.proposal
    forwards = session.scalars(select(Forward).where(Forward.request_id == request.id)
                               .order_by(Forward.created_at)).all() if detail else []
    entries = session.scalars(select(AuditEntry).where(AuditEntry.request_id == request.id)
                              .order_by(AuditEntry.id)).all() if detail else []
    names = around.names or agency_names(session, {request.agency_id, request.origin_agency_id}
                                         | {f.from_agency_id for f in forwards} | {f.to_agency_id for f in forwards}
                                         | {e.actor_agency_id for e in entries}
                                         | ({proposal.from_agency_id, proposal.to_agency_id} if proposal else set()))
    due = current_due(request, objection)
    escalated = [stage for stage, at in (("answer", request.answer_escalated_at),
                                         ("objection", objection.escalated_at if objection else None)) if at]
    return {
        "id": request.id, "registration_number": request.registration_number, "channel": request.channel,
        "requester": {"name": request.requester_name, "address": request.requester_address,
                      "phone": request.requester_phone, "email": request.requester_email,
                      "identity_last4": request.identity_last4},
        "information": request.information, "purpose": request.purpose, "obtain": request.obtain,
        "delivery": request.delivery, "agency_id": request.agency_id, "agency": names.get(request.agency_id),
        "origin_agency_id": request.origin_agency_id, "origin_agency": names.get(request.origin_agency_id),
        "status": request.status, "stage": stage_of(request, objection), "registered_at": request.registered_at,
        "clock_started_at": request.clock_started_at, "updated_at": request.updated_at,
        "answer_due": request.answer_due, "days_left": clocks.days_left(due, now) if due else None,
        "extended": request.extended_at is not None, "extension_reason": request.extension_reason,
        "decision": request.decision, "decision_note": request.decision_note,
        "documents": json.loads(request.documents),
        "exemption": json.loads(request.exemption) if request.exemption else None,
        "decided_at": request.decided_at, "overdue": overdue_stages(request, objection, now),
        "escalated": escalated, "pending_forward": _forward_view(proposal, names) if proposal else None,
        "objection": objection_view(objection, now),
        "forwards": [_forward_view(f, names) for f in forwards],
        "audit": [{"at": e.at, "action": e.action, "actor": actor_label(e, names), "status": e.status,
                   "note": e.note} for e in entries],
    }


def seen_by(actor):
    me = actor["agency_id"]
    proposed = select(Forward.request_id).where(Forward.to_agency_id == me, Forward.state == "proposed")
    return (InformationRequest.agency_id == me) | (InformationRequest.origin_agency_id == me) | \
        InformationRequest.id.in_(proposed)


def list_requests(session, actor, query, now):
    """The inbox: what ``actor`` may see, the open ones first by their deadline, then the rest
    newest first; filtered, counted and cut in the database."""
    query = load(schemas.RequestQuery, query, unknown=EXCLUDE)
    conditions = [] if is_coordinator(actor) else [seen_by(actor)]
    if query.get("status"):
        conditions.append(InformationRequest.status == query["status"])
    if query.get("overdue") is not None:
        late = overdue_in_sql(now)
        conditions.append(late if query["overdue"] else ~late)
    if query.get("objection") is not None:
        objected = InformationRequest.id.in_(select(Objection.request_id))
        conditions.append(objected if query["objection"] else ~objected)
    total = session.scalar(select(func.count()).select_from(InformationRequest).where(*conditions))
    page = session.scalars(select(InformationRequest).where(*conditions).order_by(
        case((InformationRequest.decision.is_(None), 0), else_=1), InformationRequest.answer_due,
        InformationRequest.registered_at.desc(), InformationRequest.id)
        .limit(query["limit"]).offset(query["offset"])).all()
    ids = [r.id for r in page]
    objections = {o.request_id: o for o in session.scalars(select(Objection).where(Objection.request_id.in_(ids)))}
    proposals = {f.request_id: f for f in session.scalars(select(Forward).where(
        Forward.request_id.in_(ids), Forward.state == "proposed"))}
    names = agency_names(session, {r.agency_id for r in page} | {r.origin_agency_id for r in page}
                         | {f.from_agency_id for f in proposals.values()} | {f.to_agency_id for f in proposals.values()})
    return {"requests": [request_view(session, r, now, detail=False,
                                      around=Around(objections.get(r.id), proposals.get(r.id), names))
                         for r in page], "total": total}


@dataclass
class TrackingStep:
    at: datetime
    status: str
    note: str | None


def tracking_view(session, registration_number, now):
    """What the holder of the number reads: the agency, the clock, the decision with its documents
    and reasons, the objection; never who asked, nor what."""
    request = by_number(session, registration_number)
    objection = objection_of(session, request)
    agency = session.get(Agency, request.agency_id)
    history = session.scalars(select(AuditEntry).where(
        AuditEntry.request_id == request.id, AuditEntry.public.is_(True)).order_by(AuditEntry.id)).all()
    closes = clocks.objection_closes(request, now) if objection is None else None
    return {
        "registration_number": request.registration_number, "agency": agency.name if agency else None,
        "agency_id": request.agency_id, "status": request.status, "stage": stage_of(request, objection),
        "registered_at": request.registered_at, "answer_due": request.answer_due,
        "extended": request.extended_at is not None, "extension_reason": request.extension_reason,
        "decision": request.decision, "decision_note": request.decision_note,
        "documents": json.loads(request.documents),
        "exemption": json.loads(request.exemption) if request.exemption else None,
        "decided_at": request.decided_at,
        "objection_open_until": closes if closes is not None and closes >= now else None,
        "objection": objection_view(objection, now),
        "history": [TrackingStep(at=e.at, status=e.action, note=e.note) for e in history],
    }
