"""The WhatsApp door's rules: what a citizen's message asks for, and the replies queued for them."""
import json
import re
import uuid

from sqlalchemy import select

from services.notifications.domain.kinds import REPLY_KIND
from services.notifications.models import Message
from shared.intake import normalise_tracking_number

_CHECK = re.compile(r"^\s*(?:CEK|CHECK)\s+(\S.*?)\s*$", re.IGNORECASE)
_STATUS = re.compile(r"^\s*STATUS\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^DUMAS-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
MAX_COMPLAINT_TEXT = 4000
# What a sender without a number (only Meta's business-scoped user id) cannot do by WhatsApp: a
# complaint is filed under, and found by, its reporter's number.
NEEDS_A_NUMBER = frozenset({"text", "status", "photo"})


def read_message(kind, text):
    """``("check", number)``, ``("status", None)``, ``("photo", None)``, ``("text", text)`` or ``("help", None)``."""
    if kind == "image":
        return "photo", None
    if kind != "text" or not text.strip():
        return "help", None
    checked = _CHECK.match(text)
    if checked:
        number = normalise_tracking_number(checked.group(1))
        return ("check", number) if _NUMBER.match(number) else ("check", None)
    if _STATUS.match(text):
        return "status", None
    return "text", text.strip()[:MAX_COMPLAINT_TEXT]


def complaint_body(phone, text):
    """The intake body of a complaint that came by WhatsApp: no category (the coordinator triages)."""
    return {"channel": "whatsapp", "text": text, "reporter": {"phone": phone}, "anonymous": False}


def replied(session, message_id):
    """Whether an incoming message was answered already (a redelivery does nothing twice)."""
    return session.scalar(select(Message.id).where(Message.event_id == f"wa:{message_id}")) is not None


def queue_reply(uow, message_id, person, phone, reply, params, channels_on, forum_zone, now):
    """A reply to one incoming message (its whole WhatsApp id keys it: a redelivery replies once)."""
    event_id = f"wa:{message_id}"
    if uow.session.scalar(select(Message.id).where(Message.event_id == event_id, Message.person == person)):
        return None
    message = Message(id=str(uuid.uuid4()), event_id=event_id, person=person, channel="whatsapp", kind=REPLY_KIND,
                      agency_id=None, language="id", address=phone, name=None, zone=forum_zone,
                      params=json.dumps({"reply": reply, **params}),
                      state="pending" if "whatsapp" in channels_on else "skipped",
                      last_error=None if "whatsapp" in channels_on else "whatsapp is off",
                      attempts=0, next_attempt_at=now, created_at=now)
    uow.session.add(message)
    return message
