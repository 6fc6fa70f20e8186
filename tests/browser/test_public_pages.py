"""A visitor reads the forum's public face: news, corrections, withdrawals, agencies, the agenda,
and follows a complaint by its tracking number."""
import re

import requests
from playwright.sync_api import expect

from tests.browser.conftest import PUBLIC_URL, look

HOME_BUDGET_BYTES = 60 * 1024


def test_visitor_reads_home_opens_a_corrected_release_and_a_withdrawn_one(page, forum):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Berita dan informasi dari humas instansi pemerintah")
    latest = page.locator("section", has=page.get_by_role("heading", name="Siaran pers dan klarifikasi hoaks terbaru"))
    expect(latest.get_by_role("link", name="Operasi Zebra dimulai 15 Desember")).to_be_visible()
    expect(latest.get_by_role("link", name="Jadwal pelayanan SIM keliling pekan ini")).to_have_count(0)
    clarification = latest.locator("li", has_text="Tidak ada razia kendaraan tengah malam")
    expect(clarification).to_contain_text("Klarifikasi hoaks")
    expect(clarification.locator(".claim")).to_contain_text("razia kendaraan tiap tengah malam")
    members = page.locator("section", has=page.get_by_role("heading", name="Anggota forum dan kanal resminya"))
    expect(members.get_by_role("link", name=re.compile(r"Semua \d+ anggota"))).to_have_attribute("href", "/instansi")
    expect(page.get_by_role("link", name="Siaran pers (Atom)")).to_have_attribute("href", "/api/v1/feeds/atom")
    expect(page.get_by_role("link", name="Agenda publik (ICS)")).to_have_attribute("href", "/api/v1/calendar.ics")
    look(page, "beranda")

    latest.get_by_role("link", name="Operasi Zebra dimulai 15 Desember").click()
    expect(page).to_have_url(re.compile(f"/berita/{forum.corrected['id']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Operasi Zebra dimulai 15 Desember")
    expect(page.locator(".body")).to_contain_text("Operasi Zebra digelar di seluruh wilayah kota.")
    history = page.locator(".timeline")
    expect(history).to_contain_text("Dikoreksi, versi 2")
    expect(history).to_contain_text("tanggal mulai diralat")
    expect(history).to_contain_text("WITA")
    og_url = page.locator('meta[property="og:url"]')
    expect(og_url).to_have_attribute("content", f"{PUBLIC_URL}/berita/{forum.corrected['id']}")
    expect(page.locator('meta[property="og:title"]')).to_have_attribute("content", "Operasi Zebra dimulai 15 Desember")
    look(page, "berita-dikoreksi")

    page.goto(f"/berita/{forum.withdrawn['id']}")
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("Siaran pers ini telah ditarik")
    expect(notice).to_contain_text("jadwal belum final")
    expect(page.locator("main")).not_to_contain_text("Lapangan Andi Makkasau")
    look(page, "berita-ditarik")


def test_a_clarification_shows_the_claim_it_answers(page, forum):
    page.goto(f"/berita/{forum.clarification['id']}")
    expect(page.get_by_text("Klarifikasi hoaks", exact=True)).to_be_visible()
    expect(page.locator(".claim")).to_contain_text("Pesan berantai: razia kendaraan tiap tengah malam")
    look(page, "berita-klarifikasi")


def test_drafts_and_unknown_items_are_friendly_not_found_pages(page, forum):
    draft = forum.humas.post("/api/v1/content", json={"type": "release", "headline": "Draf rahasia rapat",
                                                       "language": "id", "body_html": "<p>belum terbit</p>"}).json()
    for path in (f"/berita/{draft['id']}", "/berita/tidak-ada", "/instansi/tidak-ada", "/lacak/DUMAS-XXXX"):
        answer = page.goto(path)
        assert answer.status == 404, path
        assert answer.headers["content-type"].startswith("text/html")
        expect(page.locator("main")).not_to_contain_text("Draf rahasia rapat")
    page.goto(f"/berita/{draft['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Halaman tidak ditemukan")
    look(page, "tidak-ditemukan")


def test_agency_page_with_channels_sub_units_and_releases(page, forum):
    page.goto(f"/instansi/{forum.polres['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kepolisian Resor Parepare")
    expect(page.locator("dl.facts")).to_contain_text("Kepolisian")
    expect(page.get_by_role("link", name="https://polresparepare.example.go.id")).to_be_visible()
    expect(page.get_by_role("link", name="Operasi Zebra dimulai 15 Desember")).to_be_visible()
    look(page, "instansi")
    page.get_by_role("link", name="Kepolisian Sektor Soreang").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kepolisian Sektor Soreang")
    expect(page.get_by_role("link", name="Kepolisian Resor Parepare")).to_be_visible()
    look(page, "instansi-sub-unit")


def test_agenda_lists_the_public_event_by_week_with_its_ics(page, forum):
    page.goto("/agenda")
    event = page.locator("li", has_text="Konferensi pers Operasi Zebra")
    expect(event).to_contain_text("10.00 WITA")
    expect(event).to_contain_text("Aula Polres Parepare")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Pekan mulai")
    look(page, "agenda")
    href = event.get_by_role("link", name="Tambahkan ke kalender saya (ICS)").get_attribute("href")
    ics = requests.get(page.url.rsplit("/agenda", 1)[0] + href, timeout=10)
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "Konferensi pers Operasi Zebra" in ics.text and ics.text.count("BEGIN:VEVENT") == 1


def test_tracking_without_javascript_before_and_after_a_public_answer(page_without_javascript, stack, forum):
    filed = requests.post(stack.url + "/api/v1/complaints", timeout=15, json={
        "channel": "web", "text": "Rahasia: pungutan liar di loket samsat", "confidential": True,
        "reporter": {"name": "Wahyuni Pelapor-Rahasia", "phone": "081355667788"}}).json()
    number = filed["tracking_number"]
    page = page_without_javascript
    page.goto("/lacak")
    look(page, "lacak-formulir")
    page.get_by_label("Nomor pelacakan").fill("  " + number.lower().replace("0", "o") + " ")
    page.get_by_role("button", name="Lacak").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pengaduan {number}")
    expect(page.locator(".status")).to_have_text("Diterima")
    expect(page.locator("main")).to_contain_text("Belum ada jawaban.")
    look(page, "lacak-sebelum-jawaban")

    listed = forum.coordinator.get("/api/v1/complaints").json()["complaints"]
    complaint = next(c for c in listed if c["tracking_number"] == number)
    answered = forum.coordinator.post(f"/api/v1/complaints/{complaint['id']}/notes", json={
        "text": "Laporan diteruskan ke Inspektorat untuk ditindaklanjuti.", "visibility": "public"})
    assert answered.status_code == 200, answered.text
    forum.coordinator.post(f"/api/v1/complaints/{complaint['id']}/notes", json={
        "text": "catatan internal: periksa petugas loket 3", "visibility": "internal"})
    page.reload()
    expect(page.locator(".answers")).to_contain_text("Laporan diteruskan ke Inspektorat")
    main = page.locator("main")
    for hidden in ("Wahyuni", "081355667788", "pungutan liar", "catatan internal"):
        expect(main).not_to_contain_text(hidden)
    look(page, "lacak-sesudah-jawaban")

    page.goto("/lacak?nomor=DUMAS-0000-0000-0000")
    expect(page.get_by_role("alert")).to_contain_text("Tidak ada pengaduan dengan nomor ini")
    expect(page.get_by_label("Nomor pelacakan")).to_have_value("DUMAS-0000-0000-0000")
    look(page, "lacak-tidak-ada")


def test_english_by_choice_and_remembered(page, forum):
    page.goto("/")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "News and information from the government public relations units")
    look(page, "home-english")
    page.goto("/agenda")
    expect(page.get_by_role("heading", level=1)).to_have_text("Public agenda")
    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda publik")


