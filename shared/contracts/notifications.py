"""Messages of the notifications service: the WhatsApp door's commands from the gateway.

Like the complaint intake, ``whatsapp.received`` is a command addressed to one durable queue that only
the notifications service reads (it carries the sender's number); it is never broadcast. Beside it on
that queue, ``whatsapp.status_reported``: what Meta says became of a message the service sent.
"""
from kombu import Queue
from marshmallow import Schema, fields, validate

from shared.contracts import contract

WHATSAPP_QUEUE = "notifications.whatsapp"
# What Meta reports of a sent message that the delivery log keeps.
DELIVERY_STATUSES = ("sent", "delivered", "read", "failed")


def whatsapp_queue():
    """Durable, on the default exchange; declared by the gateway on each publish and by the service."""
    return Queue(WHATSAPP_QUEUE, durable=True, auto_delete=False)


@contract("whatsapp.received", 1, "gateway")
class WhatsAppReceived(Schema):
    """One message a citizen sent to the forum's WhatsApp number (signature checked by the gateway)."""
    message_id = fields.String(required=True)
    phone = fields.String(load_default=None, allow_none=True, metadata={
        "description": "the sender, E.164; none for a person Meta names only by their business-scoped user id"})
    user_id = fields.String(load_default=None, allow_none=True, metadata={
        "description": "the sender's business-scoped user id (BSUID), when Meta gives one"})
    type = fields.String(required=True, validate=validate.OneOf(("text", "image", "other")))
    text = fields.String(load_default="")
    media_id = fields.String(load_default=None, allow_none=True)
    received_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(load_default=None, allow_none=True, metadata={
        "description": "when Meta says the person sent it: the 24-hour customer service window opens here"})


@contract("whatsapp.status_reported", 1, "gateway")
class WhatsAppStatusReported(Schema):
    """What Meta reports of a message the service sent (its ``wamid``): nothing about the person."""
    wamid = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(DELIVERY_STATUSES))
    error_code = fields.Integer(load_default=None, allow_none=True)
    error_title = fields.String(load_default=None, allow_none=True)
