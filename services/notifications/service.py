"""Notifications service entrypoints: it listens to the other services' events and tells people."""
import logging
from datetime import datetime

import eventlet
from nameko.messaging import Consumer
from nameko.rpc import RpcProxy
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from services.notifications import domain, models, schemas
from services.notifications.inbox import Inbox
from services.notifications.postman import Postman
from shared.agencies import KeepsAgencies
from shared.contracts import MalformedEvent, open_envelope
from shared.contracts.notifications import whatsapp_queue
from shared.db import Database, utcnow
from shared.messaging import RetriesThenDeadLetters, consumes
from shared.service import ForumCalendar, HealthCheck, service_rpc

log = logging.getLogger(__name__)
LOOKUP_TIMEOUT = 5.0
CHOICES = schemas.Choices()
LOG_PAGE = schemas.LogPage()
UNSUBSCRIBED = schemas.Unsubscribed()


class InboxConsumer(RetriesThenDeadLetters, Consumer):
    """Consumes the WhatsApp door's queue with the retry-then-dead-letter handling of event handlers."""


class NotificationsService(HealthCheck, KeepsAgencies):
    name = "notifications"
    db = Database(models)
    calendar = ForumCalendar()
    postman = Postman()
    inbox = Inbox()
    directory = RpcProxy("directory")
    complaints = RpcProxy("complaints")
    agencies_domain = domain

    def gauges(self, session, now):
        return {"notification_messages": {"state": domain.messages_by_state(session)},
                "notification_channel_on": {"channel": {c: int(c in self.postman.channels_on)
                                                        for c in domain.CHANNELS}}}

    # --- events: each makes notices, fanned out below ---

    @consumes("complaints", "complaint.status_changed")
    def on_complaint_status_changed(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("complaints", "complaint.forwarded")
    def on_complaint_forwarded(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("complaints", "complaint.escalated")
    def on_complaint_escalated(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("complaints", "complaint.deadline_near")
    def on_complaint_deadline_near(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("complaints", "complaint.answered")
    def on_complaint_answered(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("distribution", "content.approval_requested")
    def on_content_approval_requested(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("distribution", "content.approved")
    def on_content_approved(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("distribution", "content.published")
    def on_content_published(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("distribution", "amplification.requested")
    def on_amplification_requested(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("distribution", "amplification.answered")
    def on_amplification_answered(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("distribution", "subscription.failing")
    def on_subscription_failing(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("calendar", "calendar.item_scheduled")
    def on_calendar_item_scheduled(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("calendar", "calendar.item_declined")
    def on_calendar_item_declined(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("calendar", "calendar.item_clashing")
    def on_calendar_item_clashing(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("information", "information.request_registered")
    def on_information_request_registered(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("information", "information.forwarded")
    def on_information_forwarded(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("information", "information.deadline_near")
    def on_information_deadline_near(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("information", "information.stage_overdue")
    def on_information_stage_overdue(self, uow, envelope):
        domain.record_notices(uow, envelope)

    @consumes("information", "information.objection_filed")
    def on_information_objection_filed(self, uow, envelope):
        domain.record_notices(uow, envelope)

    def _ask(self, proxy, method, *args):
        with eventlet.Timeout(LOOKUP_TIMEOUT):
            return getattr(proxy, method).call_async(*args).result()

    @timer(interval=0.5, eager=True)
    def fan_out_notices(self):
        """People are looked up (the directory's accounts, a complaint's reporter) with no transaction open."""
        with self.db.unit_of_work() as uow:
            claimed = domain.claim_notices(uow, utcnow())
        for notice in claimed:
            try:
                contacts = [c for agency_id in notice.agency_ids
                            for c in self._ask(self.directory, "account_contacts", agency_id)]
                reporter = self._ask(self.complaints, "reporter_contact", notice.complaint_id) \
                    if notice.complaint_id else None
            except Exception as exc:  # a service away: the lease runs out and the notice is tried again
                log.warning("notice %s waits: %s", notice.id, type(exc).__name__)
                continue
            with self.db.unit_of_work() as uow:
                domain.fan_out(uow, notice.id, contacts, reporter, self.postman.channels_on,
                               self.postman.forum_zone, utcnow())

    @timer(interval=0.5, eager=True)
    def send_due_messages(self):
        self.postman.dispatch(self.db, lambda complaint_id: self._ask(self.complaints, "reporter_contact",
                                                                      complaint_id))

    @timer(interval=30, eager=True)
    def remind(self):
        with self.db.unit_of_work() as uow:
            domain.due_reminders(uow, utcnow())

    @timer(interval=30, eager=True)
    def build_digests(self):
        self._build_digests(utcnow())

    def _build_digests(self, at):
        with self.db.reading() as session:
            due = domain.digest_candidates(session, at)
        built = 0
        for person, channel in due:
            try:
                with self.db.unit_of_work() as uow:
                    built += domain.build_digest(uow, person, channel, at, utcnow()) is not None
            except IntegrityError:
                continue  # another instance built this person's digest of the day
        return built

    # --- the WhatsApp door ---

    @InboxConsumer.decorator(whatsapp_queue())
    def receive_whatsapp(self, payload):
        """A citizen's message, or what Meta reports of a message sent (a failure of one whose send is
        not recorded yet raises NotYetSent: tried again later, as a failed handler is)."""
        envelope = open_envelope(payload)
        if envelope.name == "whatsapp.status_reported":
            data = envelope.data
            with self.db.unit_of_work() as uow:
                domain.record_status(uow, data["wamid"], data["status"], data["error_code"], data["error_title"],
                                     self.postman.policy, utcnow())
        elif envelope.name == "whatsapp.received":
            self.inbox.answer(self.db, self.postman, self.complaints, envelope.data, utcnow())
        else:
            raise MalformedEvent(f"{envelope.name} does not belong on the WhatsApp door's queue")

    # --- the console and the public unsubscribe page ---

    @service_rpc
    def preferences(self, actor):
        with self.db.reading() as session:
            return {**CHOICES.dump(domain.preferences(session, actor)), "channels_on": sorted(self.postman.channels_on)}

    @service_rpc
    def set_preferences(self, actor, data):
        with self.db.unit_of_work() as uow:
            return {**CHOICES.dump(domain.set_preferences(uow, actor, data, utcnow())),
                    "channels_on": sorted(self.postman.channels_on)}

    @service_rpc
    def delivery_log(self, actor, query):
        with self.db.reading() as session:
            page = domain.delivery_log(session, actor, query)
            page.channels_on = sorted(self.postman.channels_on)
            return LOG_PAGE.dump(page)

    @service_rpc
    def mail_invitation(self, actor, invitation):
        """Mail a new account's one-time link (the console's invite); ``mailed`` is false when mail is off."""
        with self.db.unit_of_work() as uow:
            mailed = domain.mail_invitation(uow, actor, invitation, self.postman.channels_on,
                                            self.postman.forum_zone, utcnow())
        return {"mailed": mailed}

    @service_rpc
    def mail_second_factor_change(self, actor, change):
        """Tell a person by mail that their second factor was added, replaced or removed (the console's
        account page); ``mailed`` is false when mail is off."""
        with self.db.unit_of_work() as uow:
            mailed = domain.mail_second_factor_change(uow, actor, change, self.postman.channels_on,
                                                      self.postman.forum_zone, utcnow())
        return {"mailed": mailed}

    @service_rpc
    def unsubscribe_link(self, token):
        with self.db.reading() as session:
            return UNSUBSCRIBED.dump(domain.unsubscribe_link_kind(session, self.postman.secret, token))

    @service_rpc
    def unsubscribe(self, token):
        with self.db.unit_of_work() as uow:
            return UNSUBSCRIBED.dump(domain.unsubscribe(uow, self.postman.secret, token, utcnow()))

    @service_rpc
    def send_digests(self, at):
        """Build the digests due at ``at`` (ISO 8601; the operator's ``bakohumas digests``): each at most once a day."""
        return {"built": self._build_digests(datetime.fromisoformat(at))}
