"""Officers at work in the console's Kalender and Konten, each as a person clicks, axe on every page:
a Polres officer proposes a press conference that clashes, and the coordinator sees the clash and
schedules it with a reason; Polres drafts a joint release with Kejari, Kejari's officer approves it,
it is embargoed, and it goes out on the public page once the embargo has passed."""
import re
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PASSWORD, WITA, created, look, pick_agency, set_password, sign_in
from tests.clock import wall_now


@pytest.fixture(scope="module")
def kejari(stack, forum):
    """A Kejari with one officer, invited through the JSON API like the forum's other people."""
    agency = created(forum.coordinator.post("/api/v1/agencies", json={
        "name": "Kejaksaan Negeri Parepare", "short_name": "KEJARI-PAREPARE", "kind": "kejaksaan",
        "region_code": "73.72"}))
    invited = created(forum.coordinator.post(f"/api/v1/agencies/{agency['id']}/accounts", json={
        "name": "Jaksa Nur Aisyah", "email": "aisyah@kejari-parepare.example.go.id", "account_role": "officer"}))
    set_password(stack, invited["invite_link"], PASSWORD)
    return SimpleNamespace(agency=agency, email="aisyah@kejari-parepare.example.go.id")


def person(browser, stack, email):
    """A browser of one's own, signed in through the console's form."""
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, email, PASSWORD)
    return page


def test_a_clashing_press_conference_is_proposed_and_scheduled_with_a_reason(browser, stack, forum):
    officer = person(browser, stack, forum.accounts["polres"].email)
    officer.get_by_role("link", name="Kalender", exact=True).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Kalender forum")
    expect(officer.get_by_role("link", name=re.compile("Konferensi pers Operasi Zebra"))).to_be_visible()
    look(officer, "console-kalender-bulan")

    officer.get_by_role("link", name="Usulkan agenda").click()
    event_day = (wall_now(WITA) + timedelta(days=3)).date().isoformat()
    officer.get_by_label("Judul").fill("Konferensi pers pengamanan Natal")
    officer.get_by_label("Tanggal").fill(event_day)
    officer.get_by_label("Mulai pukul").fill("10:30")
    officer.get_by_label("Selesai pukul").fill("11:30")
    officer.get_by_label("Tempat", exact=True).fill("Aula Polres Parepare")
    officer.get_by_label("Tempat", exact=True).press("Tab")
    planning = officer.locator("#planning")
    expect(planning).to_contain_text("Bentrok dengan 1 agenda terjadwal")  # htmx, as one types
    officer.get_by_role("button", name="Periksa bentrok dan waktu kosong").click()  # the same without JS
    expect(planning).to_contain_text("Bentrok dengan 1 agenda terjadwal")
    expect(planning).to_contain_text("Konferensi pers Operasi Zebra")
    expect(planning).to_contain_text("Waktu kosong dengan durasi yang sama")
    look(officer, "console-kalender-usul-bentrok")
    officer.get_by_label("Selesai pukul").fill("09:30")  # ends before it starts: refused in Indonesian, nothing lost
    officer.get_by_role("button", name="Kirim usulan").click()
    expect(officer.locator(".error-summary")).to_contain_text("Harus sesudah waktu mulai.")
    expect(officer.get_by_label("Judul")).to_have_value("Konferensi pers pengamanan Natal")
    expect(officer.get_by_label("Tempat", exact=True)).to_have_value("Aula Polres Parepare")
    officer.get_by_label("Selesai pukul").fill("11:30")
    officer.get_by_role("button", name="Kirim usulan").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Konferensi pers pengamanan Natal")
    expect(officer.locator(".tag.state-proposed")).to_have_text("Diusulkan")
    item_url = officer.url
    look(officer, "console-kalender-agenda-diusulkan")

    coordinator = person(browser, stack, forum.accounts["coordinator"].email)
    coordinator.goto(item_url)
    expect(coordinator.get_by_role("note")).to_contain_text("Agenda ini bentrok dengan 1 agenda terjadwal")
    coordinator.get_by_role("button", name="Jadwalkan").click()  # no reason given: refused, nothing lost
    expect(coordinator.locator(".error-summary")).to_contain_text("tuliskan alasan tetap dijadwalkan")
    look(coordinator, "console-kalender-bentrok-tanpa-alasan")
    coordinator.get_by_label("Alasan tetap dijadwalkan meski bentrok").fill("Kapolres hadir di kedua acara, berurutan")
    coordinator.get_by_role("button", name="Jadwalkan").click()
    expect(coordinator.locator(".tag.state-scheduled")).to_have_text("Dijadwalkan")
    history = coordinator.locator(".timeline")
    expect(history).to_contain_text("Bripka Andi Saputra (POLRES-PAREPARE)")
    expect(history).to_contain_text("Kapolres hadir di kedua acara, berurutan")
    look(coordinator, "console-kalender-dijadwalkan")
    for page in (officer, coordinator):
        page.context.close()


