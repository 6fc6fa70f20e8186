"""Events published by the distribution service."""
from marshmallow import Schema, fields, validate

from shared.contracts import contract

SOURCE = "distribution"
CONTENT_TYPES = ("release", "news", "clarification", "agenda", "infographic")


class ContentRef(Schema):
    """What other services may keep of a content item."""
    id = fields.String(required=True)
    agency_id = fields.String(required=True)
    co_issuers = fields.List(fields.String(), required=True)
    type = fields.String(required=True, validate=validate.OneOf(CONTENT_TYPES))
    version = fields.Integer(required=True)
    headline = fields.String(required=True)
    calendar_item_id = fields.String(allow_none=True, load_default=None)


@contract("content.published", 1, SOURCE)
class ContentPublished(Schema):
    content = fields.Nested(ContentRef, required=True)


@contract("content.corrected", 1, SOURCE)
class ContentCorrected(Schema):
    content = fields.Nested(ContentRef, required=True)
    change_note = fields.String(required=True)


@contract("content.withdrawn", 1, SOURCE)
class ContentWithdrawn(Schema):
    content = fields.Nested(ContentRef, required=True)
    reason = fields.String(required=True)
