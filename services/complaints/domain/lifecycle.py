"""Moving a complaint along its lifecycle, answering it, and the reporter's own actions."""
import uuid

from services.complaints import schemas
from services.complaints.domain.agencies import active_agency
from services.complaints.domain.routing import refuse_conflict_of_interest
from services.complaints.domain.statuses import MOVES, NEEDS_REASON
from services.complaints.domain.trail import audit, emit_status
from services.complaints.domain.reporter import add_supplement
from services.complaints.domain.visibility import reported_complaint, require_handler, visible_complaint
from services.complaints.domain.workdays import SILENCE_WORKING_DAYS, days_off, working_deadline
from services.complaints.models import Note
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.intake import FOLLOW_UP_WORKING_DAYS
from shared.rules import is_coordinator, load


def change_status(uow, actor, complaint_id, data, now):
    session = uow.session
    values = load(schemas.StatusChange, data)
    complaint = visible_complaint(session, actor, complaint_id)
    require_handler(actor, complaint)
    target, previous = values["status"], complaint.status
    if target not in MOVES[previous]:
        allowed = ", ".join(sorted(MOVES[previous])) or "none"
        raise Conflict(f"a {previous} complaint cannot become {target} (allowed: {allowed})",
                       {"status": [f"{previous} -> {target} is not allowed"]})
    if target in NEEDS_REASON and not (values["reason"] or "").strip():
        raise ValidationFailed(f"{target} needs a reason", {"reason": [f"required when {target}"]})
    if values["agency_id"] and target != "assigned":
        raise ValidationFailed("agency_id is only for assigning", {"agency_id": ["only with assigned"]})
    if target == "assigned":
        assign_to(session, actor, complaint, values["agency_id"])
        complaint.follow_up_due = working_deadline(now, FOLLOW_UP_WORKING_DAYS, days_off(session))
        complaint.follow_up_escalated_at = complaint.follow_up_reminded_at = None
    if target == "responded":
        add_note(session, complaint, actor["agency_id"], "public", values["reason"], now)
        complaint.responded_at = now
    if target == "closed":
        complaint.closed_at = now
    complaint.status = target
    complaint.status_reason = values["reason"] if target in ("held", "rejected") else None
    complaint.updated_at = now
    public_note = values["reason"] if target in ("held", "rejected") else None
    audit(session, complaint, now, f"status:{target}", actor, note=public_note, public=True)
    emit_status(uow, complaint, previous)
    return complaint


def assign_to(session, actor, complaint, agency_id):
    if agency_id and not is_coordinator(actor):
        raise Forbidden("only the coordinator assigns to another agency", {"agency_id": ["coordinator only"]})
    if agency_id:
        agency = active_agency(session, agency_id, "agency_id")
        refuse_conflict_of_interest(session, complaint, agency.id, "agency_id")
        complaint.agency_id = agency.id
    elif complaint.agency_id is None:
        raise ValidationFailed("this complaint is in triage: name the agency",
                               {"agency_id": ["required for a complaint in triage"]})


def add_note(session, complaint, agency_id, visibility, text, now):
    note = Note(id=str(uuid.uuid4()), complaint_id=complaint.id, agency_id=agency_id,
                visibility=visibility, text=text, created_at=now)
    session.add(note)
    if visibility == "public" and complaint.first_response_at is None:
        complaint.first_response_at = now
    return note


def answer(uow, actor, complaint_id, data, now):
    values = load(schemas.NoteInput, data)
    complaint = visible_complaint(uow.session, actor, complaint_id)
    require_handler(actor, complaint)
    if complaint.status in ("rejected", "closed"):
        raise Conflict(f"a {complaint.status} complaint takes no more answers", {"status": [complaint.status]})
    add_note(uow.session, complaint, actor["agency_id"], values["visibility"], values["text"], now)
    complaint.updated_at = now
    audit(uow.session, complaint, now, f"note:{values['visibility']}", actor)
    if values["visibility"] == "public":
        uow.emit("complaint.answered", {"complaint_id": complaint.id, "category": complaint.category,
                                        "agency_id": complaint.agency_id})
    return complaint


def reporter_acts(uow, tracking_number, data, now):
    """The reporter, with the tracking number and the secret given at intake: confirm, reopen
    (within the silence window after a response) or supplement an open complaint."""
    values = load(schemas.ReporterAction, data)
    session = uow.session
    complaint = reported_complaint(session, tracking_number, values["reporter_secret"])
    action, previous = values["action"], complaint.status
    if action == "supplement":
        if not (values["text"] or "").strip():
            raise ValidationFailed("say what you add", {"text": ["required to supplement"]})
        return add_supplement(uow, complaint, values["text"], [], now)
    if previous != "responded":
        raise Conflict(f"only a responded complaint can be {action}ed",
                       {"action": [f"not allowed while {previous}"]})
    if action == "reopen" and now > working_deadline(complaint.responded_at, SILENCE_WORKING_DAYS):
        raise Conflict("the window to reopen has passed", {"action": ["reopen window closed"]})
    complaint.status = "closed" if action == "confirm" else "in_progress"
    complaint.closed_at = now if action == "confirm" else None
    complaint.updated_at = now
    audit(session, complaint, now, f"reporter:{action}", "reporter", note=values["text"])
    audit(session, complaint, now, f"status:{complaint.status}", "reporter", public=True)
    emit_status(uow, complaint, previous)
    return complaint
