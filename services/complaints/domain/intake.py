"""Storing a complaint the gateway accepted (once, whatever the redeliveries)."""
import json
import uuid

from sqlalchemy import select

from services.complaints import schemas
from services.complaints.domain.attachments import loaded_attachments, store_attachments
from services.complaints.domain.routing import route
from services.complaints.domain.trail import audit, emit_status
from services.complaints.domain.workdays import SETTLE_WORKING_DAYS, days_off, working_deadline
from services.complaints.models import Category, Complaint
from shared.intake import TRIAGE_NOTE, VERIFY_WORKING_DAYS, bilingual
from shared.rules import load


def is_received(session, tracking_number):
    return session.scalar(select(Complaint.id).where(Complaint.tracking_number == tracking_number)) is not None


def receive(uow, message, now):
    """Store a complaint the gateway accepted; a redelivered message changes nothing."""
    session = uow.session
    number = message["tracking_number"]
    if is_received(session, number):
        return None
    values = load(schemas.ComplaintInput, message["complaint"])
    attachments = loaded_attachments(message.get("attachments"))
    location = values["location"] or {}
    reporter = {} if values["anonymous"] else (message.get("reporter") or {})
    confidential = values["confidential"]
    if confidential is None:
        confidential = bool(values["about_agency_id"])
    agency_id, routed_by = route(session, values["category"], location.get("region_code"),
                                 values["target_agency_id"], values["about_agency_id"])
    if values["category"] is None:
        agency_id, routed_by = None, "triage:no_category"
    else:
        category = session.get(Category, values["category"])
        if category is None or not category.active:
            agency_id, routed_by = None, "triage:unknown_category"
    complaint = Complaint(
        id=str(uuid.uuid4()), tracking_number=number, reporter_secret_hash=message["reporter_secret_hash"],
        channel=values["channel"], text=values["text"], category=values["category"],
        target_agency_id=values["target_agency_id"], about_agency_id=values["about_agency_id"],
        filed_by_agency_id=message.get("filed_by_agency_id"),
        region_code=location.get("region_code"), latitude=location.get("latitude"),
        longitude=location.get("longitude"), address=location.get("address"),
        attachments=json.dumps(values["attachments"]),
        anonymous=values["anonymous"], confidential=confidential,
        reporter_name=reporter.get("name"), reporter_phone=reporter.get("phone"),
        reporter_email=reporter.get("email"),
        status="received", agency_id=agency_id, routed_by=routed_by,
        submitted_at=message["submitted_at"], received_at=now, updated_at=now,
        verify_due=working_deadline(now, VERIFY_WORKING_DAYS, days_off(session)),
        settle_due=working_deadline(now, SETTLE_WORKING_DAYS, days_off(session)),
    )
    session.add(complaint)
    session.flush()
    store_attachments(session, complaint, attachments, "intake", now)
    audit(session, complaint, now, "received", "reporter", public=True,
          note=None if agency_id else bilingual(TRIAGE_NOTE))
    audit(session, complaint, now, "routed", "system", note=routed_by)
    emit_status(uow, complaint, None)
    return complaint
