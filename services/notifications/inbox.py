"""The WhatsApp door, the service's side: a citizen's message read and acted on. A first message is
filed as a complaint through the complaints service's durable intake queue (keyed by the WhatsApp
message id, so a redelivery files once); ``CEK <number>`` and ``STATUS`` are answered from the
complaints service; anything else gets the help text. Replies go out through the outbox."""
import logging

from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider

from services.notifications import domain
from services.notifications.postman import whatsapp_person
from shared.contracts import seal
from shared.contracts.complaints import INTAKE_QUEUE, intake_queue
from shared.errors import NotFound
from shared.intake import intake_message, keyed_identity

log = logging.getLogger(__name__)


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
        identity = keyed_identity(secret, f"whatsapp:{data['message_id']}", "whatsapp", body)
        if open_complaint is not None and open_complaint["tracking_number"] != identity[0]:
            return False
        message, _, _ = intake_message(body, None, data["received_at"], identity)
        self.publisher.publish(seal("complaint.submitted", message), routing_key=INTAKE_QUEUE, mandatory=True)
        log.info("a WhatsApp message was filed as a complaint")
        return True

    def answer(self, store, postman, complaints, data, now):
        """Act on one incoming message; a reply (if any) is queued in the outbox."""
        action, value = domain.read_message(data["type"], data["text"])
        phone, params = data["phone"], {}
        if action == "check":
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
        else:
            reply, params = "help", {"photo": action == "photo"}
        with store.unit_of_work() as uow:
            domain.queue_reply(uow, data["message_id"], whatsapp_person(phone), phone, reply, params,
                               postman.channels_on, postman.forum_zone, now)
