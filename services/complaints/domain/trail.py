"""What every change leaves behind: an audit entry and a ``complaint.status_changed`` event."""
from services.complaints.models import AuditEntry


def audit(session, complaint, now, action, actor, note=None, public=False):
    session.add(AuditEntry(complaint_id=complaint.id, at=now, action=action, actor=actor,
                           status=complaint.status, agency_id=complaint.agency_id, note=note,
                           public=public))


def emit_status(uow, complaint, previous):
    uow.emit("complaint.status_changed", {
        "complaint_id": complaint.id, "category": complaint.category, "agency_id": complaint.agency_id,
        "status": complaint.status, "previous": previous})


def actor_label(actor):
    return f"agency:{actor['agency_id']}"
