"""What the distribution service accepts and answers."""
from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from shared.contracts.distribution import CONTENT_TYPES
from shared.schemas import Id, Name, Schema

LANGUAGES = ("id", "en")

# IPTC Media Topics (top level): the controlled vocabulary of ``subjects``.
SUBJECTS = {
    "medtop:01000000": "arts, culture, entertainment and media",
    "medtop:02000000": "crime, law and justice",
    "medtop:03000000": "disaster, accident and emergency incident",
    "medtop:04000000": "economy, business and finance",
    "medtop:05000000": "education",
    "medtop:06000000": "environment",
    "medtop:07000000": "health",
    "medtop:08000000": "human interest",
    "medtop:09000000": "labour",
    "medtop:10000000": "lifestyle and leisure",
    "medtop:11000000": "politics",
    "medtop:12000000": "religion",
    "medtop:13000000": "science and technology",
    "medtop:14000000": "society",
    "medtop:15000000": "sport",
    "medtop:16000000": "conflict, war and peace",
    "medtop:17000000": "weather",
}

http_url = validate.URL(schemes={"http", "https"}, require_tld=False, error="must be an http(s) URL")


def known_subjects(codes):
    unknown = sorted(set(codes) - set(SUBJECTS))
    if unknown:
        raise ValidationError(f"unknown subject(s) {', '.join(unknown)}; use IPTC media topic codes "
                              "such as medtop:11000000")


class Attachment(Schema):
    url = fields.String(required=True, validate=[validate.Length(max=2000), http_url])
    media_type = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z]+/[A-Za-z0-9.+-]+\Z", error="a media type such as image/jpeg"))
    caption = fields.String(load_default="", validate=validate.Length(max=500))


class Claim(Schema):
    """The hoax a clarification answers."""
    text = fields.String(required=True, validate=validate.Length(min=3, max=2000))
    circulated_on = fields.List(fields.String(validate=validate.Length(min=1, max=300)),
                                load_default=list, metadata={"description": "where it circulated"})


class ContentFields(Schema):
    headline = Name(min=3, max=300)
    summary = fields.String(validate=validate.Length(max=2000))
    body_html = fields.String(validate=validate.Length(max=200_000))
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    subjects = fields.List(fields.String(), validate=known_subjects)
    byline = Name(min=0, max=200)
    place = Name(min=0, max=200)
    attachments = fields.List(fields.Nested(Attachment), validate=validate.Length(max=20))
    co_issuers = fields.List(Id(), validate=validate.Length(max=20))
    calendar_item_id = Id(allow_none=True)
    embargo_until = fields.AwareDateTime(allow_none=True)
    claim = fields.Nested(Claim, allow_none=True)


class ContentInput(ContentFields):
    type = fields.String(required=True, validate=validate.OneOf(CONTENT_TYPES))
    headline = Name(required=True, min=3, max=300)
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    agency_id = Id(metadata={"description": "the posting agency; only your own"})

    @validates_schema
    def clarification_has_claim(self, data, **_):
        if data.get("type") == "clarification" and not data.get("claim"):
            raise ValidationError("a clarification carries the claim it answers", "claim")


class ContentEdit(ContentFields):
    """A draft edit: only the fields sent change."""


class Correction(ContentFields):
    change_note = fields.String(required=True, validate=validate.Length(min=3, max=2000))


class PublishInput(Schema):
    embargo_until = fields.AwareDateTime(allow_none=True, metadata={
        "description": "publish at this time; omit (and no embargo on the item) to publish now"})


class ApproveInput(Schema):
    version = fields.Integer(required=True, metadata={"description": "the version you read and approve"})


class WithdrawInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=2000))


class ContentQuery(Schema):
    state = fields.String(validate=validate.OneOf(("draft", "embargoed", "published", "corrected",
                                                   "withdrawn")))
    type = fields.String(validate=validate.OneOf(CONTENT_TYPES))
    agency_id = fields.String()


class ContentView(Schema):
    id = fields.String()
    uri = fields.String()
    type = fields.String()
    state = fields.String()
    pub_status = fields.String()
    version = fields.Integer()
    agency_id = fields.String()
    co_issuers = fields.List(fields.String())
    approvals = fields.Dict(metadata={"description": "agency id -> approved version"})
    headline = fields.String()
    summary = fields.String()
    body_html = fields.String()
    language = fields.String()
    subjects = fields.List(fields.String())
    byline = fields.String()
    place = fields.String()
    attachments = fields.List(fields.Nested(Attachment))
    calendar_item_id = fields.String(allow_none=True)
    embargo_until = fields.AwareDateTime(allow_none=True)
    claim = fields.Nested(Claim, allow_none=True)
    change_note = fields.String(allow_none=True)
    withdraw_reason = fields.String(allow_none=True)
    first_created = fields.AwareDateTime()
    version_created = fields.AwareDateTime()
    published_at = fields.AwareDateTime(allow_none=True)
    stripped = fields.List(fields.String(), metadata={
        "description": "what the sanitiser removed from body_html in this request"})
    ninjs = fields.Dict(metadata={"description": "the item as IPTC ninjs 3.x"})


class Filters(Schema):
    types = fields.List(fields.String(validate=validate.OneOf(CONTENT_TYPES)), load_default=list)
    agencies = fields.List(Id(), load_default=list)
    subjects = fields.List(fields.String(), load_default=list, validate=known_subjects)
    language = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES))


class SubscriptionInput(Schema):
    url = fields.String(required=True, validate=[validate.Length(max=2000), http_url])
    name = Name(load_default="", min=0, max=200)
    filters = fields.Nested(Filters, load_default=lambda: Filters().load({}))
    owner_agency_id = Id(metadata={"description": "coordinator only: the owning agency"})

    @validates("url")
    def usable_destination(self, value, **_):
        if "@" in value.split("//", 1)[-1].split("/", 1)[0]:
            raise ValidationError("must not carry credentials")
        try:
            port = urlsplit(value).port
        except ValueError:
            port = 0
        if port == 0:
            raise ValidationError("the port must be a number from 1 to 65535")


class SubscriptionView(Schema):
    id = fields.String()
    owner_agency_id = fields.String()
    name = fields.String()
    url = fields.String()
    filters = fields.Dict()
    active = fields.Boolean()
    disabled_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class IssuedSubscription(SubscriptionView):
    secret = fields.String(metadata={"description": "whsec_…; shown once, never again"})


class DeliveryQuery(Schema):
    state = fields.String(validate=validate.OneOf(("pending", "retrying", "delivered", "failed")))


class DeliveryView(Schema):
    id = fields.String(metadata={"description": "the webhook-id of every attempt"})
    subscription_id = fields.String()
    item_id = fields.String()
    item_version = fields.Integer()
    event = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)


class AmplificationInput(Schema):
    deadline = fields.AwareDateTime(required=True)
    message = fields.String(load_default="", validate=validate.Length(max=2000))
    members = fields.List(Id(), load_default=None, metadata={
        "description": "agencies asked; default every active member but the author"})


class AmplificationAnswer(Schema):
    url = fields.String(required=True, validate=[validate.Length(max=2000), http_url])


class AmplificationReport(Schema):
    id = fields.String()
    item_id = fields.String()
    requested_by = fields.String()
    message = fields.String()
    deadline = fields.AwareDateTime()
    deadline_passed = fields.Boolean()
    shared = fields.List(fields.Dict())
    not_shared = fields.List(fields.Dict())


class FeedQuery(Schema):
    agency_id = fields.String()
