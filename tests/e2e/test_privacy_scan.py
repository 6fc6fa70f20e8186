"""Personal data of complainants, information requesters and the people who sign in to the console never
appears in logs or events.

A stack of our own, logging at DEBUG (once as plain text, once as JSON), with a queue bound to
every service's event exchange before anything runs: complaints with distinctive reporters go
through intake (JSON and Open311), routing, forwarding, answers, status changes and every public
view; then the whole log, every event and every public or agency answer is scanned for the
reporters' identities. An information request (UU 14/2008) goes the same way: registered, forwarded,
decided, objected to, tracked, its requester's name, address, contacts and identity number scanned for.
Mail is on (a real SMTP server on loopback), so the notifications service writes to the reporters who
gave an email: its log is scanned too.
"""
import io
import json
import uuid

import pytest
import requests
from kombu import Connection, Queue
from nameko.events import get_event_exchange
from PIL import Image
from tests.e2e.complaints_e2e_support import eventually, file, tracked
from tests.e2e.observe_support import json_log_records

from bakohumas.harness import Api, LocalStack, MailSink, console_sign_in
from services import SERVICE_NAMES

pytestmark = pytest.mark.e2e

CAPTURE_QUEUE = "privacy-scan.every-event"
OPEN = {"name": "Kartini Wulandari-Privasi", "phone": "081377001122", "email": "kartini.privasi@example.id"}
CONFIDENTIAL = {"name": "Bambang Sutejo-Rahasia", "phone": "+6285244556677", "email": "bambang.rahasia@example.id"}
ANONYMOUS = {"name": "Dewi Anonim-Tersembunyi", "phone": "081911223344", "email": "dewi.anonim@example.id"}
BY_FORM = {"name": "Sitti Formulir-Pelapor", "phone": "081255443322", "email": "sitti.formulir@example.id"}
OPEN311 = {"first_name": "Hasanuddin", "last_name": "Open-Tigasebelas", "phone": "082188990011",
           "email": "hasan.open311@example.id"}


def png_pixel():
    output = io.BytesIO()
    Image.new("RGBA", (1, 1), (255, 0, 0, 255)).save(output, "PNG")
    return output.getvalue()


def identities(*reporters):
    """Every string that would give a reporter away: as sent, lower case, and the phone as +62."""
    found = set()
    for reporter in reporters:
        for value in reporter.values():
            found |= {value, value.lower()}
            if value.startswith("08"):
                found.add("+62" + value[1:])
            if value.startswith("+62"):
                found.add("0" + value[3:])
    return found


REQUESTER = {"name": "Siti Pemohon-Informasi", "address": "Jl. Rahasia Pemohon 9", "phone": "081355667788",
             "email": "siti.pemohon@example.id"}
IDENTITY_NUMBER = "7372019988776655"

OPEN311_NAME = f"{OPEN311['first_name']} {OPEN311['last_name']}"
OFFICER = {"name": "Sitti Aminah-Konsol", "phone": "081244556600", "email": "sitti.konsol@example.id"}
EVERYONE = identities(OPEN, CONFIDENTIAL, ANONYMOUS, OPEN311, BY_FORM, {"name": OPEN311_NAME}, REQUESTER,
                      {"identity": IDENTITY_NUMBER}, OFFICER)


def leaks(text, secrets=EVERYONE):
    return sorted(value for value in secrets if value in text)


@pytest.fixture(scope="module", params=["plain", "json"])
def scanned_stack(request):
    mail = MailSink().start()
    stack = LocalStack(extra_env={"LOG_LEVEL": "DEBUG", "COMPLAINTS_INTAKE_BURST": "100",
                                  "LOG_FORMAT": request.param, "SMTP_URL": mail.url})
    stack.mail = mail
    stack.log_format = request.param
    stack.vhost.create()
    # Bound before any service starts, so that no event escapes the scan.
    with Connection(stack.vhost.amqp_uri) as connection:
        channel = connection.default_channel
        Queue(CAPTURE_QUEUE, durable=True, auto_delete=False)(channel).declare()
        for service in SERVICE_NAMES:
            exchange = get_event_exchange(service, {})(channel)
            exchange.declare()
            channel.queue_bind(CAPTURE_QUEUE, exchange.name, "#")
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        mail.stop()


