"""What the complaints API accepts and answers (the gateway validates with the same schemas)."""
import base64
import binascii

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.contracts.complaints import STATUSES
from shared.contracts.directory import AGENCY_KINDS
from shared.intake import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from shared.schemas import Id, Name, Phone, Schema

CHANNELS = ("web", "whatsapp", "sms", "email", "qr", "ptsp", "social_media", "app", "open311")
# Each channel as people name it, in Indonesian and English (pages and exports show these).
CHANNEL_NAMES = {
    "web": {"id": "Formulir web", "en": "Web form"}, "whatsapp": {"id": "WhatsApp", "en": "WhatsApp"},
    "sms": {"id": "SMS", "en": "SMS"}, "email": {"id": "Surel", "en": "Email"},
    "qr": {"id": "Kode QR di kantor", "en": "QR code at an office"},
    "ptsp": {"id": "Loket PTSP", "en": "One-stop service counter (PTSP)"},
    "social_media": {"id": "Media sosial", "en": "Social media"}, "app": {"id": "Aplikasi", "en": "App"},
    "open311": {"id": "Sistem lain (Open311)", "en": "Another system (Open311)"}}
REGION_CODE = validate.Regexp(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?\Z",
                              error="a Kemendagri region code such as 73.72")
# Indonesia's extent, with a margin for its seas: Sabang to Merauke, Miangas to Rote.
LATITUDE = validate.Range(min=-11.5, max=6.5, error="outside Indonesia (latitude -11.5 to 6.5)")
LONGITUDE = validate.Range(min=94.5, max=141.5, error="outside Indonesia (longitude 94.5 to 141.5)")
CATEGORY_CODE = [validate.Length(max=40), validate.Regexp(r"^[a-z][a-z0-9_]{1,39}\Z",
                                                         error="lowercase letters, digits and _ (2-40 characters)")]
MAX_TEXT = 4000
MAX_OFFSET = 10_000_000


def not_blank(value):
    if not value.strip():
        raise ValidationError("must not be empty")


class Location(Schema):
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    latitude = fields.Float(load_default=None, allow_none=True, validate=LATITUDE)
    longitude = fields.Float(load_default=None, allow_none=True, validate=LONGITUDE)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @validates_schema
    def both_coordinates(self, data, **kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("give latitude and longitude together", "latitude")


class ReporterInput(Schema):
    name = Name(load_default=None, allow_none=True, max=200)
    phone = Phone(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))


