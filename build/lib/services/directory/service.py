"""Directory service entrypoints."""
from nameko.events import BROADCAST, event_handler
from nameko.rpc import rpc

from services.directory import domain, models, schemas
from services.directory.cache import Details
from shared.db import Database
from shared.service import HealthCheck, service_rpc


class DirectoryService(HealthCheck):
    name = "directory"
    db = Database(models)
    details = Details()

    @rpc
    def authenticate(self, key_hash):
        with self.db.reading() as session:
            return domain.authenticate(session, key_hash)

    @service_rpc
    def register_agency(self, actor, data, idempotency_key=None):
        domain.require_coordinator(actor)
        with self.db.unit_of_work() as uow:
            answer = uow.once(f"register:{actor['agency_id']}", idempotency_key,
                              lambda: domain.stored_detail(domain.register_agency(uow, data)))
        self.details.clear()
        return answer

    @service_rpc
    def get_agency(self, agency_id):
        detail = self.details.get(agency_id)
        if detail is None:
            generation = self.details.generation
            with self.db.reading() as session:
                detail = domain.read_detail(session, agency_id)
            self.details.put(agency_id, detail, generation)
        return detail

    @service_rpc
    def list_agencies(self, query):
        values = domain.load(schemas.AgencyQuery, query)
        with self.db.reading() as session:
            items, total = domain.list_agencies(session, values)
            return {"items": schemas.Agency(many=True).dump(items), "total": total,
                    "limit": values["limit"], "offset": values["offset"]}

    @service_rpc
    def update_agency(self, actor, agency_id, data):
        return self._change(lambda uow: domain.update_agency(uow, actor, agency_id, data))

    @service_rpc
    def deactivate_agency(self, actor, agency_id):
        domain.require_coordinator(actor)
        return self._change(lambda uow: domain.deactivate_agency(uow, agency_id))

    @service_rpc
    def reactivate_agency(self, actor, agency_id):
        domain.require_coordinator(actor)
        return self._change(lambda uow: domain.reactivate_agency(uow, agency_id))

    @service_rpc
    def issue_key(self, actor, agency_id, data, idempotency_key=None):
        """The secret is in the first answer only: a repeat with the same Idempotency-Key gets the key without it."""
        domain.require_self_or_coordinator(actor, agency_id)
        values = domain.load(schemas.KeyInput, data)
        issued = {}
        with self.db.unit_of_work() as uow:
            def issue():
                key, issued["secret"] = domain.issue_key(uow, agency_id, values["label"])
                return schemas.ApiKey().dump(key)
            answer = uow.once(f"issue_key:{agency_id}", idempotency_key, issue)
        return {**answer, "api_key": issued["secret"]} if issued else answer

    @service_rpc
    def list_keys(self, actor, agency_id):
        domain.require_self_or_coordinator(actor, agency_id)
        with self.db.reading() as session:
            return schemas.ApiKey(many=True).dump(domain.list_keys(session, agency_id))

    @service_rpc
    def revoke_key(self, actor, agency_id, key_id):
        domain.require_self_or_coordinator(actor, agency_id)
        with self.db.unit_of_work() as uow:
            return schemas.ApiKey().dump(domain.revoke_key(uow, agency_id, key_id))

    def _change(self, change):
        """Commit a change of an agency, then empty this instance's detail cache; answers the agency's detail."""
        with self.db.unit_of_work() as uow:
            answer = domain.stored_detail(change(uow))
        self.details.clear()
        return answer

    # Broadcast, not @consumes: every instance must hear these to drop its cached details; a lost
    # one only delays that until the cache's expiry, and there is nothing to record or retry.
    @event_handler("directory", "agency.registered", handler_type=BROADCAST, reliable_delivery=False)
    def forget_details_on_registration(self, payload):
        self.details.clear()

    @event_handler("directory", "agency.updated", handler_type=BROADCAST, reliable_delivery=False)
    def forget_details_on_change(self, payload):
        self.details.clear()

    @event_handler("directory", "agency.deactivated", handler_type=BROADCAST, reliable_delivery=False)
    def forget_details_on_deactivation(self, payload):
        self.details.clear()
