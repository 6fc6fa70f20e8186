"""The store contract, written once: what a service's database must do on every backend.

``StoreContract`` holds the tests; a subclass per backend names it for the ``service_db`` fixture.
SQLite runs everywhere; PostgreSQL runs on a throwaway database of the test server (skipped
without one, failed when ``CI=true``). The store under test is the directory's, built by its
migrations: the outbox, handled-event and idempotent-answer tables are the same in every service.
"""
import json
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from amqp.exceptions import AMQPError
from kombu import Connection, Queue
from nameko.events import get_event_exchange
from sqlalchemy import event, func, select

from services.directory import models
from shared import contracts
from shared.messaging import OutboxRelay, consumes
from tests.clock import wall_now

AGENCY = {"id": "a1", "name": "Polres Parepare", "short_name": "POLRES", "kind": "polri",
          "role": "member", "parent_id": None, "region_code": "73.72", "active": True}
REFUSING_BROKER = "amqp://guest:guest@127.0.0.1:5672/bakohumas-no-such-vhost"  # refuses at once


def agency_row(agency_id, moment=None):
    moment = moment or wall_now()
    return models.Agency(id=agency_id, name=f"Agency {agency_id}", short_name=agency_id.upper(), kind="opd",
                         role="member", active=True, created_at=moment, updated_at=moment)


def revoke(uow, n):
    return uow.emit("key.revoked", {"key_id": f"k{n}", "agency_id": "a"})


def outbox(store):
    with store.reading() as session:
        return session.scalars(select(models.OutboxMessage).order_by(models.OutboxMessage.id)).all()


def count(store, table):
    with store.reading() as session:
        return session.scalar(select(func.count()).select_from(table))


def expire_leases(store, rows):
    with store.unit_of_work() as uow:
        for row in rows:
            uow.session.merge(models.OutboxMessage(id=row.id, claimed_until=wall_now() - timedelta(seconds=1)))


class AgencyCopies:
    """A consumer of ``agency.registered`` on the store under test, as a service's handler is written."""

    def __init__(self, store, failures=0):
        self.db = store
        self.failures = failures

    @consumes("directory", "agency.registered")
    def keep(self, uow, envelope):
        uow.session.add(agency_row(envelope.data["agency"]["id"]))
        uow.session.flush()
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the copy cannot be kept yet")