class Base64Bytes(fields.String):
    """Bytes sent as base64 text (loaded to bytes, dumped as text)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > (MAX_ATTACHMENT_BYTES * 4) // 3 + 4:
            raise ValidationError(f"at most {MAX_ATTACHMENT_BYTES} bytes")
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("not base64") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else base64.b64encode(value).decode("ascii")


class UploadInput(Schema):
    """A file sent with the JSON API (base64); the gateway checks it and re-encodes an image
    without its metadata before it travels with the complaint."""
    filename = fields.String(required=True, validate=validate.Length(min=1, max=100))
    content_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    data = Base64Bytes(required=True, metadata={"description": "the file, base64 (at most 5 MB decoded)"})


UPLOADS = fields.List(fields.Nested(UploadInput), load_default=list, validate=validate.Length(max=MAX_ATTACHMENTS),
                      metadata={"description": "up to 3 photos (JPEG, PNG, WebP) or PDF documents"})


class ComplaintInput(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    text = fields.String(required=True, validate=[validate.Length(min=1, max=MAX_TEXT), not_blank])
    category = fields.String(load_default=None, allow_none=True, validate=CATEGORY_CODE,
                             metadata={"description": "from the coordinator's list; without it (a WhatsApp "
                                                      "or SMS message, a citizen who does not know) the "
                                                      "complaint goes to the coordinator's triage"})
    target_agency_id = Id(load_default=None, allow_none=True,
                                     metadata={"description": "the office named by a QR code or a PTSP desk"})
    about_agency_id = Id(load_default=None, allow_none=True,
                                    metadata={"description": "the unit complained about: routed to its parent"})
    location = fields.Nested(Location, load_default=None, allow_none=True)
    reporter = fields.Nested(ReporterInput, load_default=None, allow_none=True)
    anonymous = fields.Boolean(load_default=False)
    confidential = fields.Boolean(load_default=None, allow_none=True,
                                  metadata={"description": "default: true when about_agency_id is given"})
    attachments = fields.List(fields.Url(schemes={"http", "https"}), load_default=list,
                              validate=validate.Length(max=10))
    files = UPLOADS

    @validates_schema
    def anonymous_has_no_identity(self, data, **kwargs):
        reporter = data.get("reporter") or {}
        if data.get("anonymous") and any(reporter.values()):
            raise ValidationError("an anonymous complaint carries no reporter identity", "reporter")


class Accepted(Schema):
    tracking_number = fields.String()
    reporter_secret = fields.String(metadata={"description": "shown once (XXXX-XXXX-XXXX-XXXX-XXXX, read back in "
                                                             "any case, O/0 and I/L/1 alike): with the tracking "
                                                             "number it lets the reporter confirm or reopen"})
    status = fields.String()
    next_steps = fields.Dict(keys=fields.String(), values=fields.String())


class AttachmentInput(Schema):
    """A file as it travels with a complaint: already checked and cleaned by the gateway
    (``gateway/uploads.py``); the service checks again what it can without decoding images."""
    filename = fields.String(required=True, validate=validate.Length(min=1, max=100))
    content_type = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_TYPES))
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ATTACHMENT_BYTES))
    data = Base64Bytes(required=True)

    @validates_schema
    def size_is_the_content(self, data, **kwargs):
        if "data" in data and "size" in data and len(data["data"]) != data["size"]:
            raise ValidationError("size is not the length of data", "size")


class AttachmentsInput(Schema):
    """The files that travel with one intake or one supplement."""
    attachments = fields.List(fields.Nested(AttachmentInput), load_default=list,
                              validate=validate.Length(max=MAX_ATTACHMENTS))


class SupplementInput(AttachmentsInput):
    """What the reporter adds: text, files, or both."""
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_TEXT))

    @validates_schema
    def something_added(self, data, **kwargs):
        if not (data.get("text") or "").strip() and not data.get("attachments"):
            raise ValidationError("add a text or a file", "text")


class AttachmentInfo(Schema):
    """A file of the complaint, without its content (``get_attachment`` gives it)."""
    id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    source = fields.String(metadata={"description": "intake or supplement"})
    added_at = fields.AwareDateTime()


class AttachmentFile(AttachmentInfo):
    data = Base64Bytes(attribute="content", metadata={"description": "the file, base64"})


class HistoryEntry(Schema):
    at = fields.AwareDateTime()
    status = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class PublicAnswer(Schema):
    at = fields.AwareDateTime()
    text = fields.String()


class Tracking(Schema):
    tracking_number = fields.String()
    status = fields.String()
    category = fields.String(allow_none=True)
    agency = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    next_step = fields.String(allow_none=True, validate=validate.OneOf(("verification", "settlement", "confirmation")),
                              metadata={"description": "what comes next: the office's verification or settlement, "
                                                       "then the reporter's confirmation of the answer (silent, the "
                                                       "complaint closes by itself at expected_by); null once finished"})
    expected_by = fields.AwareDateTime(allow_none=True, metadata={"description": "the end of next_step's day"})
    verify_due = fields.AwareDateTime(metadata={"description": "end of the working day to verify by"})
    follow_up_due = fields.AwareDateTime(allow_none=True, metadata={"description": "once assigned"})
    settle_due = fields.AwareDateTime(metadata={"description": "end of the working day to settle by"})
    history = fields.List(fields.Nested(HistoryEntry))
    answers = fields.List(fields.Nested(PublicAnswer))


class ReporterContact(Schema):
    """Internal (the notifications service's question, never an API answer): how to reach a reporter."""
    complaint_id = fields.String(attribute="id")
    tracking_number = fields.String()
    channel = fields.String()
    status = fields.String()
    anonymous = fields.Boolean()
    email = fields.String(attribute="reporter_email", allow_none=True)
    phone = fields.String(attribute="reporter_phone", allow_none=True)


class ReporterTracking(Tracking):
    """The tracking page as its reporter (with the secret) sees it: also the files sent and what
    the reporter may do now."""
    attachments = fields.List(fields.Nested(AttachmentInfo))
    actions = fields.List(fields.String(), metadata={"description": "confirm, reopen, supplement"})


class IntakeDeadlines(Schema):
    """When a complaint received now is due at each stage (ends of working days)."""
    verify_due = fields.AwareDateTime()
    follow_up_due = fields.AwareDateTime(metadata={"description": "if assigned right at the verify deadline"})
    settle_due = fields.AwareDateTime()


class ReporterAction(Schema):
    reporter_secret = fields.String(required=True, validate=validate.Length(min=1, max=200))
    action = fields.String(required=True, validate=validate.OneOf(("confirm", "reopen", "supplement")))
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_TEXT))
    files = UPLOADS

    @validates_schema
    def files_supplement(self, data, **kwargs):
        if data.get("files") and data.get("action") != "supplement":
            raise ValidationError("files come only with a supplement", "files")


