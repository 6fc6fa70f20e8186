"""Amplification: asking member agencies to re-share a published item by a deadline, and who did."""
import uuid
from dataclasses import dataclass

from marshmallow import EXCLUDE
from sqlalchemy import select

from services.distribution import schemas
from services.distribution.domain.access import PUBLIC_STATES, get_item, names_agency
from services.distribution.domain.content import check_embargo
from services.distribution.models import Agency, Amplification, AmplificationRequest, ContentItem
from shared import agencies
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.rules import is_coordinator, load


@dataclass
class Report:
    """A request with the answers of the agencies the reader may see (who re-shared, with URL,
    time and lateness, and who did not)."""
    request: AmplificationRequest
    requested_by_agency: dict
    deadline_passed: bool
    shared: list
    not_shared: list


def request_amplification(uow, actor, item_id, data, now):
    item = get_item(uow.session, actor, item_id)
    if actor["agency_id"] != item.agency_id and not is_coordinator(actor):
        raise Forbidden("only the author or the coordinator asks for amplification")
    if item.state not in PUBLIC_STATES:
        raise Conflict("only published items are amplified", {"state": [item.state]})
    values = load(schemas.AmplificationInput, data)
    check_embargo(values["deadline"], now, "deadline")
    members = values["members"]
    if members is None:
        members = uow.session.scalars(select(Agency.id).where(
            Agency.active.is_(True), Agency.id != item.agency_id).order_by(Agency.short_name)).all()
    else:
        unknown = [m for m in members if uow.session.get(Agency, m) is None]
        if unknown:
            raise ValidationFailed("unknown member agencies", {"members": [f"{m} is unknown" for m in unknown]})
    request = AmplificationRequest(id=str(uuid.uuid4()), item_id=item.id, requested_by=actor["agency_id"],
                                   message=values["message"], deadline=values["deadline"],
                                   members=list(dict.fromkeys(members)), created_at=now)
    uow.session.add(request)
    uow.session.flush()
    uow.emit("amplification.requested", {
        "request_id": request.id, "content_id": item.id, "headline": item.headline,
        "requested_by": request.requested_by, "members": request.members, "deadline": request.deadline.isoformat()})
    return request


def _get_request(session, request_id):
    request = session.get(AmplificationRequest, request_id)
    if request is None:
        raise NotFound(f"no amplification request {request_id}", {"request_id": ["unknown request"]})
    return request


def answer_amplification(uow, actor, request_id, data, now):
    """Record the caller's re-post; returns the answer."""
    request = _get_request(uow.session, request_id)
    if actor["agency_id"] not in request.members:
        raise Forbidden("this request did not ask your agency")
    values = load(schemas.AmplificationAnswer, data)
    answer = uow.session.get(Amplification, (request.id, actor["agency_id"]))
    if answer is None:
        answer = Amplification(request_id=request.id, agency_id=actor["agency_id"], url=values["url"],
                               responded_at=now)
        uow.session.add(answer)
        uow.emit("amplification.answered", {"request_id": request.id, "agency_id": actor["agency_id"]})
    else:
        answer.url, answer.responded_at = values["url"], now
    return answer


def amplification_report(session, actor, request_id, now):
    """The author and the coordinator see who re-shared and who did not; an asked agency sees
    the request and its own answer (or that it has not answered); anyone else is refused."""
    request = _get_request(session, request_id)
    item = session.get(ContentItem, request.item_id)
    if actor["agency_id"] in (request.requested_by, item.agency_id) or is_coordinator(actor):
        return _report(session, request, request.members, now)
    if actor["agency_id"] in request.members:
        return _report(session, request, [actor["agency_id"]], now)
    raise Forbidden("only the author, the coordinator and the agencies asked see this request")


def requests_addressed_to(session, actor, query, now):
    """The amplification requests that ask the caller's agency to re-share, newest first;
    ``query`` as sent (strings)."""
    values = load(schemas.AmplificationQuery, query, unknown=EXCLUDE)
    me = actor["agency_id"]
    stmt = (select(AmplificationRequest).where(names_agency(me, AmplificationRequest.members))
            .order_by(AmplificationRequest.created_at.desc(), AmplificationRequest.id)
            .limit(values["limit"]).offset(values["offset"]))
    return [_report(session, request, [me], now) for request in session.scalars(stmt) if me in request.members]


def _report(session, request, members, now):
    """The request with the answers of ``members``."""
    answers = {a.agency_id: a for a in session.scalars(select(Amplification).where(
        Amplification.request_id == request.id, Amplification.agency_id.in_(members)))}
    names = agencies.names_of(session, Agency, [request.requested_by, *members])

    def who(agency_id):
        named = names[agency_id]
        return {"agency_id": agency_id, "name": named["name"], "short_name": named["short_name"]}

    shared = [{**who(m), "url": answers[m].url, "responded_at": answers[m].responded_at,
               "late": answers[m].responded_at > request.deadline} for m in members if m in answers]
    return Report(request, names[request.requested_by], now > request.deadline, shared,
                  [who(m) for m in members if m not in answers])