def test_a_joint_release_is_approved_embargoed_and_goes_out(browser, stack, forum, kejari):
    officer = person(browser, stack, forum.accounts["polres"].email)
    officer.get_by_role("link", name="Konten", exact=True).click()
    look(officer, "console-konten")
    officer.get_by_role("link", name="Tulis konten baru").first.click()
    officer.get_by_label("Judul", exact=True).fill("Polres dan Kejari Parepare amankan Natal bersama")
    officer.get_by_label("Ringkasan", exact=True).fill("Pengamanan gereja selama Natal dan tahun baru.")
    officer.get_by_label("Isi", exact=True).fill("Polres dan Kejari menyiagakan personel.\n\nWarga diminta melapor lewat 110.")
    pick_agency(officer, "co_issuers", "kejari", "Kejaksaan Negeri Parepare (KEJARI-PAREPARE)")
    look(officer, "console-konten-editor")
    officer.get_by_role("button", name="Simpan draf").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Polres dan Kejari Parepare amankan Natal bersama")
    expect(officer.get_by_role("note")).to_contain_text("Menunggu persetujuan: Kejaksaan Negeri Parepare")
    expect(officer.locator(".preview .body")).to_contain_text("Warga diminta melapor lewat 110.")
    item_url = officer.url
    item_id = item_url.rsplit("/", 1)[-1]
    look(officer, "console-konten-draf")

    prosecutor = person(browser, stack, kejari.email)
    prosecutor.goto(item_url)
    prosecutor.get_by_role("button", name="Setujui versi 1").click()
    expect(prosecutor.locator("dl.facts")).to_contain_text("Kejaksaan Negeri Parepare (disetujui)")
    look(prosecutor, "console-konten-disetujui")
    prosecutor.context.close()

    embargo = wall_now(WITA) + timedelta(seconds=12)
    officer.reload()
    officer.get_by_label("Tanggal embargo").fill(embargo.date().isoformat())
    officer.get_by_label("Pukul embargo").fill(embargo.strftime("%H:%M:%S"))
    officer.get_by_role("button", name="Terbitkan", exact=True).click()
    expect(officer.locator(".tag.state-embargoed")).to_have_text("Diembargo")
    look(officer, "console-konten-diembargo")
    assert officer.context.request.get(f"/berita/{item_id}").status == 404  # not public before the embargo

    public = officer.context.browser.new_page(base_url=stack.url)
    public.wait_for_timeout(max(0, (embargo - wall_now(WITA)).total_seconds() * 1000) + 1500)
    public.goto(f"/berita/{item_id}")
    expect(public.get_by_role("heading", level=1)).to_have_text("Polres dan Kejari Parepare amankan Natal bersama")
    expect(public.locator("main")).to_contain_text("Kejaksaan Negeri Parepare")
    look(public, "berita-bersama")
    officer.reload()
    expect(officer.locator(".tag.state-published")).to_have_text("Terbit")
    public.close()
    officer.context.close()


