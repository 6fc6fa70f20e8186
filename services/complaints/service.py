"""Complaints service entrypoints."""
import logging

from nameko.messaging import Consumer
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from services.complaints import domain, models, open311, schemas
from shared.agencies import KeepsAgencies
from shared.contracts import open_envelope
from shared.contracts.complaints import intake_queue
from shared.db import Database, utcnow
from shared.local_holidays import KeepsLocalHolidays
from shared.messaging import RetriesThenDeadLetters
from shared.service import ForumCalendar, HealthCheck, service_rpc

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30
CATEGORY = schemas.Category()
CATEGORIES = schemas.Category(many=True)
RULE = schemas.Rule()
RULES = schemas.Rule(many=True)
COMPLAINT = schemas.Complaint()
COMPLAINT_LIST = schemas.ComplaintList()
TRACKING = schemas.Tracking()
REPORTER_TRACKING = schemas.ReporterTracking()
ATTACHMENT_FILE = schemas.AttachmentFile()
INTAKE_DEADLINES = schemas.IntakeDeadlines()
STATS = schemas.Stats()
CONTACT = schemas.ReporterContact()
WAITING = schemas.Waiting()


class IntakeConsumer(RetriesThenDeadLetters, Consumer):
    """Consumes the intake queue with the retry-then-dead-letter handling of our event handlers."""


consume_intake = IntakeConsumer.decorator


