"""Telling people, end to end: a real SMTP server on loopback and a local stand-in for the WhatsApp
Cloud API, one stack with both configured. A citizen files on WhatsApp by a signed webhook and gets
the tracking number (a forged signature is refused, a redelivery files once); a reporter is written
to by mail (and turns a kind off by the link); a photo on WhatsApp joins the citizen's complaint
without its metadata; a redelivered event sends nothing new; the mail server down for a while loses
nothing; an officer hears of a forward by mail and an admin gets one digest of three items; an
information request filed over HTTP is told to the agency's officer, without the requester.

WhatsApp as Meta answers (the stand-in refuses what Meta refuses and posts its status webhooks): the
door answers anything 200, 400 or 403, never 500; a reporter outside the 24-hour window hears by
template and Meta's statuses reach the delivery log; a failure Meta reports later is sent again; a
sender known only by a business-scoped user id is answered by it; an officer's alert is a template
Meta accepts."""
import hashlib
import hmac
import io
import json
import re
import time
import uuid
from datetime import datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from kombu import Connection
from nameko.events import get_event_exchange
from PIL import Image

from bakohumas.harness import Api, FakeWhatsApp, LocalStack, MailSink, console_sign_in
from bench.console import PASSWORD, signed_in_cookie
from shared.contracts import seal
from tests.clock import wall_now
from tests.e2e.complaints_e2e_support import eventually, file, tracked

pytestmark = pytest.mark.e2e

APP_SECRET = "app-secret-for-tests"
WITA = ZoneInfo("Asia/Makassar")
VERIFY_TOKEN = "verify-me"
PUBLIC_URL = "http://hub.example.test"
CITIZEN = "6281355500111"
REPORTER_EMAIL = "ratna.pelapor@example.id"
COORDINATOR_ADMIN = "admin@humas-koord.example.go.id"


@pytest.fixture(scope="module")
def reach():
    """A stack with mail and WhatsApp on; ``reach.mail``, ``reach.whatsapp``, ``reach.coordinator``."""
    mail, whatsapp = MailSink().start(), FakeWhatsApp().start()
    stack = LocalStack(extra_env={
        "SMTP_URL": mail.url, "MAIL_FROM": "Bakohumas Hub <no-reply@hub.example.test>",
        "WHATSAPP_API_URL": whatsapp.url, "WHATSAPP_TOKEN": "test-token", "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET, "PUBLIC_URL": PUBLIC_URL,
        "NOTIFY_RETRY_BASE_SECONDS": "1"})
    try:
        stack.start()
        whatsapp.report_statuses_to(stack.url + "/webhooks/whatsapp", APP_SECRET)
        stack.mail, stack.whatsapp = mail, whatsapp
        made = stack.bootstrap(admin_email=COORDINATOR_ADMIN)
        stack.made = made
        stack.coordinator = Api(stack.url, made["api_key"])
        stack.coordinator.agency_id = made["agency_id"]
        yield stack
    finally:
        stack.stop()
        mail.stop()
        whatsapp.stop()


def webhook(message_id, body_of_message, sender=CITIZEN, sent_at=None):
    """A Cloud API webhook body carrying one incoming message (sent now, or at ``sent_at``)."""
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA-1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "62421000", "phone_number_id": "1"},
            "contacts": [{"profile": {"name": "Warga"}, "wa_id": sender}],
            "messages": [{"from": sender, "id": message_id, "timestamp": str(int(sent_at or wall_now().timestamp())),
                          **body_of_message}]}}]}]}).encode()


def post_signed(stack, raw, secret=APP_SECRET, meta_heard=True):
    """Post ``raw`` as Meta would; Meta (the stand-in) knows the sender wrote, unless ``meta_heard`` is false."""
    if meta_heard and secret == APP_SECRET:
        stack.whatsapp.note_incoming(raw)
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return requests.post(stack.url + "/webhooks/whatsapp", data=raw, timeout=15,
                         headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})


