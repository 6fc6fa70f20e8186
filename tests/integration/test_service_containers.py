"""Every service in its nameko container, wired as it runs: its real dependencies, the real RabbitMQ
(a throwaway vhost) and its migrated database. A missing dependency, a bad handler declaration or
an RPC method that does not load its schema fails here, before the end-to-end tests.

Each test answers ``health`` and one representative RPC over the broker, and handles one event."""
from datetime import timedelta

import pytest
import requests
from kombu import Connection
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from bakohumas.harness import free_port
from gateway.auth import key_hash
from gateway.service import GatewayService
from services import SERVICE_NAMES
from services.calendar import models as calendar_models
from services.calendar.service import CalendarService
from services.complaints import models as complaints_models
from services.complaints.service import ComplaintsService
from services.directory.service import DirectoryService
from services.distribution import models as distribution_models
from services.distribution.service import DistributionService
from services.information import models as information_models
from services.information.service import InformationService
from services.notifications import models as notifications_models
from services.notifications.service import NotificationsService
from shared import contracts
from shared.contracts.complaints import intake_queue
from shared.errors import NotFound, ValidationFailed
from tests.clock import wall_now
from tests.integration.integration_support import dependency, wait_until

COORDINATOR = {"agency_id": "koord", "role": "coordinator", "key_id": "k0"}
DINKES = {"agency_id": "dinkes", "role": "member", "key_id": "k1"}
SERVICES = {"directory": DirectoryService, "calendar": CalendarService, "distribution": DistributionService,
            "complaints": ComplaintsService, "information": InformationService,
            "notifications": NotificationsService}


def snapshot(agency_id, **fields):
    return {"id": agency_id, "name": f"Humas {agency_id}", "short_name": agency_id.upper(), "kind": "opd",
            "role": "member", "parent_id": None, "region_code": None, "active": True, **fields}


@pytest.fixture
def cluster(config):
    with ClusterRpcProxy(config) as proxy:
        yield proxy


@pytest.fixture
def start(container_factory, config, service_db, cluster):
    """``start("calendar")`` -> ``(container, store)``: the service running on its migrated database,
    its ``health`` answered over the broker."""
    def run(name):
        store = service_db(name)
        container = container_factory(SERVICES[name], config)
        container.start()
        health = getattr(cluster, name).health()
        assert (health["service"], health["status"]) == (name, "ok"), health
        return container, store
    return run


def announce_dinkes(config, store, agency_model):
    """Send the directory's ``agency.registered`` for Dinkes; wait until the service keeps its copy."""
    event_dispatcher(config)("directory", "agency.registered",
                             contracts.seal("agency.registered", {"agency": snapshot("dinkes")}))

    def known():
        with store.reading() as session:
            return session.get(agency_model, "dinkes")
    wait_until(known)


def test_directory_registers_and_answers_and_forgets_details_on_change(start, cluster, config):
    container, _store = start("directory")
    registered = cluster.directory.register_agency(COORDINATOR, {"name": "Dinas Kesehatan",
                                                                 "short_name": "DINKES", "kind": "opd"})
    assert cluster.directory.get_agency(registered["id"])["short_name"] == "DINKES"
    with pytest.raises(ValidationFailed) as refused:
        cluster.directory.register_agency(COORDINATOR, {"name": "No kind", "short_name": "NOKIND"})
    assert "kind" in refused.value.fields

    details = dependency(container, "details").cache
    details.put("cached", {"id": "cached"}, details.generation)
    event_dispatcher(config)("directory", "agency.updated",
                             contracts.seal("agency.updated", {"agency": snapshot("cached"), "changed": ["name"]}))
    wait_until(lambda: details.get("cached") is None)


def test_calendar_keeps_announced_agencies_and_takes_proposals(start, cluster, config):
    _container, store = start("calendar")
    announce_dinkes(config, store, calendar_models.Agency)
    start_at = wall_now() + timedelta(days=3)
    body = {"kind": "forum", "title": "Forum humas", "timezone": "Asia/Makassar", "start": start_at.isoformat(),
            "end": (start_at + timedelta(hours=2)).isoformat()}
    item = cluster.calendar.propose_item(DINKES, body)
    assert item["lead_agency_id"] == "dinkes" and item["title"] == "Forum humas"
    with pytest.raises(ValidationFailed) as refused:
        cluster.calendar.propose_item(DINKES, {**body, "end": "not a time"})
    assert "end" in refused.value.fields


def test_distribution_keeps_announced_agencies_and_takes_content(start, cluster, config):
    _container, store = start("distribution")
    announce_dinkes(config, store, distribution_models.Agency)
    release = {"type": "release", "headline": "Vaksinasi keliling", "language": "id",
               "body_html": "<p>Mulai Senin.</p>"}
    item = cluster.distribution.create_content(DINKES, release)
    assert item["headline"] == "Vaksinasi keliling"
    with pytest.raises(ValidationFailed) as refused:
        cluster.distribution.create_content(DINKES, {**release, "type": "rumour"})
    assert "type" in refused.value.fields


