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


@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_no_endpoint_answers_5xx_or_breaks_its_documented_schema(fuzzed_stack, who, tmp_path):
    key = fuzzed_stack.keys[who]
    spec = requests.get(fuzzed_stack.url + "/openapi.json", timeout=10).json()
    assert len(spec["paths"]) > 5
    result = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "run", fuzzed_stack.url + "/openapi.json",
         "--header", f"Authorization: Bearer {key}", "--checks", CHECKS,
         "--max-examples", "15", "--generation-deterministic", "--phases", "examples,coverage,fuzzing",
         "--request-timeout", "20", "--no-color", "--report", "ndjson", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout or "passed" in result.stdout, result.stdout[-3000:]
