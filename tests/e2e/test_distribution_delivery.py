"""Content delivered to real webhook receivers on 127.0.0.1, seen over HTTP as users see it.

A stack of its own, with two distribution instances (both poll the same schedule and
deliveries, so each claim must hold): outbound webhooks to loopback are allowed only there
(``WEBHOOK_ALLOW_PRIVATE``), and retries are quick so that recovery shows in seconds.
"""
import json
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import pytest
from kombu import Connection, Exchange
from standardwebhooks.webhooks import Webhook

from bakohumas.harness import Api, LocalStack
from tests.clock import wall_now

pytestmark = pytest.mark.e2e

WAIT = 30


class Receiver:
    """A webhook destination on 127.0.0.1 answering from a script of statuses, then ``then``."""

    def __init__(self, script=(), then=200, headers=None, hold=None):
        self.script, self.then, self.headers, self.hold = list(script), then, headers or {}, hold
        self.calls = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.calls.append({"headers": dict(self.headers), "body": body})
                if receiver.hold is not None:
                    receiver.hold.wait(10)
                status = receiver.script.pop(0) if receiver.script else receiver.then
                self.send_response(status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def events(self):
        return [json.loads(call["body"]) for call in self.calls]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def eventually(check, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def hub():
    running = LocalStack(instances=2, extra_env={"WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_RETRY_BASE_SECONDS": "0.3",
                                    "WEBHOOK_TIMEOUT_SECONDS": "3"}).start()
    made = running.bootstrap()
    running.coordinator = Api(running.url, made["api_key"])
    running.coordinator.agency_id = made["agency_id"]
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def member(hub):
    """Make a member agency that the distribution service already knows."""
    def make():
        short = f"D-{uuid.uuid4().hex[:8].upper()}"
        agency = hub.coordinator.post("/api/v1/agencies", json={"name": f"Humas {short}", "short_name": short,
                                                                "kind": "opd"}).json()
        key = hub.coordinator.post(f"/api/v1/agencies/{agency['id']}/keys", json={"label": "t"}).json()
        client = Api(hub.url, key["api_key"])
        client.agency_id, client.agency = agency["id"], agency
        # an agency's feed exists once the distribution service has its copy of the agency
        eventually(lambda: hub.coordinator.get(f"/api/v1/feeds/atom/{agency['id']}").status_code == 200,
                   "the distribution service to learn the agency")
        return client
    return make


@pytest.fixture
def receivers():
    made = []

    def make(*args, **kwargs):
        made.append(Receiver(*args, **kwargs))
        return made[-1]
    yield make
    for receiver in made:
        receiver.close()


def subscribe(client, url, **filters):
    response = client.post("/api/v1/subscriptions", json={"url": url, "filters": filters})
    assert response.status_code == 201, response.text
    return response.json()


def publish_release(client, **fields):
    body = {"type": "release", "headline": "Pembukaan jalan lingkar", "language": "id",
            "body_html": "<p>Jalan dibuka.</p>", **fields}
    created = client.post("/api/v1/content", json=body)
    assert created.status_code == 201, created.text
    published = client.post(f"/api/v1/content/{created.json()['id']}/publish", json={})
    assert published.status_code == 200, published.text
    return published.json()


def deliveries(client, subscription_id):
    response = client.get(f"/api/v1/subscriptions/{subscription_id}/deliveries")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_release_reaches_destinations_signed_retrying_until_one_recovers_and_410_disables(
        hub, member, receivers):
    author = member()
    flaky = receivers(script=[503, 503])
    gone = receivers(then=410)
    news_only = receivers()
    flaky_sub = subscribe(author, flaky.url)
    gone_sub = subscribe(author, gone.url)
    subscribe(author, news_only.url, types=["news"])
    item = publish_release(author, body_html='<p onclick="x()">Jalan dibuka.</p><script>steal()</script>')

    eventually(lambda: len(flaky.calls) >= 3, "the flaky destination to recover")
    ids = {call["headers"]["webhook-id"] for call in flaky.calls}
    assert len(ids) == 1, "every attempt carries the same webhook-id"
    for call in flaky.calls:
        event = Webhook(flaky_sub["secret"]).verify(call["body"], call["headers"])
        assert event["type"] == "content.published"
        assert event["data"]["uri"] == item["uri"]
        assert "<script" not in event["data"]["bodies"][0]["value"]
    log = eventually(lambda: [d for d in deliveries(author, flaky_sub["id"]) if d["state"] == "delivered"],
                     "the delivery log to say delivered")
    assert log[0]["attempts"] == 3 and log[0]["id"] in ids

    eventually(lambda: [d for d in deliveries(author, gone_sub["id"]) if d["state"] == "failed"],
               "the 410 delivery to fail")
    assert len(gone.calls) == 1, "410 is never retried"
    listed = {s["id"]: s for s in author.get("/api/v1/subscriptions").json()}
    assert listed[gone_sub["id"]]["active"] is False and "410" in listed[gone_sub["id"]]["disabled_reason"]
    assert "secret" not in listed[flaky_sub["id"]]

    publish_release(author, headline="Kedua")
    eventually(lambda: len(flaky.calls) >= 4, "the second release")
    assert len(gone.calls) == 1 and news_only.calls == []


def test_a_hanging_destination_does_not_hold_up_the_others(hub, member, receivers):
    author = member()
    released = threading.Event()
    hanging = receivers(hold=released)
    prompt = receivers()
    subscribe(author, hanging.url)
    subscribe(author, prompt.url)
    publish_release(author)
    try:
        eventually(lambda: hanging.calls, "the hanging destination to be called")
        eventually(lambda: prompt.calls, "the prompt destination, while the other still hangs")
        assert not released.is_set()
    finally:
        released.set()


def test_a_failed_delivery_is_replayed_by_its_owner_with_the_same_id(hub, member, receivers):
    author, stranger = member(), member()
    refusing = receivers(script=[400])
    sub = subscribe(author, refusing.url)
    publish_release(author)
    failed = eventually(lambda: [d for d in deliveries(author, sub["id"]) if d["state"] == "failed"],
                        "the 400 to fail at once")[0]
    assert failed["attempts"] == 1 and failed["last_status"] == 400
    path = f"/api/v1/subscriptions/{sub['id']}/deliveries/{failed['id']}/replay"
    assert stranger.post(path).status_code == 404
    replayed = author.post(path)
    assert replayed.status_code == 200 and replayed.json()["state"] == "pending"
    eventually(lambda: len(refusing.calls) == 2, "the replay")
    assert refusing.calls[1]["headers"]["webhook-id"] == failed["id"]
    eventually(lambda: deliveries(author, sub["id"])[0]["state"] == "delivered", "the replay to be logged")
    assert author.post(path).status_code == 409, "only failed deliveries are replayed"


def test_rotated_secret_signs_next_deliveries(hub, member, receivers):
    author = member()
    receiver = receivers()
    sub = subscribe(author, receiver.url)
    rotated = author.post(f"/api/v1/subscriptions/{sub['id']}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != sub["secret"]
    publish_release(author)
    call = eventually(lambda: receiver.calls, "a delivery")[0]
    Webhook(rotated.json()["secret"]).verify(call["body"], call["headers"])
    Webhook(sub["secret"]).verify(call["body"], call["headers"])
    assert author.delete(f"/api/v1/subscriptions/{sub['id']}").status_code == 204
    assert author.get(f"/api/v1/subscriptions/{sub['id']}/deliveries").status_code == 404


def test_correction_and_withdrawal_reach_the_destinations_that_had_it(hub, member, receivers):
    author = member()
    receiver = receivers()
    subscribe(author, receiver.url, agencies=[author.agency_id])
    item = publish_release(author)
    eventually(lambda: receiver.calls, "the release")
    edit = author.patch(f"/api/v1/content/{item['id']}", json={"headline": "Diam-diam"})
    assert edit.status_code == 409 and "state" in edit.json()["error"]["fields"]
    corrected = author.post(f"/api/v1/content/{item['id']}/correct",
                            json={"headline": "Pembukaan jalan lingkar ditunda", "change_note": "tanggal berubah"})
    assert corrected.status_code == 200 and corrected.json()["version"] == item["version"] + 1
    eventually(lambda: len(receiver.calls) >= 2, "the correction")
    assert receiver.events()[1]["type"] == "content.corrected"
    assert "tanggal berubah" in receiver.events()[1]["data"]["edNote"]
    withdrawn = author.post(f"/api/v1/content/{item['id']}/withdraw", json={"reason": "informasi keliru"})
    assert withdrawn.status_code == 200 and withdrawn.json()["pub_status"] == "canceled"
    eventually(lambda: len(receiver.calls) >= 3, "the kill notice")
    kill = receiver.events()[2]
    assert kill["type"] == "content.withdrawn" and kill["data"]["pubStatus"] == "canceled"
    feed = feedparser.parse(hub.coordinator.get(f"/api/v1/feeds/atom/{author.agency_id}").text)
    assert item["uri"] not in {entry.id for entry in feed.entries}


def test_joint_release_waits_for_every_co_issuer(hub, member):
    author, partner = member(), member()
    created = author.post("/api/v1/content", json={"type": "release", "headline": "Operasi gabungan",
                                                   "language": "id", "co_issuers": [partner.agency_id]})
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    refused = author.post(f"/api/v1/content/{item_id}/publish", json={})
    assert refused.status_code == 409 and "approvals" in refused.json()["error"]["fields"]
    assert partner.post(f"/api/v1/content/{item_id}/approve", json={"version": 1}).status_code == 200
    published = author.post(f"/api/v1/content/{item_id}/publish", json={})
    assert published.status_code == 200 and published.json()["state"] == "published"
    feed = feedparser.parse(hub.coordinator.get(f"/api/v1/feeds/atom/{partner.agency_id}").text)
    assert [entry.title for entry in feed.entries] == ["Operasi gabungan"]


def test_embargoed_release_appears_in_feeds_only_at_its_time(hub, member):
    author = member()
    embargo = wall_now() + timedelta(seconds=3)
    created = author.post("/api/v1/content", json={
        "type": "news", "headline": "Jadwal vaksinasi", "language": "en", "subjects": ["medtop:07000000"],
        "embargo_until": embargo.isoformat()}).json()
    scheduled = author.post(f"/api/v1/content/{created['id']}/publish", json={})
    assert scheduled.json()["state"] == "embargoed"
    uri = created["uri"]
    anonymous = Api(hub.url)
    before = [d["uri"] for d in anonymous.get("/api/v1/feeds/content.json").json()]
    if wall_now() < embargo:
        assert uri not in before
    eventually(lambda: uri in [d["uri"] for d in anonymous.get("/api/v1/feeds/content.json").json()],
               "the embargo to lift")
    assert wall_now() >= embargo
    assert author.get(f"/api/v1/content/{created['id']}").json()["state"] == "published"
    response = anonymous.get("/api/v1/feeds/atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.text)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if e.id == uri)
    assert entry.title == "Jadwal vaksinasi" and entry.tags[0].term == "medtop:07000000"


def test_amplification_report_shows_who_reshared(hub, member):
    author, sharer, silent = member(), member(), member()
    item = publish_release(author)
    deadline = (wall_now() + timedelta(hours=2)).isoformat()
    asked = author.post(f"/api/v1/content/{item['id']}/amplification-requests",
                        json={"deadline": deadline, "members": [sharer.agency_id, silent.agency_id]})
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]
    answer = sharer.post(f"/api/v1/amplification-requests/{request_id}/responses",
                         json={"url": "https://instagram.com/p/abc"})
    assert answer.status_code == 200, answer.text
    assert silent.post(f"/api/v1/amplification-requests/{request_id}/responses",
                       json={"url": "not a url"}).status_code == 400
    report = author.get(f"/api/v1/amplification-requests/{request_id}").json()
    assert [s["agency_id"] for s in report["shared"]] == [sharer.agency_id]
    assert report["shared"][0]["url"] == "https://instagram.com/p/abc"
    assert [s["agency_id"] for s in report["not_shared"]] == [silent.agency_id]
    assert hub.coordinator.get(f"/api/v1/amplification-requests/{request_id}").status_code == 200


def test_an_asked_agency_lists_and_reads_the_requests_addressed_to_it(hub, member):
    author, asked, other_asked, stranger = member(), member(), member(), member()
    item = publish_release(author)
    deadline = (wall_now() + timedelta(hours=2)).isoformat()
    made = author.post(f"/api/v1/content/{item['id']}/amplification-requests", json={
        "deadline": deadline, "message": "Mohon dibagikan", "members": [asked.agency_id, other_asked.agency_id]})
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    assert other_asked.post(f"/api/v1/amplification-requests/{request_id}/responses",
                            json={"url": "https://instagram.com/p/other"}).status_code == 200

    listed = asked.get("/api/v1/amplification-requests")
    assert listed.status_code == 200, listed.text
    [mine] = [r for r in listed.json() if r["id"] == request_id]
    assert mine["item_id"] == item["id"] and mine["message"] == "Mohon dibagikan"
    assert mine["requested_by_agency"] == {"id": author.agency_id, "name": author.agency["name"],
                                           "short_name": author.agency["short_name"]}
    # its own answer only: who else re-shared is the author's and the coordinator's to see
    assert mine["shared"] == [] and [a["agency_id"] for a in mine["not_shared"]] == [asked.agency_id]
    assert mine["not_shared"][0]["short_name"] == asked.agency["short_name"]
    assert asked.post(f"/api/v1/amplification-requests/{request_id}/responses",
                      json={"url": "https://instagram.com/p/mine"}).status_code == 200
    read = asked.get(f"/api/v1/amplification-requests/{request_id}")
    assert read.status_code == 200, read.text
    assert [(a["agency_id"], a["url"]) for a in read.json()["shared"]] == [(asked.agency_id, "https://instagram.com/p/mine")]
    assert read.json()["not_shared"] == []

    assert stranger.get(f"/api/v1/amplification-requests/{request_id}").status_code == 403
    assert request_id not in [r["id"] for r in stranger.get("/api/v1/amplification-requests").json()]
    assert request_id not in [r["id"] for r in author.get("/api/v1/amplification-requests").json()]
    report = author.get(f"/api/v1/amplification-requests/{request_id}").json()
    assert {a["agency_id"] for a in report["shared"]} == {asked.agency_id, other_asked.agency_id}
    assert {a["name"] for a in report["shared"]} == {asked.agency["name"], other_asked.agency["name"]}


def test_an_embargo_due_while_the_service_is_down_publishes_once_after_restart(hub, member, receivers):
    author = member()
    receiver = receivers()
    sub = subscribe(author, receiver.url, agencies=[author.agency_id])
    embargo = wall_now() + timedelta(seconds=3)
    created = author.post("/api/v1/content", json={"type": "release", "headline": "Tengah malam",
                                                   "language": "id", "embargo_until": embargo.isoformat()}).json()
    assert author.post(f"/api/v1/content/{created['id']}/publish", json={}).json()["state"] == "embargoed"
    hub.kill("distribution-1")
    hub.kill("distribution-2")
    time.sleep(max(0.0, (embargo - wall_now()).total_seconds()) + 1)
    hub.start_process("distribution")
    eventually(lambda: receiver.calls, "the publication after the restart", timeout=60)
    log = eventually(lambda: [d for d in deliveries(author, sub["id"]) if d["state"] == "delivered"],
                     "the delivery log")
    assert [(d["item_id"], d["event"]) for d in log] == [(created["id"], "content.published")]
    assert {call["headers"]["webhook-id"] for call in receiver.calls} == {log[0]["id"]}


def test_a_malformed_directory_event_is_dead_lettered(hub):
    with Connection(hub.vhost.amqp_uri) as connection:
        producer = connection.Producer()
        producer.publish({"id": "not-a-uuid", "name": "agency.registered", "data": {}},
                         exchange=Exchange("directory.events", type="topic", durable=True),
                         routing_key="agency.registered", serializer="json", delivery_mode=2)

    def parked():
        letters = json.loads(hub.bakohumas("dead-letters", "list", "--json").stdout)
        return [letter for letter in letters if "distribution" in (letter.get("queue") or "")]
    eventually(parked, "the malformed event in the dead letters")
    assert Api(hub.url).get("/health").status_code == 200
