"""Distribution service entrypoints."""
from nameko.timer import timer

from services.distribution import domain, models, schemas
from services.distribution.courier import Courier
from shared.agencies import KeepsAgencies
from shared.db import Database, utcnow
from shared.messaging import consumes
from shared.service import HealthCheck, service_rpc

# An item as answered after an operation that took a body (``stripped`` says what the sanitiser
# removed), and as answered otherwise (no ``stripped``).
SANITISED_CONTENT = schemas.ContentView()
CONTENT = schemas.ContentView(exclude=("stripped",))
CONTENT_LIST = schemas.ContentPage()
SUBSCRIPTION = schemas.SubscriptionView()
SUBSCRIPTIONS = schemas.SubscriptionView(many=True)
ISSUED_SUBSCRIPTION = schemas.IssuedSubscription()
DELIVERY = schemas.DeliveryView()
DELIVERIES = schemas.DeliveryPage()
REPORT = schemas.AmplificationReport()
REPORTS = schemas.AmplificationReport(many=True)
ANSWERED = schemas.AmplificationAnswered()
WAITING = schemas.Waiting()


class DistributionService(HealthCheck, KeepsAgencies):
    name = "distribution"
    db = Database(models)
    courier = Courier()
    agencies_domain = domain

    def gauges(self, session, now):
        return {"webhook_deliveries": {"state": domain.deliveries_by_state(session)}}

    # --- content ---

    @service_rpc
    def create_content(self, actor, data, idempotency_key=None):
        with self.db.unit_of_work() as uow:
            return uow.once(actor["agency_id"], idempotency_key, lambda: SANITISED_CONTENT.dump(
                domain.create_content(uow, actor, data, utcnow())))

    @service_rpc
    def edit_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return SANITISED_CONTENT.dump(domain.edit_draft(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def approve_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return CONTENT.dump(domain.approve(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def publish_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return CONTENT.dump(domain.publish(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def correct_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return SANITISED_CONTENT.dump(domain.correct(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def withdraw_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return CONTENT.dump(domain.withdraw(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def get_content(self, actor, item_id):
        with self.db.reading() as session:
            return CONTENT.dump(domain.show_item(session, actor, item_id))

    @service_rpc
    def waiting_for(self, actor):
        with self.db.reading() as session:
            return WAITING.dump(domain.waiting_for(session, actor, utcnow()))

    @service_rpc
    def list_content(self, actor, query):
        with self.db.reading() as session:
            return CONTENT_LIST.dump(domain.list_content(session, actor, query))

    @timer(interval=1, eager=True)
    def publish_due_embargoes(self):
        with self.db.unit_of_work() as uow:
            domain.publish_due_embargoes(uow, utcnow())

    # --- subscriptions and deliveries ---

    @service_rpc
    def create_subscription(self, actor, data, idempotency_key=None):
        """The secret is in the first answer only: a repeat with the same Idempotency-Key gets it without."""
        issued = {}
        with self.db.unit_of_work() as uow:
            def create():
                subscription = domain.create_subscription(uow, actor, data, self.courier.allow_private, utcnow())
                issued["secret"] = subscription.secret
                return SUBSCRIPTION.dump(subscription)
            answer = uow.once(actor["agency_id"], idempotency_key, create)
        return {**answer, "secret": issued["secret"]} if issued else answer

    @service_rpc
    def list_subscriptions(self, actor):
        with self.db.reading() as session:
            return SUBSCRIPTIONS.dump(domain.list_subscriptions(session, actor))

    @service_rpc
    def rotate_secret(self, actor, subscription_id):
        with self.db.unit_of_work() as uow:
            return ISSUED_SUBSCRIPTION.dump(domain.rotate_secret(uow, actor, subscription_id, utcnow()))

    @service_rpc
    def delete_subscription(self, actor, subscription_id):
        with self.db.unit_of_work() as uow:
            domain.delete_subscription(uow, actor, subscription_id)

    @service_rpc
    def list_deliveries(self, actor, subscription_id, query):
        with self.db.reading() as session:
            return DELIVERIES.dump(domain.list_deliveries(session, actor, subscription_id, query))

    @service_rpc
    def replay_delivery(self, actor, subscription_id, delivery_id):
        with self.db.unit_of_work() as uow:
            return DELIVERY.dump(domain.replay(uow, actor, subscription_id, delivery_id, utcnow()))

    @timer(interval=0.2, eager=True)
    def send_due_deliveries(self):
        self.courier.dispatch(self.db)

    # --- amplification ---

    @service_rpc
    def request_amplification(self, actor, item_id, data, idempotency_key=None):
        with self.db.unit_of_work() as uow:
            made = uow.once(actor["agency_id"], idempotency_key, lambda: {
                "id": domain.request_amplification(uow, actor, item_id, data, utcnow()).id})
        with self.db.reading() as session:
            return REPORT.dump(domain.amplification_report(session, actor, made["id"], utcnow()))

    @service_rpc
    def answer_amplification(self, actor, request_id, data):
        with self.db.unit_of_work() as uow:
            return ANSWERED.dump(domain.answer_amplification(uow, actor, request_id, data, utcnow()))

    @service_rpc
    def amplification_requests_to_me(self, actor, query):
        with self.db.reading() as session:
            return REPORTS.dump(domain.requests_addressed_to(session, actor, query, utcnow()))

    @service_rpc
    def amplification_report(self, actor, request_id):
        with self.db.reading() as session:
            return REPORT.dump(domain.amplification_report(session, actor, request_id, utcnow()))

    # --- public feeds ---

    @service_rpc
    def atom_feed(self, feed_url, agency_id=None):
        with self.db.reading() as session:
            return domain.atom_feed(session, feed_url, agency_id, utcnow())

    @service_rpc
    def json_feed(self, query):
        with self.db.reading() as session:
            return domain.json_feed(session, query, utcnow())

    # --- events from other services (the directory's agencies: KeepsAgencies) ---

    @consumes("calendar", "calendar.item_rescheduled")
    def on_calendar_item_rescheduled(self, uow, envelope):
        domain.follow_reschedule(uow, envelope.data["item"])

    @consumes("calendar", "calendar.item_cancelled")
    def on_calendar_item_cancelled(self, uow, envelope):
        domain.follow_cancellation(uow, envelope.data["item"])
