"""Helpers for the calendar unit tests: the domain driven on a real database as the service drives it
(the ``cal`` fixture in ``conftest.py`` gives one on a migrated calendar database)."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from services.calendar import domain

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
NOW = datetime(2030, 3, 1, 0, 0, tzinfo=timezone.utc)
COORDINATOR = {"agency_id": "koord", "role": "coordinator", "key_id": "k0"}


def member(agency_id):
    return {"agency_id": agency_id, "role": "member", "key_id": f"key-{agency_id}"}


def at(day, hour, minute=0, zone=WIB):
    """A local time in March 2030."""
    return datetime(2030, 3, day, hour, minute, tzinfo=zone)


class Calendar:
    """The domain on a real database, as the service drives it (one unit of work per action)."""

    def __init__(self, store):
        self.store = store
        self.events = []

    def agency(self, agency_id, active=True, role="member", as_of=NOW):
        with self.store.unit_of_work() as uow:
            domain.remember_agency(uow.session, {"id": agency_id, "name": f"Agency {agency_id}",
                                                 "short_name": agency_id.upper(), "kind": "opd", "role": role,
                                                 "active": active}, as_of)

    def act(self, operation, *args, now=NOW):
        with self.store.unit_of_work() as uow:
            result = operation(uow, *args, now)
        self.events.extend(uow.emitted)
        return result

    def propose(self, actor, now=NOW, **fields):
        start = fields.pop("start", at(10, 9))
        body = {"kind": "press_conference", "title": "Press conference", "timezone": "Asia/Jakarta",
                "start": start.isoformat(), "end": fields.pop("end", start + timedelta(hours=1)).isoformat(),
                **fields}
        return self.act(domain.propose, actor, body, now=now)

    def schedule(self, item, override_reason=None, now=NOW):
        return self.act(domain.schedule, COORDINATOR, item.id, {"override_reason": override_reason}, now=now)

    def scheduled(self, actor, **fields):
        return self.schedule(self.propose(actor, **fields))

    def read(self, work):
        with self.store.reading() as session:
            return work(session)

    def event_names(self):
        return [event["name"] for event in self.events]
