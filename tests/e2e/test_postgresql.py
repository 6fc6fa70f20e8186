"""The whole system on PostgreSQL (each service its own database), as docker-compose and the
Kubernetes manifests run it: one pass through every service over HTTP."""
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest

from bakohumas.harness import Api, LocalStack
from services import SERVICE_NAMES
from tests.e2e.complaints_e2e_support import complaint, eventually, file, tracked
from tests.postgresql_support import SERVER, skip_without_postgresql

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pg_stack():
    skip_without_postgresql()
    suffix = uuid.uuid4().hex[:8]
    names = {service: f"bakohumas_test_{service}_{suffix}" for service in SERVICE_NAMES}
    with psycopg.connect(SERVER, autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'CREATE DATABASE "{name}"')
    base = SERVER.rsplit("/", 1)[0]
    env = {f"{service.upper()}_DATABASE_URL": f"{base}/{name}" for service, name in names.items()}
    stack = LocalStack(extra_env=env)
    try:
        yield stack.start()
    finally:
        stack.stop()
        with psycopg.connect(SERVER, autocommit=True) as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_service_works_on_postgresql(pg_stack):
    made = pg_stack.bootstrap()
    coordinator = Api(pg_stack.url, made["api_key"])
    agency = coordinator.post("/api/v1/agencies", json={"name": "Polres Parepare", "short_name": "POLRES-PG",
                                                        "kind": "polri", "region_code": "73.72"})
    assert agency.status_code == 201, agency.text
    key = coordinator.post(f"/api/v1/agencies/{agency.json()['id']}/keys", json={}).json()["api_key"]
    member = Api(pg_stack.url, key)

    start = (datetime.now(ZoneInfo("Asia/Makassar")) + timedelta(days=3)).replace(hour=9, minute=0, second=0,
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
