"""What the calendar accepts and answers."""
import json
from zoneinfo import ZoneInfo

from marshmallow import fields, validate

from shared.agencies import AgencyName
from shared.contracts.calendar import ITEM_KINDS, ITEM_STATES, VISIBILITIES
from shared.schemas import Id, Name, Schema

# Where Indonesian agencies sit: WIB (Jakarta, Pontianak), WITA (Makassar), WIT (Jayapura).
ZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")
RESPONSES = ("confirmed", "declined")
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d\Z"


def moment(**kwargs):
    """An ISO 8601 time with its zone; a time without one is refused (the shared bound applies)."""
    return fields.AwareDateTime(**kwargs)


class Official(Schema):
    name = Name(required=True, min=2, max=120)
    position = Name(load_default="", min=0, max=160)


class _ItemFields(Schema):
    title = Name(min=3, max=200)
    description = fields.String(validate=validate.Length(max=5000))
    start = moment(metadata={"description": "ISO 8601 with its offset; a time without a zone is refused"})
    end = moment()
    timezone = fields.String(validate=validate.OneOf(ZONES),
                             metadata={"description": "the zone the item is shown in"})
    venue = Name(min=0, max=200)
    officials = fields.List(fields.Nested(Official), validate=validate.Length(max=30))
    supporting_agency_ids = fields.List(Id(), validate=validate.Length(max=50))
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    embargo_at = moment(allow_none=True, metadata={"description": "press releases only; defaults to the start"})


class ItemInput(_ItemFields):
    kind = fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    title = Name(required=True, min=3, max=200)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    start = moment(required=True)
    end = moment(required=True)
    timezone = fields.String(required=True, validate=validate.OneOf(ZONES))
    venue = Name(load_default="", min=0, max=200)
    officials = fields.List(fields.Nested(Official), load_default=list, validate=validate.Length(max=30))
    lead_agency_id = Id(load_default=None, allow_none=True,
                                   metadata={"description": "defaults to the calling agency"})
    supporting_agency_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=50))
    visibility = fields.String(load_default="public", validate=validate.OneOf(VISIBILITIES))


class ItemChange(_ItemFields):
    """A partial update; a change of start or end of a scheduled item is a reschedule."""
    reason = fields.String(validate=validate.Length(min=3, max=1000),
                           metadata={"description": "why; required to reschedule a scheduled item"})
    override_reason = fields.String(validate=validate.Length(min=3, max=1000),
                                    metadata={"description": "coordinator only: schedule despite clashes"})


class ScheduleInput(Schema):
    override_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=3, max=1000),
                                    metadata={"description": "schedule despite the clashes listed in a 409"})


class ReasonInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=1000))


