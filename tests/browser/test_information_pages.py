"""A citizen asks a member of the forum for public information in the browser (without JavaScript),
follows the request by its registration number, reads the refusal and objects to it; and reads the
body's Daftar Informasi Publik. The body's PPID works the request in the console: the inbox with its
days left, an extension, the refusal, the DIP editor and the report with its downloads."""
import re

from playwright.sync_api import expect

import requests

from tests.browser.conftest import created, look, pick_agency, sign_in

IDENTITY = "7372 0101 9001 0077"
REFUSAL = {"decision": "refused", "note": "Memuat data pribadi saksi.",
           "exemption": {"article": "a", "consequence_test": "Menghambat proses penyidikan."}}


def test_a_citizen_requests_information_tracks_it_and_objects_to_the_refusal(page_without_javascript, forum):
    page = page_without_javascript
    created(forum.humas.post("/api/v1/information/dip", json={
        "class": "berkala", "title": "Laporan kinerja Polres 2026", "url": "https://polres.example.go.id/lkj"}))
    page.goto("/")
    page.get_by_role("link", name="Ajukan permohonan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajukan permohonan informasi publik")

    # Sent empty: GOV.UK errors, each bad field named and linked.
    page.get_by_role("button", name="Kirim permohonan").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Ada masalah")
    expect(summary.get_by_role("link", name="Tulis nama lengkap Anda")).to_have_attribute("href", "#name")
    expect(summary.get_by_role("link", name="Pilih badan publik yang Anda mintai informasi")).to_be_visible()
    expect(page).to_have_title(re.compile("^Galat:"))
    look(page, "informasi-permohonan-galat")

    pick_agency(page, "agency_id", "kepolisian parepare", "Kepolisian Resor Parepare")
    page.get_by_label("Rincian informasi yang dibutuhkan").fill("Jumlah laporan kehilangan kendaraan 2026")
    page.get_by_label("Tujuan penggunaan informasi").fill("Penelitian mahasiswa")
    page.get_by_label("Salinan elektronik (softcopy)").check()
    page.get_by_label("Melalui email").check()
    page.get_by_label("Nama lengkap").fill("Rahmat Pemohon")
    page.get_by_label("Alamat", exact=True).fill("Jl. Andi Makkasau 3, Parepare")
    page.get_by_label("Email (boleh kosong bila mengisi nomor telepon)").fill("rahmat@example.id")
    page.get_by_label("Nomor identitas (KTP/NIK, paspor, atau SIM)").fill(IDENTITY)
    page.get_by_role("button", name="Kirim permohonan").click()

    panel = page.get_by_role("status")
    expect(panel).to_contain_text("Permohonan Anda terdaftar")
    number = panel.locator(".number").inner_text()
    assert re.fullmatch(r"PPID-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", number)
    expect(page.locator("dl.facts")).to_contain_text("Kepolisian Resor Parepare")
    expect(page.locator("dl.facts")).to_contain_text("WITA")
    expect(page.locator("main")).not_to_contain_text("Rahmat Pemohon")
    look(page, "informasi-terdaftar")

    # The PPID refuses (through the API); the citizen tracks the number as typed from paper.
    listed = forum.humas.get("/api/v1/information/requests").json()["requests"]
    request_id = next(r["id"] for r in listed if r["registration_number"] == number)
    created(forum.humas.post(f"/api/v1/information/requests/{request_id}/decision", json=REFUSAL), 200)
    page.goto("/informasi/lacak")
    page.get_by_label("Nomor pendaftaran").fill(number.lower().replace("-", " "))
    page.get_by_role("button", name="Lacak").click()
    expect(page.locator("dl.facts")).to_contain_text("Ditolak")
    expect(page.locator("main")).to_contain_text("Pasal 17 huruf a")
    expect(page.locator("main")).to_contain_text("Menghambat proses penyidikan.")
    look(page, "informasi-ditolak")

    page.get_by_role("link", name="Ajukan keberatan").click()
    page.get_by_label("Nomor identitas yang diberikan saat permohonan").fill("7372010190019999")
    page.get_by_label("Permohonan ditolak dengan alasan pengecualian (Pasal 17)").check()
    page.get_by_label("Keberatan Anda", exact=True).fill("Data statistik tidak menghambat penyidikan.")
    page.get_by_role("button", name="Ajukan keberatan").click()
    expect(page.get_by_role("alert")).to_contain_text("Tulis nomor identitas yang Anda berikan")
    expect(page.get_by_label("Keberatan Anda", exact=True)).to_have_value("Data statistik tidak menghambat penyidikan.")
    look(page, "informasi-keberatan-galat")
    page.get_by_label("Nomor identitas yang diberikan saat permohonan").fill(IDENTITY)
    page.get_by_role("button", name="Ajukan keberatan").click()
    expect(page.get_by_role("status")).to_contain_text("Keberatan Anda telah diajukan")
    expect(page.locator(".timeline")).to_contain_text("Keberatan diajukan")

    page.goto(f"/informasi/dip/{forum.polres['id']}")
    expect(page.get_by_role("heading", name="Informasi berkala")).to_be_visible()
    expect(page.get_by_role("link", name="Laporan kinerja Polres 2026")).to_have_attribute(
        "href", "https://polres.example.go.id/lkj")
    look(page, "informasi-dip")


