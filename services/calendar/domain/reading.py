"""Reading items: one item, its history, lists, and the clashes a time would have."""
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE
from sqlalchemy import select

from services.calendar import schemas
from services.calendar.domain.access import FORUM_STATES, may_see
from services.calendar.domain.agencies import agency_names
from services.calendar.domain.clashes import find_clashes, resources, split_list
from services.calendar.domain.stored import lead_of, summary
from services.calendar.domain.times import MAX_DURATION, check_times
from services.calendar.models import HistoryEntry, Item, Participant
from shared.errors import NotFound, ValidationFailed
from shared.rules import is_coordinator, load

MAX_DAYS = timedelta(days=62)


def get_item(session, actor, item_id):
    item = session.get(Item, item_id)
    if item is None or not may_see(actor, item):
        raise NotFound(f"no item {item_id}", {"item_id": ["unknown item"]})
    return item


def history(session, actor, item_id):
    get_item(session, actor, item_id)
    return session.scalars(select(HistoryEntry).where(HistoryEntry.item_id == item_id)
                           .order_by(HistoryEntry.id)).all()


def named_history(session, actor, item_id):
    """The item's history as people read it: each entry also names the agency that acted
    (``actor_agency``; null for what the system did) and the person, when a person did."""
    entries = history(session, actor, item_id)
    names = agency_names(session, [entry.actor_agency_id for entry in entries])
    return [{"at": entry.at, "actor_agency_id": entry.actor_agency_id, "actor_agency": names.get(entry.actor_agency_id),
             "actor_account_id": entry.actor_account_id, "actor_name": entry.actor_name, "action": entry.action,
             "changes": json.loads(entry.changes), "reason": entry.reason, "revision": entry.revision}
            for entry in entries]


def taking_part(agency_id):
    return select(Participant.item_id).where(Participant.agency_id == agency_id)


def list_items(session, actor, args):
    """Items by date range (overlapping it), agency, kind, state and attention flag, by start time;
    ``args`` is the query as sent. Answers the JSON text of ``{"items": [...]}`` joined from the
    items' stored summaries (``stored.summary``): a list reads one text column per item, and
    builds, parses and dumps nothing on its way to the client."""
    query = load(schemas.ItemQuery, args, unknown=EXCLUDE)
    stmt = narrowed(select(Item.id, Item.summary_json), actor, query)
    if query["needs_attention"] is not None:
        stmt = stmt.where(Item.attention.is_not(None) if query["needs_attention"] else Item.attention.is_(None))
    stmt = stmt.order_by(Item.starts_at, Item.id).limit(query["limit"]).offset(query["offset"])
    summaries = [stored if stored is not None else unrendered_summary(session, item_id)
                 for item_id, stored in session.execute(stmt)]
    return '{"items": [' + ", ".join(summaries) + "]}"


def list_days(session, actor, args):
    """The days of a period (a month on a calendar page) that have items, each with how many start
    that day (in the item's own zone) and the first ``per_day`` of them by start; ``args`` is the
    query as sent. Answers JSON text joined from the stored summaries, as ``list_items`` does."""
    query = load(schemas.DayQuery, args, unknown=EXCLUDE)
    if query["end"] <= query["start"]:
        raise ValidationFailed("the period ends before it starts", {"to": ["must be after from"]})
    if query["end"] - query["start"] > MAX_DAYS:
        raise ValidationFailed("the period is too long", {"to": ["at most 62 days after from"]})
    stmt = narrowed(select(Item.id, Item.starts_at, Item.timezone), actor, query)
    days = {}
    for item_id, starts_at, zone in session.execute(stmt.order_by(Item.starts_at, Item.id)):
        day = days.setdefault(starts_at.astimezone(ZoneInfo(zone)).date().isoformat(), [0, []])
        day[0] += 1
        if len(day[1]) < query["per_day"]:
            day[1].append(item_id)
    # Only the summaries shown are read: a busy month reads a few dozen, not hundreds.
    shown = [item_id for _, ids in days.values() for item_id in ids]
    stored = dict(session.execute(select(Item.id, Item.summary_json).where(Item.id.in_(shown))).all()) if shown else {}
    return '{"days": [' + ", ".join(
        f'{{"date": "{date}", "count": {count}, "items": ['
        + ", ".join(stored[i] if stored[i] is not None else unrendered_summary(session, i) for i in ids) + "]}"
        for date, (count, ids) in sorted(days.items())) + "]}"


def narrowed(stmt, actor, query):
    """Items overlapping the query's period, of its agency, kind and state, that the actor may see."""
    if query["start"] is not None:
        stmt = stmt.where(Item.ends_at > query["start"], Item.starts_at >= query["start"] - MAX_DURATION)
    if query["end"] is not None:
        stmt = stmt.where(Item.starts_at < query["end"])
    if query["agency_id"]:
        stmt = stmt.join(Participant, Participant.item_id == Item.id).where(Participant.agency_id == query["agency_id"])
    if query["kind"]:
        stmt = stmt.where(Item.kind == query["kind"])
    if query["state"]:
        stmt = stmt.where(Item.state == query["state"])
    if not is_coordinator(actor):
        stmt = stmt.where(Item.state.in_(FORUM_STATES) | Item.id.in_(taking_part(actor["agency_id"])))
    return stmt


def unrendered_summary(session, item_id):
    """The summary of an item stored before summaries were, and unchanged since."""
    item = session.get(Item, item_id)
    return json.dumps(summary(item, lead_of(session, item)))


def clash_check(session, actor, args):
    """The clashes a proposed time would have, before anyone asks to schedule it; any member may
    ask (``actor``), ``args`` is the query as sent."""
    query = load(schemas.ClashQuery, args, unknown=EXCLUDE)
    check_times(query["start"], query["end"])
    keys = resources(split_list(query["agencies"]), split_list(query["officials"]), query["venue"])
    if not keys:
        raise ValidationFailed("say what to check", {"agencies": ["give agencies, officials or a venue"]})
    return find_clashes(session, keys, query["start"], query["end"], query["exclude_item_id"])
