"""Changing items: proposing, editing and rescheduling, and every step of the life cycle."""
import json
import uuid

from marshmallow import EXCLUDE

from services.calendar import schemas
from services.calendar.domain.access import OPEN_STATES, require_acting_for, require_lead_or_coordinator
from services.calendar.domain.agencies import check_agencies
from services.calendar.domain.clashes import book, find_clashes, lock_bookings, refuse_clashes, release, resources_of
from services.calendar.domain.history import record, snapshot
from services.calendar.domain.reading import get_item
from services.calendar.domain.stored import touch
from services.calendar.domain.times import check_embargo, check_times, in_utc
from services.calendar.models import Item, Participant
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.rules import load, require_coordinator


def open_item(session, actor, item_id):
    """An item that may still change: a cancelled, declined, withdrawn or held one may not."""
    item = get_item(session, actor, item_id)
    if item.state == "cancelled":
        raise Conflict("a cancelled item cannot be changed", {"state": ["item_cancelled"]})
    if item.state not in OPEN_STATES:
        raise Conflict(f"a {item.state} item cannot be changed", {"state": [f"item_{item.state}"]})
    return item


def require_state(item, wanted, action):
    if item.state != wanted:
        raise Conflict(f"only a {wanted} item can be {action}; this one is {item.state}",
                       {"state": [f"must be {wanted} to be {action}"]})


def set_participants(item, lead_id, supporting_ids, now):
    """The lead takes part by proposing; a supporting agency keeps its earlier answer."""
    earlier = {p.agency_id: p for p in item.participants}
    item.participants = [Participant(agency_id=lead_id, role="lead", response="confirmed", responded_at=now)]
    for agency_id in supporting_ids:
        kept = earlier.get(agency_id)
        item.participants.append(Participant(
            agency_id=agency_id, role="supporting", response=kept.response if kept else "pending",
            responded_at=kept.responded_at if kept else None))


def distinct_supporting(lead_id, supporting_ids):
    supporting = list(dict.fromkeys(supporting_ids))
    if lead_id in supporting:
        raise ValidationFailed("the lead agency cannot also be a supporting agency",
                               {"supporting_agency_ids": ["the lead agency is listed as supporting"]})
    return supporting


def propose(uow, actor, data, now):
    """A member proposes an item for itself; emits ``calendar.item_proposed``."""
    values = in_utc(load(schemas.ItemInput, data, unknown=EXCLUDE))
    lead_id = values["lead_agency_id"] or actor["agency_id"]
    require_acting_for(actor, lead_id)
    supporting = distinct_supporting(lead_id, values["supporting_agency_ids"])
    check_times(values["start"], values["end"])
    check_embargo(values["kind"], values.get("embargo_at"))
    check_agencies(uow.session, lead_id, supporting)
    embargo_at = values.get("embargo_at")
    if values["kind"] == "press_release" and embargo_at is None:
        embargo_at = values["start"]
    item = Item(id=str(uuid.uuid4()), kind=values["kind"], title=values["title"],
                description=values["description"], starts_at=values["start"], ends_at=values["end"],
                timezone=values["timezone"], venue=values["venue"].strip(),
                officials=json.dumps(values["officials"]), lead_agency_id=lead_id,
                visibility=values["visibility"], embargo_at=embargo_at, state="proposed",
                revision=1, sequence=0, created_at=now)
    set_participants(item, lead_id, supporting, now)
    touch(uow.session, item, now)
    uow.session.add(item)
    uow.session.flush()
    record(uow.session, item, actor, "proposed", {}, "", now)
    uow.emit("calendar.item_proposed", {"item": snapshot(item)})
    clashes = find_clashes(uow.session, resources_of(item), item.starts_at, item.ends_at, item.id)
    if clashes:
        uow.emit("calendar.item_clashing", {"item": snapshot(item), "clashes": len(clashes)})
    return item


def change(uow, actor, item_id, data, now):
    """Edit an open item. A new start or end of a scheduled item is a reschedule: it needs a
    reason, is checked for clashes, raises the revision and emits ``calendar.item_rescheduled``."""
    values = in_utc(load(schemas.ItemChange, data, unknown=EXCLUDE))
    session = uow.session
    item = open_item(session, actor, item_id)
    require_lead_or_coordinator(actor, item)
    before = {"start": item.starts_at, "end": item.ends_at, "embargo_at": item.embargo_at,
              "resources": resources_of(item)}
    changes = {}

    def put(field, attribute, value):
        old = getattr(item, attribute)
        if old != value:
            changes[field] = [old, value]
            setattr(item, attribute, value)

    for field in ("title", "description", "timezone", "visibility"):
        if field in values:
            put(field, field, values[field])
    if "venue" in values:
        put("venue", "venue", values["venue"].strip())
    if "officials" in values:
        put("officials", "officials", json.dumps(values["officials"]))
    if "supporting_agency_ids" in values:
        supporting = distinct_supporting(item.lead_agency_id, values["supporting_agency_ids"])
        current = [p.agency_id for p in item.participants if p.role == "supporting"]
        if supporting != current:
            check_agencies(session, item.lead_agency_id, supporting)
            set_participants(item, item.lead_agency_id, supporting, now)
            changes["supporting_agency_ids"] = [current, supporting]
    start, end = values.get("start", item.starts_at), values.get("end", item.ends_at)
    moved = start != item.starts_at or end != item.ends_at
    if moved:
        check_times(start, end)
        put("start", "starts_at", start)
        put("end", "ends_at", end)
    check_embargo(item.kind, values.get("embargo_at"))
    if item.kind == "press_release":
        if "embargo_at" in values:
            put("embargo_at", "embargo_at", values["embargo_at"] or item.starts_at)
        elif moved:
            # The embargo follows the item: distribution publishes against it.
            put("embargo_at", "embargo_at", item.embargo_at + (item.starts_at - before["start"]))
    if not changes:
        return item
    rescheduled = item.state == "scheduled" and moved
    reason = values.get("reason", "")
    override = values.get("override_reason")
    if rescheduled and not reason:
        raise ValidationFailed("say why the item is rescheduled", {"reason": ["required to reschedule"]})
    if item.state == "scheduled" and (moved or resources_of(item) != before["resources"]):
        lock_bookings(session, now)
        clashes = find_clashes(session, resources_of(item), item.starts_at, item.ends_at, item.id)
        refuse_clashes(actor, clashes, override)
        book(session, item)
    if moved:
        item.revision += 1
        item.sequence += 1
    touch(session, item, now)
    record(session, item, actor, "rescheduled" if rescheduled else "updated", changes,
           "; ".join(filter(None, [reason, override and f"clash overridden: {override}"])), now)
    if rescheduled:
        uow.emit("calendar.item_rescheduled", {
            "item": snapshot(item), "previous_start": before["start"].isoformat(),
            "previous_end": before["end"].isoformat(),
            "previous_embargo_at": before["embargo_at"].isoformat() if before["embargo_at"] else None,
            "reason": reason, "override_reason": override})
    return item


