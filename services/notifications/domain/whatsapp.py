"""WhatsApp as Meta answers: the 24-hour customer service window (free text only within 24 hours of
the person's last message, an approved template after), and what Meta reports of a sent message later
(delivered, read, failed with a code: retried when Meta's trouble is passing, else reported)."""
import json
import random
from datetime import timedelta

from sqlalchemy import select

from services.notifications.models import Message, WhatsAppWindow

SERVICE_WINDOW = timedelta(hours=24)
# Meta's error codes of a failure that another try later can overcome: its rate limits and its own
# trouble (Cloud API error codes). Any other code is a refusal for good, reported in the delivery log.
RETRIABLE_CODES = frozenset({130429, 131000, 131016, 131048, 131049, 131056, 133004})
# "Re-engagement message": sent as free text after the window closed; sent again, as a template.
OUTSIDE_WINDOW_CODE = 131047
REPORTED_ORDER = {"sent": 1, "delivered": 2, "read": 3}


class NotYetSent(Exception):
    """A failure reported of a wamid no message holds yet (the report outran the send's record)."""


def meta_error(code, title):
    """How a Meta error reads in the delivery log and the logs: its code and title, nothing else."""
    return f"Meta {code}: {title}" if title else f"Meta {code}"


def heard_from(uow, person, sent_at):
    """A citizen wrote at ``sent_at`` (Meta's time of the message): their window runs 24 hours from it."""
    window = uow.session.get(WhatsAppWindow, person)
    if window is None:
        uow.session.add(WhatsAppWindow(person=person, last_message_at=sent_at))
    elif sent_at > window.last_message_at:
        window.last_message_at = sent_at


def window_open(session, person, now):
    last = session.scalar(select(WhatsAppWindow.last_message_at).where(WhatsAppWindow.person == person))
    return last is not None and now - last < SERVICE_WINDOW


def whatsapp_form(person, params, in_window):
    """``text`` or ``template``: an officer never wrote first, so always a template; a citizen gets
    text within their window, a template outside it (or once Meta said the window had closed)."""
    if person.startswith("account:") or params.get("outside_window"):
        return "template"
    return "text" if in_window else "template"


def retriable(code):
    return code in RETRIABLE_CODES


def record_status(uow, wamid, status, error_code, error_title, policy, now, rng=random):
    """Record what Meta reported of the sent message ``wamid``: the furthest of sent, delivered and
    read; a failure puts the message back to retry (Meta's passing trouble; outside the window, as a
    template) until its last try, else fails it with Meta's code and title. None when no sent
    message holds ``wamid`` (a failure raises NotYetSent, to be tried again when its send is recorded)."""
    message = uow.session.scalar(select(Message).where(Message.wamid == wamid))
    if message is None or message.state != "sent":
        if status == "failed" and message is None:
            raise NotYetSent(wamid)
        return None
    if status != "failed":
        if REPORTED_ORDER[status] > REPORTED_ORDER.get(message.reported, 0):
            message.reported = status
        return message
    message.reported, message.last_error = "failed", meta_error(error_code, error_title)
    again = error_code == OUTSIDE_WINDOW_CODE or retriable(error_code)
    if again and message.attempts < policy.max_attempts:
        if error_code == OUTSIDE_WINDOW_CODE:
            message.params = json.dumps({**json.loads(message.params), "outside_window": True})
            message.next_attempt_at = now
        else:
            message.next_attempt_at = now + timedelta(seconds=policy.delay(message.attempts, rng))
        message.state, message.sent_at = "retrying", None
    else:
        message.state = "failed"
    return message
