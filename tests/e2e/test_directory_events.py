"""The directory's events as another service receives them from the bus, honouring the shared contracts."""
import json
import time
import uuid

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange

from shared.contracts import open_envelope

pytestmark = pytest.mark.e2e


@pytest.fixture
def directory_events(stack):
    """Everything the directory publishes from now on, read as a consuming service would."""
    with Connection(stack.vhost.amqp_uri) as connection:
        queue = Queue(f"test-directory-events-{uuid.uuid4().hex[:8]}", get_event_exchange("directory", {}),
                      routing_key="#", exclusive=True, channel=connection.default_channel)
        queue.declare()

        def received(agency_id, count, timeout=15):
            seen, deadline = [], time.monotonic() + timeout
            while len(seen) < count and time.monotonic() < deadline:
                message = queue.get(no_ack=True)
                if message is None:
                    time.sleep(0.05)
                    continue
                envelope = open_envelope(json.loads(message.body))
                data = envelope.data
                if data.get("agency_id") == agency_id or data.get("agency", {}).get("id") == agency_id:
                    seen.append(envelope)
            return seen

        yield received


def test_every_change_is_published_with_what_changed(coordinator, new_member, directory_events):
    agency = new_member(kind="bumd", region_code="73.72")
    agency.patch(f"/api/v1/agencies/{agency.agency_id}", json={
        "officers": [{"name": "Amiruddin", "position": "kepala_humas", "phone": "0811-4200-1501"}]})
    key = agency.post(f"/api/v1/agencies/{agency.agency_id}/keys", json={"label": "spare"}).json()
    agency.delete(f"/api/v1/agencies/{agency.agency_id}/keys/{key['id']}")
    coordinator.post(f"/api/v1/agencies/{agency.agency_id}/deactivate")

    registered, updated, revoked, revoked_with_agency, deactivated = directory_events(agency.agency_id, 5)
    assert [e.name for e in (registered, updated, revoked, revoked_with_agency, deactivated)] == [
        "agency.registered", "agency.updated", "key.revoked", "key.revoked", "agency.deactivated"]
    assert registered.data["agency"]["region_code"] == "73.72"
    assert updated.data["changed"] == ["officers"]
    assert updated.data["agency"]["officers"][0]["phone"] == "+6281142001501"
    assert revoked.data["key_id"] == key["id"] and revoked_with_agency.data["key_id"] == agency.key_id
    assert deactivated.data["agency"]["active"] is False