def texts_to(stack, phone):
    return [body["text"]["body"] for body in stack.whatsapp.to(phone) if body["type"] == "text"]


def test_a_citizen_files_on_whatsapp_and_gets_the_tracking_number(reach):
    handshake = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answer = requests.get(reach.url + "/webhooks/whatsapp", params=handshake, timeout=15)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    wrong = requests.get(reach.url + "/webhooks/whatsapp", params={**handshake, "hub.verify_token": "guess"}, timeout=15)
    assert wrong.status_code == 403

    forged = webhook("wamid.forged", {"type": "text", "text": {"body": "Pesan palsu tanpa tanda tangan"}})
    assert post_signed(reach, forged, secret="not-the-app-secret").status_code == 403
    assert requests.post(reach.url + "/webhooks/whatsapp", data=forged, timeout=15,
                         headers={"Content-Type": "application/json"}).status_code == 403

    first = webhook("wamid.first-1", {"type": "text", "text": {"body": "Lampu jalan di Jl. Lasinrang mati seminggu"}})
    assert post_signed(reach, first).json() == {"queued": 1}
    assert post_signed(reach, first).status_code == 200  # Meta delivers again: it files once
    [reply] = eventually(lambda: texts_to(reach, CITIZEN), timeout=60)
    number = reply.split("nomor ")[1].split(".")[0]
    assert number.startswith("DUMAS-") and f"{PUBLIC_URL}/lacak/{number}" in reply
    assert reach.whatsapp.received[0]["authorization"] == "Bearer test-token"
    assert reach.whatsapp.received[0]["path"] == "/v26.0/1234567890/messages"
    assert tracked(reach.url, number)["status"] == "received"
    triage = reach.coordinator.get("/api/v1/complaints", params={"triage": "true"}).json()["complaints"]
    assert [(c["channel"], c["category"]) for c in triage if c["tracking_number"] == number] == [("whatsapp", None)]

    post_signed(reach, webhook("wamid.check-1", {"type": "text", "text": {"body": f"cek {number.lower()}"}}))
    post_signed(reach, webhook("wamid.status-1", {"type": "text", "text": {"body": "STATUS"}}))
    reach.whatsapp.media["media-1"] = photo_with_exif()
    photo = webhook("wamid.photo-1", {"type": "image", "image": {"id": "media-1", "mime_type": "image/jpeg"}})
    post_signed(reach, photo)
    post_signed(reach, webhook("wamid.more-1", {"type": "text", "text": {"body": "Tolong segera"}}))
    replies = eventually(lambda: (lambda got: got if len(got) >= 5 else None)(texts_to(reach, CITIZEN)), timeout=60)
    assert sum(f"Status pengaduan {number}: diterima" in text for text in replies) == 2  # CEK and STATUS
    assert sum(f"Foto Anda ditambahkan ke pengaduan {number}" in text for text in replies) == 1
    assert sum("CEK <nomor>" in text for text in replies) == 1  # a second message: help
    post_signed(reach, photo)  # delivered again: added once
    time.sleep(1.5)
    assert len(texts_to(reach, CITIZEN)) == 5  # nothing twice, nothing for the forged message
    triage = reach.coordinator.get("/api/v1/complaints", params={"triage": "true"}).json()["complaints"]
    [mine] = [c for c in triage if c["channel"] == "whatsapp"]
    [stored] = reach.coordinator.get(f"/api/v1/complaints/{mine['id']}").json()["files"]
    content = reach.coordinator.get(f"/api/v1/complaints/{mine['id']}/attachments/{stored['id']}").content
    assert stored["content_type"] == "image/jpeg" and content.startswith(b"\xff\xd8") and b"KameraRahasia" not in content


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["entry", "changes", "value", "messages", "statuses", "id", "from", "type",
                                         "text", "body", "status", "errors"]) | st.text(max_size=6), inner, max_size=4),
                    max_leaves=20)


