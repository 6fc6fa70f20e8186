"""Keberatan (Pasal 35-36 UU 14/2008): the requester objects to the atasan PPID within 30 working
days of the decision or of the missed deadline; the superior answers within 30 working days; then
the requester may take the dispute to the Komisi Informasi within 14 working days (Pasal 37), which
the agency records with its outcome."""
import json
import uuid

from sqlalchemy import select

from services.information import schemas
from services.information.domain import clocks
from services.information.domain.numbers import identity_matches, normalise_registration_number
from services.information.domain.requests import objection_of, visible_request
from services.information.domain.trail import audit, ref, require_holder
from services.information.models import InformationRequest, Objection
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.rules import load


def by_number(session, registration_number):
    request = session.scalar(select(InformationRequest).where(
        InformationRequest.registration_number == normalise_registration_number(registration_number)))
    if request is None:
        raise NotFound("no request with this registration number")
    return request


def file_objection(uow, registration_number, data, now):
    """The requester, with the registration number and the identity number given with the request."""
    values = load(schemas.ObjectionInput, data)
    session = uow.session
    request = by_number(session, registration_number)
    if not identity_matches(request.identity_hash, values["identity_number"]):
        raise Forbidden("the identity number is not the one given with the request",
                        {"identity_number": ["does not match the request"]})
    if objection_of(session, request) is not None:
        raise Conflict("an objection to this request is filed already", {"grounds": ["already filed"]})
    closes = clocks.objection_closes(request, now)
    if closes is None:
        raise Conflict("an objection is possible once the agency answered or its time ran out",
                       {"grounds": ["not yet: the agency is still within its time"]})
    if now > closes:
        raise Conflict("the 30 working days to object have passed (Pasal 36 ayat 1)",
                       {"grounds": ["too late to object"]})
    objection = Objection(id=str(uuid.uuid4()), request_id=request.id, agency_id=request.agency_id,
                          grounds=json.dumps(values["grounds"]), reason=values["reason"], filed_at=now,
                          due=clocks.objection_due(now))
    session.add(objection)
    request.updated_at = now
    audit(session, request, now, "objection:filed", by="requester", public=True)
    uow.emit("information.objection_filed", {**ref(request), "objection_id": objection.id,
                                             "filed_at": now.isoformat(), "due_at": objection.due.isoformat()})
    return request


def answer_objection(uow, actor, request_id, data, now):
    """The atasan PPID's written answer: upheld (the information is to be given) or dismissed. A
    person answering must be an admin of the agency (the superior), not an officer (the PPID);
    a key acts as the agency."""
    values = load(schemas.ObjectionAnswerInput, data)
    session = uow.session
    request = visible_request(session, actor, request_id)
    require_holder(actor, request)
    if actor.get("account_id") and actor.get("account_role") != "admin":
        raise Forbidden("the superior of the PPID answers an objection (an admin of the agency)")
    objection = objection_of(session, request)
    if objection is None:
        raise Conflict("no objection was filed", {"outcome": ["no objection"]})
    if objection.outcome is not None:
        raise Conflict("the objection is answered already", {"outcome": [objection.outcome]})
    objection.outcome, objection.answer, objection.answered_at = values["outcome"], values["answer"], now
    request.updated_at = now
    audit(session, request, now, f"objection:{values['outcome']}", actor, note=values["answer"], public=True)
    return request


def record_commission(uow, actor, request_id, data, now):
    """The dispute at the Komisi Informasi: filed within 14 working days of the superior's answer
    (or missed deadline), then its outcome (mediation or adjudication); recorded again as it moves."""
    values = load(schemas.CommissionInput, data)
    session = uow.session
    request = visible_request(session, actor, request_id)
    require_holder(actor, request)
    objection = objection_of(session, request)
    if objection is None:
        raise Conflict("a dispute follows an objection, and none was filed", {"filed_on": ["no objection"]})
    closes = clocks.commission_closes(objection, now)
    if closes is None:
        raise Conflict("the superior still has time to answer the objection", {"filed_on": ["too early"]})
    opened = objection.answered_at or objection.due
    filed_on = values["filed_on"]
    day = clocks.forum_day
    if not day(opened) <= day(filed_on) <= day(closes) or filed_on > now:
        raise ValidationFailed("a dispute is filed within 14 working days of the superior's answer",
                               {"filed_on": ["outside the 14 working days (Pasal 37 ayat 2)"]})
    objection.commission_filed_on = values["filed_on"]
    objection.commission_outcome, objection.commission_note = values["outcome"], values["note"]
    request.updated_at = now
    audit(session, request, now, f"commission:{values['outcome']}", actor, note=values["note"], public=True)
    return request
