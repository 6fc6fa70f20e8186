"""The last-coordinator rule under concurrency: two directory instances (two stores on one
database) acting at the same moment, on SQLite and on PostgreSQL."""
import eventlet
import pytest
from sqlalchemy import event

from services.directory import domain, models
from shared.db import Store
from shared.errors import Conflict
from tests.clock import PINNED_NOW

# Real OS threads, as two processes would be: SQLite's busy wait and PostgreSQL's row lock block them.
threading = eventlet.patcher.original("threading")
# How long the first to count waits for the other to count too (it never comes when the rule holds).
BOTH_COUNTED_WAIT = 2


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, service_db):
    return service_db("directory", backend=request.param).url


@pytest.fixture
def instances(database_url):
    """Two directory instances on one database; each stops, once, right after it has counted the
    coordinators until the other has counted too (or BOTH_COUNTED_WAIT has passed)."""
    both_counted = threading.Barrier(2, timeout=BOTH_COUNTED_WAIT)
    stores = [Store(database_url, models) for _ in range(2)]
    for store in stores:
        waited = threading.local()

        @event.listens_for(store.engine, "after_cursor_execute")
        def wait_for_the_other(conn, cursor, statement, parameters, context, executemany, waited=waited):
            if "WHERE agencies.role =" in statement and not getattr(waited, "done", False):
                waited.done = True
                try:
                    both_counted.wait()
                except threading.BrokenBarrierError:
                    pass
    yield stores
    for store in stores:
        store.dispose()


def two_coordinators(store):
    ids = []
    for short_name in ("HUMAS-PAREPARE", "DISKOMINFO"):
        with store.unit_of_work() as uow:
            ids.append(domain.register_agency(uow, coordinator("founder"), {
                "name": f"Bagian {short_name}", "short_name": short_name, "kind": "opd", "role": "coordinator"},
                PINNED_NOW).id)
    return ids


def at_once(instances, actions):
    """Run each action in its own instance at the same moment; the Conflicts they raised."""
    refused, failed = [], []

    def run(store, action):
        try:
            with store.unit_of_work() as uow:
                action(uow)
        except Conflict as conflict:
            refused.append(conflict)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failed.append(error)

    threads = [threading.Thread(target=run, args=(store, action)) for store, action in zip(instances, actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failed, failed
    return refused


def active_coordinators(store):
    with store.reading() as session:
        return domain.count_active_coordinators(session)


def coordinator(agency_id):
    return {"agency_id": agency_id, "role": "coordinator", "key_id": "k"}


def test_two_coordinators_demoting_each_other_at_once_leave_one(instances):
    first, second = two_coordinators(instances[0])
    refused = at_once(instances, [
        lambda uow: domain.update_agency(uow, coordinator(first), second, {"role": "member"}, PINNED_NOW),
        lambda uow: domain.update_agency(uow, coordinator(second), first, {"role": "member"}, PINNED_NOW),
    ])
    assert active_coordinators(instances[0]) == 1
    assert len(refused) == 1 and refused[0].status == 409 and "role" in refused[0].fields


def test_two_coordinators_deactivating_each_other_at_once_leave_one(instances):
    first, second = two_coordinators(instances[0])
    refused = at_once(instances, [
        lambda uow: domain.deactivate_agency(uow, coordinator(first), second, PINNED_NOW),
        lambda uow: domain.deactivate_agency(uow, coordinator(second), first, PINNED_NOW),
    ])
    assert active_coordinators(instances[0]) == 1
    assert len(refused) == 1 and refused[0].status == 409 and "agency_id" in refused[0].fields
