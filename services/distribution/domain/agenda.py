"""What waits for an agency in distribution (the console's home page), the most urgent first."""
from sqlalchemy import select

from services.distribution.domain.access import names_agency
from services.distribution.domain.content import approvals_of
from services.distribution.models import Agency, Amplification, AmplificationRequest, ContentItem
from shared import agencies

AGENDA_LIMIT = 20


def waiting_for(session, actor, now):
    """Joint releases (drafts) that name the agency as a co-issuer and lack its approval of their
    current version, oldest first; amplification requests to it, not answered, whose deadline has
    not passed, the soonest deadline first. ``agencies`` names every author and requester listed."""
    me = actor["agency_id"]
    drafts = session.scalars(select(ContentItem).where(ContentItem.state == "draft", names_agency(me))
                             .order_by(ContentItem.version_created, ContentItem.id)).all()
    to_approve = [item for item in drafts
                  if me in item.co_issuers and approvals_of(session, item).get(me) != item.version][:AGENDA_LIMIT]
    answered = select(Amplification.request_id).where(Amplification.agency_id == me)
    requests = session.scalars(select(AmplificationRequest).where(
        names_agency(me, AmplificationRequest.members), AmplificationRequest.deadline >= now,
        AmplificationRequest.id.not_in(answered)).order_by(AmplificationRequest.deadline, AmplificationRequest.id)
    ).all()
    requests = [request for request in requests if me in request.members][:AGENDA_LIMIT]
    headlines = dict(session.execute(select(ContentItem.id, ContentItem.headline).where(
        ContentItem.id.in_({request.item_id for request in requests}))).all())
    named = agencies.names_of(session, Agency, {item.agency_id for item in to_approve}
                              | {request.requested_by for request in requests})
    return {"to_approve": to_approve,
            "amplification": [{"id": r.id, "item_id": r.item_id, "headline": headlines.get(r.item_id, ""),
                               "requested_by": r.requested_by, "message": r.message, "deadline": r.deadline}
                              for r in requests],
            "agencies": named}
