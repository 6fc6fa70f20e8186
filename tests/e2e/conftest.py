"""End-to-end fixtures: one running system (real RabbitMQ, databases and gateway over HTTP) per session."""
import uuid

import pytest

from bakohumas.harness import Api, LocalStack


@pytest.fixture(scope="session")
def stack():
    """One running system shared by the end-to-end tests (each test makes its own agencies)."""
    running = LocalStack().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def coordinator(stack):
    """An Api client holding the forum coordinator's key (made by `bakohumas bootstrap`)."""
    made = stack.bootstrap()
    client = Api(stack.url, made["api_key"])
    client.agency_id = made["agency_id"]
    return client


@pytest.fixture
def new_member(stack, coordinator):
    """Make a member agency with its own key: ``new_member(kind="polri", **fields)`` -> Api."""
    def make(kind="opd", role="member", **fields):
        short = fields.pop("short_name", f"T-{uuid.uuid4().hex[:8].upper()}")
        body = {"name": fields.pop("name", f"Agency {short}"), "short_name": short, "kind": kind,
                "role": role, **fields}
        created = coordinator.post("/api/v1/agencies", json=body)
        assert created.status_code == 201, created.text
        agency = created.json()
        key = coordinator.post(f"/api/v1/agencies/{agency['id']}/keys", json={"label": "test"})
        assert key.status_code == 201, key.text
        client = Api(stack.url, key.json()["api_key"])
        client.agency_id = agency["id"]
        client.agency = agency
        client.key_id = key.json()["id"]
        return client
    return make