class OptionalReasonInput(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class ParticipationInput(Schema):
    response = fields.String(required=True, validate=validate.OneOf(RESPONSES))


class Participant(Schema):
    agency_id = fields.String()
    name = fields.String(allow_none=True)
    short_name = fields.String(allow_none=True)
    role = fields.String()
    response = fields.String()
    responded_at = fields.AwareDateTime(allow_none=True)


def local_time(attribute):
    def show(item):
        return getattr(item, attribute).astimezone(ZoneInfo(item.timezone)).isoformat()
    return show


class ItemSummary(Schema):
    """An item as lists show it; ``GET /items/{id}`` adds its description, officials and participants.

    The calendar renders it once at each change of the item and lists answer it as stored."""
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    start = fields.AwareDateTime(attribute="starts_at")
    end = fields.AwareDateTime(attribute="ends_at")
    timezone = fields.String()
    start_local = fields.Function(local_time("starts_at"), metadata={"description": "the start in the item's zone"})
    end_local = fields.Function(local_time("ends_at"))
    venue = fields.String()
    lead_agency_id = fields.String()
    lead_agency = fields.Nested(AgencyName, metadata={"description": "the lead agency, named"})
    visibility = fields.String()
    embargo_at = fields.AwareDateTime(allow_none=True)
    state = fields.String()
    revision = fields.Integer()
    sequence = fields.Integer()
    attention = fields.String(allow_none=True, metadata={
        "description": "why the coordinator should look at this item (e.g. an agency left the forum)"})
    updated_at = fields.AwareDateTime()


class Waiting(Schema):
    """What waits for the calling agency in the calendar, the soonest first (items not ended)."""
    proposals = fields.List(fields.Nested(ItemSummary), metadata={"description": "its own, with their state"})
    to_answer = fields.List(fields.Nested(ItemSummary), metadata={"description": "awaiting its participation"})
    to_schedule = fields.List(fields.Nested(ItemSummary), metadata={"description": "coordinator: proposals"})
    attention = fields.List(fields.Nested(ItemSummary), metadata={"description": "coordinator: flagged items"})
    agencies = fields.Dict(keys=fields.String(), values=fields.Nested(AgencyName),
                           metadata={"description": "the lead agencies listed, by id"})


class Item(ItemSummary):
    description = fields.String()
    officials = fields.Function(lambda item: json.loads(item.officials))
    participants = fields.List(fields.Nested(Participant))
    created_at = fields.AwareDateTime()


class ItemList(Schema):
    items = fields.List(fields.Nested(ItemSummary))


class HistoryEntry(Schema):
    at = fields.AwareDateTime()
    actor_agency_id = fields.String(allow_none=True)
    actor_agency = fields.Nested(AgencyName, allow_none=True, metadata={"description": "null: done by the system"})
    actor_account_id = fields.String(allow_none=True, metadata={"description": "the person's account; null: a key or the system"})
    actor_name = fields.String(allow_none=True, metadata={
        "description": "the person who acted, as named then (read as 'Name (Agency)'); null: a key or the system"})
    action = fields.String()
    changes = fields.Dict(metadata={"description": "field -> [before, after]"})
    reason = fields.String()
    revision = fields.Integer()


class History(Schema):
    entries = fields.List(fields.Nested(HistoryEntry))


class ItemQuery(Schema):
    start = moment(load_default=None, data_key="from",
                                 metadata={"description": "items ending after this time"})
    end = moment(load_default=None, data_key="to",
                               metadata={"description": "items starting before this time"})
    agency_id = fields.String(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(ITEM_KINDS))
    state = fields.String(load_default=None, validate=validate.OneOf(ITEM_STATES))
    needs_attention = fields.Boolean(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class DayQuery(Schema):
    start = moment(required=True, data_key="from", metadata={"description": "the first day's start"})
    end = moment(required=True, data_key="to", metadata={"description": "the end of the last day (at most 62 days on)"})
    agency_id = fields.String(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(ITEM_KINDS))
    state = fields.String(load_default=None, validate=validate.OneOf(ITEM_STATES))
    per_day = fields.Integer(load_default=3, validate=validate.Range(min=1, max=50),
                             metadata={"description": "how many items each day lists (by start); count has them all"})


class Day(Schema):
    date = fields.Date(metadata={"description": "a day, in the zone of the items that start on it"})
    count = fields.Integer(metadata={"description": "how many items start that day"})
    items = fields.List(fields.Nested(ItemSummary), metadata={"description": "the first per_day of them"})


class DayList(Schema):
    """Only the days that have items, by date."""
    days = fields.List(fields.Nested(Day))


class _ResourceQuery(Schema):
    agencies = fields.String(load_default="", metadata={"description": "agency ids, comma-separated"})
    officials = fields.String(load_default="", metadata={"description": "officials' names, comma-separated"})
    venue = fields.String(load_default="")


class ClashQuery(_ResourceQuery):
    start = moment(required=True)
    end = moment(required=True)
    exclude_item_id = fields.String(load_default=None)


class Clash(Schema):
    id = fields.String()
    title = fields.String()
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    timezone = fields.String()
    lead_agency_id = fields.String()
    on = fields.List(fields.String(), metadata={"description": "what is double-booked: agency:<id>, official:<name>, venue:<name>"})


class ClashList(Schema):
    clashes = fields.List(fields.Nested(Clash))


class FreeSlotQuery(_ResourceQuery):
    start = moment(required=True, data_key="from")
    end = moment(required=True, data_key="to")
    duration_minutes = fields.Integer(required=True, validate=validate.Range(min=5, max=7 * 24 * 60))
    timezone = fields.String(load_default="Asia/Jakarta", validate=validate.OneOf(ZONES),
                             metadata={"description": "the zone of the working hours"})
    day_start = fields.String(load_default="08:00", validate=validate.Regexp(CLOCK, error="HH:MM"))
    day_end = fields.String(load_default="17:00", validate=validate.Regexp(CLOCK, error="HH:MM"))
    weekdays_only = fields.Boolean(load_default=True)
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=50))


class Slot(Schema):
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    start_local = fields.String()
    end_local = fields.String()


class SlotList(Schema):
    slots = fields.List(fields.Nested(Slot))


class FeedLink(Schema):
    agency_id = fields.String()
    token = fields.String(metadata={"description": "the secret; shown once; rotating makes the old link stop working"})
    path = fields.String(metadata={"description": "the feed's path on this gateway"})