def test_the_door_answers_anything_with_200_400_or_403_never_500(reach):
    handshake = {"hub.mode": "subscribe", "hub.verify_token": "vérify-mé 😀", "hub.challenge": "1"}
    assert requests.get(reach.url + "/webhooks/whatsapp", params=handshake, timeout=15).status_code == 403
    raw = webhook("wamid.any", {"type": "text", "text": {"body": "Halo"}})
    for header in ("sha256=é".encode("utf-8"), "sha256=ü".encode("latin-1"), "😀".encode("utf-8")):
        assert requests.post(reach.url + "/webhooks/whatsapp", data=raw, timeout=15, headers={
            "Content-Type": "application/json", "X-Hub-Signature-256": header}).status_code == 403
    for body in ({"entry": ["not an object"]}, {"entry": [{"changes": [{"value": "not an object"}]}]},
                 {"entry": [{"changes": [{"value": {"messages": [{"id": "w", "from": CITIZEN, "type": "text",
                                                                  "text": "not an object"}]}}]}]}):
        assert post_signed(reach, json.dumps(body).encode(), meta_heard=False).status_code == 400

    @settings(max_examples=30, deadline=None)
    @given(JSON)
    def thrown(payload):
        answer = post_signed(reach, json.dumps(payload).encode(), meta_heard=False)
        assert answer.status_code in (200, 400), answer.text

    thrown()
    assert "a signed WhatsApp webhook body was refused: wrong or missing entry.0" in reach.log()


def delivery(stack, kind, recipient="reporter"):
    items = stack.coordinator.get("/api/v1/notifications/deliveries", params={"kind": kind, "limit": 200}).json()
    return [m for m in items["items"] if m["recipient"] == recipient and m["channel"] == "whatsapp"]


def test_a_reporter_outside_the_24_hour_window_hears_by_template_and_metas_statuses_are_kept(reach):
    late = "6281355500222"  # wrote 25 hours ago: Meta delivered the webhook late (it retries for days)
    post_signed(reach, webhook("wamid.late-1", {"type": "text", "text": {"body": "Pohon tumbang di Jl. Bau Massepe"}},
                               sender=late, sent_at=wall_now().timestamp() - 25 * 3600))
    [receipt] = eventually(lambda: reach.whatsapp.to(late), timeout=60)
    assert receipt["type"] == "template" and receipt["template"]["name"] == "bakohumas_complaint_received"
    notice, link = (p["text"] for p in receipt["template"]["components"][0]["parameters"])
    assert "DUMAS-" in notice and link.startswith(f"{PUBLIC_URL}/lacak/DUMAS-")
    [logged] = eventually(lambda: [m for m in delivery(reach, "complaint_received") if m["reported"] == "delivered"],
                          timeout=30)
    assert logged["state"] == "sent"
    replayed = webhook("wamid.late-1", {"type": "text", "text": {"body": "Pohon tumbang di Jl. Bau Massepe"}},
                       sender=late, sent_at=wall_now().timestamp() - 25 * 3600)
    assert post_signed(reach, replayed).json() == {"queued": 1}  # the same signed message, replayed later
    time.sleep(2)
    assert len(reach.whatsapp.to(late)) == 1
    triage = reach.coordinator.get("/api/v1/complaints", params={"triage": "true", "limit": 200}).json()["complaints"]
    assert [c["tracking_number"] for c in triage].count(link.rsplit("/", 1)[1]) == 1