def test_the_ppid_extends_and_refuses_in_the_console_and_keeps_the_dip(page, forum, stack, browser):
    accepted = created(requests.post(stack.url + "/api/v1/information/requests", timeout=15, json={
        "agency_id": forum.polres["id"], "identity_number": "7372010190010088", "obtain": "hard_copy",
        "delivery": "pickup", "information": "Data kecelakaan lalu lintas 2026", "purpose": "Liputan",
        "requester": {"name": "Wartawan Lokal", "address": "Jl. Sultan Hasanuddin 1", "phone": "081299887766"}}))
    number = accepted["registration_number"]
    sign_in(page, forum.accounts["polres"].email, forum.accounts["polres"].password)
    page.goto("/console/informasi")
    row = page.get_by_role("row", name=re.compile(number))
    expect(row).to_contain_text("10")
    look(page, "konsol-informasi")

    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Permohonan {number}")
    expect(page.locator("main")).to_contain_text("Wartawan Lokal")
    page.get_by_role("button", name="Perpanjang (sekali)").click()
    expect(page.get_by_role("alert")).to_contain_text("Tulis alasan yang akan dibaca pemohon")
    look(page, "konsol-informasi-permohonan-galat")
    page.get_by_label("Alasan (dibaca pemohon)").fill("Data dihimpun dari tiga polsek")
    page.get_by_role("button", name="Perpanjang (sekali)").click()
    expect(page.get_by_role("status")).to_contain_text("Tersimpan")
    expect(page.locator("dl.facts").first).to_contain_text("diperpanjang")

    page.get_by_label("Jawaban", exact=True).select_option("refused")
    page.get_by_label("Pengecualian (ditolak atau dikabulkan sebagian): Pasal 17 huruf").select_option("a")
    page.get_by_label("Uji konsekuensi").fill("Masih dalam penyidikan")
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.locator("dl.facts").first).to_contain_text("Ditolak")
    expect(page.locator(".timeline")).to_contain_text(forum.accounts["polres"].name)
    look(page, "konsol-informasi-ditolak")

    page.goto("/console/informasi/dip")
    page.get_by_label("Informasi berkala").check()
    page.get_by_label("Judul").fill("Rekap layanan SIM 2026")
    page.get_by_role("button", name="Tambah").click()
    expect(page.locator("main")).to_contain_text("Rekap layanan SIM 2026")
    look(page, "konsol-informasi-dip")

    page.goto("/console/informasi/laporan")
    expect(page.get_by_role("table")).to_contain_text("Pasal 17 huruf a")
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    look(page, "konsol-informasi-laporan")

    # The coordinator compares the forum and keeps any member's list.
    context = browser.new_context(base_url=stack.url, viewport=page.viewport_size)
    try:
        coordinator = context.new_page()
        sign_in(coordinator, forum.accounts["coordinator"].email, forum.accounts["coordinator"].password)
        coordinator.goto("/console/informasi/laporan")
        compared = coordinator.get_by_role("table", name="Setiap anggota dalam periode ini")
        expect(compared.get_by_role("row", name=re.compile("Kepolisian Resor Parepare"))).to_be_visible()
        look(coordinator, "konsol-informasi-laporan-forum")
        coordinator.goto("/console/informasi/dip")
        pick_agency(coordinator, "instansi", "resor", "Kepolisian Resor Parepare")
        coordinator.get_by_role("button", name="Tampilkan").click()
        expect(coordinator.locator("main")).to_contain_text("Rekap layanan SIM 2026")
    finally:
        context.close()