def test_the_other_moves_of_kalender_and_konten(browser, stack, forum, kejari):
    """What the journeys do not pass through, one page each: a supporting agency answers for its part,
    the lead edits its item, a feed link is made; a release is corrected, amplified and answered,
    withdrawn; a subscription is added and its delivery log opened."""
    start = datetime.combine(wall_now(WITA).date() + timedelta(days=9), datetime.min.time(), WITA).replace(hour=9)
    joint = created(forum.humas.post("/api/v1/calendar/items", json={
        "kind": "forum", "title": "Rapat koordinasi Natal", "timezone": "Asia/Makassar",
        "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
        "supporting_agency_ids": [kejari.agency["id"]]}))
    prosecutor = person(browser, stack, kejari.email)
    prosecutor.goto(f"/console/kalender/{joint['id']}")
    prosecutor.get_by_role("button", name="Kami ikut").click()
    expect(prosecutor.locator("main")).to_contain_text("Jawaban Anda saat ini: Ikut")
    look(prosecutor, "console-kalender-partisipasi")
    prosecutor.goto("/console/kalender/langganan")
    prosecutor.get_by_role("button", name="Buat tautan rahasia baru").click()
    expect(prosecutor.get_by_role("status")).to_contain_text("/api/v1/calendar/feeds/")
    look(prosecutor, "console-kalender-langganan")

    officer = person(browser, stack, forum.accounts["polres"].email)
    officer.goto(f"/console/kalender/{joint['id']}/ubah")
    officer.get_by_label("Judul").fill("Rapat koordinasi pengamanan Natal")
    look(officer, "console-kalender-ubah")
    officer.get_by_role("button", name="Simpan").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Rapat koordinasi pengamanan Natal")
    officer.goto("/console/kalender?tampilan=minggu&minggu=" + start.date().isoformat())
    expect(officer.get_by_role("link", name=re.compile("Rapat koordinasi pengamanan Natal"))).to_be_visible()
    look(officer, "console-kalender-pekan")

    release = created(forum.humas.post("/api/v1/content", json={
        "type": "release", "language": "id", "headline": "Jadwal patroli malam Natal",
        "body_html": "<p>Patroli di Jalan Bau Massepe.</p>"}))
    created(forum.humas.post(f"/api/v1/content/{release['id']}/publish", json={}), 200)
    officer.goto(f"/console/konten/{release['id']}/koreksi")
    officer.get_by_label("Apa yang berubah").fill("nama jalan diralat")
    look(officer, "console-konten-koreksi")
    officer.get_by_role("button", name="Terbitkan koreksi").click()
    expect(officer.locator(".tag.state-corrected")).to_have_text("Dikoreksi")
    officer.get_by_label("Pesan untuk anggota").fill("Mohon bagikan klarifikasi ini")
    officer.get_by_role("button", name="Minta amplifikasi").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Permintaan amplifikasi")
    expect(officer.locator("main")).to_contain_text("Kejaksaan Negeri Parepare")
    request_url = officer.url
    look(officer, "console-konten-amplifikasi-laporan")

    prosecutor.goto("/console/konten/amplifikasi")
    prosecutor.get_by_role("link", name="Mohon bagikan klarifikasi ini").click()
    prosecutor.get_by_label("Alamat unggahan ulang Anda").fill("https://instagram.com/p/kejari-klarifikasi")
    prosecutor.get_by_role("button", name="Kirim").click()
    expect(prosecutor.locator("main")).to_contain_text("https://instagram.com/p/kejari-klarifikasi")
    look(prosecutor, "console-konten-amplifikasi-jawab")
    prosecutor.context.close()
    officer.goto(request_url)
    expect(officer.locator("main")).to_contain_text("Sudah dibagikan ulang (1)")

    officer.goto(f"/console/konten/{release['id']}")
    officer.get_by_label("Alasan penarikan").fill("digantikan klarifikasi baru")
    officer.get_by_role("button", name="Tarik", exact=True).click()
    expect(officer.locator(".tag.state-withdrawn")).to_have_text("Ditarik")

    officer.goto("/console/konten/langganan")
    officer.get_by_label("Nama").fill("Portal berita kota")
    officer.get_by_label("Alamat (URL)").fill("https://portal.example.go.id/webhook")
    officer.get_by_role("button", name="Tambah").click()
    expect(officer.get_by_role("status")).to_contain_text("whsec_")
    look(officer, "console-konten-langganan")
    officer.get_by_role("link", name="Portal berita kota").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("Portal berita kota")
    look(officer, "console-konten-log-pengiriman")
    officer.context.close()
