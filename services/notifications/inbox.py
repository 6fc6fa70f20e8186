"""The WhatsApp door, the service's side: a citizen's message read and acted on. A first message is
filed as a complaint through the complaints service's durable intake queue (keyed by the WhatsApp
message id, so a redelivery files once); ``CEK <number>`` and ``STATUS`` are answered from the
complaints service; a photo joins the sender's open complaint; anything else gets the help text. A
sender Meta names only by a business-scoped user id (no number) is answered by it: ``CEK`` works, what
needs a number (filing, ``STATUS``, a photo) is answered with the way to the web form.
Replies go out through the outbox."""
import base64
import hashlib
import hmac
import logging

import requests
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider

from services.notifications import domain, whatsapp
from services.notifications.postman import whatsapp_person
from shared.contracts import seal
from shared.contracts.complaints import INTAKE_QUEUE, intake_queue
from shared.errors import Conflict, Forbidden, NotFound
from shared.intake import MAX_ATTACHMENT_BYTES, intake_message, keyed_identity
from shared.uploads import FileRefused, checked_file

log = logging.getLogger(__name__)


def reporter_secret(secret, number):
    """The reporter secret of a complaint filed on WhatsApp, derived from its number: the citizen never
    needs it, and this service acts for them (a photo's supplement) without keeping it."""
    digest = hmac.new(secret.encode("utf-8"), f"whatsapp-reporter\n{number}".encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


class Inbox(DependencyProvider):

    def setup(self):
        self.publisher = Publisher(self.container.config[AMQP_URI_CONFIG_KEY], use_confirms=True,
                                   declare=[intake_queue()])

    def get_dependency(self, worker_ctx):
        return self

    def file(self, secret, data, open_complaint):
        """Queue the message as a complaint unless its sender has another one open. The tracking
        number is derived from the message id: a redelivered message (its complaint stored or not
        yet) is filed again under the same number, which the complaints service stores once."""
        body = domain.complaint_body(data["phone"], data["text"])
        number, _ = keyed_identity(secret, f"whatsapp:{data['message_id']}", "whatsapp", body)
        if open_complaint is not None and open_complaint["tracking_number"] != number:
            return False
        message, _, _ = intake_message(body, None, data["received_at"], (number, reporter_secret(secret, number)))
        self.publisher.publish(seal("complaint.submitted", message), routing_key=INTAKE_QUEUE, mandatory=True)
        log.info("a WhatsApp message was filed as a complaint")
        return True

    def add_photo(self, postman, complaints, data):
        """A photo joins the sender's open complaint (cleaned of its metadata, as the web form's are),
        through the reporter's own ``supplement_complaint``: ``(reply, params)``."""
        mine = complaints.open_complaint_of_phone(data["phone"])
        if mine is None:
            return "none_open", {"photo": True}
        number = mine["tracking_number"]
        try:
            content = whatsapp.fetch_media(postman.whatsapp, data["media_id"], MAX_ATTACHMENT_BYTES)
            photo = checked_file(content, "whatsapp-foto.jpg", "")
        except (FileRefused, ValueError, requests.RequestException, AttributeError) as exc:
            log.info("a WhatsApp photo was not taken: %s", type(exc).__name__)
            return "photo_refused", {"tracking_number": number}
        try:
            complaints.supplement_complaint(number, reporter_secret(postman.secret, number), {"attachments": [photo]})
        except (Conflict, Forbidden):  # closed, or filed before its secret was derived here
            return "photo_refused", {"tracking_number": number}
        return "photo_added", {"tracking_number": number}

    def answer(self, store, postman, complaints, data, now):
        """Act on one incoming message; a reply (if any) is queued in the outbox."""
        action, value = domain.read_message(data["type"], data["text"])
        phone, params = data["phone"], {}
        address = phone or data["user_id"]  # a person who chose a username is reached by their user id
        with store.unit_of_work() as uow:  # their 24-hour window opens with this message
            domain.heard_from(uow, whatsapp_person(address), data["sent_at"] or data["received_at"])
        if phone is None and action in domain.NEEDS_A_NUMBER:
            log.info("a WhatsApp message from a sender known only by a business-scoped user id was answered, "
                     "not acted on: a complaint is filed and found by its reporter's number")
            reply = "no_number"
        elif action == "check":
            try:
                tracked = complaints.track(value) if value else None
            except NotFound:
                tracked = None
            reply, params = ("status", {"tracking_number": tracked["tracking_number"], "status": tracked["status"]}) \
                if tracked else ("unknown", {})
        elif action == "status":
            mine = complaints.open_complaint_of_phone(phone)
            reply, params = ("status", {"tracking_number": mine["tracking_number"], "status": mine["status"]}) \
                if mine else ("none_open", {})
        elif action == "text" and self.file(postman.secret, {**data, "text": value},
                                            complaints.open_complaint_of_phone(phone)):
            return  # the reporter's "received, with its number" comes from complaint.status_changed
        elif action == "photo":
            with store.reading() as session:
                if domain.replied(session, data["message_id"]):
                    return  # a redelivered photo: added once
            reply, params = self.add_photo(postman, complaints, data)
        else:
            reply, params = "help", {}
        with store.unit_of_work() as uow:
            domain.queue_reply(uow, data["message_id"], whatsapp_person(address), address, reply, params,
                               postman.channels_on, postman.forum_zone, now)
