"""The user guide's pictures (docs/guide/img), taken on the demo forum as its three readers go through
the tasks the guide describes: a citizen files a complaint and an information request and follows
them; a Polres officer works a complaint, a release, a calendar proposal and a PPID request; the
coordinator keeps the directory, the accounts, the calendar, the routing and the reports. And the
built guide, read on a phone, never scrolls sideways.

Each picture is written again on every run, so the guide shows the pages as they are now (the list
of pictures: tests/browser/guide_support.py). They are palette-reduced PNGs, committed, so the
guide builds from a fresh clone without a running system."""
import io
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from PIL import Image
from playwright.sync_api import expect

from bakohumas.harness import Api, LocalStack
from tests.clock import wall_now
from tests.browser.conftest import (PASSWORD, PUBLIC_URL, WITA, created, eventually, listed, pick_agency,
                                    set_password, sign_in)
from tests.browser.guide_support import DESKTOP, IMAGES, PHONE, ROOT, SHOTS

HEIGHTS = {PHONE: 740, DESKTOP: 900}
# A picture in the guide shows at most this much of a page: about two and a half phone screens.
LONGEST = {PHONE: 1800, DESKTOP: 2400}
# Made up, like every person and number of the demo forum.
IDENTITY = "7372 0101 9001 0042"


@pytest.fixture(scope="module")
def demo():
    """The demo forum of Parepare on a stack of its own, loaded by ``bakohumas demo`` as an operator
    would; the coordinator's and the Polres's first admins have set their passwords."""
    stack = LocalStack(extra_env={"PUBLIC_URL": PUBLIC_URL}).start()
    try:
        loaded = json.loads(stack.bakohumas("demo", "--url", stack.url, "--json").stdout)
        agencies = {agency["short_name"]: agency for agency in loaded["agencies"]}
        for short_name in ("HUMAS-PAREPARE", "POLRES-PAREPARE"):
            set_password(stack, agencies[short_name]["admin"]["console_link"], PASSWORD)
        yield SimpleNamespace(
            stack=stack, agencies=agencies, polres=Api(stack.url, agencies["POLRES-PAREPARE"]["api_key"]),
            polres_id=agencies["POLRES-PAREPARE"]["agency_id"])
    finally:
        stack.stop()


def shoot(page, name, start=None):
    """The page as its reader sees it, at each width the list names, in 128 colours: from its top, or
    from the ``start`` element, for at most ``LONGEST``."""
    widths, _ = SHOTS[name]
    viewport = page.viewport_size
    IMAGES.mkdir(parents=True, exist_ok=True)
    for width in widths:
        page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
        length = page.evaluate("document.documentElement.scrollHeight")
        top = 0
        if start is not None:
            box = start.bounding_box()
            top = max(0, int(box["y"] + page.evaluate("window.scrollY")) - 16)
        clip = {"x": 0, "y": top, "width": width, "height": min(length - top, LONGEST[width])}
        picture = Image.open(io.BytesIO(page.screenshot(full_page=True, clip=clip))).convert("RGB")
        picture.quantize(colors=128).save(IMAGES / f"{name}-{width}.png", optimize=True)
    page.set_viewport_size(viewport)


def reader(browser, demo, width, email=None):
    context = browser.new_context(base_url=demo.stack.url, viewport={"width": width, "height": HEIGHTS[width]})
    page = context.new_page()
    if email:
        sign_in(page, email, PASSWORD)
    return page


def email_of(demo, short_name):
    return demo.agencies[short_name]["admin"]["email"]


def request_numbered(api, number):
    return next((r for r in api.get("/api/v1/information/requests").json()["requests"]
                 if r["registration_number"] == number), None)