def test_a_failure_meta_reports_later_is_sent_again_as_a_template(reach):
    unknown = "6281355500333"  # Meta holds no open window for them (our record and Meta's disagree)
    post_signed(reach, webhook("wamid.unknown-1", {"type": "text", "text": {"body": "Saluran air tersumbat"}},
                               sender=unknown), meta_heard=False)
    [arrived] = eventually(lambda: reach.whatsapp.to(unknown), timeout=60)
    assert arrived["type"] == "template"
    assert [r["body"]["type"] for r in reach.whatsapp.refused if r["body"].get("to") == unknown] == ["text"]
    [logged] = eventually(lambda: [m for m in delivery(reach, "complaint_received")
                                   if m["attempts"] == 2 and m["reported"] == "delivered"], timeout=30)
    assert logged["state"] == "sent" and logged["last_error"] is None
    log = reach.log()
    assert unknown not in log and "Saluran air" not in log


def test_a_sender_known_only_by_a_business_scoped_user_id_is_answered_by_it(reach):
    bsuid = "ID.1502576394655843"
    raw = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA-1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "62421000", "phone_number_id": "1"},
            "contacts": [{"profile": {"name": "Warga", "username": "@warga"}, "user_id": bsuid}],
            "messages": [{"from_user_id": bsuid, "id": "wamid.bsuid-1", "timestamp": str(int(wall_now().timestamp())),
                          "type": "text", "text": {"body": "Lampu taman mati"}}]}}]}]}).encode()
    assert post_signed(reach, raw).json() == {"queued": 1}
    [reply] = eventually(lambda: reach.whatsapp.to(bsuid), timeout=60)
    assert reply["recipient"] == bsuid and "to" not in reply and reply["type"] == "text"
    assert reply["text"]["body"].endswith(f"{PUBLIC_URL}/lapor") and "nama pengguna" in reply["text"]["body"]
    assert "business-scoped user id was answered" in reach.log() and bsuid not in reach.log()


def photo_with_exif():
    """A JPEG whose EXIF names the camera (what a photo must not carry into the complaint)."""
    image, exif, out = Image.new("RGB", (64, 48), "red"), Image.Exif(), io.BytesIO()
    exif[0x010F] = "KameraRahasia"
    image.save(out, "JPEG", exif=exif)
    assert b"KameraRahasia" in out.getvalue()
    return out.getvalue()


def mails_with(stack, words):
    return [m for m in stack.mail.to(REPORTER_EMAIL) if words in m["Subject"]]


