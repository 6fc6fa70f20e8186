"""An Open311 GeoReport v2 client, written from the spec, against the facade."""
import uuid

import pytest
import requests
from tests.e2e.complaints_e2e_support import complaint, eventually, file

pytestmark = pytest.mark.e2e


class Open311Client:
    """What a GeoReport v2 app does: list services, POST a form, follow the token, read requests."""

    def __init__(self, endpoint):
        self.endpoint = endpoint.rstrip("/")

    def get(self, path, **params):
        return requests.get(f"{self.endpoint}/{path}.json", params=params, timeout=15)

    def services(self):
        return self.get("services").json()

    def post_request(self, **form):
        return requests.post(f"{self.endpoint}/requests.json", data=form, timeout=15)


@pytest.fixture
def client(stack):
    return Open311Client(stack.url + "/open311/v2")


def coordinator_finds(coordinator, number):
    listed = coordinator.get("/api/v1/complaints", params={"limit": 500}).json()["complaints"]
    return next((c for c in listed if c["tracking_number"] == number), None)


def filed_and_moved(stack, coordinator, moves, **fields):
    """A complaint filed on the web with a distinctive text and address, moved by the coordinator."""
    body = complaint(category="kebersihan", text=f"Rahasia {uuid.uuid4().hex}",
                     location={"address": "Jl. Mawar 7, Parepare", "latitude": -4.0135, "longitude": 119.6255},
                     **fields)
    number = file(stack.url, body)["tracking_number"]
    found = eventually(lambda: coordinator_finds(coordinator, number))
    for status, reason in moves:
        moved = coordinator.post(f"/api/v1/complaints/{found['id']}/status", json={"status": status, "reason": reason})
        assert moved.status_code == 200, moved.text
    return number, found["id"], body["text"]


@pytest.mark.parametrize("moves, fields", [
    ([], {}),
    ([("held", "Lengkapi lokasi")], {}),
    ([("rejected", "Bukan pengaduan")], {}),
    ([("verified", None)], {"confidential": True}),
], ids=["unverified", "held", "rejected", "confidential"])
def test_a_complaint_the_public_may_not_see_is_404_in_every_open311_view(client, stack, coordinator, moves, fields):
    number, complaint_id, text = filed_and_moved(stack, coordinator, moves, **fields)
    one = client.get(f"requests/{complaint_id}")
    assert one.status_code == 404 and one.json() == [{"code": 404, "description": f"no service request {complaint_id}"}]
    token = client.get(f"tokens/{number}")  # who holds the token learns the id, and the id shows nothing
    assert token.json() == [{"service_request_id": complaint_id, "token": number}]
    listed = client.get("requests", service_request_id=complaint_id)
    assert listed.status_code == 200 and listed.json() == []
    for answer in (one, token, listed, client.get("requests")):
        assert text not in answer.text and "Mawar" not in answer.text


def test_a_verified_public_complaint_is_shown_in_every_open311_view(client, stack, coordinator):
    number, complaint_id, text = filed_and_moved(stack, coordinator, [("verified", None)])
    one = client.get(f"requests/{complaint_id}")
    assert one.status_code == 200 and one.json()[0]["description"] == text
    assert one.json()[0]["address"] == "Jl. Mawar 7, Parepare"
    assert client.get(f"tokens/{number}").json() == [{"service_request_id": complaint_id, "token": number}]
    assert client.get("requests", service_request_id=complaint_id).json() == one.json()


def test_services_list_and_definition(client):
    services = client.services()
    codes = {s["service_code"] for s in services}
    assert "infrastruktur" in codes
    assert {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} <= set(services[0])
    definition = client.get("services/infrastruktur").json()
    assert definition["service_code"] == "infrastruktur" and definition["attributes"] == []
    missing = client.get("services/no_such")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_file_follow_and_read_a_request(client, stack, coordinator):
    posted = client.post_request(service_code="kebersihan", lat="-4.0135", long="119.6255",
                                 address_string="Jl. Andi Makkasau, Parepare", email="budi@example.id",
                                 first_name="Budi", description="Sampah menumpuk di pinggir jalan")
    assert posted.status_code == 200, posted.text
    token = posted.json()[0]["token"]
    assert posted.json()[0]["service_notice"]
    request_id = eventually(lambda: coordinator_finds(coordinator, token))["id"]
    # The client learns its request id at once; the public sees verified complaints only, in every
    # view: the coordinator verifies it first.
    assert client.get(f"tokens/{token}").json()[0]["service_request_id"] == request_id
    assert request_id not in [r["service_request_id"] for r in client.get("requests").json()]
    assert client.get(f"requests/{request_id}").status_code == 404
    coordinator.post(f"/api/v1/complaints/{request_id}/status", json={"status": "verified"})
    one = client.get(f"requests/{request_id}").json()[0]
    assert one["status"] == "open" and one["service_code"] == "kebersihan"
    assert one["lat"] == pytest.approx(-4.0135) and one["expected_datetime"]
    assert "budi" not in str(one).lower()
    listed = client.get("requests", service_code="kebersihan", status="open").json()
    assert request_id in [r["service_request_id"] for r in listed]
    assert request_id not in [r["service_request_id"] for r in client.get("requests", status="closed").json()]
    by_id = client.get("requests", service_request_id=request_id).json()
    assert [r["service_request_id"] for r in by_id] == [request_id]


def test_errors_use_the_spec_format(client):
    missing_code = client.post_request(description="x", lat="-4.0", long="119.6")
    assert missing_code.status_code == 400
    errors = missing_code.json()
    assert isinstance(errors, list) and {"code", "description"} == set(errors[0])
    outside = client.post_request(service_code="kebersihan", description="x", lat="48.85", long="2.35")
    assert outside.status_code == 400 and "latitude" in outside.json()[0]["description"]
    assert client.get("requests/does-not-exist").status_code == 404
    assert client.get("tokens/DUMAS-0000-0000-0000").status_code == 404
    bad_date = client.get("requests", start_date="yesterday")
    assert bad_date.status_code == 400 and "start_date" in bad_date.json()[0]["description"]


def test_a_retried_request_with_the_same_key_gets_the_same_token(client, stack):
    form = {"service_code": "infrastruktur", "description": "Got tersumbat di Jl. Bau Massepe",
            "lat": "-4.0135", "long": "119.6255"}
    key = {"Idempotency-Key": "open311-retry-7f3c"}
    first = requests.post(f"{client.endpoint}/requests.json", data=form, headers=key, timeout=15)
    again = requests.post(f"{client.endpoint}/requests.json", data=form, headers=key, timeout=15)
    assert first.status_code == again.status_code == 200, first.text
    assert again.json() == first.json()
