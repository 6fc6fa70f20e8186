"""What the distribution service accepts and answers."""
from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from shared.agencies import AgencyName
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
# The same topics as Indonesian readers name them (the console's editor in Indonesian).
SUBJECT_NAMES_ID = {
    "medtop:01000000": "seni, budaya, hiburan, dan media",
    "medtop:02000000": "kejahatan, hukum, dan keadilan",
    "medtop:03000000": "bencana, kecelakaan, dan keadaan darurat",
    "medtop:04000000": "ekonomi, bisnis, dan keuangan",
    "medtop:05000000": "pendidikan",
    "medtop:06000000": "lingkungan hidup",
    "medtop:07000000": "kesehatan",
    "medtop:08000000": "kisah kemanusiaan",
    "medtop:09000000": "ketenagakerjaan",
    "medtop:10000000": "gaya hidup dan waktu luang",
    "medtop:11000000": "politik",
    "medtop:12000000": "agama",
    "medtop:13000000": "ilmu pengetahuan dan teknologi",
    "medtop:14000000": "masyarakat",
    "medtop:15000000": "olahraga",
    "medtop:16000000": "konflik, perang, dan perdamaian",
    "medtop:17000000": "cuaca",
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
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class Approval(AgencyName):
    version = fields.Integer()
    account_id = fields.String(allow_none=True, metadata={"description": "the person who approved; null: a key"})
    account_name = fields.String(allow_none=True, metadata={"description": "that person, as named then"})


class ContentView(Schema):
    """Dumps a domain ``ShownItem``: the item, its approvals, the agencies it names, its ninjs."""
    id = fields.String(attribute="item.id")
    uri = fields.String()
    type = fields.String(attribute="item.kind")
    state = fields.String(attribute="item.state")
    pub_status = fields.String(attribute="item.pub_status")
    version = fields.Integer(attribute="item.version")
    agency_id = fields.String(attribute="item.agency_id")
    agency = fields.Nested(AgencyName, metadata={"description": "the posting agency, named"})
    co_issuers = fields.List(fields.String(), attribute="item.co_issuers")
    co_issuer_agencies = fields.List(fields.Nested(AgencyName), metadata={"description": "the co-issuers, named"})
    approvals = fields.Dict(metadata={"description": "agency id -> approved version"})
    approved_by = fields.List(fields.Nested(Approval), metadata={
        "description": "the co-issuers that approved, named, with the version each approved"})
    headline = fields.String(attribute="item.headline")
    summary = fields.String(attribute="item.summary")
    body_html = fields.String(attribute="item.body_html")
    language = fields.String(attribute="item.language")
    subjects = fields.List(fields.String(), attribute="item.subjects")
    byline = fields.String(attribute="item.byline")
    place = fields.String(attribute="item.place")
    attachments = fields.List(fields.Nested(Attachment), attribute="item.attachments")
    calendar_item_id = fields.String(allow_none=True, attribute="item.calendar_item_id")
    embargo_until = fields.AwareDateTime(allow_none=True, attribute="item.embargo_until")
    claim = fields.Nested(Claim, allow_none=True, attribute="item.claim")
    change_note = fields.String(allow_none=True, attribute="item.change_note")
    withdraw_reason = fields.String(allow_none=True, attribute="item.withdraw_reason")
    first_created = fields.AwareDateTime(attribute="item.first_created")
    version_created = fields.AwareDateTime(attribute="item.version_created")
    published_at = fields.AwareDateTime(allow_none=True, attribute="item.published_at")
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
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


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


class AmplificationAnswered(Schema):
    request_id = fields.String()
    agency_id = fields.String()
    url = fields.String()


class AskedAgency(Schema):
    agency_id = fields.String()
    name = fields.String(allow_none=True)
    short_name = fields.String(allow_none=True)


class Reshare(AskedAgency):
    url = fields.String()
    responded_at = fields.AwareDateTime()
    late = fields.Boolean(metadata={"description": "answered after the deadline"})


class AmplificationReport(Schema):
    """Dumps a domain ``Report``: the request with the answers its reader may see."""
    id = fields.String(attribute="request.id")
    item_id = fields.String(attribute="request.item_id")
    requested_by = fields.String(attribute="request.requested_by")
    requested_by_agency = fields.Nested(AgencyName)
    message = fields.String(attribute="request.message")
    deadline = fields.AwareDateTime(attribute="request.deadline")
    deadline_passed = fields.Boolean()
    created_at = fields.AwareDateTime(attribute="request.created_at")
    shared = fields.List(fields.Nested(Reshare), metadata={
        "description": "who re-shared; an asked agency sees only its own answer"})
    not_shared = fields.List(fields.Nested(AskedAgency))


class AmplificationQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class FeedQuery(Schema):
    agency_id = fields.String()


class WaitingContent(Schema):
    id = fields.String()
    type = fields.String(attribute="kind")
    headline = fields.String()
    state = fields.String()
    version = fields.Integer()
    agency_id = fields.String()
    co_issuers = fields.List(fields.String())
    embargo_until = fields.AwareDateTime(allow_none=True)
    version_created = fields.AwareDateTime()


class WaitingRequest(Schema):
    id = fields.String()
    item_id = fields.String()
    headline = fields.String()
    requested_by = fields.String()
    message = fields.String()
    deadline = fields.AwareDateTime()


class Waiting(Schema):
    """What waits for the calling agency in distribution."""
    to_approve = fields.List(fields.Nested(WaitingContent), metadata={
        "description": "joint releases awaiting this agency's approval of their current version"})
    amplification = fields.List(fields.Nested(WaitingRequest), metadata={
        "description": "amplification requests to this agency, not answered, the soonest deadline first"})
    agencies = fields.Dict(keys=fields.String(), values=fields.Nested(AgencyName),
                           metadata={"description": "the authors and requesters listed, by id"})


class ListedContent(ContentView):
    class Meta:
        exclude = ("stripped",)  # what the sanitiser removed is said in the answer to the write only


class ContentPage(Schema):
    items = fields.List(fields.Nested(ListedContent))
    total = fields.Integer(metadata={"description": "how many items you may see match, over all pages"})
    limit = fields.Integer()
    offset = fields.Integer()


class DeliveryPage(Schema):
    items = fields.List(fields.Nested(DeliveryView))
    total = fields.Integer(metadata={"description": "how many deliveries match, over all pages"})
    limit = fields.Integer()
    offset = fields.Integer()
