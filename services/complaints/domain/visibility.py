"""Who sees what: an agency its own complaints, the coordinator all, the reporter (with the
secret) their own, the public only what ``open_to_public`` allows."""
import hmac

from sqlalchemy import and_, or_, select

from services.complaints.domain.statuses import STAGES
from services.complaints.models import Agency, Complaint, Forward
from shared.errors import Forbidden, NotFound
from shared.intake import normalise_tracking_number, secret_hash, secret_readings
from shared.rules import is_coordinator


def get_complaint(session, complaint_id):
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("no such complaint")
    return complaint


def pending_forward(session, complaint):
    return session.scalar(select(Forward).where(
        Forward.complaint_id == complaint.id, Forward.state == "proposed"))


def escalated_stages(complaint):
    return [stage for stage in STAGES if getattr(complaint, f"{stage}_escalated_at") is not None]


def may_see(session, actor, complaint):
    """The coordinator sees all; an agency its own complaints, those proposed to it, and its
    children's once escalated to it."""
    if is_coordinator(actor):
        return True
    me = actor["agency_id"]
    if complaint.agency_id == me:
        return True
    forward = pending_forward(session, complaint)
    if forward is not None and forward.to_agency_id == me:
        return True
    if complaint.agency_id and escalated_stages(complaint):
        assigned = session.get(Agency, complaint.agency_id)
        return assigned is not None and assigned.parent_id == me
    return False


def seen_by(agency):
    """``may_see`` as a SQL condition, for an agency's lists counted in the database."""
    me = agency["agency_id"]
    proposed = select(Forward.complaint_id).where(Forward.to_agency_id == me, Forward.state == "proposed")
    children = select(Agency.id).where(Agency.parent_id == me)
    escalated = or_(Complaint.verify_escalated_at.is_not(None), Complaint.follow_up_escalated_at.is_not(None),
                    Complaint.settle_escalated_at.is_not(None))
    return or_(Complaint.agency_id == me, Complaint.id.in_(proposed), Complaint.agency_id.in_(children) & escalated)


def require_handler(actor, complaint):
    """Only the agency the complaint is with, or the coordinator, moves it."""
    if is_coordinator(actor):
        return
    if complaint.agency_id is None or complaint.agency_id != actor["agency_id"]:
        raise Forbidden("this complaint is not with your agency")


def visible_complaint(session, actor, complaint_id):
    complaint = get_complaint(session, complaint_id)
    if not may_see(session, actor, complaint):
        raise NotFound("no such complaint")
    return complaint


def reported_complaint(session, tracking_number, secret):
    """The complaint of ``tracking_number`` (typed as people type it) for its reporter: the
    secret given at intake must match, as a person reads it back (403 otherwise)."""
    complaint = session.scalar(select(Complaint).where(
        Complaint.tracking_number == normalise_tracking_number(tracking_number)))
    if complaint is None:
        raise NotFound("no complaint with this tracking number")
    if not any(hmac.compare_digest(complaint.reporter_secret_hash, secret_hash(reading))
               for reading in secret_readings(secret or "")):
        raise Forbidden("the reporter secret does not match", {"reporter_secret": ["does not match"]})
    return complaint


def reporter_for(actor, complaint):
    """Anonymous: nothing is stored. Confidential: the coordinator only."""
    if complaint.anonymous:
        return None
    if complaint.confidential and not is_coordinator(actor):
        return None
    return {"name": complaint.reporter_name, "phone": complaint.reporter_phone,
            "email": complaint.reporter_email}


# Not yet checked (received), sent back incomplete (held) or refused (rejected): the public
# sees none of these, and never a confidential complaint.
UNPUBLISHED = ("received", "held", "rejected")


def open_to_public():
    """The one rule for every public view of complaints (Open311 list, single request and token):
    a complaint the public may see is verified (or further) and not confidential. Elsewhere the
    public sees only the tracking page, which the tracking number's holder reads."""
    return and_(Complaint.confidential.is_(False), Complaint.status.not_in(UNPUBLISHED))


def public_complaint(session, *conditions):
    """The one complaint matching ``conditions`` that the public may see, else None (unknown and
    hidden look the same)."""
    return session.scalar(select(Complaint).where(open_to_public(), *conditions))