class StoreContract:
    backend = None

    @pytest.fixture
    def store(self, service_db):
        return service_db("directory", backend=self.backend)

    # -- the unit of work -------------------------------------------------------------------------

    def test_an_event_is_appended_in_the_same_transaction_as_the_domain_write(self, store):
        with store.unit_of_work() as uow:
            uow.session.add(agency_row("kept"))
            revoke(uow, 1)
        assert [row.name for row in outbox(store)] == ["key.revoked"]
        with pytest.raises(RuntimeError):
            with store.unit_of_work() as uow:
                uow.session.add(agency_row("lost"))
                revoke(uow, 2)
                raise RuntimeError("boom")
        with store.reading() as session:
            assert session.get(models.Agency, "lost") is None and session.get(models.Agency, "kept")
        assert len(outbox(store)) == 1

    def test_timestamps_come_back_aware_and_naive_ones_are_refused(self, store):
        moment = datetime(2026, 3, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
        with store.unit_of_work() as uow:
            uow.session.add(agency_row("a", moment))
        with store.reading() as session:
            agency = session.get(models.Agency, "a")
            assert agency.created_at == moment and agency.created_at.tzinfo is not None
        with pytest.raises(Exception, match="without a time zone"):
            with store.unit_of_work() as uow:
                uow.session.add(models.Agency(id="b", name="B", short_name="B", kind="opd", role="member",
                                              active=True, created_at=datetime(2026, 1, 1)))

    # -- the outbox relay -------------------------------------------------------------------------

    def test_the_relay_publishes_committed_events_with_confirms_and_marks_them_sent(self, store, rabbit_config):
        relay = OutboxRelay(store, rabbit_config, "directory")
        assert relay.publisher.use_confirms
        listener = Queue("store-contract.listener", exchange=get_event_exchange("directory", rabbit_config),
                         routing_key="key.revoked", durable=False, auto_delete=False)
        with Connection(rabbit_config["AMQP_URI"]) as connection:
            listener(connection.default_channel).declare()
            with store.unit_of_work() as uow:
                sent = [revoke(uow, n)["id"] for n in range(2)]
            assert relay.publish_due() == 2
            assert all(row.published_at for row in outbox(store))
            assert relay.publish_due() == 0
            received = [listener(connection.default_channel).get(no_ack=True) for _ in range(3)]
        assert [json.loads(message.body)["id"] for message in received[:2]] == sent
        assert received[2] is None  # each event sent once

    def test_events_the_broker_did_not_take_stay_for_the_next_relay(self, store, rabbit_config):
        with store.unit_of_work() as uow:
            revoke(uow, 1)
        broken = OutboxRelay(store, {**rabbit_config, "AMQP_URI": REFUSING_BROKER}, "directory")
        with pytest.raises(AMQPError):
            broken.publish_due()
        assert [row.published_at for row in outbox(store)] == [None]
        healthy = OutboxRelay(store, rabbit_config, "directory")
        assert healthy.publish_due() == 0  # the failed relay's lease still holds
        expire_leases(store, outbox(store))
        assert healthy.publish_due() == 1
        assert outbox(store)[0].published_at is not None

    # -- leases -----------------------------------------------------------------------------------

    def test_two_relays_never_claim_the_same_outbox_rows(self, store):
        with store.unit_of_work() as uow:
            for n in range(5):
                revoke(uow, n)
        first = store.claim_outbox("relay-1")
        second = store.claim_outbox("relay-2")
        assert len(first) == 5 and second == []
        store.mark_published([row.id for row in first[:2]])
        expire_leases(store, first[2:])
        assert [row.id for row in store.claim_outbox("relay-2")] == [row.id for row in first[2:]]

    def test_relays_claiming_at_the_same_time_share_the_rows_without_overlap(self, store):
        with store.unit_of_work() as uow:
            for n in range(40):
                revoke(uow, n)
        claimed = {}

        @event.listens_for(store.engine, "before_cursor_execute")
        def let_another_relay_look_first(connection, cursor, statement, *args):
            if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
                eventlet.sleep(0.01)  # between a relay's look at the free rows and its claim of them

        def relay(owner):
            # A claim that loses the race for its batch comes back empty: like the outbox relay, try
            # again while rows are left, instead of taking an empty claim for an empty outbox.
            while sum(len(ids) for ids in claimed.values()) < 40:
                rows = store.claim_outbox(owner, limit=3)
                if rows:
                    claimed.setdefault(owner, []).extend(row.id for row in rows)
                eventlet.sleep(0)
                store.mark_published([row.id for row in rows])

        pool = eventlet.GreenPool()
        for owner in ("relay-1", "relay-2", "relay-3", "relay-4"):
            pool.spawn(relay, owner)
        pool.waitall()
        every_claim = [row_id for ids in claimed.values() for row_id in ids]
        assert sorted(every_claim) == [row.id for row in outbox(store)]
        assert len(claimed) > 1  # they did run side by side

    # -- idempotent answers -----------------------------------------------------------------------

    def test_an_idempotent_create_answers_the_first_answer_again(self, store):
        calls = []

        def produce():
            calls.append(1)
            return {"id": len(calls)}

        for _ in range(3):
            with store.unit_of_work() as uow:
                answer = uow.once("agency-1", "key-1", produce)
            assert answer == {"id": 1}
        with store.unit_of_work() as uow:
            assert uow.once("agency-2", "key-1", produce) == {"id": 2}  # keys are per caller
        assert len(calls) == 2

    def test_a_failed_create_keeps_no_answer_for_its_key(self, store):
        with pytest.raises(RuntimeError):
            with store.unit_of_work() as uow:
                uow.once("agency-1", "key-1", lambda: {"id": "lost"})
                raise RuntimeError("boom")
        with store.unit_of_work() as uow:
            assert uow.once("agency-1", "key-1", lambda: {"id": "kept"}) == {"id": "kept"}

    # -- handled events ---------------------------------------------------------------------------

    def test_a_handled_event_is_recorded_with_its_effect_and_a_replay_changes_nothing(self, store):
        copies = AgencyCopies(store, failures=1)
        registered = contracts.seal("agency.registered", {"agency": AGENCY})
        with pytest.raises(RuntimeError):
            copies.keep(registered)
        assert count(store, models.Agency) == 0 and count(store, models.HandledEvent) == 0
        for _ in range(3):
            copies.keep(json.loads(json.dumps(registered)))
        assert count(store, models.Agency) == 1 and count(store, models.HandledEvent) == 1
        with store.reading() as session:
            assert session.get(models.HandledEvent, (registered["id"], "AgencyCopies.keep"))


class TestStoreOnSQLite(StoreContract):
    backend = "sqlite"


class TestStoreOnPostgreSQL(StoreContract):
    backend = "postgresql"
