"""Calendar service entrypoints."""
from datetime import datetime

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from services.calendar import domain, models, schemas
from shared.agencies import KeepsAgencies
from shared.db import Database, utcnow
from shared.errors import NotFound
from shared.service import HealthCheck, service_rpc

DIRECTORY_TIMEOUT = 3.0


ITEM = schemas.Item()  # one instance: building a marshmallow schema costs more than dumping with it
HISTORY = schemas.HistoryEntry(many=True)
WAITING = schemas.Waiting()


def _item(session, item):
    """One item's answer: its lead and participants carry the agencies' names beside their ids."""
    answer = ITEM.dump(item)
    names = domain.agency_names(session, [item.lead_agency_id, *(p["agency_id"] for p in answer["participants"])])
    answer["lead_agency"] = names[item.lead_agency_id]
    for participant in answer["participants"]:
        named = names[participant["agency_id"]]
        participant.update(name=named["name"], short_name=named["short_name"])
    return answer


class CalendarService(HealthCheck, KeepsAgencies):
    """The joint press calendar; it keeps the directory's agencies (``KeepsAgencies``) and asks
    the directory about one named before its event arrived."""
    name = "calendar"
    db = Database(models)
    directory = RpcProxy("directory")
    agencies_domain = domain

    def _learn_agencies(self, agency_ids):
        """Ask the directory once about agencies not (yet) known here: one registered a moment ago
        may be in our queue still. Done outside any unit of work (no network I/O while writing)."""
        if not agency_ids:
            return
        with self.db.reading() as session:
            missing = domain.unknown_agencies(session, agency_ids)
        for agency_id in missing:
            try:
                with eventlet.Timeout(DIRECTORY_TIMEOUT):
                    agency = self.directory.get_agency.call_async(agency_id).result()
            except (NotFound, UnknownService, eventlet.Timeout):
                continue  # the domain answers "unknown agency"
            with self.db.unit_of_work() as uow:
                domain.keep_agency(uow, agency, datetime.fromisoformat(agency["updated_at"]))

    # --- items ---

    @service_rpc
    def propose_item(self, actor, data, idempotency_key=None):
        self._learn_agencies(domain.agencies_proposed(actor, data))
        with self.db.unit_of_work() as uow:
            return uow.once(actor["agency_id"], idempotency_key,
                            lambda: _item(uow.session, domain.propose(uow, actor, data, utcnow())))

    @service_rpc
    def get_item(self, actor, item_id):
        with self.db.reading() as session:
            return _item(session, domain.get_item(session, actor, item_id))

    @service_rpc
    def list_items(self, actor, args):
        """The JSON text of the list (joined from stored summaries): the gateway answers it as it is."""
        with self.db.reading() as session:
            return domain.list_items(session, actor, args)

    @service_rpc
    def list_days(self, actor, args):
        """The JSON text of the days with items (joined from stored summaries), as ``list_items``."""
        with self.db.reading() as session:
            return domain.list_days(session, actor, args)

    @service_rpc
    def waiting_for(self, actor):
        with self.db.reading() as session:
            return WAITING.dump(domain.waiting_for(session, actor, utcnow()))

    @service_rpc
    def item_history(self, actor, item_id):
        with self.db.reading() as session:
            return {"entries": HISTORY.dump(domain.named_history(session, actor, item_id))}

    @service_rpc
    def change_item(self, actor, item_id, data):
        self._learn_agencies(domain.agencies_added(data))
        with self.db.unit_of_work() as uow:
            return _item(uow.session, domain.change(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def schedule_item(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(uow.session, domain.schedule(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def decline_item(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(uow.session, domain.decline(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def withdraw_item(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(uow.session, domain.withdraw(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def cancel_item(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(uow.session, domain.cancel(uow, actor, item_id, data, utcnow()))

    @service_rpc
    def mark_held(self, actor, item_id):
        with self.db.unit_of_work() as uow:
            return _item(uow.session, domain.mark_held(uow, actor, item_id, utcnow()))

    @service_rpc
    def respond(self, actor, item_id, data):
        with self.db.unit_of_work() as uow:
            return _item(uow.session, domain.respond(uow, actor, item_id, data, utcnow()))

    # --- planning help ---

    @service_rpc
    def clash_check(self, actor, args):
        with self.db.reading() as session:
            return {"clashes": domain.clash_check(session, actor, args)}

    @service_rpc
    def free_slots(self, actor, args):
        with self.db.reading() as session:
            return {"slots": domain.free_slots(session, actor, args)}

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