def move_state(session, actor, item, state, reason, now):
    """A change of state is a change the feeds announce (SEQUENCE), recorded under the new state's name."""
    changes = {"state": [item.state, state]}
    item.state = state
    item.sequence += 1
    record(session, item, actor, state, changes, reason, now)
    touch(session, item, now)


def schedule(uow, actor, item_id, data, now):
    """The coordinator schedules a proposal, unless it clashes (or the clash is overridden)."""
    require_coordinator(actor)
    override = load(schemas.ScheduleInput, data, unknown=EXCLUDE)["override_reason"]
    session = uow.session
    item = open_item(session, actor, item_id)
    require_state(item, "proposed", "scheduled")
    check_agencies(session, item.lead_agency_id,
                   [p.agency_id for p in item.participants if p.role == "supporting"])
    lock_bookings(session, now)
    clashes = find_clashes(session, resources_of(item), item.starts_at, item.ends_at, item.id)
    refuse_clashes(actor, clashes, override)
    move_state(session, actor, item, "scheduled",
               f"clash overridden: {override}" if clashes else (override or ""), now)
    book(session, item)
    uow.emit("calendar.item_scheduled", {"item": snapshot(item), "override_reason": override if clashes else None})
    return item


def decline(uow, actor, item_id, data, now):
    require_coordinator(actor)
    reason = load(schemas.ReasonInput, data, unknown=EXCLUDE)["reason"]
    item = open_item(uow.session, actor, item_id)
    require_state(item, "proposed", "declined")
    move_state(uow.session, actor, item, "declined", reason, now)
    uow.emit("calendar.item_declined", {"item": snapshot(item), "reason": reason})
    return item


def withdraw(uow, actor, item_id, data, now):
    """The lead agency takes back its own proposal."""
    reason = load(schemas.OptionalReasonInput, data, unknown=EXCLUDE)["reason"]
    item = open_item(uow.session, actor, item_id)
    if actor.get("agency_id") != item.lead_agency_id:
        raise Forbidden("only the lead agency may withdraw its proposal", {"lead_agency_id": ["not the calling agency"]})
    require_state(item, "proposed", "withdrawn")
    move_state(uow.session, actor, item, "withdrawn", reason, now)
    return item


def cancel(uow, actor, item_id, data, now):
    """Cancel a scheduled item (a reason is required); its release is withheld."""
    reason = load(schemas.ReasonInput, data, unknown=EXCLUDE)["reason"]
    item = open_item(uow.session, actor, item_id)
    require_lead_or_coordinator(actor, item)
    require_state(item, "scheduled", "cancelled")
    move_state(uow.session, actor, item, "cancelled", reason, now)
    release(uow.session, item)
    uow.emit("calendar.item_cancelled", {"item": snapshot(item), "reason": reason})
    return item


def mark_held(uow, actor, item_id, now):
    item = open_item(uow.session, actor, item_id)
    require_lead_or_coordinator(actor, item)
    require_state(item, "scheduled", "held")
    if item.ends_at > now:
        raise Conflict("the item has not ended yet", {"end": ["an item can be marked held only after its end"]})
    move_state(uow.session, actor, item, "held", "", now)
    return item


def respond(uow, actor, item_id, data, now):
    """A supporting agency confirms or declines its own part; a declined part books no time."""
    response = load(schemas.ParticipationInput, data, unknown=EXCLUDE)["response"]
    item = open_item(uow.session, actor, item_id)
    part = next((p for p in item.participants
                 if p.role == "supporting" and p.agency_id == actor.get("agency_id")), None)
    if part is None:
        raise Forbidden("only a supporting agency of the item answers for its part",
                        {"agency_id": ["not a supporting agency of this item"]})
    if part.response == response:
        return item
    record(uow.session, item, actor, f"participation_{response}",
           {"participation": [part.response, response]}, "", now)
    part.response, part.responded_at = response, now
    touch(uow.session, item, now)
    if item.state == "scheduled":
        book(uow.session, item)
    return item
