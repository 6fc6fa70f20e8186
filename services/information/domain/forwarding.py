"""Not held here (Pasal 22 ayat 7 huruf d): the request goes to the member that holds it, which
accepts it (its own 10 working days start then) or refuses it (it stays here, to be decided)."""
import uuid

from services.information import schemas
from services.information.domain.agencies import active_agency
from services.information.domain.clocks import answer_due
from services.information.domain.requests import pending_forward, require_open, visible_request
from services.information.domain.trail import audit, ref, require_holder
from services.information.models import Forward
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.rules import load


def forward(uow, actor, request_id, data, now):
    values = load(schemas.ForwardInput, data)
    session = uow.session
    request = visible_request(session, actor, request_id)
    require_holder(actor, request)
    require_open(request, "forwarded")
    if values["to_agency_id"] == request.agency_id:
        raise ValidationFailed("the request is with that agency already", {"to_agency_id": ["same agency"]})
    active_agency(session, values["to_agency_id"], "to_agency_id")
    if pending_forward(session, request) is not None:
        raise Conflict("a forward waits for an answer already", {"to_agency_id": ["forward pending"]})
    proposal = Forward(id=str(uuid.uuid4()), request_id=request.id, from_agency_id=request.agency_id,
                       to_agency_id=values["to_agency_id"], reason=values["reason"], state="proposed", created_at=now)
    session.add(proposal)
    request.updated_at = now
    audit(session, request, now, "forward:proposed", actor, note=values["reason"])
    emit_forward(uow, request, proposal)
    return request


def answer_forward(uow, actor, request_id, accept, data, now):
    values = load(schemas.ForwardAnswer, data)
    session = uow.session
    request = visible_request(session, actor, request_id)
    proposal = pending_forward(session, request)
    if proposal is None:
        raise Conflict("no forward waits for an answer")
    if proposal.to_agency_id != actor["agency_id"]:
        raise Forbidden("only the agency the request is proposed to answers")
    if not accept and not (values["reason"] or "").strip():
        raise ValidationFailed("a refusal needs a reason", {"reason": ["required to refuse"]})
    proposal.answer_reason, proposal.answered_at = values["reason"], now
    if accept:
        proposal.state = "accepted"
        request.agency_id, request.clock_started_at = proposal.to_agency_id, now
        request.answer_due, request.status = answer_due(now), "registered"
        request.extended_at = request.extension_reason = None
        request.answer_near_at = request.answer_escalated_at = None
        request.forwarded_count += 1
        audit(session, request, now, "forward:accepted", actor, note=values["reason"], public=True)
    else:
        proposal.state = "refused"
        audit(session, request, now, "forward:refused", actor, note=values["reason"])
    request.updated_at = now
    emit_forward(uow, request, proposal)
    return request


def emit_forward(uow, request, proposal):
    uow.emit("information.forwarded", {**ref(request), "from_agency_id": proposal.from_agency_id,
                                       "to_agency_id": proposal.to_agency_id, "step": proposal.state})