def test_the_citizen_complains_tracks_asks_for_information_and_objects(browser, demo):
    page = reader(browser, demo, PHONE)
    page.goto("/")
    expect(page.get_by_role("link", name="Kirim pengaduan").first).to_be_visible()
    shoot(page, "beranda")

    page.get_by_role("link", name="Kirim pengaduan").first.click()
    page.get_by_label("Apa yang terjadi?").fill(
        "Balap liar setiap malam Minggu di Jl. Jenderal Sudirman, dekat Lapangan Andi Makkasau.")
    page.get_by_label("Jenis masalah (boleh dikosongkan)").select_option("lalu_lintas")
    pick_agency(page, "instansi", "polres", "Kepolisian Resor Parepare (POLRES-PAREPARE)")
    page.get_by_label("Alamat atau tempat (boleh dikosongkan)").fill("Jl. Jenderal Sudirman")
    page.get_by_label("Nama", exact=True).fill("Rahmat Hidayat")
    page.get_by_label("Telepon atau WhatsApp").fill("0812 3456 7890")
    shoot(page, "lapor")
    page.get_by_role("button", name="Kirim pengaduan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pengaduan Anda sudah kami terima")
    number = page.locator("#nomor").inner_text()
    secret = page.locator("#kode").inner_text()
    shoot(page, "tanda-terima")

    complaint = eventually(lambda: listed(demo.polres, number))
    page.get_by_role("link", name="Pantau pengaduan ini").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pengaduan {number}")
    shoot(page, "lacak")

    url = f"/api/v1/complaints/{complaint['id']}"
    for status in ("verified", "assigned"):
        created(demo.polres.post(url + "/status", json={"status": status}), 200)
    created(demo.polres.post(url + "/status", json={
        "status": "responded", "reason": "Patroli malam Minggu ditambah; 12 sepeda motor diamankan."}), 200)
    page.reload()
    page.get_by_label("Kode rahasia pelapor").fill(secret)
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.locator(".answers")).to_contain_text("12 sepeda motor diamankan")
    confirm = page.get_by_role("button", name="Ya, konfirmasi dan tutup")
    expect(confirm).to_be_visible()
    shoot(page, "lacak-pelapor", start=page.get_by_role("heading", name="Jawaban", exact=True))

    page.goto("/")
    page.get_by_role("link", name="Ajukan permohonan").click()
    pick_agency(page, "agency_id", "polres", "Kepolisian Resor Parepare (POLRES-PAREPARE)")
    page.get_by_label("Rincian informasi yang dibutuhkan").fill("Jumlah kecelakaan lalu lintas per bulan tahun 2026")
    page.get_by_label("Tujuan penggunaan informasi").fill("Bahan liputan keselamatan jalan")
    page.get_by_label("Salinan elektronik (softcopy)").check()
    page.get_by_label("Melalui email").check()
    page.get_by_label("Nama lengkap").fill("Nur Fadillah")
    page.get_by_label("Alamat", exact=True).fill("Jl. Lasinrang 12, Parepare")
    page.get_by_label("Email (boleh kosong bila mengisi nomor telepon)").fill("nur.fadillah@example.id")
    page.get_by_label("Nomor identitas (KTP/NIK, paspor, atau SIM)").fill(IDENTITY)
    shoot(page, "informasi-permohonan")
    page.get_by_role("button", name="Kirim permohonan").click()
    panel = page.get_by_role("status")
    expect(panel).to_contain_text("Permohonan Anda terdaftar")
    registration = panel.locator(".number").inner_text()
    shoot(page, "informasi-terdaftar")

    request = request_numbered(demo.polres, registration)
    created(demo.polres.post(f"/api/v1/information/requests/{request['id']}/decision", json={
        "decision": "refused", "note": "Data per bulan masih dalam pemeriksaan.",
        "exemption": {"article": "a", "consequence_test": "Membuka data perkara yang masih disidik."}}), 200)
    page.goto("/informasi/lacak")
    page.get_by_label("Nomor pendaftaran").fill(registration.lower())
    page.get_by_role("button", name="Lacak").click()
    expect(page.locator("dl.facts")).to_contain_text("Ditolak")
    shoot(page, "informasi-lacak")

    page.get_by_role("link", name="Ajukan keberatan").click()
    page.get_by_label("Nomor identitas yang diberikan saat permohonan").fill(IDENTITY)
    page.get_by_label("Permohonan ditolak dengan alasan pengecualian (Pasal 17)").check()
    page.get_by_label("Keberatan Anda", exact=True).fill("Jumlah kecelakaan adalah statistik, bukan data perkara.")
    shoot(page, "informasi-keberatan")
    page.get_by_role("button", name="Ajukan keberatan").click()
    expect(page.get_by_role("status")).to_contain_text("Keberatan Anda telah diajukan")
    page.context.close()


