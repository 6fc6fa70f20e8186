"""Notifications endpoints: the delivery log, and the WhatsApp door (``/webhooks/whatsapp``).

The door answers Meta's verification handshake and takes incoming messages only with a valid
``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body under the app secret), read against Meta's
documented shape (anything else: 400, one log line). It answers at once: each message goes, as a
persistent ``whatsapp.received`` command with a publisher confirm, to the durable queue the
notifications service reads (which files complaints through the complaints intake queue), and each
status Meta reports of a message we sent as ``whatsapp.status_reported``.
"""
import hashlib
import hmac
import json
import logging
from datetime import datetime, timezone

import phonenumbers
from marshmallow import ValidationError
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from gateway.errors import HttpError
from gateway.http import buffered_body, route
from services.notifications import schemas
from shared.contracts import seal
from shared.contracts.notifications import DELIVERY_STATUSES, WHATSAPP_QUEUE, whatsapp_queue

log = logging.getLogger(__name__)
TAG = "notifications"
MESSAGE_TYPES = {"text": "text", "image": "image"}
WEBHOOK = schemas.WhatsAppWebhook()


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
        """Compared as bytes: a header in any characters is a mismatch, never an error."""
        expected = "sha256=" + hmac.new(self.app_secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()
        return bool(self.app_secret) and hmac.compare_digest(expected.encode("ascii"), (header or "").encode("utf-8"))

    def token_matches(self, given):
        return bool(self.verify_token) and hmac.compare_digest(given.encode("utf-8"), self.verify_token.encode("utf-8"))

    def publish(self, name, command):
        try:
            self.publisher.publish(seal(name, command), routing_key=WHATSAPP_QUEUE, mandatory=True,
                                   retry=True, retry_policy={"max_retries": 3, "interval_start": 0.2,
                                                             "interval_step": 0.5, "interval_max": 1.0})
        except Exception:
            raise HttpError(503, "service_unavailable", "the message could not be queued; please retry",
                            headers={"Retry-After": "5"}) from None


def _refused(why):
    """A signed body the door cannot read: one log line (what was wrong, never a value), then 400."""
    log.warning("a signed WhatsApp webhook body was refused: %s", why)
    return HttpError(400, "malformed_webhook", "the body is not a WhatsApp Cloud API webhook")


def _error_paths(messages, prefix=""):
    """The fields a ValidationError names (``entry.0.changes.0.value``), without their values."""
    if not isinstance(messages, dict):
        return [prefix.rstrip(".") or "body"]
    return [path for key, inner in messages.items() for path in _error_paths(inner, f"{prefix}{key}.")]


def _moment(timestamp, now):
    """Meta's Unix time as an aware datetime, never after ``now`` (``now`` when unreadable)."""
    try:
        return min(datetime.fromtimestamp(int(timestamp), timezone.utc), now)
    except (TypeError, ValueError, OverflowError, OSError):
        return now


def _phone(sender):
    try:
        return phonenumbers.format_number(phonenumbers.parse("+" + sender.lstrip("+")),
                                          phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return None


def whatsapp_updates(raw, now):
    """``(messages, statuses)`` of a signed Cloud API webhook body: the ``whatsapp.received`` and
    ``whatsapp.status_reported`` commands it carries. A body not of Meta's shape raises HttpError 400."""
    try:
        payload = WEBHOOK.load(json.loads(raw.decode("utf-8")))
    except (ValueError, UnicodeDecodeError):
        raise _refused("not JSON") from None
    except RecursionError:
        raise _refused("nested too deep") from None
    except ValidationError as exc:
        raise _refused("wrong or missing " + ", ".join(sorted(set(_error_paths(exc.messages)))[:10])) from None
    values = [change["value"] for entry in payload["entry"] for change in entry["changes"]]
    messages, statuses = [], []
    for message in (message for value in values for message in value["messages"]):
        phone = _phone(message["sender"]) if message["sender"] else None
        if phone is None and not message["from_user_id"]:
            log.warning("a WhatsApp message was not taken: its sender has no number and no business-scoped user id")
            continue
        kind = MESSAGE_TYPES.get(message["type"], "other")
        messages.append({"message_id": message["id"], "phone": phone, "user_id": message["from_user_id"],
                         "type": kind,
                         "text": (message["text"] or {}).get("body", "")[:4096] if kind == "text" else "",
                         "media_id": (message["image"] or {}).get("id") if kind == "image" else None,
                         "received_at": now.isoformat(), "sent_at": _moment(message["timestamp"], now).isoformat()})
    for status in (status for value in values for status in value["statuses"]):
        if status["status"] not in DELIVERY_STATUSES:
            log.info("a WhatsApp status %r was not recorded: not one the delivery log keeps", status["status"][:20])
            continue
        [error] = status["errors"][:1] or [{}]
        statuses.append({"wamid": status["id"], "status": status["status"], "error_code": error.get("code"),
                         "error_title": error.get("title") or error.get("message")})
    return messages, statuses


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
        if args.get("hub.mode") != "subscribe" or not door.token_matches(args.get("hub.verify_token", "")):
            raise HttpError(403, "forbidden", "the verify token does not match")
        return Response(args.get("hub.challenge", ""), status=200, mimetype="text/plain")

    @route("POST", "/webhooks/whatsapp", auth="public", tag=TAG, errors=(400, 403, 404),
           summary="Incoming WhatsApp messages (signed with X-Hub-Signature-256); each is queued at once")
    def whatsapp_incoming(self, call):
        door = self.whatsapp_door
        if not door.app_secret:
            raise HttpError(404, "not_found", "the WhatsApp door is not configured")
        raw = buffered_body(call.request)
        if not door.signed(raw, call.request.headers.get("X-Hub-Signature-256")):
            raise HttpError(403, "forbidden", "the signature does not match the body")
        messages, statuses = whatsapp_updates(raw, datetime.now(timezone.utc))
        for command in messages:
            door.publish("whatsapp.received", command)
        for command in statuses:
            door.publish("whatsapp.status_reported", command)
        return {"queued": len(messages) + len(statuses)}
