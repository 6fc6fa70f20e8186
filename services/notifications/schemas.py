"""What the notifications service takes and answers: preferences, the delivery log, unsubscribing."""
from marshmallow import EXCLUDE, fields, validate

from services.notifications.domain.kinds import (CHANNELS, INVITATION_KIND, MODES, OFFICER_KINDS, REPORTER_KINDS,
                                                 SECOND_FACTOR_KIND)
from services.notifications.domain.outbox import MESSAGE_STATES
from shared.contracts.directory import ACCOUNT_LANGUAGES, ACCOUNT_ROLES
from shared.schemas import INTEGER_RANGE, NAME_LENGTH, Id, Name, Schema

ALL_KINDS = (*OFFICER_KINDS, *REPORTER_KINDS, "digest", "whatsapp_reply", INVITATION_KIND, SECOND_FACTOR_KIND)


class PreferencesInput(Schema):
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    kinds = fields.Dict(keys=fields.String(validate=validate.OneOf(OFFICER_KINDS)),
                        values=fields.String(validate=validate.OneOf(MODES)),
                        metadata={"description": "kind -> immediate, digest or off; kinds not named stay"})


class KindChoice(Schema):
    kind = fields.String()
    mode = fields.String()
    default = fields.String(metadata={"description": "the role's default"})


class Choices(Schema):
    account_id = fields.String()
    channel = fields.String()
    kinds = fields.List(fields.Nested(KindChoice))
    channels_on = fields.List(fields.String(), metadata={"description": "channels configured on this system"})


class LogQuery(Schema):
    state = fields.String(validate=validate.OneOf(MESSAGE_STATES))
    kind = fields.String(validate=validate.OneOf(ALL_KINDS))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=INTEGER_RANGE)


class LogEntry(Schema):
    """One message of the delivery log: to whom (an account's name; a reporter is "reporter"), never an address."""
    id = fields.String()
    kind = fields.String()
    channel = fields.String()
    state = fields.String()
    agency_id = fields.String(allow_none=True)
    recipient = fields.Function(lambda m: m.name if m.person.startswith("account:") else m.person.split(":")[0])
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    reported = fields.String(allow_none=True, metadata={
        "description": "WhatsApp: the last status Meta reported of the sent message (sent, delivered, read, failed)"})
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    next_attempt_at = fields.AwareDateTime()


class LogPage(Schema):
    items = fields.List(fields.Nested(LogEntry))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()
    channels_on = fields.List(fields.String())


class Unsubscribed(Schema):
    kind = fields.String()
    mode = fields.String()


class SecondFactorNotice(Schema):
    """A person's second factor just changed in the console (the directory's answer), to mail to them."""
    account_id = Id(required=True)
    agency_id = Id(required=True)
    name = Name(required=True, max=NAME_LENGTH)
    email = fields.Email(required=True)
    language = fields.String(load_default="id", validate=validate.OneOf(ACCOUNT_LANGUAGES))
    change = fields.String(required=True, validate=validate.OneOf(("added", "replaced", "removed")))


class Invitation(Schema):
    """An invitation the console has just made (the directory's answer), to mail to the person."""
    account_id = Id(required=True)
    agency_id = Id(required=True)
    agency_name = Name(required=True, max=NAME_LENGTH)
    name = Name(required=True, max=NAME_LENGTH)
    email = fields.Email(required=True)
    account_role = fields.String(required=True, validate=validate.OneOf(ACCOUNT_ROLES))
    language = fields.String(load_default="id", validate=validate.OneOf(ACCOUNT_LANGUAGES))
    token = fields.String(required=True, validate=validate.Length(min=20, max=100))
    expires_at = fields.AwareDateTime(required=True)


# --- the WhatsApp door: Meta's webhook body (Cloud API, checked against Graph API v26.0) ---
# Meta adds fields over time: what is not read here is let through unread (EXCLUDE), but what is
# read must have its documented type, or the body is refused whole (400) rather than half-read.
# A message id is kept whole: longer than this is not Meta's and is refused, never cut.
WHATSAPP_ID_LENGTH = 250


class _MetaShape(Schema):
    class Meta:
        unknown = EXCLUDE


class WhatsAppText(_MetaShape):
    body = fields.String(required=True)


class WhatsAppMedia(_MetaShape):
    id = fields.String(required=True, validate=validate.Length(min=1, max=WHATSAPP_ID_LENGTH))


class WhatsAppMessage(_MetaShape):
    id = fields.String(required=True, validate=validate.Length(min=1, max=WHATSAPP_ID_LENGTH))
    sender = fields.String(data_key="from", load_default=None)
    # The business-scoped user id: all Meta gives of a person who chose a username over their number.
    from_user_id = fields.String(load_default=None, validate=validate.Length(max=WHATSAPP_ID_LENGTH))
    # Unix seconds, a string in Meta's documents: read leniently (a number too), never a reason to refuse.
    timestamp = fields.Raw(load_default=None)
    type = fields.String(required=True)
    text = fields.Nested(WhatsAppText, load_default=None)
    image = fields.Nested(WhatsAppMedia, load_default=None)


class WhatsAppError(_MetaShape):
    code = fields.Integer(load_default=None)
    title = fields.String(load_default=None)
    message = fields.String(load_default=None)


class WhatsAppStatus(_MetaShape):
    """What became of a message we sent: ``id`` is the ``wamid`` Meta answered the send with."""
    id = fields.String(required=True, validate=validate.Length(min=1, max=WHATSAPP_ID_LENGTH))
    status = fields.String(required=True)
    errors = fields.List(fields.Nested(WhatsAppError), load_default=list)


class WhatsAppValue(_MetaShape):
    messages = fields.List(fields.Nested(WhatsAppMessage), load_default=list)
    statuses = fields.List(fields.Nested(WhatsAppStatus), load_default=list)


class WhatsAppChange(_MetaShape):
    field = fields.String(load_default=None)
    value = fields.Nested(WhatsAppValue, required=True)


class WhatsAppEntry(_MetaShape):
    changes = fields.List(fields.Nested(WhatsAppChange), load_default=list)


class WhatsAppWebhook(_MetaShape):
    object = fields.String(load_default=None)
    entry = fields.List(fields.Nested(WhatsAppEntry), required=True)
