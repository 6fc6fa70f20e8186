"""The outbox relay, idempotent consumers, retries and dead letters on the real RabbitMQ."""
import json
import time

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from bakohumas import cli
from shared import contracts, messaging
from shared.messaging import DeadLetters
from tests.integration.integration_support import store_of, wait_until
from tests.integration.ledger import FAILING, LedgerModels, LedgerService, TallyModels, TallyService, build_tables


@pytest.fixture
def services(container_factory, config):
    ledger = container_factory(LedgerService, config)
    tally = container_factory(TallyService, config)
    for container in (ledger, tally):
        build_tables(container)
        container.start()
    return ledger, tally


def tallied(tally):
    with store_of(tally).reading() as session:
        return [row.entry for row in session.scalars(select(TallyModels.Tally))]


def test_an_emitted_event_reaches_its_consumer_once(services):
    ledger, tally = services
    with entrypoint_hook(ledger, "record") as record:
        record("first")
        record("second")
    assert sorted(wait_until(lambda: len(tallied(tally)) == 2 and tallied(tally))) == ["first", "second"]
    with store_of(ledger).reading() as session:
        assert all(row.published_at for row in session.scalars(select(LedgerModels.OutboxMessage)))


def test_a_redelivered_event_changes_nothing(services, config):
    _ledger, tally = services
    envelope = contracts.seal("ledger.entry_recorded", {"entry": "twice"})
    dispatch = event_dispatcher(config)
    for _ in range(3):
        dispatch("ledger", "ledger.entry_recorded", envelope)
    wait_until(lambda: tallied(tally) == ["twice"])
    time.sleep(1)
    assert tallied(tally) == ["twice"]


def test_a_failing_handler_is_retried_then_dead_lettered_and_replayable(services, config, monkeypatch):
    monkeypatch.setattr(messaging, "RETRY_DELAYS", (0.2, 0.4))
    FAILING["still"] = True
    ledger, tally = services
    with entrypoint_hook(ledger, "record") as record:
        record("poison", fail=True)
    letters = DeadLetters(config["AMQP_URI"])
    parked = wait_until(lambda: letters.list(), timeout=20)
    assert len(parked) == 1
    assert parked[0]["attempts"] == 3
    assert parked[0]["event"] == "ledger.entry_recorded"
    assert "cannot take this entry" in parked[0]["error"]
    assert tallied(tally) == []  # every failed attempt rolled back

    FAILING["still"] = False
    assert letters.replay() == [parked[0]["id"]]
    wait_until(lambda: tallied(tally) == ["poison"])
    assert letters.list() == []


def test_a_malformed_event_is_dead_lettered_at_once(services, config):
    _ledger, tally = services
    event_dispatcher(config)("ledger", "ledger.entry_recorded", {"name": "ledger.entry_recorded", "data": {}})
    letters = DeadLetters(config["AMQP_URI"])
    parked = wait_until(lambda: letters.list())
    assert parked[0]["attempts"] == 1 and "bad envelope" in parked[0]["error"]
    assert letters.discard([parked[0]["id"]]) == [parked[0]["id"]]
    assert letters.list() == [] and tallied(tally) == []


def test_a_dead_lettered_intake_hides_the_reporter_until_revealed(config, monkeypatch, capsys):
    """An operator lists and shows dead letters without seeing who complained; replay resends
    the original message untouched."""
    reporter = {"name": "Siti Dead-Letter", "phone": "081299887766", "email": "siti.dl@example.id"}
    envelope = contracts.seal("complaint.submitted", {
        "tracking_number": "DUMAS-AAAA-BBBB-CCCC", "reporter_secret_hash": "0" * 64,
        "submitted_at": "2026-11-23T03:00:00+00:00", "filed_by_agency_id": None,
        "complaint": {"channel": "web", "category": "infrastruktur", "text": "Lampu mati"},
        "reporter": reporter})
    original = json.dumps(envelope)
    intake = Queue("complaints.intake.redaction-test", durable=True, auto_delete=False)
    with Connection(config["AMQP_URI"]) as connection:
        producer = connection.Producer()
        producer.publish(original, exchange="", routing_key=messaging.DEAD_LETTER_QUEUE,
                         declare=[messaging.dead_letter_queue(), intake], content_type="application/json",
                         headers={"x-dead-letter-id": "dl-1", "x-original-queue": intake.name,
                                  "x-bakohumas-attempts": 6, "x-bakohumas-error": "RuntimeError: boom\n"})
    letters = DeadLetters(config["AMQP_URI"])
    hidden = wait_until(lambda: letters.list())
    assert hidden[0]["event"] == "complaint.submitted" and hidden[0]["payload"]["data"]["reporter"] == "[redacted]"
    assert hidden[0]["payload"]["data"]["complaint"]["text"] == "Lampu mati"
    assert letters.list(reveal=True)[0]["payload"]["data"]["reporter"] == reporter

    monkeypatch.setenv("AMQP_URI", config["AMQP_URI"])
    for argv in (["dead-letters", "list"], ["dead-letters", "list", "--json"], ["dead-letters", "show", "dl-1"]):
        assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert "dl-1" in printed and not any(value in printed for value in reporter.values())
    assert cli.main(["dead-letters", "show", "dl-1", "--reveal"]) == 0
    assert reporter["phone"] in capsys.readouterr().out

    assert letters.replay(["dl-1"]) == ["dl-1"]
    with Connection(config["AMQP_URI"]) as connection:
        resent = wait_until(lambda: intake(connection.default_channel).get(no_ack=True))
    assert resent.body == original
