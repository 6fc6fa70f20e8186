"""Events published by the directory service."""
from marshmallow import Schema, fields, validate

from shared.contracts import contract

SOURCE = "directory"
AGENCY_KINDS = ("polri", "tni", "opd", "kementerian", "kejaksaan", "imigrasi", "bumn", "bumd", "lainnya")
FORUM_ROLES = ("coordinator", "member")
OFFICER_POSITIONS = ("kepala_humas", "ppid", "spokesperson", "staf_humas", "admin_media", "lainnya")
CHANNEL_PLATFORMS = ("website", "instagram", "x", "facebook", "youtube", "tiktok", "whatsapp")


class OfficerSnapshot(Schema):
    """A humas officer; phones are E.164 (+62...)."""
    name = fields.String(required=True)
    position = fields.String(required=True, validate=validate.OneOf(OFFICER_POSITIONS))
    title = fields.String(load_default="")
    phone = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)


class ContributorSnapshot(Schema):
    """A news contributor attached to the agency."""
    name = fields.String(required=True)
    unit = fields.String(load_default="")
    phone = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)


class AgencySnapshot(Schema):
    """What other services may keep of an agency.

    ``officers``, ``channels`` and ``contributors`` came later: they are optional, so an
    event without them is still valid (they then read as empty).
    """
    id = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    role = fields.String(required=True, validate=validate.OneOf(FORUM_ROLES))
    parent_id = fields.String(allow_none=True, load_default=None)
    region_code = fields.String(allow_none=True, load_default=None)
    active = fields.Boolean(required=True)
    officers = fields.List(fields.Nested(OfficerSnapshot), load_default=list)
    channels = fields.Dict(keys=fields.String(validate=validate.OneOf(CHANNEL_PLATFORMS)),
                           values=fields.String(), load_default=dict,
                           metadata={"description": "platform -> canonical URL"})
    contributors = fields.List(fields.Nested(ContributorSnapshot), load_default=list)


@contract("agency.registered", 1, SOURCE)
class AgencyRegistered(Schema):
    agency = fields.Nested(AgencySnapshot, required=True)


@contract("agency.updated", 1, SOURCE)
class AgencyUpdated(Schema):
    agency = fields.Nested(AgencySnapshot, required=True)
    changed = fields.List(fields.String(), required=True,
                          metadata={"description": "names of the agency fields that changed"})


@contract("agency.deactivated", 1, SOURCE)
class AgencyDeactivated(Schema):
    agency = fields.Nested(AgencySnapshot, required=True)


@contract("key.revoked", 1, SOURCE)
class KeyRevoked(Schema):
    key_id = fields.String(required=True)
    agency_id = fields.String(required=True)


ACCOUNT_ROLES = ("admin", "officer")
ACCOUNT_LANGUAGES = ("id", "en")


class AccountEvent(Schema):
    """A person's account, named by ids only: names and emails never travel in events."""
    account_id = fields.String(required=True)
    agency_id = fields.String(required=True)


@contract("account.invited", 1, SOURCE)
class AccountInvited(AccountEvent):
    pass


@contract("account.activated", 1, SOURCE)
class AccountActivated(AccountEvent):
    pass


@contract("account.deactivated", 1, SOURCE)
class AccountDeactivated(AccountEvent):
    pass


@contract("session.ended", 1, SOURCE)
class SessionEnded(AccountEvent):
    session_id = fields.String(required=True)


class LocalHoliday(Schema):
    """One of the forum's own non-working days (a regional election day, a local anniversary)."""
    day = fields.Date(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


@contract("local_holidays.changed", 1, SOURCE)
class LocalHolidaysChanged(Schema):
    """The WHOLE list of the forum's own non-working days after a change, so a consumer keeps the
    newest list it has seen (by the envelope's ``occurred``) whatever order or how often events come."""
    days = fields.List(fields.Nested(LocalHoliday), required=True)
