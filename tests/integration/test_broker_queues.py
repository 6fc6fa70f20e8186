"""What /health and /metrics read from RabbitMQ: dead letters and complaint intake waiting, without taking any."""
import json
from datetime import timedelta

from kombu import Connection

from gateway.observe import BrokerQueues
from shared import contracts, messaging
from shared.contracts.complaints import INTAKE_QUEUE, intake_queue
from tests.clock import wall_now

SUBMITTED = {"tracking_number": "DUMAS-AAAA-BBBB-CCCC", "reporter_secret_hash": "0" * 64,
             "submitted_at": "2026-11-23T03:00:00+00:00", "filed_by_agency_id": None,
             "complaint": {"channel": "web", "category": "infrastruktur", "text": "Lampu mati"}, "reporter": None}


def test_nothing_declared_yet_is_nothing_waiting(rabbit_config):
    queues = BrokerQueues(rabbit_config["AMQP_URI"])
    assert queues.look() == {"dead_letters": 0, "intake_waiting": 0, "intake_oldest_seconds": 0.0}
    queues.close()


def test_waiting_intake_and_dead_letters_are_counted_and_left_in_place(rabbit_config):
    uri = rabbit_config["AMQP_URI"]
    filed = wall_now() - timedelta(seconds=90)
    with Connection(uri) as connection:
        producer = connection.Producer()
        for seconds in (0, 30):
            envelope = contracts.seal("complaint.submitted", SUBMITTED, occurred_at=filed + timedelta(seconds=seconds))
            producer.publish(json.dumps(envelope), exchange="", routing_key=INTAKE_QUEUE, declare=[intake_queue()])
        producer.publish("{}", exchange="", routing_key=messaging.DEAD_LETTER_QUEUE,
                         declare=[messaging.dead_letter_queue()])
    queues = BrokerQueues(uri)
    first = queues.look()
    assert first["dead_letters"] == 1 and first["intake_waiting"] == 2
    assert 90 <= first["intake_oldest_seconds"] < 150
    queues.close()
    afresh = BrokerQueues(uri)  # a new look, not the last one's figures
    again = afresh.look()
    afresh.close()
    assert again["intake_waiting"] == 2 and again["intake_oldest_seconds"] >= first["intake_oldest_seconds"]


def test_a_broker_that_does_not_answer_gives_no_figures():
    assert BrokerQueues("pyamqp://guest:guest@127.0.0.1:1/").look() == {
        "dead_letters": None, "intake_waiting": None, "intake_oldest_seconds": None}
