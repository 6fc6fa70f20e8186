"""Notifications endpoints: the delivery log, and the WhatsApp door (``/webhooks/whatsapp``).

The door answers Meta's verification handshake and takes incoming messages only with a valid
``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body under the app secret). It answers at once: each
message goes, as a persistent ``whatsapp.received`` command with a publisher confirm, to the durable
queue the notifications service reads (which files complaints through the complaints intake queue).
"""
import hashlib
import hmac
import json
import logging
from datetime import datetime, timezone

import phonenumbers
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from gateway.errors import HttpError
from gateway.http import buffered_body, route
from services.notifications import schemas
from shared.contracts import seal
from shared.contracts.notifications import WHATSAPP_QUEUE, whatsapp_queue

log = logging.getLogger(__name__)
TAG = "notifications"
MESSAGE_TYPES = {"text": "text", "image": "image"}


class WhatsAppDoor(DependencyProvider):
    """The door's settings (unset: the door is closed, 404) and its durable queue."""

    def setup(self):
        config = self.container.config.get("WHATSAPP") or {}
        self.verify_token = str(config.get("VERIFY_TOKEN") or "")
        self.app_secret = str(config.get("APP_SECRET") or "")
        self.publisher = Publisher(self.container.config[AMQP_URI_CONFIG_KEY], use_confirms=True,
                                   declare=[whatsapp_queue()])

    def get_dependency(self, worker_ctx):
        return self

    def signed(self, raw, header):
        expected = "sha256=" + hmac.new(self.app_secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()
        return bool(self.app_secret) and hmac.compare_digest(expected, header or "")

    def publish(self, command):
        try:
            self.publisher.publish(seal("whatsapp.received", command), routing_key=WHATSAPP_QUEUE, mandatory=True,
                                   retry=True, retry_policy={"max_retries": 3, "interval_start": 0.2,
                                                             "interval_step": 0.5, "interval_max": 1.0})
        except Exception:
            raise HttpError(503, "service_unavailable", "the message could not be queued; please retry",
                            headers={"Retry-After": "5"}) from None


def incoming_messages(payload, now):
    """The ``whatsapp.received`` commands of a Cloud API webhook body (statuses and the rest are skipped)."""
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            for message in (change.get("value") or {}).get("messages") or []:
                sender, message_id = str(message.get("from") or ""), str(message.get("id") or "")
                try:
                    phone = phonenumbers.format_number(phonenumbers.parse("+" + sender.lstrip("+")),
                                                       phonenumbers.PhoneNumberFormat.E164)
                except phonenumbers.NumberParseException:
                    continue
                if not message_id:
                    continue
                kind = MESSAGE_TYPES.get(message.get("type"), "other")
                yield {"message_id": message_id[:200], "phone": phone, "type": kind,
                       "text": str((message.get("text") or {}).get("body") or "")[:4096] if kind == "text" else "",
                       "media_id": (message.get("image") or {}).get("id") if kind == "image" else None,
                       "received_at": now.isoformat()}


class NotificationsRoutes:
    whatsapp_door = WhatsAppDoor()

    @route("GET", "/api/v1/notifications/deliveries", tag=TAG, query=schemas.LogQuery, response=schemas.LogPage,
           summary="The delivery log of mail and WhatsApp messages (the coordinator: every agency's), newest first")
    def notification_log(self, call):
        return self.rpc("notifications", "delivery_log", call.actor, call.args)

    @route("GET", "/webhooks/whatsapp", auth="public", tag=TAG, content_type="text/plain", errors=(403, 404),
           summary="WhatsApp Cloud API verification: echoes hub.challenge for the configured verify token")
    def whatsapp_verify(self, call):
        door, args = self.whatsapp_door, call.request.args
        if not door.verify_token:
            raise HttpError(404, "not_found", "the WhatsApp door is not configured")
        if args.get("hub.mode") != "subscribe" or not hmac.compare_digest(
                args.get("hub.verify_token", ""), door.verify_token):
            raise HttpError(403, "forbidden", "the verify token does not match")
        return Response(args.get("hub.challenge", ""), status=200, mimetype="text/plain")

    @route("POST", "/webhooks/whatsapp", auth="public", tag=TAG, errors=(403, 404),
           summary="Incoming WhatsApp messages (signed with X-Hub-Signature-256); each is queued at once")
    def whatsapp_incoming(self, call):
        door = self.whatsapp_door
        if not door.app_secret:
            raise HttpError(404, "not_found", "the WhatsApp door is not configured")
        raw = buffered_body(call.request)
        if not door.signed(raw, call.request.headers.get("X-Hub-Signature-256")):
            raise HttpError(403, "forbidden", "the signature does not match the body")
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise HttpError(400, "malformed_json", "the body is not valid JSON") from None
        queued = 0
        for command in incoming_messages(payload if isinstance(payload, dict) else {}, datetime.now(timezone.utc)):
            door.publish(command)
            queued += 1
        return {"queued": queued}
