"""How the notifications service reaches a reporter: asked by complaint id at send time, never put in
an event. An anonymous complaint has no contact at all."""
from sqlalchemy import select

from services.complaints.models import Complaint
from shared.errors import NotFound


def reporter_contact(session, complaint_id):
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"no complaint {complaint_id}")
    return complaint


def open_complaint_of_phone(session, phone):
    """The newest complaint still open that came by WhatsApp from ``phone`` (E.164), or None."""
    return session.scalars(select(Complaint).where(
        Complaint.channel == "whatsapp", Complaint.reporter_phone == phone, Complaint.status.not_in(("closed", "rejected")))
        .order_by(Complaint.received_at.desc()).limit(1)).first()
