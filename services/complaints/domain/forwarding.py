"""Forwarding (pelimpahan): "bukan wewenang", the proposed agency's answer, the coordinator's decision."""
import uuid

from sqlalchemy.orm import object_session

from services.complaints import schemas
from services.complaints.domain.agencies import active_agency
from services.complaints.domain.routing import refuse_conflict_of_interest
from services.complaints.domain.statuses import SETTLED
from services.complaints.domain.trail import audit
from services.complaints.domain.visibility import (get_complaint, pending_forward, require_handler,
                                                   visible_complaint)
from services.complaints.domain.workdays import days_off, working_deadline
from services.complaints.models import Forward
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.intake import FOLLOW_UP_WORKING_DAYS, FORWARD_NOTE, bilingual
from shared.rules import load, require_coordinator


def forward(uow, actor, complaint_id, data, now):
    """The agency declares "bukan wewenang" and proposes another agency."""
    values = load(schemas.ForwardInput, data)
    session = uow.session
    complaint = visible_complaint(session, actor, complaint_id)
    require_handler(actor, complaint)
    if complaint.status in SETTLED:
        raise Conflict(f"a {complaint.status} complaint cannot be forwarded", {"status": [complaint.status]})
    if values["to_agency_id"] == complaint.agency_id:
        raise ValidationFailed("a complaint cannot be forwarded to the agency that has it",
                               {"to_agency_id": ["same agency"]})
    target = active_agency(session, values["to_agency_id"], "to_agency_id")
    refuse_conflict_of_interest(session, complaint, values["to_agency_id"], "to_agency_id")
    if pending_forward(session, complaint) is not None:
        raise Conflict("a forward is already waiting for an answer", {"to_agency_id": ["forward pending"]})
    proposal = Forward(id=str(uuid.uuid4()), complaint_id=complaint.id, from_agency_id=complaint.agency_id,
                       to_agency_id=values["to_agency_id"], reason=values["reason"], state="proposed",
                       created_at=now)
    session.add(proposal)
    complaint.updated_at = now
    complaint.forwarded_count += 1
    audit(session, complaint, now, "forward:proposed", actor,
          note=f"bukan wewenang -> {target.short_name}: {values['reason']}")
    audit(session, complaint, now, "forwarded", "system", public=True,
          note=bilingual(FORWARD_NOTE))
    emit_forward(uow, complaint, proposal, "proposed")
    return complaint


def answer_forward(uow, actor, complaint_id, accept, data, now):
    """The proposed agency accepts (it takes the complaint, its clock starts) or refuses (coordinator decides)."""
    values = load(schemas.ForwardAnswer, data)
    session = uow.session
    complaint = visible_complaint(session, actor, complaint_id)
    proposal = pending_forward(session, complaint)
    if proposal is None:
        raise Conflict("no forward is waiting for an answer")
    if proposal.to_agency_id != actor["agency_id"]:
        raise Forbidden("only the proposed agency answers this forward")
    if not accept and not (values["reason"] or "").strip():
        raise ValidationFailed("a refusal needs a reason", {"reason": ["required to refuse"]})
    proposal.answer_reason, proposal.answered_at = values["reason"], now
    if accept:
        proposal.state = "accepted"
        take_over(complaint, proposal.to_agency_id, now)
    else:
        proposal.state = "refused"
        complaint.agency_id = None  # back to the coordinator's triage list until decided
        complaint.routed_by = "triage:forward_refused"
    complaint.updated_at = now
    audit(session, complaint, now, f"forward:{proposal.state}", actor, note=values["reason"])
    emit_forward(uow, complaint, proposal, proposal.state)
    return complaint


def decide_forward(uow, actor, complaint_id, data, now):
    """The coordinator settles a refused or disputed forward by naming the agency in charge."""
    require_coordinator(actor)
    values = load(schemas.ForwardDecision, data)
    session = uow.session
    complaint = get_complaint(session, complaint_id)
    if complaint.status in SETTLED:
        raise Conflict(f"a {complaint.status} complaint cannot be reassigned", {"status": [complaint.status]})
    agency = active_agency(session, values["agency_id"], "agency_id")
    refuse_conflict_of_interest(session, complaint, agency.id, "agency_id")
    proposal = pending_forward(session, complaint)
    if proposal is not None:
        proposal.state, proposal.answered_at = "decided", now
        proposal.answer_reason = values["reason"]
    decision = Forward(id=str(uuid.uuid4()), complaint_id=complaint.id, from_agency_id=complaint.agency_id,
                       to_agency_id=agency.id, reason=values["reason"], state="decided",
                       created_at=now, answered_at=now)
    session.add(decision)
    take_over(complaint, agency.id, now)
    complaint.routed_by = "coordinator"
    complaint.updated_at = now
    audit(session, complaint, now, "forward:decided", actor,
          note=f"-> {agency.short_name}: {values['reason']}")
    emit_forward(uow, complaint, decision, "decided")
    return complaint


def take_over(complaint, agency_id, now):
    complaint.agency_id = agency_id
    if complaint.status in ("verified", "assigned", "in_progress"):
        previous = complaint.status
        complaint.status = "assigned"
        complaint.follow_up_due = working_deadline(now, FOLLOW_UP_WORKING_DAYS, days_off(object_session(complaint)))
        complaint.follow_up_escalated_at = None
        return previous
    return None


def emit_forward(uow, complaint, proposal, step):
    uow.emit("complaint.forwarded", {
        "complaint_id": complaint.id, "category": complaint.category, "agency_id": complaint.agency_id,
        "from_agency_id": proposal.from_agency_id, "to_agency_id": proposal.to_agency_id, "step": step})
