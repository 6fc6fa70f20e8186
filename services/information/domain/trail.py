"""What every step leaves behind: an audit entry naming who acted, and the rule of who may act."""
from services.information.models import AuditEntry
from shared.errors import Forbidden
from shared.rules import is_coordinator


def audit(session, request, now, action, actor=None, note=None, public=False, by=None):
    """``actor`` a caller (an agency's key, or a person of it); ``by`` "requester" or "system" otherwise."""
    if actor is not None:
        kind = "person" if actor.get("account_id") else "agency"
        fields = {"actor_agency_id": actor.get("agency_id"), "actor_account_id": actor.get("account_id"),
                  "actor_name": actor.get("account_name")}
    else:
        kind, fields = by or "system", {}
    session.add(AuditEntry(request_id=request.id, at=now, action=action, actor_kind=kind, status=request.status,
                           note=note, public=public, **fields))


def actor_label(entry, names):
    """"Name (Agency)" for a person, the agency alone for a key, else "requester" or "system"."""
    if entry.actor_kind not in ("person", "agency"):
        return entry.actor_kind
    agency = (names.get(entry.actor_agency_id) or {}).get("name") or entry.actor_agency_id
    return f"{entry.actor_name} ({agency})" if entry.actor_kind == "person" else agency


def require_holder(actor, request):
    """Only the agency the request is with, or the coordinator, moves it."""
    if is_coordinator(actor):
        return
    if request.agency_id != actor["agency_id"]:
        raise Forbidden("this request is not with your agency")


def ref(request):
    """The part of every event that names the request (never the requester)."""
    return {"request_id": request.id, "agency_id": request.agency_id,
            "registration_number": request.registration_number}