def test_a_reporter_is_told_by_mail_and_a_mail_server_down_loses_nothing(reach):
    filed = file(reach.url, {"channel": "web", "text": "Sampah menumpuk di Pasar Senggol sejak Senin",
                             "category": "kebersihan", "reporter": {"name": "Ratna", "email": REPORTER_EMAIL}})
    number = filed["tracking_number"]
    [received] = eventually(lambda: mails_with(reach, number), timeout=60)
    assert received["Subject"] == f"Pengaduan diterima: {number}"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert f"{PUBLIC_URL}/lacak/{number}" in text and f'href="{PUBLIC_URL}/lacak/{number}"' in html
    assert "Sampah menumpuk" not in text + html  # never the complaint's text
    unsubscribe = received["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(PUBLIC_URL + "/notifikasi/berhenti/") and unsubscribe in text

    complaint_id = next(c["id"] for c in reach.coordinator.get("/api/v1/complaints", params={"triage": "true"})
                        .json()["complaints"] if c["tracking_number"] == number)
    reach.mail.stop()  # the mail server is away for a while
    assert reach.coordinator.post(f"/api/v1/complaints/{complaint_id}/status",
                                  json={"status": "verified"}).status_code == 200
    time.sleep(3)
    reach.mail.start()
    [verified] = eventually(lambda: mails_with(reach, f"Status pengaduan {number}"), timeout=60)
    assert "diverifikasi" in verified.get_body(("plain",)).get_content()
    failed = reach.coordinator.get("/api/v1/notifications/deliveries", params={"kind": "complaint_status"}).json()
    assert [(m["state"], m["recipient"]) for m in failed["items"]] == [("sent", "reporter")]
    assert failed["items"][0]["attempts"] >= 2 and "mail" in failed["channels_on"]

    # The link in a mail: a page that asks, then turns this kind (status changes) off.
    token_path = verified["List-Unsubscribe"].strip("<>")[len(PUBLIC_URL):]
    assert token_path != unsubscribe[len(PUBLIC_URL):]  # each kind its own link
    page = requests.get(reach.url + token_path, timeout=15)
    assert page.status_code == 200 and 'method="post"' in page.text
    done = requests.post(reach.url + token_path, timeout=15)
    assert done.status_code == 200 and "tidak akan menerima" in done.text
    assert requests.get(reach.url + token_path[:-3] + "abc", timeout=15).status_code == 404

    # A redelivered event (the same envelope twice) sends one mail, once.
    answered = seal("complaint.answered", {"complaint_id": complaint_id, "category": "kebersihan", "agency_id": None})
    with Connection(reach.vhost.amqp_uri) as connection:
        producer = connection.Producer()
        exchange = get_event_exchange("complaints", {})
        for _ in range(2):
            producer.publish(answered, exchange=exchange, routing_key="complaint.answered", declare=[exchange],
                             serializer="json")
    eventually(lambda: mails_with(reach, f"Jawaban untuk pengaduan {number}"), timeout=30)
    time.sleep(1.5)
    assert len(mails_with(reach, f"Jawaban untuk pengaduan {number}")) == 1
    assert reach.coordinator.post(f"/api/v1/complaints/{complaint_id}/status", json={
        "status": "rejected", "reason": "Bukan lokasi kami"}).status_code == 200
    eventually(lambda: tracked(reach.url, number)["status"] == "rejected")
    time.sleep(1.5)
    assert mails_with(reach, f"Status pengaduan {number}") == [verified]  # the kind was turned off

    log = reach.log()
    assert REPORTER_EMAIL not in log and CITIZEN not in log and "+" + CITIZEN not in log


def agency_with_key(stack, short_name):
    made = stack.coordinator.post("/api/v1/agencies", json={
        "name": f"Instansi {short_name}", "short_name": short_name, "kind": "opd", "role": "member",
        "region_code": "73.72"})
    assert made.status_code == 201, made.text
    key = stack.coordinator.post(f"/api/v1/agencies/{made.json()['id']}/keys", json={"label": "notify"})
    client = Api(stack.url, key.json()["api_key"])
    client.agency_id = made.json()["id"]
    return client


def account(stack, agency, email, role):
    """An active account of ``agency``: invited with the agency's key, its password set on the invitation page."""
    invited = agency.post(f"/api/v1/agencies/{agency.agency_id}/accounts",
                          json={"name": f"Petugas {email.split('@')[0]}", "email": email, "account_role": role})
    assert invited.status_code == 201, invited.text
    link = invited.json()["invite_link"]
    accepted = requests.post(stack.url + link[link.index("/console/"):], timeout=15, allow_redirects=False,
                             data={"password": "kata-sandi-panjang-1", "password_again": "kata-sandi-panjang-1"})
    assert accepted.status_code == 303, accepted.text


def next_digest_after(moment):
    """07:00 WITA of the day after ``moment``'s WITA day: a digest time after every notice, whatever
    the hour the test runs at (Polres' region is WITA)."""
    day = moment.astimezone(WITA).date() + timedelta(days=1)
    return datetime.combine(day, dt_time(7), tzinfo=WITA).isoformat()


def test_an_officer_hears_of_a_forward_by_mail_and_an_admin_gets_one_digest(reach):
    suffix = uuid.uuid4().hex[:6].upper()
    dinas, polres = agency_with_key(reach, f"DINAS-{suffix}"), agency_with_key(reach, f"POLRES-{suffix}")
    officer, admin = f"officer-{suffix.lower()}@dinas.example.go.id", f"admin-{suffix.lower()}@polres.example.go.id"
    account(reach, dinas, officer, "officer")
    account(reach, polres, admin, "admin")  # an admin's default for complaints: the daily digest

    numbers = []
    for text in ("Balap liar tiap malam di Jl. Andi Makkasau", "Parkir liar di depan sekolah",
                 "Lampu lalu lintas mati di simpang lima"):
        numbers.append(eventually(lambda: file(reach.url, {
            "channel": "web", "category": "lalu_lintas", "text": text, "anonymous": True,
            "target_agency_id": polres.agency_id}))["tracking_number"])
    listed = eventually(lambda: (lambda found: found if len(found) == 3 else None)(
        [c for c in polres.get("/api/v1/complaints").json()["complaints"] if c["tracking_number"] in numbers]), timeout=60)
    forwarded = polres.post(f"/api/v1/complaints/{listed[0]['id']}/forward", json={
        "to_agency_id": dinas.agency_id, "reason": "Lampu lalu lintas urusan dinas perhubungan"})
    assert forwarded.status_code == 200, forwarded.text

    [mail] = eventually(lambda: reach.mail.to(officer), timeout=60)
    assert mail["Subject"] == "Pengaduan untuk instansi Anda"
    text = mail.get_body(("plain",)).get_content()
    assert "dilimpahkan ke instansi Anda" in text and f"{PUBLIC_URL}/console/pengaduan" in text
    assert "Petugas officer" in text and "Lampu lalu lintas" not in text
    assert reach.mail.to(admin) == []  # it waits for the digest

    waiting = eventually(lambda: (lambda page: page["items"] if page["total"] == 3 else None)(
        polres.get("/api/v1/notifications/deliveries", params={"state": "waiting"}).json()))
    at = next_digest_after(max(datetime.fromisoformat(item["created_at"]) for item in waiting))
    assert "built 1 digest" in reach.bakohumas("digests", "--at", at).stdout
    assert "built 0 digest" in reach.bakohumas("digests", "--at", at).stdout  # once a day, however asked
    [digest] = eventually(lambda: reach.mail.to(admin), timeout=30)
    assert digest["Subject"] == "Ringkasan harian Bakohumas Hub: 3 pemberitahuan"
    assert digest.get_body(("plain",)).get_content().count("Pengaduan baru diarahkan ke instansi Anda") == 3
    time.sleep(1)
    assert len(reach.mail.to(admin)) == 1


def test_an_officer_who_chose_whatsapp_gets_an_alert_meta_accepts(reach):
    """Every alert was one template parameter "notice\nlink", which Meta (and now the stand-in) refuses."""
    suffix = uuid.uuid4().hex[:6].upper()
    dinas = agency_with_key(reach, f"DINAS-WA-{suffix}")
    email, phone = f"wa-{suffix.lower()}@dinas.example.go.id", "+6281355500444"
    invited = dinas.post(f"/api/v1/agencies/{dinas.agency_id}/accounts", json={
        "name": "Petugas WhatsApp", "email": email, "phone": phone, "account_role": "officer"})
    assert invited.status_code == 201, invited.text
    link = invited.json()["invite_link"]
    assert requests.post(reach.url + link[link.index("/console/"):], timeout=15, allow_redirects=False, data={
        "password": PASSWORD, "password_again": PASSWORD}).status_code == 303
    officer = requests.Session()
    assert console_sign_in(reach.url, email, PASSWORD, officer).status_code == 303
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', officer.get(reach.url + "/console/notifikasi", timeout=15)
                     .text).group(1)
    assert officer.post(reach.url + "/console/notifikasi", timeout=15, allow_redirects=False, data={
        "csrf_token": csrf, "channel": "whatsapp"}).status_code == 303

    eventually(lambda: file(reach.url, {"channel": "web", "category": "lalu_lintas", "anonymous": True,
                                         "text": "Marka jalan pudar di depan pasar", "target_agency_id": dinas.agency_id}))
    [alert] = eventually(lambda: reach.whatsapp.to(phone), timeout=60)
    assert alert["type"] == "template" and alert["template"]["name"] == "bakohumas_complaint_assigned"
    notice, link = (p["text"] for p in alert["template"]["components"][0]["parameters"])
    assert "\n" not in notice and link == f"{PUBLIC_URL}/console/pengaduan"
    assert not [r for r in reach.whatsapp.refused if r["body"].get("to") == phone[1:]]
    [logged] = eventually(lambda: [m for m in dinas.get("/api/v1/notifications/deliveries").json()["items"]
                                   if m["channel"] == "whatsapp" and m["reported"] == "delivered"], timeout=30)
    assert (logged["state"], logged["recipient"]) == ("sent", "Petugas WhatsApp")


