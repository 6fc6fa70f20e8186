"""Who is told what: the kinds of message, each person's default per role, and which agencies
(or which complaint's reporter) an event concerns. Pure rules over the event's data."""
from dataclasses import dataclass, field

from sqlalchemy import select

from services.notifications.models import Agency

OFFICER_KINDS = ("complaint_assigned", "complaint_deadline", "complaint_escalated", "release_approval",
                 "amplification_requested", "proposal_outcome", "webhook_failing", "information_request",
                 "information_deadline", "information_overdue", "information_objection")
REPORTER_KINDS = ("complaint_received", "complaint_status", "complaint_answer")
# Replies to a citizen who wrote on WhatsApp (CEK, STATUS, help): asked for, never unsubscribed.
REPLY_KIND = "whatsapp_reply"
DIGEST_KIND = "digest"
# A new account's one-time link, mailed when the console invites (not an event's notice).
INVITATION_KIND = "invitation"
# A change of an account's second factor, mailed to the account whatever its preferences.
SECOND_FACTOR_KIND = "second_factor"
# Every kind that can go by WhatsApp has an approved template ``bakohumas_<kind>`` (Meta delivers a
# business's first word, or any word 24 hours after the person's last, only as a template).
WHATSAPP_TEMPLATE_KINDS = (*OFFICER_KINDS, DIGEST_KIND, *REPORTER_KINDS, REPLY_KIND)
MODES = ("immediate", "digest", "off")
CHANNELS = ("mail", "whatsapp")

# An officer works the queue and hears of it at once; an agency's admin oversees, and gets most of
# it once a day, but at once what needs an admin (an escalation, a failing webhook of the agency).
DEFAULT_MODES = {
    "officer": {"complaint_assigned": "immediate", "complaint_deadline": "immediate",
                "complaint_escalated": "immediate", "release_approval": "immediate",
                "amplification_requested": "immediate", "proposal_outcome": "immediate",
                "webhook_failing": "off", "information_request": "immediate", "information_deadline": "immediate",
                "information_overdue": "immediate", "information_objection": "immediate"},
    "admin": {"complaint_assigned": "digest", "complaint_deadline": "digest",
              "complaint_escalated": "immediate", "release_approval": "digest",
              "amplification_requested": "digest", "proposal_outcome": "digest",
              "webhook_failing": "immediate", "information_request": "digest", "information_deadline": "digest",
              "information_overdue": "immediate", "information_objection": "immediate"},
}


def default_mode(account_role, kind):
    return DEFAULT_MODES.get(account_role or "officer", DEFAULT_MODES["officer"]).get(kind, "immediate")


@dataclass(frozen=True)
class NoticeSpec:
    """``kind`` for the accounts of ``agency_ids``, or for the reporter of ``complaint_id``."""
    kind: str
    agency_ids: tuple = ()
    complaint_id: str | None = None
    params: dict = field(default_factory=dict)


def coordinators(session):
    return tuple(session.scalars(select(Agency.id).where(Agency.role == "coordinator", Agency.active.is_(True))
                                 .order_by(Agency.id)).all())


def _agencies(*groups):
    seen = []
    for group in groups:
        for agency_id in ([group] if isinstance(group, str) or group is None else group):
            if agency_id and agency_id not in seen:
                seen.append(agency_id)
    return tuple(seen)


def _complaint(data, **extra):
    return {"complaint_id": data["complaint_id"], "category": data.get("category"), **extra}


def for_complaint_status(session, data):
    """Received: the reporter, and the agency it went to (the coordinators when in triage);
    assigned: the agency; any other change: the reporter."""
    complaint_id, status = data["complaint_id"], data["status"]
    specs = []
    if data.get("previous") is None:
        specs.append(NoticeSpec("complaint_received", complaint_id=complaint_id, params=_complaint(data)))
        target = data.get("agency_id")
        specs.append(NoticeSpec("complaint_assigned", _agencies(target or coordinators(session)),
                                params=_complaint(data, how="triage" if target is None else "routed")))
        return specs
    if status == "assigned":
        specs.append(NoticeSpec("complaint_assigned", _agencies(data.get("agency_id")),
                                params=_complaint(data, how="assigned")))
    specs.append(NoticeSpec("complaint_status", complaint_id=complaint_id,
                            params=_complaint(data, status=status)))
    return specs


def for_complaint_forwarded(session, data):
    step = data["step"]
    if step == "refused":
        to = coordinators(session)
    elif step in ("proposed", "decided"):
        to = _agencies(data["to_agency_id"])
    else:
        return []
    return [NoticeSpec("complaint_assigned", to, params=_complaint(data, how=f"forward_{step}"))]


def for_complaint_escalated(session, data):
    return [NoticeSpec("complaint_escalated",
                       _agencies(data.get("agency_id"), data.get("parent_agency_id"), coordinators(session)),
                       params=_complaint(data, stage=data["stage"], due_at=data["due_at"]))]