class CategoryInput(Schema):
    code = fields.String(required=True, validate=CATEGORY_CODE)
    name_id = Name(required=True, max=120)
    name_en = Name(required=True, max=120)
    active = fields.Boolean(load_default=True)


class CategoryUpdate(Schema):
    name_id = Name(max=120)
    name_en = Name(max=120)
    active = fields.Boolean()


class Category(Schema):
    code = fields.String()
    name_id = fields.String()
    name_en = fields.String()
    active = fields.Boolean()


class RuleInput(Schema):
    category = fields.String(load_default=None, allow_none=True, validate=CATEGORY_CODE)
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    agency_kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(AGENCY_KINDS))
    agency_id = Id(load_default=None, allow_none=True)

    @validates_schema
    def one_target(self, data, **kwargs):
        if bool(data.get("agency_kind")) == bool(data.get("agency_id")):
            raise ValidationError("give exactly one of agency_id or agency_kind", "agency_id")


class Rule(Schema):
    id = fields.String()
    category = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    agency_kind = fields.String(allow_none=True)
    agency_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class StatusChange(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    agency_id = Id(load_default=None, allow_none=True,
                   metadata={"description": "coordinator only: the agency to assign"})


class NoteInput(Schema):
    text = fields.String(required=True, validate=[validate.Length(min=1, max=MAX_TEXT), not_blank])
    visibility = fields.String(required=True, validate=validate.OneOf(("public", "internal")))


class ForwardInput(Schema):
    to_agency_id = Id(required=True)
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), not_blank])


class ForwardAnswer(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ForwardDecision(Schema):
    agency_id = Id(required=True)
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), not_blank])


class ComplaintQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    overdue = fields.Boolean(load_default=None)
    triage = fields.Boolean(load_default=None, metadata={"description": "coordinator: unrouted complaints"})
    category = fields.String(load_default=None)
    agency_id = fields.String(load_default=None, validate=validate.Length(max=100),
                              metadata={"description": "complaints with this agency"})
    stage = fields.String(load_default=None, validate=validate.OneOf(("verify", "follow_up", "settle")),
                          metadata={"description": "complaints overdue at this stage"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET),
                            metadata={"description": "complaints to skip (newest first); see total"})


class AgencyName(Schema):
    """An agency named from the service's copy of the directory (null when not known there)."""
    id = fields.String()
    name = fields.String()
    short_name = fields.String()


def agency_name(of):
    return fields.Nested(AgencyName, allow_none=True, metadata={"description": f"the agency of {of}, named"})


class Forwarding(Schema):
    id = fields.String()
    from_agency_id = fields.String(allow_none=True)
    to_agency_id = fields.String()
    reason = fields.String()
    state = fields.String()
    answer_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    answered_at = fields.AwareDateTime(allow_none=True)
    from_agency = agency_name("from_agency_id")
    to_agency = agency_name("to_agency_id")


class NoteOut(Schema):
    id = fields.String()
    agency_id = fields.String()
    agency = agency_name("agency_id")
    visibility = fields.String()
    text = fields.String()
    created_at = fields.AwareDateTime()


class AuditOut(Schema):
    at = fields.AwareDateTime()
    action = fields.String()
    actor = fields.String()
    actor_account_id = fields.String(allow_none=True,
                                     metadata={"description": "the person's account; null: a key, the system or the reporter"})
    actor_name = fields.String(allow_none=True, metadata={"description": "the person, as named when they acted"})
    status = fields.String(allow_none=True)
    agency_id = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    agency = agency_name("agency_id")
    actor_agency = agency_name("actor, when an agency acted")


class Actions(Schema):
    """What the caller may do to the complaint now (asked of the service's rules)."""
    moves = fields.List(fields.String(), metadata={"description": "the statuses the caller may move it to"})
    answer = fields.Boolean(metadata={"description": "add a public answer or an internal note"})
    forward = fields.Boolean(metadata={"description": "propose another agency (bukan wewenang)"})
    answer_forward = fields.Boolean(metadata={"description": "accept or refuse the forward proposed to the caller"})
    decide = fields.Boolean(metadata={"description": "the coordinator names the agency in charge"})