def test_an_information_request_over_http_tells_the_agencys_officer_by_mail(reach):
    suffix = uuid.uuid4().hex[:6].upper()
    ppid = agency_with_key(reach, f"PPID-{suffix}")
    officer = f"ppid-{suffix.lower()}@ppid.example.go.id"
    account(reach, ppid, officer, "officer")
    requester = {"name": "Nurhayati Pemohon-Informasi", "address": "Jl. Lasinrang 7, Parepare",
                 "email": "nurhayati.pemohon@example.id"}
    body = {"agency_id": ppid.agency_id, "requester": requester, "identity_number": "7372 0101 9001 0042",
            "information": "Data anggaran vaksinasi 2026", "purpose": "Liputan jurnalistik",
            "obtain": "soft_copy", "delivery": "email"}
    accepted = eventually(lambda: (lambda answer: answer.json() if answer.status_code == 201 else None)(
        requests.post(reach.url + "/api/v1/information/requests", json=body, timeout=15)))
    number = accepted["registration_number"]
    request_id = next(r["id"] for r in ppid.get("/api/v1/information/requests").json()["requests"]
                      if r["registration_number"] == number)

    [mail] = eventually(lambda: reach.mail.to(officer), timeout=60)
    assert mail["Subject"] == f"Permohonan informasi baru: {number}"
    text, html = mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()
    assert f"{PUBLIC_URL}/console/informasi/permohonan/{request_id}" in text and "jawab paling lambat" in text
    for personal in ("Nurhayati", "Lasinrang", "nurhayati.pemohon", "7372 0101", "7372010190010042",
                     "anggaran vaksinasi"):
        assert personal not in text + html + mail["Subject"]
    assert reach.mail.to(requester["email"]) == []