def test_home_first_load_is_small_and_asks_no_third_party(page, stack, forum):
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto("/", wait_until="load")
    page.wait_for_load_state("networkidle")
    origins = {re.match(r"^[a-z]+://[^/]+", request.url).group(0) for request in responses}
    assert origins == {stack.url}
    transferred = 0
    for request in responses:
        sizes = request.sizes()
        transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    print(f"home page first load: {transferred} bytes in {len(responses)} requests")
    assert transferred <= HOME_BUDGET_BYTES


def test_pages_carry_security_headers_and_stay_out_of_the_api_description(stack, forum):
    answer = requests.get(stack.url + "/", timeout=10)
    assert answer.headers["Content-Type"].startswith("text/html")
    csp = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["X-Request-Id"]
    metrics = requests.get(stack.url + "/metrics", timeout=10).text
    assert 'bakohumas_http_requests_total{operation="home",service="pages"}' in metrics
    stylesheet = re.search(r'href="(/static/site\.[0-9a-f]+\.css)"', answer.text).group(1)
    css = requests.get(stack.url + stylesheet, timeout=10)
    assert css.status_code == 200 and "immutable" in css.headers["Cache-Control"]
    paths = requests.get(stack.url + "/openapi.json", timeout=10).json()["paths"]
    pages = ("/berita", "/instansi", "/agenda", "/lacak", "/static")
    assert paths and not [path for path in paths if path == "/" or path.startswith(pages)]
