"""Every directory write endpoint tried with no key, a revoked key, another member's key, and the right key.

The table is checked against the gateway's routes, so a new write endpoint cannot be added without
a row here.
"""
import uuid

import pytest

from bakohumas.harness import Api
from gateway.http import ROUTES
from gateway.service import GatewayService  # noqa: F401  (importing it declares every route)

pytestmark = pytest.mark.e2e

WRITES = sorted((r.method, r.path) for r in ROUTES if r.tag == "directory" and r.method != "GET")
CALLERS = ("no key", "revoked key", "another member", "right key")


def register_body():
    return {"name": "Kantor Imigrasi Kelas II TPI Parepare", "short_name": f"IMI-{uuid.uuid4().hex[:6]}",
            "kind": "imigrasi"}


def deactivated(target, coordinator):
    assert coordinator.post(f"/api/v1/agencies/{target.agency_id}/deactivate").status_code == 200
    return f"/api/v1/agencies/{target.agency_id}/reactivate"


# For each write: (who acts rightly: "self" or "coordinator", make the request (path, body) for a target agency).
CASES = {
    ("POST", "/api/v1/agencies"):
        ("coordinator", lambda target, coordinator: ("/api/v1/agencies", register_body())),
    ("PATCH", "/api/v1/agencies/<agency_id>"):
        ("self", lambda target, coordinator: (f"/api/v1/agencies/{target.agency_id}",
                                              {"channels": {"instagram": "@kanim_parepare"}})),
    ("POST", "/api/v1/agencies/<agency_id>/deactivate"):
        ("coordinator", lambda target, coordinator: (f"/api/v1/agencies/{target.agency_id}/deactivate", None)),
    ("POST", "/api/v1/agencies/<agency_id>/reactivate"):
        ("coordinator", lambda target, coordinator: (deactivated(target, coordinator), None)),
    ("POST", "/api/v1/agencies/<agency_id>/keys"):
        ("self", lambda target, coordinator: (f"/api/v1/agencies/{target.agency_id}/keys", {"label": "matrix"})),
    ("DELETE", "/api/v1/agencies/<agency_id>/keys/<key_id>"):
        ("self", lambda target, coordinator: (f"/api/v1/agencies/{target.agency_id}/keys/{target.spare_key_id}",
                                              None)),
}
EXPECTED = {"no key": {401}, "revoked key": {401}, "another member": {403}, "right key": {200, 201}}


def test_every_directory_write_endpoint_is_in_the_matrix():
    assert WRITES and set(WRITES) == set(CASES)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("method, path", WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_who_may_write(stack, coordinator, new_member, method, path, caller):
    actor, request = CASES[(method, path)]
    target = new_member(kind="imigrasi")
    spare = coordinator.post(f"/api/v1/agencies/{target.agency_id}/keys", json={"label": "spare"})
    target.spare_key_id = spare.json()["id"]
    if caller == "no key":
        client = Api(stack.url)
    elif caller == "revoked key":
        client = Api(stack.url, spare.json()["api_key"])
        assert client.get("/api/v1/me").status_code == 200
        assert coordinator.delete(f"/api/v1/agencies/{target.agency_id}/keys/{target.spare_key_id}").ok
        target.spare_key_id = coordinator.post(f"/api/v1/agencies/{target.agency_id}/keys", json={}).json()["id"]
    elif caller == "another member":
        client = new_member(kind="opd")
    else:
        client = coordinator if actor == "coordinator" else target
    url, body = request(target, coordinator)
    response = client.request(method, url, json=body)
    assert response.status_code in EXPECTED[caller], response.text
    if response.status_code >= 400:
        assert response.json()["error"]["code"] in ("unauthenticated", "forbidden")
