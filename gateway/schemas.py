"""Schemas of the gateway's own answers."""
from marshmallow import Schema, fields


class ServiceHealth(Schema):
    service = fields.String()
    status = fields.String()
    outbox_backlog = fields.Integer(metadata={"description": "events committed, not yet published"})
    outbox_oldest_seconds = fields.Float(metadata={"description": "age of the oldest of them (0 when none)"})


class IntakeHealth(Schema):
    waiting = fields.Integer(allow_none=True, metadata={
        "description": "complaints queued for the complaints service, not yet taken (null: broker did not say)"})
    oldest_seconds = fields.Float(allow_none=True, metadata={
        "description": "age of the oldest of them (0 when none)"})


class Health(Schema):
    status = fields.String(metadata={"description": "ok, or unavailable when a service did not answer"})
    version = fields.String(metadata={"description": "the release that runs (as `bakohumas --version`)"})
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceHealth))
    dead_letters = fields.Integer(allow_none=True, metadata={
        "description": "events parked in the dead-letter queue (null: broker did not say)"})
    intake = fields.Nested(IntakeHealth)
    notifications = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "each channel (mail, whatsapp): on, or off when it is not configured"})