class ComplaintsService(HealthCheck, KeepsAgencies, KeepsLocalHolidays):
    name = "complaints"
    db = Database(models)
    calendar = ForumCalendar()
    agencies_domain = domain
    local_holidays_domain = domain

    # ------------------------------------------------ intake, agencies, timers

    @consume_intake(intake_queue())
    def receive_complaint(self, payload):
        envelope = open_envelope(payload, "complaint.submitted")
        try:
            with self.db.unit_of_work() as uow:
                complaint = domain.receive(uow, envelope.data, utcnow())
        except IntegrityError:
            # Another delivery of the same tracking number (a redelivery, or a keyed intake
            # sent twice) was stored between our look and our insert: nothing more to do.
            with self.db.reading() as session:
                if not domain.is_received(session, envelope.data["tracking_number"]):
                    raise
            return
        if complaint is not None:
            log.info("complaint %s received, routed by %s", complaint.id, complaint.routed_by)

    def gauges(self, session, now):
        return {"complaints_overdue": {"stage": domain.overdue_by_stage(session, now)}}

    @timer(interval=SWEEP_SECONDS)
    def sweep_deadlines(self):
        """Escalate overdue complaints once each, and close those whose reporter stayed silent."""
        now = utcnow()
        with self.db.reading() as session:
            near = domain.near_candidates(session, now)
            overdue = domain.overdue_candidates(session, now)
            silent = domain.silent_candidates(session, now)
        for complaint_id, stage in near:
            with self.db.unit_of_work() as uow:
                domain.remind(uow, complaint_id, stage, now)
        for complaint_id, stage in overdue:
            with self.db.unit_of_work() as uow:
                domain.escalate(uow, complaint_id, stage, now)
        for complaint_id in silent:
            with self.db.unit_of_work() as uow:
                domain.close_silent(uow, complaint_id, now)

    # ------------------------------------------------ internal: the notifications service's questions

    @service_rpc
    def reporter_contact(self, complaint_id):
        """How to reach a complaint's reporter (never exposed by the gateway; never in an event)."""
        with self.db.reading() as session:
            return CONTACT.dump(domain.reporter_contact(session, complaint_id))

    @service_rpc
    def open_complaint_of_phone(self, phone):
        """The newest open complaint that came by WhatsApp from ``phone`` (None if there is none)."""
        with self.db.reading() as session:
            found = domain.open_complaint_of_phone(session, phone)
            return None if found is None else CONTACT.dump(found)

    # ------------------------------------------------ public

    @service_rpc
    def track(self, tracking_number):
        with self.db.reading() as session:
            return TRACKING.dump(domain.tracking_view(session, tracking_number, utcnow()))

    @service_rpc
    def reporter_action(self, tracking_number, data):
        now = utcnow()
        with self.db.unit_of_work() as uow:
            complaint = domain.reporter_acts(uow, tracking_number, data, now)
            return TRACKING.dump(domain.tracking_view(uow.session, complaint.tracking_number, now))

    @service_rpc
    def reporter_view(self, tracking_number, secret):
        with self.db.reading() as session:
            return REPORTER_TRACKING.dump(domain.reporter_view(session, tracking_number, secret, utcnow()))

    @service_rpc
    def supplement_complaint(self, tracking_number, secret, data):
        now = utcnow()
        with self.db.unit_of_work() as uow:
            complaint = domain.supplement_complaint(uow, tracking_number, secret, data, now)
            return REPORTER_TRACKING.dump(domain.reporter_view(uow.session, complaint.tracking_number, secret, now))

    @service_rpc
    def reporter_attachment(self, tracking_number, secret, attachment_id):
        with self.db.reading() as session:
            return ATTACHMENT_FILE.dump(domain.reporter_attachment(session, tracking_number, secret, attachment_id))

    @service_rpc
    def intake_deadlines(self):
        return INTAKE_DEADLINES.dump(domain.intake_deadlines(utcnow()))

    @service_rpc
    def list_categories(self, include_inactive=False):
        with self.db.reading() as session:
            return CATEGORIES.dump(domain.categories(session, include_inactive))

    # ------------------------------------------------ coordinator: categories, rules, figures

    @service_rpc
    def add_category(self, actor, data, idempotency_key=None):
        with self.db.unit_of_work() as uow:
            return uow.once(actor["agency_id"], idempotency_key,
                            lambda: CATEGORY.dump(domain.add_category(uow, actor, data)))

    @service_rpc
    def change_category(self, actor, code, data):
        with self.db.unit_of_work() as uow:
            return CATEGORY.dump(domain.change_category(uow, actor, code, data))

    @service_rpc
    def remove_category(self, actor, code):
        with self.db.unit_of_work() as uow:
            return CATEGORY.dump(domain.remove_category(uow, actor, code))

    @service_rpc
    def list_rules(self, actor):
        with self.db.reading() as session:
            return RULES.dump(domain.rules(session, actor))

    @service_rpc
    def add_rule(self, actor, data, idempotency_key=None):
        with self.db.unit_of_work() as uow:
            return uow.once(actor["agency_id"], idempotency_key,
                            lambda: RULE.dump(domain.add_rule(uow, actor, data)))

    @service_rpc
    def change_rule(self, actor, rule_id, data):
        with self.db.unit_of_work() as uow:
            return RULE.dump(domain.change_rule(uow, actor, rule_id, data))

    @service_rpc
    def delete_rule(self, actor, rule_id):
        with self.db.unit_of_work() as uow:
            return RULE.dump(domain.delete_rule(uow, actor, rule_id))

    @service_rpc
    def stats(self, actor):
        with self.db.reading() as session:
            return STATS.dump(domain.stats(session, actor, utcnow()))

    # ------------------------------------------------ agencies and coordinator

    @service_rpc
    def list_complaints(self, actor, query):
        with self.db.reading() as session:
            return COMPLAINT_LIST.dump(domain.list_complaints(session, actor, query, utcnow()))

    @service_rpc
    def waiting_for(self, actor):
        with self.db.reading() as session:
            return WAITING.dump(domain.waiting_for(session, actor, utcnow()))

    @service_rpc
    def get_complaint(self, actor, complaint_id):
        with self.db.reading() as session:
            complaint = domain.visible_complaint(session, actor, complaint_id)
            return COMPLAINT.dump(domain.complaint_view(session, actor, complaint, utcnow()))

    @service_rpc
    def get_attachment(self, actor, complaint_id, attachment_id):
        with self.db.reading() as session:
            return ATTACHMENT_FILE.dump(domain.get_attachment(session, actor, complaint_id, attachment_id))

    def _act(self, actor, change, idempotency_key=None):
        """Run a change; answer with the complaint as ``actor`` sees it right after it (an agency
        that refused a forward no longer sees the complaint afterwards)."""
        now = utcnow()
        with self.db.unit_of_work() as uow:
            return uow.once(actor["agency_id"], idempotency_key, lambda: COMPLAINT.dump(domain.complaint_view(
                uow.session, actor, change(uow, now), now)))

    @service_rpc
    def change_status(self, actor, complaint_id, data):
        return self._act(actor, lambda uow, now: domain.change_status(uow, actor, complaint_id, data, now))

    @service_rpc
    def answer(self, actor, complaint_id, data, idempotency_key=None):
        return self._act(actor, lambda uow, now: domain.answer(uow, actor, complaint_id, data, now),
                         idempotency_key)

    @service_rpc
    def forward(self, actor, complaint_id, data):
        return self._act(actor, lambda uow, now: domain.forward(uow, actor, complaint_id, data, now))

    @service_rpc
    def answer_forward(self, actor, complaint_id, accept, data):
        return self._act(actor, lambda uow, now: domain.answer_forward(
            uow, actor, complaint_id, accept, data, now))

    @service_rpc
    def decide_forward(self, actor, complaint_id, data):
        return self._act(actor, lambda uow, now: domain.decide_forward(uow, actor, complaint_id, data, now))

    # ------------------------------------------------ Open311 GeoReport v2

    @service_rpc
    def open311_requests(self, filters):
        with self.db.reading() as session:
            return open311.requests(session, filters, utcnow())

    @service_rpc
    def open311_request(self, request_id):
        with self.db.reading() as session:
            return open311.request(session, request_id)

    @service_rpc
    def open311_token(self, token):
        with self.db.reading() as session:
            return open311.token(session, token)
