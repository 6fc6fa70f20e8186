"""Calendar service entrypoints."""
from datetime import datetime

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from services.calendar import domain, models, schemas
from shared.db import Database, utcnow
from shared.errors import NotFound
from shared.messaging import consumes
from shared.service import HealthCheck, service_rpc

DIRECTORY_TIMEOUT = 3.0


ITEM = schemas.Item()  # one instance: building a marshmallow schema costs more than dumping with it
SUMMARY = schemas.ItemSummary(many=True)
HISTORY = schemas.HistoryEntry(many=True)


def _item(item):
    return ITEM.dump(item)


class CalendarService(HealthCheck):
    name = "calendar"
    db = Database(models)
    directory = RpcProxy("directory")

    # --- the directory's agencies, kept locally ---

    @consumes("directory", "agency.registered")
    def on_agency_registered(self, uow, envelope):
        domain.remember_agency(uow.session, envelope.data["agency"], envelope.occurred)

    @consumes("directory", "agency.updated")
    def on_agency_updated(self, uow, envelope):
        domain.remember_agency(uow.session, envelope.data["agency"], envelope.occurred)

    @consumes("directory", "agency.deactivated")
    def on_agency_deactivated(self, uow, envelope):
        domain.agency_left(uow.session, envelope.data["agency"], envelope.occurred,
                           utcnow())

    def _learn_agencies(self, agency_ids):
        """Ask the directory once about agencies not (yet) known here: one registered a moment ago
        may be in our queue still. Done outside any unit of work (no network I/O while writing)."""
        agency_ids = [a for a in agency_ids if isinstance(a, str) and a]
        with self.db.reading() as session:
            missing = domain.unknown_agencies(session, agency_ids)
        for agency_id in missing:
            try:
                with eventlet.Timeout(DIRECTORY_TIMEOUT):
                    agency = self.directory.get_agency.call_async(agency_id).result()
            except (NotFound, UnknownService, eventlet.Timeout):
                continue  # the domain answers "unknown agency"
            with self.db.unit_of_work() as uow:
                domain.remember_agency(uow.session, agency, datetime.fromisoformat(agency["updated_at"]))

    def _named_agencies(self, actor, data):
        data = data if isinstance(data, dict) else {}
        supporting = data.get("supporting_agency_ids")
        named = [data.get("lead_agency_id") or (actor or {}).get("agency_id")]
        return named + (supporting if isinstance(supporting, list) else [])

    # --- items ---

    @service_rpc
    def propose_item(self, actor, data, idempotency_key=None):
        self._learn_agencies(self._named_agencies(actor, data))
        with self.db.unit_of_work() as uow:
            return uow.once(actor["agency_id"], idempotency_key,
                            lambda: _item(domain.propose(uow, actor, data, utcnow())))

    @service_rpc
    def get_item(self, actor, item_id):
        with self.db.reading() as session:
            return _item(domain.get_item(session, actor, item_id))

    @service_rpc
    def list_items(self, actor, args):
        query = domain.load(schemas.ItemQuery, args)
        with self.db.reading() as session:
            return {"items": SUMMARY.dump(domain.list_items(session, actor, query))}

    @service_rpc
    def item_history(self, actor, item_id):
        with self.db.reading() as session:
            return {"entries": HISTORY.dump(domain.history(session, actor, item_id))}

    @service_rpc
    def change_item(self, actor, item_id, data):
        if isinstance(data, dict) and isinstance(data.get("supporting_agency_ids"), list):
            self._learn_agencies(data["supporting_agency_ids"])
        with self.db.unit_of_work() as uow:
            return _item(domain.change(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def schedule_item(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(domain.schedule(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def decline_item(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(domain.decline(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def withdraw_item(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(domain.withdraw(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def cancel_item(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(domain.cancel(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def mark_held(self, actor, item_id):
        with self.db.unit_of_work() as uow:
            return _item(domain.mark_held(uow, actor, item_id, utcnow()))

    @service_rpc
    def respond(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(domain.respond(uow, actor, item_id, data, utcnow()))

    # --- planning help ---

    @service_rpc
    def clash_check(self, actor, args):
        query = domain.load(schemas.ClashQuery, args)
        with self.db.reading() as session:
            return {"clashes": domain.clash_check(session, query)}

    @service_rpc
    def free_slots(self, actor, args):
        query = domain.load(schemas.FreeSlotQuery, args)
        with self.db.reading() as session:
            return {"slots": domain.free_slots(session, query)}

    # --- feeds ---

    @service_rpc
    def rotate_feed_link(self, actor, agency_id):
        with self.db.unit_of_work() as uow:
            token = domain.rotate_feed_link(uow, actor, agency_id, utcnow())
        return {"agency_id": agency_id, "token": token, "path": f"/api/v1/calendar/feeds/{token}.ics"}

    @service_rpc
    def public_feed(self):
        with self.db.reading() as session:
            return domain.public_feed(session)

    @service_rpc
    def agency_feed(self, token):
        with self.db.reading() as session:
            return domain.agency_feed(session, token)
