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


@contract("content.approval_requested", 1, SOURCE)
class ApprovalRequested(Schema):
    """A joint release's draft (this version) waits for the co-issuers that have not approved it."""
    content = fields.Nested(ContentRef, required=True)
    awaiting_agency_ids = fields.List(fields.String(), required=True)


@contract("content.approved", 1, SOURCE)
class ContentApproved(Schema):
    content = fields.Nested(ContentRef, required=True)
    agency_id = fields.String(required=True, metadata={"description": "the co-issuer that approved"})


@contract("amplification.requested", 1, SOURCE)
class AmplificationRequested(Schema):
    request_id = fields.String(required=True)
    content_id = fields.String(required=True)
    headline = fields.String(required=True)
    requested_by = fields.String(required=True)
    members = fields.List(fields.String(), required=True)
    deadline = fields.AwareDateTime(required=True)


@contract("amplification.answered", 1, SOURCE)
class AmplificationAnswered(Schema):
    """An asked agency answered with its re-post (sent on its first answer)."""
    request_id = fields.String(required=True)
    agency_id = fields.String(required=True)


@contract("subscription.failing", 1, SOURCE)
class SubscriptionFailing(Schema):
    """A webhook delivery failed after its last try, or the subscription was disabled."""
    subscription_id = fields.String(required=True)
    owner_agency_id = fields.String(required=True)
    subscription_name = fields.String(required=True)
    reason = fields.String(required=True)
