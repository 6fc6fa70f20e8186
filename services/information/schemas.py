"""What the information API accepts and answers (the gateway validates with the same schemas).

The law's vocabulary, as codes: how the requester wants the information (Pasal 22 ayat 3 UU 14/2008),
the decisions of the written notice (Pasal 22 ayat 7), the exemptions of Pasal 17, the grounds of
an objection (Pasal 35 ayat 1) and the classes of the Daftar Informasi Publik (Pasal 9-11, 17).
"""
from marshmallow import ValidationError, fields, validate, validates_schema

from shared.agencies import AgencyName
from shared.contracts.information import DECISIONS
from shared.schemas import HEADLINE_LENGTH, Id, Name, Phone, Schema, URL_LENGTH

CHANNELS = ("web", "desk", "letter", "email", "whatsapp")
# Pasal 22 ayat 3: melihat/membaca/mendengarkan/mencatat, salinan cetak, salinan elektronik.
OBTAIN = ("see", "hard_copy", "soft_copy")
# Pasal 22 ayat 3: mengambil langsung, pos/kurir, surel.
DELIVERY = ("pickup", "mail", "email")
# Pasal 17 huruf a-j.
EXEMPTIONS = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
# Pasal 35 ayat 1 huruf a-g.
OBJECTION_GROUNDS = ("refused", "not_published", "not_answered", "not_as_asked", "not_fulfilled",
                     "unreasonable_cost", "late")
OBJECTION_OUTCOMES = ("upheld", "dismissed")
COMMISSION_OUTCOMES = ("pending", "mediation_agreed", "requester_won", "partly_won",
                       "agency_won", "withdrawn")
DIP_CLASSES = ("berkala", "serta_merta", "setiap_saat", "dikecualikan")
STATUSES = ("registered", "extended", "decided")
MAX_TEXT = 4000
MAX_OFFSET = 10_000_000
IDENTITY_NUMBER = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 .\-/]{3,31}\Z",
                                  error="the number of an identity document (KTP/NIK, passport, SIM): "
                                        "4-32 letters and digits")


def not_blank(value):
    if not value.strip():
        raise ValidationError("must not be empty")


def text(required=True, max=MAX_TEXT, **kwargs):
    if required:
        return fields.String(required=True, validate=[validate.Length(min=1, max=max), not_blank], **kwargs)
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=max), **kwargs)


class RequesterInput(Schema):
    """Personal data (UU 27/2022): seen by the PPID handling the request and the coordinator, never
    public, never in an event or a log."""
    name = Name(required=True, max=200)
    address = Name(required=True, max=500)
    phone = Phone(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))

    @validates_schema
    def a_way_to_answer(self, data, **kwargs):
        if not data.get("phone") and not data.get("email"):
            raise ValidationError("give a phone number or an email address", "phone")


class RequestInput(Schema):
    agency_id = Id(required=True, metadata={"description": "the public body asked (a member of the forum)"})
    requester = fields.Nested(RequesterInput, required=True)
    identity_number = fields.String(required=True, validate=IDENTITY_NUMBER, load_only=True,
                                    metadata={"description": "kept only as a hash and its last 4 "
                                                             "characters; asked again to file an objection"})
    information = text(metadata={"description": "the information sought (rincian informasi)"})
    purpose = text(max=2000, metadata={"description": "what it is for (tujuan penggunaan informasi)"})
    obtain = fields.String(required=True, validate=validate.OneOf(OBTAIN))
    delivery = fields.String(required=True, validate=validate.OneOf(DELIVERY))
    channel = fields.String(load_default="web", validate=validate.OneOf(CHANNELS))


class Accepted(Schema):
    registration_number = fields.String()
    status = fields.String()
    answer_due = fields.AwareDateTime()
    next_steps = fields.Dict(keys=fields.String(), values=fields.String())


class ExtensionInput(Schema):
    reason = text(max=2000, metadata={"description": "the written reason the requester is told (Pasal 22 ayat 8)"})


class Document(Schema):
    title = Name(required=True, max=HEADLINE_LENGTH)
    url = fields.Url(required=True, schemes={"http", "https"}, validate=validate.Length(max=URL_LENGTH))


class Exemption(Schema):
    """Why information is withheld: the exemption of Pasal 17 and the consequence test (uji konsekuensi)."""
    article = fields.String(required=True, validate=validate.OneOf(EXEMPTIONS),
                            metadata={"description": "Pasal 17 huruf a-j"})
    consequence_test = text(max=2000, metadata={"description": "the harm disclosure would do"})
    public_interest = text(required=False, max=2000,
                           metadata={"description": "why withholding outweighs the public interest"})


