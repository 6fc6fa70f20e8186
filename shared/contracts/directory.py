"""Events published by the directory service."""
from marshmallow import Schema, fields, validate

from shared.contracts import contract

SOURCE = "directory"
AGENCY_KINDS = ("polri", "tni", "opd", "kementerian", "kejaksaan", "imigrasi", "bumn", "bumd", "lainnya")
FORUM_ROLES = ("coordinator", "member")


class AgencySnapshot(Schema):
    """What other services may keep of an agency."""
    id = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    role = fields.String(required=True, validate=validate.OneOf(FORUM_ROLES))
    parent_id = fields.String(allow_none=True, load_default=None)
    region_code = fields.String(allow_none=True, load_default=None)
    active = fields.Boolean(required=True)


@contract("agency.registered", 1, SOURCE)
class AgencyRegistered(Schema):
    agency = fields.Nested(AgencySnapshot, required=True)


@contract("agency.updated", 1, SOURCE)
class AgencyUpdated(Schema):
    agency = fields.Nested(AgencySnapshot, required=True)
    changed = fields.List(fields.String(), required=True)


@contract("agency.deactivated", 1, SOURCE)
class AgencyDeactivated(Schema):
    agency = fields.Nested(AgencySnapshot, required=True)


@contract("key.revoked", 1, SOURCE)
class KeyRevoked(Schema):
    key_id = fields.String(required=True)
    agency_id = fields.String(required=True)
