"""Distribution service entrypoints."""
from nameko.timer import timer

from services.distribution import domain, models, schemas
from services.distribution.courier import Courier
from shared.db import Database
from shared.messaging import consumes
from shared.errors import NotFound
from shared.service import HealthCheck, service_rpc


class DistributionService(HealthCheck):
    name = "distribution"
    db = Database(models)
    courier = Courier()

    def gauges(self, session, now):
        return {"webhook_deliveries": {"state": domain.deliveries_by_state(session)}}

    # --- content ---

    @service_rpc
    def create_content(self, actor, data, idempotency_key=None):
        with self.db.unit_of_work() as uow:
            def create():
                item, stripped = domain.create_content(uow, actor, data)
                return domain.view(uow.session, item, stripped)
            return uow.once(actor["agency_id"], idempotency_key, create)

    @service_rpc
    def edit_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            item, stripped = domain.edit_draft(uow, actor, item_id, data)
            return domain.view(uow.session, item, stripped)

    @service_rpc
    def approve_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return domain.view(uow.session, domain.approve(uow, actor, item_id, data))

    @service_rpc
    def publish_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return domain.view(uow.session, domain.publish(uow, actor, item_id, data))

    @service_rpc
    def correct_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            item, stripped = domain.correct(uow, actor, item_id, data)
            return domain.view(uow.session, item, stripped)

    @service_rpc
    def withdraw_content(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return domain.view(uow.session, domain.withdraw(uow, actor, item_id, data))

    @service_rpc
    def get_content(self, actor, item_id):
        with self.db.reading() as session:
            return domain.view(session, domain.get_item(session, item_id, actor))

    @service_rpc
    def list_content(self, actor, query):
        with self.db.reading() as session:
            return [domain.view(session, item) for item in domain.list_content(session, actor, query)]

    @timer(interval=1, eager=True)
    def publish_due_embargoes(self):
        with self.db.unit_of_work() as uow:
            domain.publish_due_embargoes(uow)

    # --- subscriptions and deliveries ---

    @service_rpc
    def create_subscription(self, actor, data, idempotency_key=None):
        """The secret is in the first answer only: a repeat with the same Idempotency-Key gets it without."""
        issued = {}
        with self.db.unit_of_work() as uow:
            def create():
                subscription = domain.create_subscription(uow, actor, data, self.courier.allow_private)
                issued["secret"] = subscription.secret
                return domain.subscription_view(subscription)
            answer = uow.once(actor["agency_id"], idempotency_key, create)
        return {**answer, "secret": issued["secret"]} if issued else answer

    @service_rpc
    def list_subscriptions(self, actor):
        with self.db.reading() as session:
            return [domain.subscription_view(s) for s in domain.list_subscriptions(session, actor)]

    @service_rpc
    def rotate_secret(self, actor, subscription_id):
        with self.db.unit_of_work() as uow:
            subscription = domain.rotate_secret(uow, actor, subscription_id)
            return domain.subscription_view(subscription, subscription.secret)

    @service_rpc
    def delete_subscription(self, actor, subscription_id):
        with self.db.unit_of_work() as uow:
            domain.delete_subscription(uow, actor, subscription_id)

    @service_rpc
    def list_deliveries(self, actor, subscription_id, query):
        with self.db.reading() as session:
            return schemas.DeliveryView(many=True).dump(
                domain.list_deliveries(session, actor, subscription_id, query.get("state")))

    @service_rpc
    def replay_delivery(self, actor, subscription_id, delivery_id):
        with self.db.unit_of_work() as uow:
            return schemas.DeliveryView().dump(domain.replay(uow, actor, subscription_id, delivery_id))

    @timer(interval=0.2, eager=True)
    def send_due_deliveries(self):
        self.courier.dispatch(self.db)

    # --- amplification ---

    @service_rpc
    def request_amplification(self, actor, item_id, data, idempotency_key=None):
        with self.db.unit_of_work() as uow:
            def create():
                request = domain.request_amplification(uow, actor, item_id, data)
                return {"id": request.id}
            made = uow.once(actor["agency_id"], idempotency_key, create)
        with self.db.reading() as session:
            return domain.amplification_report(session, actor, made["id"])

    @service_rpc
    def answer_amplification(self, actor, request_id, data):
        with self.db.unit_of_work() as uow:
            request = domain.answer_amplification(uow, actor, request_id, data)
        return {"request_id": request.id, "agency_id": actor["agency_id"], "url": data["url"]}

    @service_rpc
    def amplification_report(self, actor, request_id):
        with self.db.reading() as session:
            return domain.amplification_report(session, actor, request_id)

    # --- public feeds ---

    @service_rpc
    def atom_feed(self, feed_url, agency_id=None):
        with self.db.reading() as session:
            title = "Bakohumas Hub"
            if agency_id:
                agency = session.get(models.Agency, agency_id)
                if agency is None:
                    raise NotFound(f"no agency {agency_id}", {"agency_id": ["unknown agency"]})
                title = f"{agency.name} — Bakohumas Hub"
            return domain.atom_feed(session, domain.feed_items(session, agency_id), feed_url, title)

    @service_rpc
    def json_feed(self, agency_id=None):
        with self.db.reading() as session:
            return [domain.ninjs(session, item) for item in domain.feed_items(session, agency_id)]

    # --- events from other services ---

    @consumes("directory", "agency.registered")
    def on_agency_registered(self, uow, envelope):
        domain.keep_agency(uow, envelope.data["agency"], envelope.occurred)

    @consumes("directory", "agency.updated")
    def on_agency_updated(self, uow, envelope):
        domain.keep_agency(uow, envelope.data["agency"], envelope.occurred)

    @consumes("directory", "agency.deactivated")
    def on_agency_deactivated(self, uow, envelope):
        domain.agency_deactivated(uow, envelope.data["agency"], envelope.occurred)

    @consumes("calendar", "calendar.item_rescheduled")
    def on_calendar_item_rescheduled(self, uow, envelope):
        domain.follow_reschedule(uow, envelope.data["item"])

    @consumes("calendar", "calendar.item_cancelled")
    def on_calendar_item_cancelled(self, uow, envelope):
        domain.follow_cancellation(uow, envelope.data["item"])
