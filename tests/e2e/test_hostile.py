"""Hostile input over every endpoint: schemathesis fuzzes the API from its own OpenAPI description,
as a member and as the coordinator, on a stack of its own (it creates, changes and revokes freely)."""
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from bakohumas.harness import Api, LocalStack

pytestmark = pytest.mark.e2e

CHECKS = ",".join([
    "not_a_server_error",            # no 5xx, ever
    "status_code_conformance",       # only documented statuses
    "content_type_conformance",      # the documented content type
    "response_schema_conformance",   # bodies match the documented schemas
    "response_headers_conformance",
])


@pytest.fixture(scope="module")
def fuzzed_stack():
    stack = LocalStack().start()
    try:
        coordinator_key = stack.bootstrap()["api_key"]
        coordinator = Api(stack.url, coordinator_key)
        agency = coordinator.post("/api/v1/agencies", json={
            "name": "Dinas Uji Fuzz", "short_name": f"FUZZ-{uuid.uuid4().hex[:6].upper()}", "kind": "opd"})
        assert agency.status_code == 201, agency.text
        key = coordinator.post(f"/api/v1/agencies/{agency.json()['id']}/keys", json={"label": "fuzz"})
        assert key.status_code == 201, key.text
        stack.keys = {"coordinator": coordinator_key, "member": key.json()["api_key"]}
        yield stack
    finally:
        stack.stop()


# These run before the fuzzing below, which may revoke keys and deactivate agencies on this stack.

@pytest.mark.parametrize("who, method, path, payload, field", [
    ("member", "GET", "/api/v1/agencies?offset=18446744073709551616", None, "offset"),
    ("member", "GET", "/api/v1/agencies?limit=-99999999999999999999", None, "limit"),
    ("member", "GET", "/api/v1/calendar/items?offset=99999999999999999999", None, "offset"),
    ("member", "GET", "/api/v1/calendar/items?from=9999-12-31T23:59:59-14:00", None, "from"),
    ("member", "POST", "/api/v1/content", {"type": "release", "headline": "Rilis uji batas", "language": "id",
                                           "embargo_until": "9999-12-31T23:59:59-14:00"}, "embargo_until"),
    ("member", "POST", "/api/v1/content", {"type": "release", "headline": "Rilis uji batas", "language": "id",
                                           "embargo_until": "0001-01-01T00:00:00+14:00"}, "embargo_until"),
    ("member", "POST", "/api/v1/content", {"type": "release", "headline": "Rilis uji batas", "language": "id",
                                           "calendar_item_id": "x" * 37}, "calendar_item_id"),
])
def test_numbers_and_times_beyond_the_bound_are_a_400_naming_the_field(fuzzed_stack, who, method, path,
                                                                       payload, field):
    answer = Api(fuzzed_stack.url, fuzzed_stack.keys[who]).request(method, path, json=payload)
    assert answer.status_code == 400, answer.text
    assert field in answer.json()["error"]["fields"], answer.text


@pytest.mark.parametrize("field, value", [("start_date", "0001-01-01T00:00:00+14:00"),
                                          ("end_date", "9999-12-31T23:59:59-14:00")])
def test_open311_dates_beyond_the_bound_answer_open311_errors(fuzzed_stack, field, value):
    answer = requests.get(f"{fuzzed_stack.url}/open311/v2/requests.json", params={field: value}, timeout=15)
    assert answer.status_code == 400, answer.text
    [error] = answer.json()
    assert error["code"] == 400 and field in error["description"]


# 25 examples per operation (15 before) reach the integer and date bounds of every query and body;
# about 5 000 requests and up to ~9 minutes per role on a heavily loaded 2-core machine.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_no_endpoint_answers_5xx_or_breaks_its_documented_schema(fuzzed_stack, who, tmp_path):
    key = fuzzed_stack.keys[who]
    spec = requests.get(fuzzed_stack.url + "/openapi.json", timeout=10).json()
    assert len(spec["paths"]) > 5
    result = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "run", fuzzed_stack.url + "/openapi.json",
         "--header", f"Authorization: Bearer {key}", "--checks", CHECKS,
         "--max-examples", "25", "--generation-deterministic", "--phases", "examples,coverage,fuzzing",
         "--request-timeout", "20", "--no-color", "--report", "ndjson", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout or "passed" in result.stdout, result.stdout[-3000:]

