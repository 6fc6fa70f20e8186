"""A request's life at the agency: registered at once, extended once, decided in writing."""
import hashlib
import json
import uuid

from sqlalchemy import select

from services.information import schemas
from services.information.domain import clocks
from services.information.domain.agencies import active_agency
from services.information.domain.numbers import hash_identity, new_registration_number
from services.information.domain.trail import audit, ref, require_holder
from services.information.models import Forward, InformationRequest, Objection
from shared.errors import Conflict, NotFound
from shared.rules import is_coordinator, load

OPEN = ("registered", "extended")


def get_request(session, request_id):
    request = session.get(InformationRequest, request_id)
    if request is None:
        raise NotFound("no such request")
    return request


def pending_forward(session, request):
    return session.scalar(select(Forward).where(Forward.request_id == request.id, Forward.state == "proposed"))


def objection_of(session, request):
    return session.scalar(select(Objection).where(Objection.request_id == request.id))


def may_see(session, actor, request):
    """The coordinator sees all; an agency the requests it holds, those it passed on, and one
    proposed to it."""
    if is_coordinator(actor):
        return True
    me = actor["agency_id"]
    if me in (request.agency_id, request.origin_agency_id):
        return True
    forward = pending_forward(session, request)
    return forward is not None and forward.to_agency_id == me


def visible_request(session, actor, request_id):
    request = get_request(session, request_id)
    if not may_see(session, actor, request):
        raise NotFound("no such request")
    return request


def intake_scope(actor, data):
    """Whose Idempotency-Key a registration's is: the filing desk's agency, or for the public the
    body itself, so that a key guessed by someone else never answers another person's request."""
    if actor:
        return actor["agency_id"]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "public-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]


def register(uow, actor, data, now):
    """A request from the public form (``actor`` None) or filed by an agency's desk for a walk-in
    requester (``actor`` that agency): numbered at once, the 10 working days start."""
    values = load(schemas.RequestInput, data)
    agency = active_agency(uow.session, values["agency_id"], "agency_id")
    requester = values["requester"]
    identity = values["identity_number"]
    request = InformationRequest(
        id=str(uuid.uuid4()), registration_number=new_registration_number(), channel=values["channel"],
        requester_name=requester["name"], requester_address=requester["address"],
        requester_phone=requester.get("phone"), requester_email=requester.get("email"),
        identity_hash=hash_identity(identity), identity_last4="".join(ch for ch in identity if ch.isalnum())[-4:],
        information=values["information"], purpose=values["purpose"], obtain=values["obtain"],
        delivery=values["delivery"], origin_agency_id=agency.id,
        filed_by_agency_id=actor["agency_id"] if actor else None, agency_id=agency.id, status="registered",
        registered_at=now, clock_started_at=now, updated_at=now, answer_due=clocks.answer_due(now),
        documents="[]", forwarded_count=0)
    uow.session.add(request)
    uow.session.flush()
    if actor:
        audit(uow.session, request, now, "registered", actor, public=True)
    else:
        audit(uow.session, request, now, "registered", by="requester", public=True)
    uow.emit("information.request_registered", {**ref(request), "registered_at": now.isoformat(),
                                                "answer_due": request.answer_due.isoformat()})
    return request


def require_open(request, what):
    if request.status not in OPEN:
        raise Conflict(f"a decided request cannot be {what}", {"status": [request.status]})


def extend(uow, actor, request_id, data, now):
    """Once, within the first 10 working days, with a written reason: 7 working days more."""
    values = load(schemas.ExtensionInput, data)
    request = visible_request(uow.session, actor, request_id)
    require_holder(actor, request)
    require_open(request, "extended")
    if request.extended_at is not None:
        raise Conflict("a request is extended once only (Pasal 22 ayat 8)", {"reason": ["already extended"]})
    if now > request.answer_due:
        raise Conflict("the extension is given before the 10 working days end", {"reason": ["too late to extend"]})
    request.extended_at, request.extension_reason = now, values["reason"]
    request.answer_due = clocks.extended_due(request.answer_due)
    request.answer_near_at = None
    request.status, request.updated_at = "extended", now
    audit(uow.session, request, now, "extended", actor, note=values["reason"], public=True)
    return request


def decide(uow, actor, request_id, data, now):
    """The written notice: granted (fully or partly, with documents or links), refused (Pasal 17 and
    the consequence test), not held (naming who holds it; a member of the forum: forward instead),
    or not yet documented. A request decided once is decided again only after its objection was
    upheld, to give what the superior ordered."""
    values = load(schemas.DecisionInput, data)
    session = uow.session
    request = visible_request(session, actor, request_id)
    require_holder(actor, request)
    if request.status not in OPEN:
        objection = objection_of(session, request)
        if objection is None or objection.outcome != "upheld":
            raise Conflict("this request is decided already", {"decision": [request.decision]})
        if values["decision"] not in ("granted", "partly_granted"):
            raise Conflict("after an upheld objection the information is given",
                           {"decision": ["granted or partly_granted"]})
    if pending_forward(session, request) is not None:
        raise Conflict("a forward waits for the other agency's answer", {"decision": ["forward pending"]})
    note = values["note"]
    if values["decision"] == "not_held":
        note = f"{values['holder']}: {note}" if note else values["holder"]
    request.decision, request.decision_note = values["decision"], note
    request.documents = json.dumps(values["documents"])
    request.exemption = json.dumps(values["exemption"]) if values["exemption"] else None
    request.decided_at, request.status, request.updated_at = now, "decided", now
    audit(session, request, now, f"decided:{values['decision']}", actor, note=note, public=True)
    uow.emit("information.decided", {**ref(request), "decision": request.decision, "decided_at": now.isoformat()})
    return request