def captured_events(stack):
    """Every event published so far (taken off the capture queue): (body, headers) pairs."""
    taken = []
    with Connection(stack.vhost.amqp_uri) as connection:
        queue = Queue(CAPTURE_QUEUE, durable=True, auto_delete=False)(connection.default_channel)
        while (message := queue.get(no_ack=True)) is not None:
            body = message.body.decode() if isinstance(message.body, bytes) else message.body
            taken.append((body, json.dumps(message.headers or {}, default=str)))
    return taken


def member(stack, coordinator, kind="opd", **fields):
    short = f"P-{uuid.uuid4().hex[:8].upper()}"
    made = coordinator.post("/api/v1/agencies", json={"name": f"Instansi {short}", "short_name": short,
                                                      "kind": kind, "role": "member", **fields})
    assert made.status_code == 201, made.text
    key = coordinator.post(f"/api/v1/agencies/{made.json()['id']}/keys", json={"label": "privacy"})
    client = Api(stack.url, key.json()["api_key"])
    client.agency_id = made.json()["id"]
    return client


def listed(agency, number):
    return next((c for c in agency.get("/api/v1/complaints").json()["complaints"]
                 if c["tracking_number"] == number), None)


def test_no_personal_data_in_logs_events_or_public_views(scanned_stack):
    stack = scanned_stack
    coordinator = Api(stack.url, stack.bootstrap()["api_key"])
    dinas = member(stack, coordinator)
    polres = member(stack, coordinator, kind="polri")
    unit = member(stack, coordinator, kind="polri", parent_id=polres.agency_id)
    made = coordinator.post("/api/v1/complaints/categories",
                            json={"code": "privasi_uji", "name_id": "Uji privasi", "name_en": "Privacy test"})
    assert made.status_code == 201, made.text
    eventually(lambda: coordinator.post("/api/v1/complaints/rules", json={
        "category": "privasi_uji", "agency_id": dinas.agency_id}).status_code == 201)
    views = []  # every answer a public client got back

    def seen(answer):
        views.append(answer.text)
        return answer

    # Intake through every door: named, confidential, anonymous (refused with an identity), Open311.
    named = file(stack.url, {"channel": "web", "category": "privasi_uji", "text": "Lampu jalan mati di Jl. Pinggir",
                             "reporter": OPEN})
    confidential = eventually(lambda: file(stack.url, {
        "channel": "whatsapp", "category": "pungli", "text": "Pungutan liar saat mengurus SIM",
        "about_agency_id": unit.agency_id, "reporter": CONFIDENTIAL}))
    refused = requests.post(stack.url + "/api/v1/complaints", timeout=15, json={
        "channel": "sms", "category": "privasi_uji", "text": "Got tersumbat", "anonymous": True, "reporter": ANONYMOUS})
    assert seen(refused).status_code == 400 and "reporter" in refused.json()["error"]["fields"]
    anonymous = file(stack.url, {"channel": "sms", "category": "privasi_uji", "text": "Got tersumbat",
                                 "anonymous": True}, headers={"Idempotency-Key": "anon-1"})
    posted = requests.post(stack.url + "/open311/v2/requests.json", timeout=15, data={
        "service_code": "privasi_uji", "description": "Trotoar rusak", "lat": "-4.0135", "long": "119.6255",
        **OPEN311})
    assert posted.status_code == 200, posted.text
    open311_token = posted.json()[0]["token"]
    # The public pages' door: the form (with a photo), its receipt, the reporter's own view.
    seen(requests.get(f"{stack.url}/lapor?instansi={dinas.agency_id}&pintu=ptsp", timeout=15))
    receipt = seen(requests.post(f"{stack.url}/lapor", timeout=15, data={
        "isi": "Trotoar berlubang di depan kantor", "instansi": dinas.agency_id, "pintu": "ptsp",
        "nama": BY_FORM["name"], "telepon": BY_FORM["phone"], "email": BY_FORM["email"]},
        files=[("berkas", ("trotoar.png", png_pixel(), "image/png"))]))
    assert receipt.status_code == 200, receipt.text
    form_number = receipt.text.split('id="nomor">', 1)[1].split("<", 1)[0]
    form_secret = receipt.text.split('id="kode">', 1)[1].split("<", 1)[0]

    # Routing, answers, forwarding and the lifecycle, by the agencies in charge.
    complaint = eventually(lambda: listed(dinas, named["tracking_number"]))
    assert complaint["reporter"]["phone"] in identities(OPEN)  # the agency in charge may see a named reporter
    url = f"/api/v1/complaints/{complaint['id']}"
    for status in ("verified", "assigned", "in_progress"):
        assert dinas.post(url + "/status", json={"status": status}).status_code == 200
    assert dinas.post(url + "/notes", json={"text": "Petugas ke lokasi", "visibility": "internal"}).status_code == 200
    assert dinas.post(url + "/notes", json={"text": "Sedang ditangani", "visibility": "public"}).status_code == 200
    assert dinas.post(url + "/status", json={"status": "responded", "reason": "Lampu diganti"}).status_code == 200
    confirmed = requests.post(f"{stack.url}/api/v1/complaints/track/{named['tracking_number']}", timeout=15,
                              json={"reporter_secret": named["reporter_secret"], "action": "confirm"})
    assert seen(confirmed).status_code == 200

    other = eventually(lambda: listed(dinas, open311_token))
    other_url = f"/api/v1/complaints/{other['id']}"
    assert dinas.post(other_url + "/forward", json={"to_agency_id": polres.agency_id,
                                                    "reason": "Urusan lalu lintas"}).status_code == 200
    assert polres.post(other_url + "/forward/accept", json={}).status_code == 200
    assert polres.post(other_url + "/status", json={"status": "verified"}).status_code == 200
    eventually(lambda: listed(dinas, anonymous["tracking_number"]))

    # The confidential complaint: its parent agency handles it without the identity; the coordinator sees it.
    hidden = eventually(lambda: listed(polres, confidential["tracking_number"]))
    assert polres.post(f"/api/v1/complaints/{hidden['id']}/status", json={"status": "verified"}).status_code == 200
    for answer in (polres.get("/api/v1/complaints"), polres.get(f"/api/v1/complaints/{hidden['id']}")):
        assert answer.status_code == 200 and not leaks(answer.text, identities(CONFIDENTIAL))
    coordinator_view = coordinator.get(f"/api/v1/complaints/{hidden['id']}").json()
    assert coordinator_view["reporter"]["email"] == CONFIDENTIAL["email"]
    assert coordinator.get(f"/api/v1/complaints/{complaint['id']}").json()["reporter"] is not None
    anonymous_view = coordinator.get(f"/api/v1/complaints/{listed(dinas, anonymous['tracking_number'])['id']}")
    assert anonymous_view.json()["reporter"] is None

    # Every public view.
    tracked(stack.url, form_number)
    own_view = seen(requests.post(f"{stack.url}/lacak/{form_number}", timeout=15,
                                  data={"kode": form_secret, "aksi": "buka"}))
    assert own_view.status_code == 200 and "trotoar.png" in own_view.text
    for number in (named["tracking_number"], confidential["tracking_number"], anonymous["tracking_number"],
                   open311_token, form_number):
        tracked(stack.url, number)
        seen(requests.get(f"{stack.url}/api/v1/complaints/track/{number}", timeout=15))
        tracking_page = seen(requests.get(f"{stack.url}/lacak/{number}", timeout=15))
        assert tracking_page.status_code == 200 and "text/html" in tracking_page.headers["Content-Type"]
    confidential_page = requests.get(f"{stack.url}/lacak/{confidential['tracking_number']}", timeout=15).text
    assert "Pungutan liar" not in confidential_page and "Sedang ditangani" in requests.get(
        f"{stack.url}/lacak/{named['tracking_number']}", timeout=15).text
    open311 = stack.url + "/open311/v2"
    request_id = seen(requests.get(f"{open311}/tokens/{open311_token}.json", timeout=15)).json()[0]["service_request_id"]
    for path in (f"requests/{request_id}", f"requests/{complaint['id']}", f"requests/{hidden['id']}", "requests"):
        seen(requests.get(f"{open311}/{path}.json", timeout=15))
    assert request_id in seen(requests.get(f"{open311}/requests.json", timeout=15)).text

    # An information request: registered, forwarded, decided, objected to, tracked.
    asked = seen(requests.post(stack.url + "/api/v1/information/requests", timeout=15, json={
        "agency_id": dinas.agency_id, "requester": REQUESTER, "identity_number": IDENTITY_NUMBER,
        "information": "Daftar aset dinas", "purpose": "Penelitian", "obtain": "see", "delivery": "pickup"}))
    assert asked.status_code == 201, asked.text
    number = asked.json()["registration_number"]
    information = next(r for r in dinas.get("/api/v1/information/requests").json()["requests"]
                       if r["registration_number"] == number)
    assert information["requester"]["email"] == REQUESTER["email"]  # the PPID handling it sees the requester
    info_url = f"/api/v1/information/requests/{information['id']}"
    assert dinas.post(info_url + "/forward", json={"to_agency_id": polres.agency_id,
                                                   "reason": "Aset dicatat Polres"}).status_code == 200
    assert polres.post(info_url + "/forward/accept", json={}).status_code == 200
    assert polres.post(info_url + "/decision", json={
        "decision": "refused", "exemption": {"article": "c", "consequence_test": "Keamanan"}}).status_code == 200
    objected = requests.post(f"{stack.url}/api/v1/information/track/{number}/objection", timeout=15, json={
        "identity_number": IDENTITY_NUMBER, "grounds": ["refused"], "reason": "Aset publik"})
    assert seen(objected).status_code == 200, objected.text
    seen(requests.get(f"{stack.url}/api/v1/information/track/{number}", timeout=15))
    assert seen(requests.get(f"{stack.url}/informasi/lacak/{number}", timeout=15)).status_code == 200

    # A person of the agency: invited, sets a password, signs in, acts in the console, signs out.
    invited = dinas.post(f"/api/v1/agencies/{dinas.agency_id}/accounts", json=OFFICER)
    assert invited.status_code == 201, invited.text
    password = "kata-sandi-privasi"
    assert requests.post(invited.json()["invite_link"], data={"password": password, "password_again": password},
                         allow_redirects=False, timeout=15).status_code == 303
    browser = requests.Session()
    assert console_sign_in(stack.url, OFFICER["email"], "wrong-one", browser).status_code == 400
    assert console_sign_in(stack.url, OFFICER["email"], password, browser).status_code == 303
    console = browser.get(f"{stack.url}/console/", timeout=15)
    token = console.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert browser.post(f"{stack.url}/console/keluar", data={"csrf_token": token}, timeout=15).status_code == 200

    # Then the scan. Events are relayed after commit: wait for the last status change's and the sign-out's.
    events = []

    def relayed_to_the_last():
        events.extend(captured_events(stack))
        return (any(hidden["id"] in body and '"verified"' in body for body, _ in events)
                and any('"information.objection_filed"' in body for body, _ in events)
                and any('"session.ended"' in body for body, _ in events))

    eventually(relayed_to_the_last)
    # The notifications service wrote to the named reporter (received, then each status) and to nobody anonymous.
    eventually(lambda: any("diverifikasi" in m.get_body(("plain",)).get_content() for m in stack.mail.to(OPEN["email"])))
    assert stack.mail.to(ANONYMOUS["email"]) == []
    names = {json.loads(body)["name"] for body, _ in events}
    assert {"agency.registered", "complaint.status_changed", "complaint.forwarded", "account.invited",
            "account.activated", "session.ended"} <= names
    log = stack.log()
    if stack.log_format == "json":
        # Scanned as written and as decoded: JSON escapes would hide a name with non-ASCII letters.
        log += "\n".join(json.dumps(record, ensure_ascii=False) for record in json_log_records(log))
    assert f"complaint {complaint['id']} received" in log, "the scan must read the services' log"
    assert leaks(log) == []
    assert [leaks(body + headers) for body, headers in events if leaks(body + headers)] == []
    assert [leaks(text) for text in views if leaks(text)] == []