def for_complaint_deadline(session, data):
    return [NoticeSpec("complaint_deadline", _agencies(data.get("agency_id") or coordinators(session)),
                       params=_complaint(data, stage=data["stage"], due_at=data["due_at"]))]


def for_complaint_answered(session, data):
    return [NoticeSpec("complaint_answer", complaint_id=data["complaint_id"], params=_complaint(data))]


def _content(content, **extra):
    return {"content_id": content["id"], "headline": content["headline"], "agency_id": content["agency_id"],
            **extra}


def for_approval_requested(session, data):
    return [NoticeSpec("release_approval", _agencies(data["awaiting_agency_ids"]),
                       params=_content(data["content"], step="awaiting", version=data["content"]["version"]))]


def for_content_approved(session, data):
    return [NoticeSpec("release_approval", _agencies(data["content"]["agency_id"]),
                       params=_content(data["content"], step="approved", by_agency_id=data["agency_id"]))]


def for_content_published(session, data):
    content = data["content"]
    if not content["co_issuers"]:
        return []  # only a joint release concerns other agencies
    return [NoticeSpec("release_approval", _agencies(content["agency_id"], content["co_issuers"]),
                       params=_content(content, step="published"))]


def for_amplification_requested(session, data):
    return [NoticeSpec("amplification_requested", _agencies(data["members"]),
                       params={"request_id": data["request_id"], "content_id": data["content_id"],
                               "headline": data["headline"], "deadline": data["deadline"],
                               "agency_id": data["requested_by"], "step": "asked"})]


def for_calendar(step):
    def specs(session, data):
        item = data["item"]
        return [NoticeSpec("proposal_outcome", _agencies(item["lead_agency_id"]),
                           params={"item_id": item["id"], "title": item["title"], "step": step,
                                   "start": item["start"], "timezone": item["timezone"]})]
    return specs


def for_subscription_failing(session, data):
    return [NoticeSpec("webhook_failing", _agencies(data["owner_agency_id"]),
                       params={"subscription_id": data["subscription_id"], "subscription_name": data["subscription_name"],
                               "reason": data["reason"]})]


def _information(data, **extra):
    return {"request_id": data["request_id"], "registration_number": data["registration_number"], **extra}


def for_information_registered(session, data):
    return [NoticeSpec("information_request", _agencies(data["agency_id"]),
                       params=_information(data, how="registered", due_at=data["answer_due"]))]


def for_information_forwarded(session, data):
    """Proposed: the agency it is proposed to; refused: the agency it is back with (``agency_id``)."""
    step = data["step"]
    if step == "proposed":
        to = _agencies(data["to_agency_id"])
    elif step == "refused":
        to = _agencies(data["agency_id"])
    else:
        return []
    return [NoticeSpec("information_request", to, params=_information(data, how=f"forward_{step}"))]


def for_information_deadline(session, data):
    return [NoticeSpec("information_deadline", _agencies(data["agency_id"]),
                       params=_information(data, stage=data["stage"], due_at=data["due_at"]))]


def for_information_overdue(session, data):
    return [NoticeSpec("information_overdue",
                       _agencies(data["agency_id"], data.get("parent_agency_id"), coordinators(session)),
                       params=_information(data, stage=data["stage"], due_at=data["due_at"]))]


def for_information_objection(session, data):
    return [NoticeSpec("information_objection", _agencies(data["agency_id"]),
                       params=_information(data, due_at=data["due_at"]))]


# event name -> the notices it makes
AUDIENCES = {
    "complaint.status_changed": for_complaint_status,
    "complaint.forwarded": for_complaint_forwarded,
    "complaint.escalated": for_complaint_escalated,
    "complaint.deadline_near": for_complaint_deadline,
    "complaint.answered": for_complaint_answered,
    "content.approval_requested": for_approval_requested,
    "content.approved": for_content_approved,
    "content.published": for_content_published,
    "amplification.requested": for_amplification_requested,
    "calendar.item_scheduled": for_calendar("scheduled"),
    "calendar.item_declined": for_calendar("declined"),
    "calendar.item_clashing": for_calendar("clashing"),
    "subscription.failing": for_subscription_failing,
    "information.request_registered": for_information_registered,
    "information.forwarded": for_information_forwarded,
    "information.deadline_near": for_information_deadline,
    "information.stage_overdue": for_information_overdue,
    "information.objection_filed": for_information_objection,
    "amplification.answered": lambda session, data: [],  # drops the agency's reminder (reminders.py)
}


def notices_for(session, event_name, data):
    """The notices an event makes (none for a kind of event nobody is told of)."""
    return [spec for spec in AUDIENCES[event_name](session, data) if spec.agency_ids or spec.complaint_id]
