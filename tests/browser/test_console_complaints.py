"""Officers handle a complaint in the console, as they click it: Polres verifies it and forwards it
to the transport office ("bukan wewenang": street lights), which refuses, the coordinator decides it is
Polres's after all, and Polres answers the reporter in public; on the way each sees it waiting on their home page with its
working days left, and the coordinator downloads the list as CSV. axe runs on every page seen."""
import base64
import csv
import io
import re
import time
from types import SimpleNamespace

import pytest
import requests
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, created, look, pick_agency, set_password, sign_in

ANSWER = "Lampu jalan di Jalan Bau Massepe sudah diperbaiki pada 2 Desember."


def a_photo():
    output = io.BytesIO()
    Image.new("RGB", (12, 8), (20, 20, 60)).save(output, "PNG")
    return base64.b64encode(output.getvalue()).decode()


POLRES_OPTION = "Kepolisian Resor Parepare (POLRES-PAREPARE)"
DISHUB_OPTION = "Dinas Perhubungan Kota Parepare (DISHUB-PAREPARE)"


@pytest.fixture(scope="module")
def dishub(stack, forum):
    """The city's transport office, with an officer's account."""
    agency = created(forum.coordinator.post("/api/v1/agencies", json={
        "name": "Dinas Perhubungan Kota Parepare", "short_name": "DISHUB-PAREPARE", "kind": "opd",
        "region_code": "73.72"}))
    email = "rina@dishub.example.go.id"  # Rina Marlina, an officer
    invited = created(forum.coordinator.post(f"/api/v1/agencies/{agency['id']}/accounts", json={
        "name": "Rina Marlina", "email": email, "account_role": "officer"}))
    set_password(stack, invited["invite_link"], PASSWORD)
    return SimpleNamespace(email=email, password=PASSWORD)


@pytest.fixture(scope="module")
def complaint(stack, forum, dishub):
    """A complaint a citizen filed on the public form, addressed to Polres, once it is stored."""
    accepted = requests.post(stack.url + "/api/v1/complaints", timeout=15, json={
        "channel": "web", "text": "Lampu jalan mati sejak sepekan di Jalan Bau Massepe, rawan begal malam hari.",
        "category": "keamanan", "target_agency_id": forum.polres["id"],
        "reporter": {"name": "Rahmat Hidayat", "email": "rahmat@example.org"},
        "files": [{"filename": "lampu-mati.png", "content_type": "image/png", "data": a_photo()}]})
    assert accepted.status_code == 202, accepted.text
    number = accepted.json()["tracking_number"]
    deadline = time.monotonic() + 30
    while requests.get(f"{stack.url}/api/v1/complaints/track/{number}", timeout=15).status_code != 200:
        assert time.monotonic() < deadline, "the complaint was not stored"
        time.sleep(0.3)
    return accepted.json()


def officer(browser, stack, account):
    context = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, account.email, account.password)
    return page