def test_an_invited_officer_gets_the_one_time_link_by_mail_and_it_works(reach):
    browser = requests.Session()
    browser.headers["Cookie"] = signed_in_cookie(reach, reach.made, email=COORDINATOR_ADMIN)
    people = browser.get(reach.url + "/console/direktori/akun", timeout=15)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', people.text).group(1)
    invited = browser.post(reach.url + "/console/direktori/akun", timeout=15, data={
        "csrf_token": csrf, "name": "Wulan Sari", "email": "wulan@humas.example.test", "phone": "",
        "account_role": "officer", "language": "id"})
    assert invited.status_code == 200 and "sudah dikirim lewat email ke wulan@humas.example.test" in invited.text
    shown = re.search(r'<p class="secret">([^<]+)</p>', invited.text).group(1)
    [mail] = eventually(lambda: reach.mail.to("wulan@humas.example.test"))
    assert mail["Subject"] == "Undangan ke konsol Bakohumas Hub" and mail["List-Unsubscribe"] is None
    text = mail.get_body(("plain",)).get_content()
    assert shown.startswith(PUBLIC_URL + "/console/undangan/") and shown in text and "Wulan Sari" in text
    path = shown[len(PUBLIC_URL):]
    assert "Wulan Sari" in requests.get(reach.url + path, timeout=15).text
    answer = requests.post(reach.url + path, timeout=15, allow_redirects=False,
                           data={"password": PASSWORD, "password_again": PASSWORD})
    assert answer.status_code == 303
