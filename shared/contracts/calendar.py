"""Events published by the calendar service.

Every event carries the item as it stands after the change (``CalendarItem``), so a
consumer such as distribution can act on one event without asking back: a scheduled
release's ``embargo_at`` is the time to publish against, a reschedule moves it and a
cancel withholds it.
"""
from marshmallow import Schema, fields, validate

from shared.contracts import contract

SOURCE = "calendar"
ITEM_KINDS = ("press_conference", "press_release", "forum", "public_dialogue", "media_visit",
              "official_agenda")
ITEM_STATES = ("proposed", "scheduled", "declined", "withdrawn", "cancelled", "held")
VISIBILITIES = ("public", "members")


class CalendarItem(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    title = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(ITEM_STATES))
    revision = fields.Integer(required=True)
    sequence = fields.Integer(required=True)
    lead_agency_id = fields.String(required=True)
    supporting_agency_ids = fields.List(fields.String(), required=True)
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    venue = fields.String(required=True)
    visibility = fields.String(required=True, validate=validate.OneOf(VISIBILITIES))
    embargo_at = fields.AwareDateTime(required=True, allow_none=True)


@contract("calendar.item_proposed", 1, SOURCE)
class ItemProposed(Schema):
    item = fields.Nested(CalendarItem, required=True)


@contract("calendar.item_scheduled", 1, SOURCE)
class ItemScheduled(Schema):
    item = fields.Nested(CalendarItem, required=True)
    override_reason = fields.String(required=True, allow_none=True)


@contract("calendar.item_rescheduled", 1, SOURCE)
class ItemRescheduled(Schema):
    item = fields.Nested(CalendarItem, required=True)
    previous_start = fields.AwareDateTime(required=True)
    previous_end = fields.AwareDateTime(required=True)
    previous_embargo_at = fields.AwareDateTime(required=True, allow_none=True)
    reason = fields.String(required=True)
    override_reason = fields.String(required=True, allow_none=True)


@contract("calendar.item_cancelled", 1, SOURCE)
class ItemCancelled(Schema):
    item = fields.Nested(CalendarItem, required=True)
    reason = fields.String(required=True)


@contract("calendar.item_declined", 1, SOURCE)
class ItemDeclined(Schema):
    item = fields.Nested(CalendarItem, required=True)
    reason = fields.String(required=True)


@contract("calendar.item_clashing", 1, SOURCE)
class ItemClashing(Schema):
    """A proposal overlaps scheduled items on an agency, an official or the venue."""
    item = fields.Nested(CalendarItem, required=True)
    clashes = fields.Integer(required=True, metadata={"description": "how many scheduled items it overlaps"})