def test_complaints_keeps_announced_agencies_and_takes_complaints_from_the_intake_queue(start, cluster, config):
    _container, store = start("complaints")
    announce_dinkes(config, store, complaints_models.Agency)
    number = "DUMAS-AAAA-BBBB-CCCC"
    submitted = contracts.seal("complaint.submitted", {
        "tracking_number": number, "reporter_secret_hash": "0" * 64, "submitted_at": wall_now(),
        "filed_by_agency_id": None, "reporter": None,
        "complaint": {"channel": "web", "category": "infrastruktur", "text": "Lampu jalan mati"}})
    with Connection(config["AMQP_URI"]) as connection:
        connection.Producer().publish(submitted, exchange="", routing_key=intake_queue().name,
                                      declare=[intake_queue()], delivery_mode=2)

    def tracked():
        try:
            return cluster.complaints.track(number)
        except NotFound:  # not taken off the queue yet
            return None
    assert wait_until(tracked)["tracking_number"] == number
    assert "infrastruktur" in [category["code"] for category in cluster.complaints.list_categories()]


def test_information_keeps_announced_agencies_and_registers_requests_at_once(start, cluster, config):
    _container, store = start("information")
    announce_dinkes(config, store, information_models.Agency)
    body = {"agency_id": "dinkes", "identity_number": "7372010190010001", "information": "Data imunisasi",
            "purpose": "Penelitian", "obtain": "soft_copy", "delivery": "email",
            "requester": {"name": "Pemohon Uji", "address": "Jl. Uji 1", "email": "uji@example.id"}}
    accepted = cluster.information.register(None, body)
    assert cluster.information.track(accepted["registration_number"])["agency_id"] == "dinkes"
    with pytest.raises(ValidationFailed) as refused:
        cluster.information.register(None, {**body, "obtain": "telepathy"})
    assert "obtain" in refused.value.fields


def test_notifications_keeps_agencies_and_notes_whom_an_event_concerns(start, cluster, config):
    _container, store = start("notifications")
    announce_dinkes(config, store, notifications_models.Agency)
    event_dispatcher(config)("complaints", "complaint.forwarded", contracts.seal("complaint.forwarded", {
        "complaint_id": "c1", "category": "kesehatan", "agency_id": "dinkes", "from_agency_id": None,
        "to_agency_id": "dinkes", "step": "proposed"}))

    def noted():
        with store.reading() as session:
            return session.query(notifications_models.Notice).filter_by(kind="complaint_assigned").one_or_none()
    assert wait_until(noted).agency_ids == '["dinkes"]'
    choices = cluster.notifications.preferences({**DINKES, "account_id": "a1", "account_role": "officer"})
    assert choices["channel"] == "mail" and choices["channels_on"] == []


def test_gateway_answers_over_http_with_every_service_behind_it(container_factory, config, service_db):
    for name, service_cls in SERVICES.items():
        service_db(name)
        container_factory(service_cls, config).start()
    address = f"127.0.0.1:{free_port()}"
    gateway = container_factory(GatewayService, {**config, "WEB_SERVER_ADDRESS": address,
                                                 "GATEWAY_SECRET": "container-test-secret"})
    gateway.start()
    url = f"http://{address}"

    health = requests.get(f"{url}/health", timeout=10)
    assert health.status_code == 200, health.text
    assert {name: answer["status"] for name, answer in health.json()["services"].items()} == {
        name: "ok" for name in SERVICE_NAMES}

    secret = "k" * 32
    keys = dependency(gateway, "keys").cache
    keys.put(key_hash(secret), {**COORDINATOR, "key_id": "k-revoked"})
    listed = requests.get(f"{url}/api/v1/agencies", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert listed.status_code == 200, listed.text
    event_dispatcher(config)("directory", "key.revoked",
                             contracts.seal("key.revoked", {"key_id": "k-revoked", "agency_id": "koord"}))
    wait_until(lambda: keys.get(key_hash(secret)) is None)
    refused = requests.get(f"{url}/api/v1/agencies", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert refused.status_code == 401, refused.text


def test_a_gateway_killed_and_started_again_in_its_process_answers_every_request(container_factory, config,
                                                                                 service_db):
    """The process starts a fresh container when the broker went away and killed the old one: the
    old one's listening socket must be gone, or a share of new connections would never be accepted."""
    address = f"127.0.0.1:{free_port()}"
    gateway_config = {**config, "WEB_SERVER_ADDRESS": address, "GATEWAY_SECRET": "container-test-secret"}
    killed = container_factory(GatewayService, gateway_config)
    killed.start()
    assert requests.get(f"http://{address}/openapi.json", timeout=10).status_code == 200
    killed.kill()
    fresh = container_factory(GatewayService, gateway_config)
    fresh.start()
    for _ in range(40):  # each a new connection: the kernel spreads them over every open listener
        with requests.Session() as client:
            assert client.get(f"http://{address}/openapi.json", timeout=3).status_code == 200
