"""Who may act on an item, and which states everyone sees."""
from shared.errors import Forbidden
from shared.rules import is_coordinator

# An item in these states may still change; the others are final.
OPEN_STATES = ("proposed", "scheduled")
# States every member sees (and the feeds show); a proposal is seen by its agencies and the coordinator.
FORUM_STATES = ("scheduled", "held", "cancelled")


def require_acting_for(actor, agency_id, field="lead_agency_id"):
    """An agency acts only for itself; the coordinator may act for any agency."""
    if not actor or (not is_coordinator(actor) and actor.get("agency_id") != agency_id):
        raise Forbidden("an agency may act only for itself", {field: ["not the calling agency"]})


def require_lead_or_coordinator(actor, item):
    require_acting_for(actor, item.lead_agency_id)


def involved(actor, item):
    return any(p.agency_id == actor.get("agency_id") for p in item.participants)


def may_see(actor, item):
    return is_coordinator(actor) or item.state in FORUM_STATES or involved(actor, item)
