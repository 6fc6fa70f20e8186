"""Notifikasi in the console: an officer sees that mail is off on this system, chooses when and how
to be told of each kind, saves, and finds the choice kept; the coordinator reads the delivery log."""
import time

import requests
from playwright.sync_api import expect

from tests.browser.conftest import look, sign_in


def test_an_officer_chooses_when_to_be_told_and_the_coordinator_reads_the_log(page, stack, forum):
    officer = forum.accounts["polres"]
    sign_in(page, officer.email, officer.password)
    page.get_by_role("navigation", name="Menu konsol").get_by_role("link", name="Notifikasi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifikasi")
    expect(page.get_by_text("Email tidak aktif di sistem ini")).to_be_visible()
    escalations = page.get_by_label("Tahap yang terlambat atau eskalasi ke kami")
    expect(escalations).to_have_value("immediate")
    look(page, "console-notifikasi")

    escalations.select_option("digest")
    page.get_by_label("WhatsApp").check()
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status")).to_have_text("Pilihan Anda tersimpan.")
    expect(page.get_by_label("Tahap yang terlambat atau eskalasi ke kami")).to_have_value("digest")
    expect(page.get_by_label("WhatsApp")).to_be_checked()
    expect(page.get_by_label("Langganan webhook kami gagal")).to_have_value("off")  # an officer's default

    # A complaint for the Polres: its people are told, or, mail being off here, it is logged as not sent.
    requests.post(stack.url + "/api/v1/complaints", timeout=15, json={
        "channel": "web", "text": "Balap liar tiap malam", "category": "lalu_lintas", "anonymous": True,
        "target_agency_id": forum.polres["id"]})
    deadline = time.monotonic() + 60
    while not forum.coordinator.get("/api/v1/notifications/deliveries").json()["total"]:
        assert time.monotonic() < deadline, "the complaint was never fanned out"
        time.sleep(0.5)
    page.get_by_role("button", name="Keluar").click()
    coordinator = forum.accounts["coordinator"]
    sign_in(page, coordinator.email, coordinator.password)
    page.goto("/console/notifikasi")
    expect(page.get_by_role("heading", name="Catatan pengiriman")).to_be_visible()
    expect(page.get_by_role("cell", name="Tidak dikirim (mail is off)").first).to_be_visible()
    look(page, "console-notifikasi-koordinator")
