"""What the reporter does with the tracking number and the secret given at intake: reads the
complaint's page with the files sent, supplements it (text and files), and learns at intake by
when each stage is due."""
from dataclasses import dataclass

from services.complaints import schemas
from services.complaints.domain.attachments import files_of, store_attachments
from services.complaints.domain.trail import audit, emit_status
from services.complaints.domain.views import TrackingPage, tracking_view
from services.complaints.domain.visibility import reported_complaint
from services.complaints.domain.workdays import SETTLE_WORKING_DAYS, SILENCE_WORKING_DAYS, days_off, working_deadline
from shared.errors import Conflict
from shared.intake import FOLLOW_UP_WORKING_DAYS, VERIFY_WORKING_DAYS
from shared.rules import load

FINISHED = ("closed", "rejected")


@dataclass
class ReporterPage(TrackingPage):
    attachments: list
    actions: list


@dataclass
class IntakeDeadlines:
    verify_due: object
    follow_up_due: object
    settle_due: object


def reporter_actions(complaint, now):
    """What the reporter may do now: confirm or reopen (within the silence window) an answered
    complaint, supplement one that is still open."""
    actions = []
    if complaint.status == "responded":
        actions.append("confirm")
        if now <= working_deadline(complaint.responded_at, SILENCE_WORKING_DAYS):
            actions.append("reopen")
    if complaint.status not in FINISHED:
        actions.append("supplement")
    return actions


def reporter_view(session, tracking_number, secret, now):
    """The tracking page as its reporter sees it: also the files sent and the actions open."""
    complaint = reported_complaint(session, tracking_number, secret)
    page = tracking_view(session, complaint.tracking_number, now)
    return ReporterPage(**vars(page), attachments=files_of(session, complaint.id),
                        actions=reporter_actions(complaint, now))


def add_supplement(uow, complaint, text, attachments, now):
    """The reporter adds ``text`` and/or files; a complaint held for missing details goes back
    to verification with a fresh deadline."""
    if complaint.status in FINISHED:
        raise Conflict(f"a {complaint.status} complaint takes no supplement",
                       {"action": [f"not allowed while {complaint.status}"]})
    session, previous = uow.session, complaint.status
    store_attachments(session, complaint, attachments, "supplement", now)
    if previous == "held":
        complaint.status = "received"
        complaint.verify_due = working_deadline(now, VERIFY_WORKING_DAYS, days_off(session))
        complaint.verify_escalated_at = None
    complaint.updated_at = now
    files = f" (+{len(attachments)} file)" if attachments else ""
    audit(session, complaint, now, "reporter:supplement", "reporter", note=(text or "").strip() + files or None)
    if complaint.status != previous:
        audit(session, complaint, now, f"status:{complaint.status}", "reporter", public=True)
        emit_status(uow, complaint, previous)
    return complaint


def supplement_complaint(uow, tracking_number, secret, data, now):
    """The reporter's supplement (``schemas.SupplementInput``: text, files or both)."""
    values = load(schemas.SupplementInput, data)
    complaint = reported_complaint(uow.session, tracking_number, secret)
    return add_supplement(uow, complaint, values["text"], values["attachments"], now)


def intake_deadlines(now):
    """By when a complaint received ``now`` is due at each stage (the follow-up counted from the
    verify deadline, as if it were assigned at the last moment)."""
    verify_due = working_deadline(now, VERIFY_WORKING_DAYS)
    return IntakeDeadlines(verify_due=verify_due,
                           follow_up_due=working_deadline(verify_due, FOLLOW_UP_WORKING_DAYS),
                           settle_due=working_deadline(now, SETTLE_WORKING_DAYS))
