"""Schemas of the gateway's own answers."""
from marshmallow import Schema, fields


class ServiceHealth(Schema):
    service = fields.String()
    status = fields.String()


class Health(Schema):
    status = fields.String(metadata={"description": "ok, or unavailable when a service did not answer"})
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceHealth))
