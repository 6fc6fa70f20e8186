"""The coordinator moves the forum in from the console: downloads the template, uploads the member
list (a Polsek listed before its Polres, a bad phone, a missing region), reads the preview, applies
it and finds the new units in the forum's tree. axe runs on every page seen."""
from playwright.sync_api import expect

from bakohumas.harness import member_list_xlsx
from tests.browser.conftest import look, sign_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEMBER_LIST = [
    {"name": "Kepolisian Sektor Bacukiki", "short_name": "POLSEK-BACUKIKI", "kind": "polri",
     "parent": "POLRES-BARRU", "region_code": "73.72.01", "instagram": "@polsekbacukiki",
     "officer_name": "Ipda Marwan", "officer_phone": "0812-4300-2203"},
    {"name": "Kepolisian Resor Barru", "short_name": "POLRES-BARRU", "kind": "polri", "region_code": "73.11",
     "website": "polresbarru.example.go.id", "officer_name": "AKP Hasanuddin",
     "officer_email": "humas@polresbarru.example.go.id"},
    {"name": "Kantor Urusan Agama Soreang", "short_name": "KUA-SOREANG", "kind": "kementerian",
     "region_code": "73.72.03", "officer_name": "Hj. Nurhayati", "officer_phone": "12-34"},
    {"name": "Madrasah Aliyah Negeri Parepare", "short_name": "MAN-PAREPARE", "kind": "kementerian",
     "region_code": ""},
    {"name": "Dinas Komunikasi dan Informatika", "short_name": "DISKOMINFO-PAREPARE", "kind": "opd",
     "region_code": "73.72", "website": "diskominfo.pareparekota.example.go.id"},
]


def test_the_coordinator_previews_and_applies_the_member_list(page, forum):
    coordinator = forum.accounts["coordinator"]
    sign_in(page, coordinator.email, coordinator.password)
    page.goto("/console/direktori")
    page.get_by_role("link", name="Impor daftar anggota").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impor daftar anggota")
    with page.expect_download() as template:
        page.get_by_role("link", name="Unduh templat (XLSX)").click()
    assert template.value.suggested_filename == "templat-daftar-anggota.xlsx"
    look(page, "konsol-impor")

    page.get_by_role("button", name="Pratinjau").click()  # no file chosen: said, not a crash
    expect(page.locator(".error-summary")).to_be_visible()

    page.get_by_label("Daftar anggota (XLSX atau CSV)").set_input_files(
        {"name": "anggota.xlsx", "mimeType": XLSX, "buffer": member_list_xlsx(MEMBER_LIST)})
    page.get_by_role("button", name="Pratinjau").click()
    expect(page.get_by_role("heading", name="Pratinjau: belum ada yang disimpan")).to_be_visible()
    expect(page.locator("main")).to_contain_text("3 baru, 0 berubah, 0 tetap, 2 ditolak.")
    kua = page.locator("tr", has_text="KUA-SOREANG")
    expect(kua).to_contain_text("Telepon petugas humas: Nomor telepon Indonesia")
    expect(page.locator("tr", has_text="MAN-PAREPARE")).to_contain_text("Kode wilayah: Kosong")
    expect(page.locator("tr", has_text="Kepolisian Resor Barru")).to_contain_text("Mengundang humas@polresbarru.example.go.id")
    look(page, "konsol-impor-pratinjau")

    page.get_by_role("button", name="Terapkan 3 baris").click()
    expect(page.get_by_role("status")).to_contain_text("Daftar anggota telah diimpor")
    expect(page.get_by_role("status")).to_contain_text("3 baru, 0 berubah, 0 tetap; 2 baris ditolak")
    expect(page.locator("table.plan").first).to_contain_text("AKP Hasanuddin")
    look(page, "konsol-impor-hasil")

    page.goto("/console/direktori")
    barru = page.locator(".tree > li", has=page.get_by_role("link", name="POLRES-BARRU", exact=True))
    expect(barru.get_by_role("link", name="POLSEK-BACUKIKI")).to_be_visible()  # created under its parent


def test_the_coordinator_registers_edits_and_deactivates_an_agency(page, forum):
    coordinator = forum.accounts["coordinator"]
    sign_in(page, coordinator.email, coordinator.password)
    page.goto("/console/direktori")
    page.get_by_role("link", name="Daftarkan instansi").click()
    page.get_by_label("Nama instansi", exact=True).fill("Kantor Imigrasi Kelas II Parepare")
    page.get_by_label("Nama singkat", exact=True).fill("KANIM-PAREPARE")
    page.get_by_label("Jenis").select_option("imigrasi")
    page.get_by_label("Instansi induk (singkatan)").fill("TIDAK-ADA")
    page.get_by_label("Kode wilayah").fill("73-72")
    page.locator("#officers-0-name").fill("Andi Rahmat")
    page.locator("#officers-0-phone").fill("0812-5500-1001")
    page.get_by_role("button", name="Daftarkan").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Instansi induk (singkatan): Tidak ada instansi aktif dengan singkatan ini.")
    expect(page.get_by_label("Nama instansi", exact=True)).to_have_value("Kantor Imigrasi Kelas II Parepare")  # nothing lost
    expect(page.locator("#officers-0-phone")).to_have_value("0812-5500-1001")
    page.get_by_label("Instansi induk (singkatan)").fill("polres-parepare")
    page.get_by_role("button", name="Daftarkan").click()
    expect(page.locator(".error-summary")).to_contain_text("Kode wilayah:")
    expect(page.get_by_label("Instansi induk (singkatan)")).to_have_value("polres-parepare")
    look(page, "konsol-direktori-daftarkan-salah")
    page.get_by_label("Kode wilayah").fill("73.72")
    page.get_by_role("button", name="Daftarkan").click()
    expect(page.get_by_role("status")).to_have_text("Data instansi telah disimpan.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kantor Imigrasi Kelas II Parepare")
    expect(page.locator("dl.facts")).to_contain_text("POLRES-PAREPARE")

    page.get_by_role("link", name="Ubah data instansi").click()
    expect(page.get_by_label("Nama singkat", exact=True)).to_have_value("KANIM-PAREPARE")
    page.get_by_label("Nama instansi", exact=True).fill("Kantor Imigrasi Parepare")
    page.get_by_label("Instansi induk (singkatan)").fill("")
    look(page, "konsol-direktori-ubah-koordinator")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kantor Imigrasi Parepare")
    expect(page.locator("dl.facts")).not_to_contain_text("POLRES-PAREPARE")

    page.get_by_role("button", name="Nonaktifkan: keluarkan dari forum").click()
    expect(page.get_by_role("status")).to_contain_text("Instansi telah keluar dari forum")
    look(page, "konsol-direktori-nonaktif")
    page.get_by_role("button", name="Aktifkan lagi: kembalikan ke forum").click()
    expect(page.get_by_role("status")).to_contain_text("Instansi kembali ke forum")