class Complaint(Schema):
    """A complaint as an agency or the coordinator sees it; ``reporter`` only where allowed."""
    id = fields.String()
    tracking_number = fields.String()
    channel = fields.String()
    channel_name = fields.Function(lambda complaint: CHANNEL_NAMES.get(complaint["channel"]), metadata={
        "description": "the channel in words: {id, en}"})
    text = fields.String()
    category = fields.String(allow_none=True)
    category_name = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True, metadata={
        "description": "the category's name: {id, en}; null without a category"})
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    agency_id = fields.String(allow_none=True)
    routed_by = fields.String()
    target_agency_id = fields.String(allow_none=True)
    about_agency_id = fields.String(allow_none=True)
    filed_by_agency_id = fields.String(allow_none=True)
    agency = agency_name("agency_id")
    target_agency = agency_name("target_agency_id")
    about_agency = agency_name("about_agency_id")
    filed_by_agency = agency_name("filed_by_agency_id")
    region_code = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    address = fields.String(allow_none=True)
    attachments = fields.List(fields.String())
    files = fields.List(fields.Nested(AttachmentInfo), metadata={
        "description": "one complaint only: the reporter's files (GET .../attachments/{id})"})
    anonymous = fields.Boolean()
    confidential = fields.Boolean()
    reporter = fields.Nested(ReporterInput, allow_none=True)
    received_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    verify_due = fields.AwareDateTime()
    follow_up_due = fields.AwareDateTime(allow_none=True)
    settle_due = fields.AwareDateTime()
    overdue = fields.List(fields.String())
    escalated = fields.List(fields.String())
    forwards = fields.List(fields.Nested(Forwarding))
    notes = fields.List(fields.Nested(NoteOut))
    audit = fields.List(fields.Nested(AuditOut))
    actions = fields.Nested(Actions, metadata={"description": "one complaint only: what the caller may do now"})


class ComplaintList(Schema):
    complaints = fields.List(fields.Nested(Complaint))
    total = fields.Integer(metadata={"description": "how many match the filters in all"})


class WaitingComplaint(Schema):
    """A complaint on an agenda: what an officer needs to choose what to open (never the reporter),
    and the next deadline that runs for it."""
    id = fields.String()
    tracking_number = fields.String()
    status = fields.String()
    category = fields.String(allow_none=True)
    agency_id = fields.String(allow_none=True)
    agency = agency_name("agency_id")
    text = fields.String()
    received_at = fields.AwareDateTime()
    overdue = fields.List(fields.String())
    escalated = fields.List(fields.String())
    stage = fields.String(metadata={"description": "verify, follow_up or settle"})
    due_at = fields.AwareDateTime()
    working_days_left = fields.Integer(metadata={"description": "0: due today; negative: overdue"})
    forward = fields.Nested(Forwarding, metadata={"description": "the forward proposed to the caller"})


class WaitingList(Schema):
    complaints = fields.List(fields.Nested(WaitingComplaint), metadata={"description": "the most urgent first"})
    total = fields.Integer(metadata={"description": "how many wait in all"})


class AgencyLate(Schema):
    agency_id = fields.String(allow_none=True, metadata={"description": "null: the coordinator's triage"})
    agency = agency_name("agency_id")
    overdue = fields.Integer()
    escalated = fields.Integer()


class Waiting(Schema):
    """What waits for the caller's agency, most urgent first."""
    to_verify = fields.Nested(WaitingList)
    to_act = fields.Nested(WaitingList)
    forwards = fields.Nested(WaitingList, metadata={"description": "forwards proposed to the caller"})
    escalated = fields.Nested(WaitingList, metadata={
        "description": "escalated complaints of the caller's sub-units (the coordinator: all)"})
    triage = fields.Nested(WaitingList, metadata={"description": "coordinator: unrouted and refused forwards"})
    per_agency = fields.List(fields.Nested(AgencyLate), metadata={
        "description": "coordinator: overdue and escalated open complaints per agency"})


class Figures(Schema):
    open = fields.Integer()
    overdue = fields.Integer()
    forwarded = fields.Integer()
    median_first_response_hours = fields.Float(allow_none=True)


class AgencyFigures(Figures):
    agency = agency_name("the key (null for triage)")


class Stats(Figures):
    total = fields.Integer()
    by_agency = fields.Dict(keys=fields.String(), values=fields.Nested(AgencyFigures))
    by_category = fields.Dict(keys=fields.String(), values=fields.Nested(Figures))


class Open311Error(Schema):
    """GeoReport v2 errors are a list of these."""
    code = fields.Integer(required=True)
    description = fields.String(required=True)
