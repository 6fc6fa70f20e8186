"""Polres's admin finds the agency in the forum's tree, adds an officer (a bad email is named and
nothing typed is lost), downloads the QR poster, issues an API key whose secret is shown once and
revokes it; the coordinator adds a complaint category and routes it to Polres. axe runs on every
page seen."""
import re
import zipfile

from playwright.sync_api import expect

from tests.browser.conftest import look, pick_agency, sign_in


def test_an_admin_keeps_the_agency_page_and_its_keys_and_the_coordinator_routes_a_new_category(page, forum):
    admin = forum.accounts["polres_admin"]
    sign_in(page, admin.email, admin.password)
    page.goto("/console/direktori")
    polres = page.locator(".tree > li", has=page.get_by_role("link", name="POLRES-PAREPARE", exact=True))
    expect(polres.get_by_role("link", name="POLSEK-SOREANG")).to_be_visible()  # nested under its parent
    look(page, "konsol-direktori")
    polres.get_by_role("link", name="POLRES-PAREPARE", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kepolisian Resor Parepare")
    expect(page.get_by_role("link", name="https://www.instagram.com/humaspolresparepare")).to_be_visible()
    look(page, "konsol-direktori-instansi")

    page.get_by_role("link", name="Ubah petugas, kanal, dan kontributor").click()
    page.locator("#officers-0-name").fill("Aipda Rudi Hartono")
    page.locator("#officers-0-position").select_option("spokesperson")
    page.locator("#officers-0-email").fill("rudi-at-polres")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".error-summary")).to_contain_text("Petugas 1, Email")
    expect(page.locator("#officers-0-name")).to_have_value("Aipda Rudi Hartono")
    look(page, "konsol-direktori-ubah-salah")
    page.locator("#officers-0-email").fill("rudi@polresparepare.example.go.id")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status")).to_have_text("Data instansi telah disimpan.")
    expect(page.locator("main")).to_contain_text("Aipda Rudi Hartono")
    expect(page.get_by_role("link", name="https://www.instagram.com/humaspolresparepare")).to_be_visible()
    with page.expect_download() as poster:
        page.get_by_role("link", name="Poster QR untuk dinding kantor (SVG, A4)").click()
    assert poster.value.suggested_filename.endswith(".svg")

    page.get_by_role("link", name="Kunci API").click()
    page.get_by_label("Label").fill("situs web humas")
    page.get_by_role("button", name="Terbitkan").click()
    secret = page.locator(".notice .secret")
    expect(secret).to_have_text(re.compile(r"^bkh_"))
    look(page, "konsol-direktori-kunci-baru")
    row = page.locator("tr", has_text="situs web humas")
    row.get_by_role("button", name=re.compile("^Cabut")).click()
    expect(page.get_by_role("status")).to_contain_text("Kunci telah dicabut")
    expect(page.locator(".notice .secret")).to_have_count(0)  # shown once, never again
    expect(page.locator("tr", has_text="situs web humas")).to_contain_text("dicabut")

    coordinator = forum.accounts["coordinator"]
    page.context.clear_cookies()
    sign_in(page, coordinator.email, coordinator.password)
    page.goto("/console/direktori")
    with page.expect_download() as every_poster:
        page.get_by_role("link", name="Poster QR semua instansi (ZIP)").click()
    with zipfile.ZipFile(every_poster.value.path()) as archive:
        assert "poster-polres-parepare-qr.svg" in archive.namelist()
        assert "poster-polres-parepare-ptsp.svg" in archive.namelist()
    page.goto("/console/pengaduan/kategori")
    page.get_by_label("Kode").fill("Penerangan Jalan")
    page.get_by_label("Nama Indonesia").fill("Penerangan jalan umum")
    page.get_by_label("Nama Inggris").fill("Street lighting")
    page.get_by_role("button", name="Tambah").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Nama Indonesia")).to_have_value("Penerangan jalan umum")
    page.get_by_label("Kode").fill("penerangan_jalan")
    page.get_by_role("button", name="Tambah").click()
    expect(page.get_by_role("status")).to_have_text("Kategori telah ditambahkan.")
    look(page, "konsol-pengaduan-kategori")
    page.goto("/console/pengaduan/aturan")
    page.get_by_label("Kategori").select_option("penerangan_jalan")
    pick_agency(page, "agency_id", "polres", "Kepolisian Resor Parepare (POLRES-PAREPARE)")
    page.get_by_role("button", name="Tambah").click()
    expect(page.get_by_role("status")).to_have_text("Aturan telah ditambahkan.")
    expect(page.locator("tr", has_text="Penerangan jalan umum")).to_contain_text("Kepolisian Resor Parepare")
    look(page, "konsol-pengaduan-aturan")