class DecisionInput(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    note = text(required=False, metadata={"description": "the written notice to the requester"})
    documents = fields.List(fields.Nested(Document), load_default=list, validate=validate.Length(max=20))
    exemption = fields.Nested(Exemption, load_default=None, allow_none=True)
    holder = Name(load_default=None, allow_none=True, max=200,
                  metadata={"description": "not held: the body that holds it, when not a member (else forward)"})

    @validates_schema
    def what_each_decision_needs(self, data, **kwargs):
        decision = data.get("decision")
        if decision in ("refused", "partly_granted") and not data.get("exemption"):
            raise ValidationError("a refusal names the exemption of Pasal 17 and the consequence test", "exemption")
        if decision in ("granted", "partly_granted") and not data.get("documents") and not data.get("note"):
            raise ValidationError("say how the information is given: documents or links, or a note", "documents")
        if decision == "not_held" and not data.get("holder"):
            raise ValidationError("say which body holds it (or forward the request to it)", "holder")
        if decision in ("refused", "not_documented") and data.get("documents"):
            raise ValidationError("no documents go with this decision", "documents")


class ForwardInput(Schema):
    to_agency_id = Id(required=True)
    reason = text(max=2000)


class ForwardAnswer(Schema):
    reason = text(required=False, max=2000)


class ObjectionInput(Schema):
    identity_number = fields.String(required=True, validate=IDENTITY_NUMBER, load_only=True,
                                    metadata={"description": "the number given with the request"})
    grounds = fields.List(fields.String(validate=validate.OneOf(OBJECTION_GROUNDS)), required=True,
                          validate=validate.Length(min=1, max=len(OBJECTION_GROUNDS)),
                          metadata={"description": "Pasal 35 ayat 1 huruf a-g"})
    reason = text(max=2000)


class ObjectionAnswerInput(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OBJECTION_OUTCOMES),
                            metadata={"description": "upheld: the objection is right and the PPID gives "
                                                     "the information; dismissed: the decision stands"})
    answer = text(max=MAX_TEXT)


class CommissionInput(Schema):
    filed_on = fields.AwareDateTime(required=True, metadata={"description": "when the dispute was filed "
                                                                           "with the Komisi Informasi"})
    outcome = fields.String(load_default="pending", validate=validate.OneOf(COMMISSION_OUTCOMES))
    note = text(required=False, max=2000)


class RequestQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    overdue = fields.Boolean(load_default=None)
    objection = fields.Boolean(load_default=None, metadata={"description": "only requests with an objection"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


def agency_name(of):
    return fields.Nested(AgencyName, allow_none=True, metadata={"description": f"the agency of {of}, named"})


class Requester(Schema):
    name = fields.String()
    address = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    identity_last4 = fields.String(metadata={"description": "the last 4 characters of the identity number"})


class ExemptionOut(Schema):
    article = fields.String()
    consequence_test = fields.String()
    public_interest = fields.String(allow_none=True)


class DocumentOut(Schema):
    title = fields.String()
    url = fields.String()


class ForwardOut(Schema):
    id = fields.String()
    from_agency_id = fields.String()
    to_agency_id = fields.String()
    from_agency = agency_name("from_agency_id")
    to_agency = agency_name("to_agency_id")
    reason = fields.String()
    state = fields.String()
    answer_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    answered_at = fields.AwareDateTime(allow_none=True)


class ObjectionOut(Schema):
    id = fields.String()
    grounds = fields.List(fields.String())
    reason = fields.String()
    filed_at = fields.AwareDateTime()
    due = fields.AwareDateTime()
    outcome = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    escalated = fields.Boolean()
    commission_due = fields.AwareDateTime(allow_none=True, metadata={
        "description": "the last day to take the dispute to the Komisi Informasi"})
    commission_filed_on = fields.AwareDateTime(allow_none=True)
    commission_outcome = fields.String(allow_none=True)
    commission_note = fields.String(allow_none=True)


class AuditOut(Schema):
    at = fields.AwareDateTime()
    action = fields.String()
    actor = fields.String(metadata={"description": "who acted: \"Name (Agency)\", an agency, the requester "
                                                   "or the system"})
    status = fields.String()
    note = fields.String(allow_none=True)


class Request(Schema):
    """A request as the agency handling it (or the coordinator) sees it."""
    id = fields.String()
    registration_number = fields.String()
    channel = fields.String()
    requester = fields.Nested(Requester)
    information = fields.String()
    purpose = fields.String()
    obtain = fields.String()
    delivery = fields.String()
    agency_id = fields.String()
    agency = agency_name("agency_id")
    origin_agency_id = fields.String()
    origin_agency = agency_name("origin_agency_id")
    status = fields.String()
    stage = fields.String(metadata={"description": "answer, objection, commission or closed"})
    registered_at = fields.AwareDateTime()
    clock_started_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    answer_due = fields.AwareDateTime()
    days_left = fields.Integer(allow_none=True, metadata={
        "description": "working days left to the current stage's deadline (negative: late)"})
    extended = fields.Boolean()
    extension_reason = fields.String(allow_none=True)
    decision = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(DocumentOut))
    exemption = fields.Nested(ExemptionOut, allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    overdue = fields.List(fields.String())
    escalated = fields.List(fields.String())
    pending_forward = fields.Nested(ForwardOut, allow_none=True)
    objection = fields.Nested(ObjectionOut, allow_none=True)
    forwards = fields.List(fields.Nested(ForwardOut))
    audit = fields.List(fields.Nested(AuditOut))


class RequestList(Schema):
    requests = fields.List(fields.Nested(Request))
    total = fields.Integer()


class TrackingStep(Schema):
    at = fields.AwareDateTime()
    status = fields.String()
    note = fields.String(allow_none=True)


class Tracking(Schema):
    """What the holder of a registration number reads: never who asked, nor what."""
    registration_number = fields.String()
    agency = fields.String(allow_none=True)
    agency_id = fields.String()
    status = fields.String()
    stage = fields.String()
    registered_at = fields.AwareDateTime()
    answer_due = fields.AwareDateTime()
    extended = fields.Boolean()
    extension_reason = fields.String(allow_none=True)
    decision = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(DocumentOut))
    exemption = fields.Nested(ExemptionOut, allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    objection_open_until = fields.AwareDateTime(allow_none=True, metadata={
        "description": "an objection may be filed until then (null: not yet, or no more)"})
    objection = fields.Nested(ObjectionOut, allow_none=True)
    history = fields.List(fields.Nested(TrackingStep))


class DipEntryInput(Schema):
    agency_id = Id(load_default=None, allow_none=True,
                   metadata={"description": "the coordinator may keep another agency's list; default: yours"})
    klass = fields.String(required=True, validate=validate.OneOf(DIP_CLASSES), data_key="class")
    title = Name(required=True, max=HEADLINE_LENGTH)
    summary = text(required=False, max=2000)
    url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                     validate=validate.Length(max=URL_LENGTH))
    responsible = Name(load_default=None, allow_none=True, max=200,
                       metadata={"description": "the unit that holds it (penanggung jawab)"})
    retention = Name(load_default=None, allow_none=True, max=200,
                     metadata={"description": "how long it is kept (jangka waktu penyimpanan)"})


class DipEntryUpdate(Schema):
    klass = fields.String(validate=validate.OneOf(DIP_CLASSES), data_key="class")
    title = Name(max=HEADLINE_LENGTH)
    summary = fields.String(allow_none=True, validate=validate.Length(max=2000))
    url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=URL_LENGTH))
    responsible = Name(allow_none=True, max=200)
    retention = Name(allow_none=True, max=200)


class DipEntry(Schema):
    id = fields.String()
    agency_id = fields.String()
    klass = fields.String(data_key="class")
    title = fields.String()
    summary = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    responsible = fields.String(allow_none=True)
    retention = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime()


class Dip(Schema):
    agency = agency_name("the list")
    entries = fields.List(fields.Nested(DipEntry))


class ReportQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2008, max=2099))
    semester = fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf((1, 2)),
                              metadata={"description": "1 (January-June) or 2 (July-December); none: the year"})
    agency_id = Id(load_default=None, allow_none=True,
                   metadata={"description": "the coordinator may ask for another agency; default: yours"})


class Figures(Schema):
    received = fields.Integer()
    granted = fields.Integer()
    partly_granted = fields.Integer()
    refused = fields.Integer()
    refused_by_article = fields.Dict(keys=fields.String(), values=fields.Integer())
    not_held = fields.Integer()
    not_documented = fields.Integer()
    forwarded = fields.Integer()
    pending = fields.Integer()
    answered_late = fields.Integer()
    average_days_to_answer = fields.Float(allow_none=True)
    objections = fields.Integer()
    objections_upheld = fields.Integer()
    objections_dismissed = fields.Integer()
    objections_pending = fields.Integer()
    commission_disputes = fields.Integer()
    commission_outcomes = fields.Dict(keys=fields.String(), values=fields.Integer())


class AgencyFigures(Figures):
    agency = agency_name("these figures")


class Report(Figures):
    agency = agency_name("the report")
    year = fields.Integer()
    semester = fields.Integer(allow_none=True)
    period_start = fields.AwareDateTime()
    period_end = fields.AwareDateTime()


class ForumReport(Schema):
    year = fields.Integer()
    semester = fields.Integer(allow_none=True)
    period_start = fields.AwareDateTime()
    period_end = fields.AwareDateTime()
    total = fields.Nested(Figures)
    agencies = fields.List(fields.Nested(AgencyFigures))


class ReportExportQuery(ReportQuery):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class ForumReportQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2008, max=2099))
    semester = fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf((1, 2)))


class ForumExportQuery(ForumReportQuery):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))
