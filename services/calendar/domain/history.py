"""What happened to an item: its history entries and the snapshot its events carry."""
import json

from services.calendar.models import HistoryEntry


def record(session, item, actor, action, changes, reason, now):
    """One entry of the item's history: the agency that acted and, for a person, the account as
    named at that moment (a key acts as its agency alone; ``actor`` None is the system)."""
    actor = actor or {}
    session.add(HistoryEntry(item_id=item.id, at=now, actor_agency_id=actor.get("agency_id"),
                             actor_account_id=actor.get("account_id"), actor_name=actor.get("account_name"),
                             action=action, changes=json.dumps(changes, default=str), reason=reason or "",
                             revision=item.revision))


def snapshot(item):
    """The item as the calendar contracts carry it."""
    return {
        "id": item.id, "kind": item.kind, "title": item.title, "state": item.state,
        "revision": item.revision, "sequence": item.sequence, "lead_agency_id": item.lead_agency_id,
        "supporting_agency_ids": [p.agency_id for p in item.participants if p.role == "supporting"],
        "start": item.starts_at.isoformat(), "end": item.ends_at.isoformat(), "timezone": item.timezone,
        "venue": item.venue, "visibility": item.visibility,
        "embargo_at": item.embargo_at.isoformat() if item.embargo_at else None,
    }
