"""What every change leaves behind: an audit entry and a ``complaint.status_changed`` event."""
from services.complaints.models import AuditEntry


def audit(session, complaint, now, action, actor, note=None, public=False):
    """One step of the complaint. ``actor``: "system", "reporter", or who acted (an actor: its agency,
    and for a person the account, kept as named then; a key acts as its agency alone)."""
    person = actor if isinstance(actor, dict) else {}
    session.add(AuditEntry(complaint_id=complaint.id, at=now, action=action,
                           actor=actor_label(actor) if person else actor,
                           actor_account_id=person.get("account_id"), actor_name=person.get("account_name"),
                           status=complaint.status, agency_id=complaint.agency_id, note=note,
                           public=public))


def emit_status(uow, complaint, previous):
    uow.emit("complaint.status_changed", {
        "complaint_id": complaint.id, "category": complaint.category, "agency_id": complaint.agency_id,
        "status": complaint.status, "previous": previous})


def actor_label(actor):
    return f"agency:{actor['agency_id']}"