def test_the_officer_works_a_complaint_a_release_a_proposal_and_a_request(browser, demo):
    filed = created(demo.polres.post("/api/v1/complaints", json={
        "channel": "ptsp", "category": "keamanan", "target_agency_id": demo.polres_id,
        "text": "Lampu di pos ronda Jl. Bau Massepe mati, warga khawatir pencurian.",
        "reporter": {"name": "Sitti Aminah", "phone": "0813 5557 8901"}}), 202)
    asked = created(Api(demo.stack.url).post("/api/v1/information/requests", json={
        "agency_id": demo.polres_id, "identity_number": "7372010190010088", "obtain": "soft_copy",
        "delivery": "email", "information": "Jadwal patroli malam di Kecamatan Soreang",
        "purpose": "Ronda warga", "requester": {"name": "Syamsul Bahri", "address": "Jl. Sultan Hasanuddin 1",
                                                "email": "syamsul@example.id"}}))
    number = filed["tracking_number"]
    # Taken off the intake queue before Beranda is first read: the gateway keeps that answer a while.
    eventually(lambda: listed(demo.polres, number))
    page = reader(browser, demo, DESKTOP)
    page.goto("/console/masuk")
    page.get_by_label("Alamat email").fill(email_of(demo, "POLRES-PAREPARE"))
    shoot(page, "konsol-masuk")
    sign_in(page, email_of(demo, "POLRES-PAREPARE"), PASSWORD)
    page.goto("/console/")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    shoot(page, "konsol-beranda")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pengaduan {number}")
    shoot(page, "konsol-pengaduan")
    for status in ("Diverifikasi", "Diteruskan ke instansi"):
        page.get_by_label(status).check()
        page.get_by_role("button", name="Ubah status").click()
        expect(page.get_by_role("status")).to_have_text("Status telah diubah.")
    page.get_by_label("Sudah dijawab").check()
    page.locator("#status-reason").fill("Lampu pos ronda sudah diganti; patroli Polsek Ujung melintas tiap malam.")
    page.get_by_role("button", name="Ubah status").click()
    expect(page.get_by_role("status")).to_have_text("Status telah diubah.")
    shoot(page, "konsol-pengaduan-dijawab")
    page.goto("/console/pengaduan")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    shoot(page, "konsol-pengaduan-daftar")

    page.goto("/console/konten")
    page.get_by_role("link", name="Tulis konten baru").first.click()
    page.get_by_label("Judul", exact=True).fill("Polres Parepare tambah patroli malam Minggu")
    page.get_by_label("Ringkasan", exact=True).fill("Patroli gabungan menekan balap liar di pusat kota.")
    page.get_by_label("Isi", exact=True).fill(
        "Polres Parepare menambah patroli setiap malam Minggu.\n\nWarga dapat melapor lewat 110.")
    shoot(page, "konsol-konten-editor")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Polres Parepare tambah patroli malam Minggu")
    shoot(page, "konsol-konten-draf")

    page.goto("/console/kalender/usul")
    day = (wall_now(WITA) + timedelta(days=7)).date().isoformat()
    page.get_by_label("Judul").fill("Konferensi pers Operasi Lilin 2026")
    page.get_by_label("Tanggal").fill(day)
    page.get_by_label("Mulai pukul").fill("10:00")
    page.get_by_label("Selesai pukul").fill("11:00")
    page.get_by_label("Tempat", exact=True).fill("Aula Polres Parepare")
    page.get_by_role("button", name="Periksa bentrok dan waktu kosong").click()
    expect(page.locator("#planning")).to_contain_text("Waktu kosong")
    shoot(page, "konsol-kalender-usul")
    page.get_by_role("button", name="Kirim usulan").click()
    expect(page.locator(".tag.state-proposed")).to_have_text("Diusulkan")
    shoot(page, "konsol-kalender-agenda")

    registration = asked["registration_number"]
    page.goto("/console/informasi")
    expect(page.get_by_role("row", name=re.compile(registration))).to_be_visible()
    shoot(page, "konsol-informasi")
    page.get_by_role("link", name=registration).click()
    page.locator("#decision-decision").select_option("granted")
    page.locator("#decision-note").fill("Jadwal patroli terlampir.")
    page.locator("#decision-documents").fill("Jadwal patroli Soreang | https://polresparepare.example.go.id/patroli")
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.locator("dl.facts").first).to_contain_text("Dikabulkan")
    shoot(page, "konsol-informasi-permohonan")
    page.goto("/console/informasi/dip")
    page.get_by_label("Informasi berkala").check()
    page.get_by_label("Judul").fill("Laporan kinerja Polres Parepare 2026")
    page.get_by_role("button", name="Tambah").click()
    expect(page.locator("main")).to_contain_text("Laporan kinerja Polres Parepare 2026")
    shoot(page, "konsol-informasi-dip")

    page.goto("/console/notifikasi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifikasi")
    shoot(page, "konsol-notifikasi")
    page.context.close()


