"""What the directory accepts and answers."""
from marshmallow import Schema, fields, validate

from shared.contracts.directory import AGENCY_KINDS, FORUM_ROLES


class AgencyInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    short_name = fields.String(required=True, validate=[
        validate.Length(min=2, max=50),
        validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$", error="letters, digits, space, dot, dash, underscore")])
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    role = fields.String(load_default="member", validate=validate.OneOf(FORUM_ROLES))
    parent_id = fields.String(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$", error="a Kemendagri region code such as 73.72"))


class Agency(Schema):
    id = fields.String()
    name = fields.String()
    short_name = fields.String()
    kind = fields.String()
    role = fields.String()
    parent_id = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class KeyInput(Schema):
    label = fields.String(load_default="", validate=validate.Length(max=100))


class ApiKey(Schema):
    id = fields.String()
    agency_id = fields.String()
    prefix = fields.String()
    label = fields.String()
    created_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)


class IssuedKey(ApiKey):
    api_key = fields.String(metadata={"description": "the secret; shown once, never again"})


class Caller(Schema):
    """Who an API key belongs to, as the gateway needs it."""
    key_id = fields.String()
    agency_id = fields.String()
    role = fields.String()
    short_name = fields.String()
