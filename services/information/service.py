"""Information service entrypoints (public information requests, UU 14/2008)."""
from nameko.timer import timer

from services.information import domain, models, schemas
from shared.agencies import KeepsAgencies
from shared.db import Database, utcnow
from shared.service import ForumCalendar, HealthCheck, service_rpc

SWEEP_SECONDS = 30
ACCEPTED = schemas.Accepted()
REQUEST = schemas.Request()
REQUEST_LIST = schemas.RequestList()
TRACKING = schemas.Tracking()
DIP = schemas.Dip()
DIP_ENTRY = schemas.DipEntry()
REPORT = schemas.Report()
FORUM_REPORT = schemas.ForumReport()


class InformationService(HealthCheck, KeepsAgencies):
    name = "information"
    db = Database(models)
    calendar = ForumCalendar()
    agencies_domain = domain

    def gauges(self, session, now):
        return {"information_overdue": {"stage": domain.overdue_by_stage(session, now)}}

    @timer(interval=SWEEP_SECONDS)
    def sweep_deadlines(self):
        """Warn once when one working day is left, and escalate each late stage once."""
        now = utcnow()
        with self.db.reading() as session:
            near = domain.near_candidates(session, now)
            overdue = domain.overdue_candidates(session, now)
        for stage, request_id in near:
            with self.db.unit_of_work() as uow:
                domain.warn(uow, stage, request_id, now)
        for stage, request_id in overdue:
            with self.db.unit_of_work() as uow:
                domain.escalate(uow, stage, request_id, now)

    # ------------------------------------------------ public

    @service_rpc
    def register(self, actor, data, idempotency_key=None):
        """A request, numbered at once; answers the registration number and the deadline."""
        with self.db.unit_of_work() as uow:
            return uow.once(domain.intake_scope(actor, data), idempotency_key,
                            lambda: ACCEPTED.dump(domain.register(uow, actor, data, utcnow())))

    @service_rpc
    def track(self, registration_number):
        with self.db.reading() as session:
            return TRACKING.dump(domain.tracking_view(session, registration_number, utcnow()))

    @service_rpc
    def file_objection(self, registration_number, data):
        now = utcnow()
        with self.db.unit_of_work() as uow:
            request = domain.file_objection(uow, registration_number, data, now)
            return TRACKING.dump(domain.tracking_view(uow.session, request.registration_number, now))

    @service_rpc
    def dip(self, agency_id):
        with self.db.reading() as session:
            return DIP.dump(domain.dip(session, agency_id))

    # ------------------------------------------------ agencies and coordinator

    @service_rpc
    def list_requests(self, actor, query):
        with self.db.reading() as session:
            return REQUEST_LIST.dump(domain.list_requests(session, actor, query, utcnow()))

    @service_rpc
    def get_request(self, actor, request_id):
        with self.db.reading() as session:
            request = domain.visible_request(session, actor, request_id)
            return REQUEST.dump(domain.request_view(session, request, utcnow()))

    def _act(self, change):
        """Run a change; answer with the request as it is right after it."""
        now = utcnow()
        with self.db.unit_of_work() as uow:
            return REQUEST.dump(domain.request_view(uow.session, change(uow, now), now))

    @service_rpc
    def extend(self, actor, request_id, data):
        return self._act(lambda uow, now: domain.extend(uow, actor, request_id, data, now))

    @service_rpc
    def decide(self, actor, request_id, data):
        return self._act(lambda uow, now: domain.decide(uow, actor, request_id, data, now))

    @service_rpc
    def forward(self, actor, request_id, data):
        return self._act(lambda uow, now: domain.forward(uow, actor, request_id, data, now))

    @service_rpc
    def answer_forward(self, actor, request_id, accept, data):
        return self._act(lambda uow, now: domain.answer_forward(uow, actor, request_id, accept, data, now))

    @service_rpc
    def answer_objection(self, actor, request_id, data):
        return self._act(lambda uow, now: domain.answer_objection(uow, actor, request_id, data, now))

    @service_rpc
    def record_commission(self, actor, request_id, data):
        return self._act(lambda uow, now: domain.record_commission(uow, actor, request_id, data, now))

    @service_rpc
    def add_dip_entry(self, actor, data, idempotency_key=None):
        with self.db.unit_of_work() as uow:
            return uow.once(actor["agency_id"], idempotency_key,
                            lambda: DIP_ENTRY.dump(domain.add_entry(uow, actor, data, utcnow())))

    @service_rpc
    def change_dip_entry(self, actor, entry_id, data):
        with self.db.unit_of_work() as uow:
            return DIP_ENTRY.dump(domain.change_entry(uow, actor, entry_id, data, utcnow()))

    @service_rpc
    def remove_dip_entry(self, actor, entry_id):
        with self.db.unit_of_work() as uow:
            return DIP_ENTRY.dump(domain.remove_entry(uow, actor, entry_id))

    @service_rpc
    def report(self, actor, query):
        with self.db.reading() as session:
            return REPORT.dump(domain.report(session, actor, query, utcnow()))

    @service_rpc
    def forum_report(self, actor, query):
        with self.db.reading() as session:
            return FORUM_REPORT.dump(domain.forum_report(session, actor, query, utcnow()))