def test_the_coordinator_keeps_the_forum(browser, demo):
    start = datetime.combine(wall_now(WITA).date() + timedelta(days=8), datetime.min.time(), WITA)
    proposal = created(demo.polres.post("/api/v1/calendar/items", json={
        "kind": "press_conference", "title": "Rilis akhir tahun Polres Parepare", "timezone": "Asia/Makassar",
        "venue": "Aula Polres Parepare", "visibility": "public",
        "start": start.replace(hour=9).isoformat(), "end": start.replace(hour=10).isoformat()}))
    page = reader(browser, demo, DESKTOP, email_of(demo, "HUMAS-PAREPARE"))
    page.goto("/console/")
    expect(page.get_by_role("link", name="Rilis akhir tahun Polres Parepare")).to_be_visible()
    shoot(page, "koordinator-beranda")

    page.goto("/console/direktori")
    polres = page.locator(".tree > li", has=page.get_by_role("link", name="POLRES-PAREPARE", exact=True))
    expect(polres.get_by_role("link", name="POLSEK-SOREANG")).to_be_visible()
    shoot(page, "koordinator-direktori")
    polres.get_by_role("link", name="POLRES-PAREPARE", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kepolisian Resor Parepare")
    shoot(page, "koordinator-instansi")

    page.goto("/console/direktori/akun")
    page.get_by_label("Nama lengkap").fill("Muh. Syahrir")
    page.get_by_label("Alamat email").fill("ppid@parepare.example.id")
    page.get_by_role("button", name="Undang").click()
    expect(page.get_by_role("status")).to_contain_text("Muh. Syahrir sudah diundang")
    shoot(page, "koordinator-akun")

    page.goto("/console/kalender")
    shoot(page, "koordinator-kalender")
    page.goto(f"/console/kalender/{proposal['id']}")
    page.get_by_role("button", name="Jadwalkan").click()
    expect(page.locator(".tag.state-scheduled")).to_have_text("Dijadwalkan")
    shoot(page, "koordinator-kalender-dijadwalkan")

    page.goto("/console/pengaduan/aturan")
    page.get_by_label("Kategori").select_option("lalu_lintas")
    pick_agency(page, "agency_id", "polres", "Kepolisian Resor Parepare (POLRES-PAREPARE)")
    page.get_by_role("button", name="Tambah").click()
    expect(page.get_by_role("status")).to_have_text("Aturan telah ditambahkan.")
    shoot(page, "koordinator-aturan")
    page.goto("/console/pengaduan/angka")
    shoot(page, "koordinator-angka")
    page.goto("/console/informasi/laporan")
    expect(page.get_by_role("table", name="Setiap anggota dalam periode ini")).to_be_visible()
    shoot(page, "koordinator-laporan-informasi")
    page.context.close()


def test_the_guide_reads_on_a_phone_without_scrolling_sideways(browser, tmp_path):
    """Officers read the guide on their phones too: every page of the built site fits 360 px."""
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    context = browser.new_context(viewport={"width": PHONE, "height": HEIGHTS[PHONE]})
    page = context.new_page()
    wide = {}
    for built in sorted(tmp_path.rglob("*.html")):
        if built.name == "404.html" or built.parent.name == "search":
            continue
        page.goto(built.as_uri())
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide[str(built.relative_to(tmp_path))] = overflow
    context.close()
    assert wide == {}, f"pages that scroll sideways at 360 px, by how many pixels: {wide}"
