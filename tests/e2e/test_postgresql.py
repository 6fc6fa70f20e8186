"""The whole system on PostgreSQL (each service its own database), as docker-compose and the
Kubernetes manifests run it: one pass through every service over HTTP."""
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from bakohumas.harness import Api, LocalStack
from services import SERVICE_NAMES
from tests.clock import wall_now
from tests.databases import create_postgres_database, drop_postgres_database, postgres_url, require_postgres
from tests.e2e.complaints_e2e_support import complaint, eventually, file, tracked

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pg_stack():
    require_postgres()
    names = {service: create_postgres_database() for service in SERVICE_NAMES}
    env = {f"{service.upper()}_DATABASE_URL": postgres_url(name) for service, name in names.items()}
    stack = LocalStack(extra_env=env)
    try:
        yield stack.start()
    finally:
        stack.stop()
        for name in names.values():
            drop_postgres_database(name)


def test_every_service_works_on_postgresql(pg_stack):
    made = pg_stack.bootstrap()
    coordinator = Api(pg_stack.url, made["api_key"])
    agency = coordinator.post("/api/v1/agencies", json={"name": "Polres Parepare", "short_name": "POLRES-PG",
                                                        "kind": "polri", "region_code": "73.72"})
    assert agency.status_code == 201, agency.text
    key = coordinator.post(f"/api/v1/agencies/{agency.json()['id']}/keys", json={}).json()["api_key"]
    member = Api(pg_stack.url, key)

    start = (wall_now(ZoneInfo("Asia/Makassar")) + timedelta(days=3)).replace(hour=9, minute=0, second=0,
                                                                                  microsecond=0)
    item = member.post("/api/v1/calendar/items", json={
        "kind": "press_conference", "title": "Konferensi pers Operasi Zebra", "timezone": "Asia/Makassar",
        "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()})
    assert item.status_code == 201, item.text
    scheduled = coordinator.post(f"/api/v1/calendar/items/{item.json()['id']}/schedule", json={})
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["state"] == "scheduled"

    accepted = file(pg_stack.url, complaint(target_agency_id=agency.json()["id"]))
    page = tracked(pg_stack.url, accepted["tracking_number"])
    assert page["tracking_number"] == accepted["tracking_number"]

    content = member.post("/api/v1/content", json={"type": "release", "headline": "Operasi Zebra dimulai",
                                                  "language": "id", "body_html": "<p>Mulai Senin.</p>"})
    assert content.status_code == 201, content.text
    published = member.post(f"/api/v1/content/{content.json()['id']}/publish", json={})
    assert published.status_code == 200, published.text
    eventually(lambda: content.json()["uri"] in [
        doc["uri"] for doc in Api(pg_stack.url).get("/api/v1/feeds/content.json").json()])


def test_every_complaint_answered_202_is_stored_and_every_unstorable_one_is_a_400(pg_stack):
    """Hostile intake over HTTP: what does not fit a column is refused up front, naming the field;
    what is accepted is later found by its tracking number (nothing dies in the service)."""
    refused = {
        "target_agency_id": complaint(target_agency_id="7" * 37),
        "about_agency_id": complaint(about_agency_id="a" * 200),
        "reporter": complaint(reporter={"name": "N" * 201}),
        "location": complaint(location={"address": "Jl. " + "x" * 600}),
    }
    for field, body in refused.items():
        answer = requests.post(pg_stack.url + "/api/v1/complaints", json=body, timeout=15)
        assert answer.status_code == 400, (field, answer.text)
        assert field in answer.json()["error"]["fields"], answer.text
    odd_id = requests.post(pg_stack.url + "/api/v1/complaints", timeout=15,
                           json=complaint(target_agency_id="'; DROP TABLE complaints; --"))
    assert odd_id.status_code == 400 and "target_agency_id" in odd_id.json()["error"]["fields"]

    accepted = [
        complaint(target_agency_id=str(uuid.uuid4())),  # well formed, unknown: goes to triage
        complaint(about_agency_id=str(uuid.uuid4()).upper()),
        complaint(text="Lampu\u0007 jalan\u009b mati\x1b[2J sejak\x7f seminggu"),
        complaint(reporter={"name": "  Ani\u0085 ", "phone": "0813-5557-8901"}),
        complaint(location={"address": "Jl. Bau Massepe\u000b No. 1", "region_code": "73.72"}),
    ]
    numbers = [file(pg_stack.url, body)["tracking_number"] for body in accepted]
    for number in numbers:
        assert tracked(pg_stack.url, number)["tracking_number"] == number
