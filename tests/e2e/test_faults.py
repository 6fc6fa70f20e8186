"""The fault scenarios of bench/faults.py in reduced form: a mixed write load (directory, calendar,
complaints, distribution with webhooks) while processes are SIGKILLed, RabbitMQ restarts, two
instances lose one, and a webhook destination goes away. Each runs on its own stack and a private
RabbitMQ node, never the machine's shared broker.

Whatever got a success answer exists exactly once with its effects done once; requests during an
outage get 503, never another 5xx or no answer at all.
"""
import pytest

from bench import faults
from services import SERVICE_NAMES

pytestmark = pytest.mark.e2e

WRITES, THREADS = 60, 6
# generous: two busy cores shared with other test runs
RECOVERY_BOUND_SECONDS = 90


def check(result):
    for outcome in result.outcomes:
        assert outcome.accepted > 0, f"{outcome.kind}: nothing was accepted"
        assert outcome.lost == 0, f"{outcome.kind}: {outcome.lost} accepted writes lost"
        assert outcome.duplicates == 0, f"{outcome.kind}: {outcome.duplicates} duplicates"
        assert outcome.found == outcome.accepted
    assert result.server_errors == [], f"5xx other than 503: {result.server_errors[:5]}"
    assert result.hangs == 0, "a request got no answer in time"
    assert result.dead_letters == 0
    for what, seconds in result.faults:
        assert seconds < RECOVERY_BOUND_SECONDS, f"{what}: recovered only after {seconds:.0f}s"


def test_each_process_killed_in_turn_loses_and_doubles_nothing():
    result = faults.scenario("crash each process", WRITES, THREADS, faults.crash_each)
    check(result)
    assert len(result.faults) == len(SERVICE_NAMES) + 1


def test_a_broker_restart_answers_503_meanwhile_and_everyone_reconnects():
    result = faults.scenario("restart RabbitMQ", WRITES, THREADS, faults.restart_broker)
    check(result)


def test_two_instances_share_the_work_when_one_of_each_is_killed():
    result = faults.scenario("two instances, one killed", WRITES, THREADS, faults.crash_one_of_each,
                             instances=2)
    check(result)


def test_a_webhook_destination_down_for_a_while_gets_every_delivery_once():
    result = faults.scenario("webhook destination down", WRITES, THREADS, faults.webhook_destination_down)
    check(result)
