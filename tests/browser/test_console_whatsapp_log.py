"""The delivery log says what Meta said: a stack of its own with WhatsApp on (the local stand-in for
Meta posting its status webhooks); a citizen's reply Meta delivered reads "delivered to the phone", a
template Meta refused reads failed with Meta's code and title."""
import hashlib
import hmac
import json
import time

import pytest
import requests
from playwright.sync_api import expect

from bakohumas.harness import Api, FakeWhatsApp, LocalStack
from services.notifications.domain import WHATSAPP_TEMPLATE_KINDS
from tests.browser.conftest import PASSWORD, PUBLIC_URL, look, set_password, sign_in
from tests.clock import wall_now

APP_SECRET = "browser-app-secret"
COORDINATOR = "koordinator@humas.example.go.id"


@pytest.fixture(scope="module")
def stack():
    """This module's own stack (it overrides the session's): WhatsApp on, a template not registered."""
    meta = FakeWhatsApp(templates={f"bakohumas_{kind}": 2 for kind in WHATSAPP_TEMPLATE_KINDS
                                   if kind != "complaint_received"}).start()
    running = LocalStack(extra_env={
        "PUBLIC_URL": PUBLIC_URL, "WHATSAPP_API_URL": meta.url, "WHATSAPP_TOKEN": "test-token",
        "WHATSAPP_PHONE_NUMBER_ID": "1234567890", "WHATSAPP_VERIFY_TOKEN": "verify", "WHATSAPP_APP_SECRET": APP_SECRET})
    try:
        running.start()
        meta.report_statuses_to(running.url + "/webhooks/whatsapp", APP_SECRET)
        running.meta = meta
        yield running
    finally:
        running.stop()
        meta.stop()


def writes(stack, sender, message_id, text, sent_at):
    raw = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"},
                                       "messages": [{"from": sender, "id": message_id, "timestamp": str(int(sent_at)),
                                                     "type": "text", "text": {"body": text}}]}}]}]}).encode()
    stack.meta.note_incoming(raw)
    answer = requests.post(stack.url + "/webhooks/whatsapp", data=raw, timeout=15, headers={
        "Content-Type": "application/json",
        "X-Hub-Signature-256": "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()})
    assert answer.status_code == 200, answer.text


def test_the_coordinator_reads_what_meta_said_of_each_whatsapp_message(page, stack):
    made = stack.bootstrap(admin_email=COORDINATOR)
    set_password(stack, made["console_link"], PASSWORD)
    writes(stack, "6281355500111", "wamid.now-1", "Lampu jalan mati di Jl. Lasinrang", wall_now().timestamp())
    writes(stack, "6281355500222", "wamid.late-1", "Pohon tumbang", wall_now().timestamp() - 25 * 3600)  # window closed
    coordinator = Api(stack.url, made["api_key"])
    deadline = time.monotonic() + 90
    while {(m["state"], m["reported"]) for m in coordinator.get("/api/v1/notifications/deliveries").json()["items"]} \
            < {("sent", "delivered"), ("failed", None)}:
        assert time.monotonic() < deadline, "Meta's answers never reached the delivery log"
        time.sleep(0.5)

    sign_in(page, COORDINATOR, PASSWORD)
    page.goto("/console/notifikasi")
    expect(page.get_by_role("heading", name="Catatan pengiriman")).to_be_visible()
    expect(page.get_by_role("cell", name="Terkirim, sampai di ponsel")).to_be_visible()
    expect(page.get_by_role("cell", name="Gagal setelah percobaan terakhir (Meta 132001: Template name does not "
                                          "exist in the translation)").first).to_be_visible()
    look(page, "console-notifikasi-whatsapp")
