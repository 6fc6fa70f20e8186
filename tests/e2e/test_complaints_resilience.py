"""A stack of our own: intake while the complaints service is down, and the public rate limit."""
import pytest
import requests
from tests.e2e.complaints_e2e_support import REPORTER, complaint, eventually, file, tracked

from bakohumas.harness import Api, LocalStack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_stack():
    stack = LocalStack(extra_env={"COMPLAINTS_INTAKE_BURST": "4", "COMPLAINTS_INTAKE_PER_MINUTE": "6"}).start()
    # The runner treats a process that dies before it printed its ready line as a failed start
    # and stops everything: kill only after that line.
    try:
        eventually(lambda: "is running at" in stack.log(), timeout=60)
        yield stack
    finally:
        stack.stop()


def test_intake_succeeds_while_the_complaints_service_is_down(own_stack):
    own_stack.kill("complaints")
    accepted = file(own_stack.url, complaint(reporter=REPORTER))
    number = accepted["tracking_number"]
    # Nothing processes it yet: tracking is unavailable (503), never a success that lies.
    assert requests.get(f"{own_stack.url}/api/v1/complaints/track/{number}", timeout=15).status_code == 503
    own_stack.start_process("complaints")
    page = tracked(own_stack.url, number)
    assert page["status"] == "received"
    assert page["history"][0]["note"]  # unrouted: waiting for the coordinator's triage


def test_a_keyed_intake_retried_while_the_complaints_service_is_down_files_once(own_stack):
    coordinator = Api(own_stack.url, own_stack.bootstrap()["api_key"])
    own_stack.kill("complaints")
    body = complaint(reporter=REPORTER, text="Air PDAM keruh sejak kemarin")
    key = {"Idempotency-Key": "lost-answer-1"}
    first = file(own_stack.url, body, key)
    assert file(own_stack.url, body, key) == first
    own_stack.start_process("complaints")
    tracked(own_stack.url, first["tracking_number"])
    listed = coordinator.get("/api/v1/complaints", params={"triage": "true"}).json()["complaints"]
    assert [c["tracking_number"] for c in listed].count(first["tracking_number"]) == 1
    assert [c["text"] for c in listed].count(body["text"]) == 1


def test_public_intake_is_rate_limited_per_address(own_stack):
    statuses = []
    for _ in range(10):
        answer = requests.post(own_stack.url + "/api/v1/complaints", json=complaint(), timeout=15)
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {202}
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.json()["error"]["code"] == "too_many_requests"