def test_a_complaint_goes_from_verification_to_a_public_answer_with_a_forward_refused_and_decided(
        browser, stack, forum, dishub, complaint):
    number = complaint["tracking_number"]
    polres = officer(browser, stack, forum.accounts["polres"])
    polres.goto("/console/")
    waiting = polres.locator("li", has=polres.get_by_role("link", name=number))
    expect(waiting).to_contain_text("Sisa 3 hari kerja")  # green, said in words too
    expect(waiting.locator(".badge.ok")).to_be_visible()
    look(polres, "konsol-beranda-polres")

    waiting.get_by_role("link", name=number).click()
    expect(polres.get_by_role("heading", level=1)).to_have_text(f"Pengaduan {number}")
    expect(polres.locator("main")).to_contain_text("Rahmat Hidayat")
    with polres.expect_download() as photo:  # the reporter's photo, to those who may see the complaint
        polres.get_by_role("link", name="lampu-mati.png").click()
    with open(photo.value.path(), "rb") as saved:
        assert Image.open(saved).size == (12, 8)
    polres.get_by_label("Ditunda").check()
    polres.get_by_role("button", name="Ubah status").click()
    expect(polres.locator(".error-summary")).to_contain_text("Alasan")  # a hold needs a reason
    look(polres, "konsol-pengaduan-alasan-kurang")
    polres.get_by_label("Diverifikasi").check()
    polres.get_by_role("button", name="Ubah status").click()
    expect(polres.get_by_role("status")).to_have_text("Status telah diubah.")
    pick_agency(polres, "forward-to_agency_id", "dishub", DISHUB_OPTION)
    polres.locator("#forward-reason").fill("Bukan wewenang kepolisian: lampu penerangan jalan urusan Dishub.")
    polres.get_by_role("button", name="Ajukan pelimpahan").click()
    expect(polres.get_by_role("status")).to_contain_text("Pelimpahan telah diajukan")
    look(polres, "konsol-pengaduan-dilimpahkan")
    complaint_path = re.sub(r"^https?://[^/]+", "", polres.url.split("?")[0])

    transport = officer(browser, stack, dishub)
    transport.goto("/console/")
    proposed = transport.locator("li", has=transport.get_by_role("link", name=number))
    expect(proposed).to_contain_text("Bukan wewenang kepolisian")
    look(transport, "konsol-beranda-limpahan")
    proposed.get_by_role("link", name=number).click()
    transport.locator("#answer_forward-reason").fill("Yang diadukan rawan begal: keamanan, wewenang Polres.")
    transport.get_by_role("button", name="Tolak: bukan wewenang kami").click()
    expect(transport.get_by_role("status")).to_contain_text("Anda menolak pelimpahan")
    look(transport, "konsol-pengaduan-limpahan-ditolak")

    coordinator = officer(browser, stack, forum.accounts["coordinator"])
    coordinator.goto("/console/")
    triage = coordinator.locator("section", has=coordinator.get_by_role("heading", name="Pengaduan"))
    expect(triage.get_by_role("link", name=number)).to_be_visible()
    look(coordinator, "konsol-beranda-koordinator")
    triage.get_by_role("link", name=number).first.click()
    pick_agency(coordinator, "decide-agency_id", "polres", POLRES_OPTION)
    coordinator.locator("#decide-reason").fill("Pengaduan keamanan: Polres menindaklanjuti, Dishub membantu.")
    coordinator.get_by_role("button", name="Putuskan").click()
    expect(coordinator.get_by_role("status")).to_have_text("Instansi penanggung jawab telah diputuskan.")
    trail = coordinator.locator(".timeline li", has_text="Pelimpahan: ditolak")
    expect(trail).to_contain_text("Rina Marlina (DISHUB-PAREPARE)")  # who acted, by name
    look(coordinator, "konsol-pengaduan-diputuskan")

    polres.goto(complaint_path)
    polres.get_by_label("Sudah dijawab").check()
    polres.locator("#status-reason").fill(ANSWER)
    polres.get_by_role("button", name="Ubah status").click()
    expect(polres.get_by_role("status")).to_have_text("Status telah diubah.")
    expect(polres.locator(".cards", has_text="Jawaban publik")).to_contain_text(ANSWER)
    look(polres, "konsol-pengaduan-dijawab")
    polres.goto(f"/lacak/{number}")
    expect(polres.locator(".answers")).to_contain_text(ANSWER)

    coordinator.goto("/console/pengaduan/angka")
    expect(coordinator.locator("svg[role=img] title").first).to_have_text("Pengaduan terbuka yang terlambat per instansi")
    look(coordinator, "konsol-pengaduan-angka")
    coordinator.goto("/console/pengaduan?status=responded")
    expect(coordinator.get_by_role("link", name=number)).to_be_visible()
    look(coordinator, "konsol-pengaduan-daftar")
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.reader(exported))
    assert rows[0][0] == "Nomor pelacakan" and [row[0] for row in rows[1:]] == [number]
    assert rows[1][2] == "Sudah dijawab" and "Rahmat Hidayat" in rows[1]
