"""People in the console, as they click: the coordinator's admin invites a Polres officer, who opens the
one-time link, sets a password, signs in, turns on two-step sign-in with the QR code, signs out (the old
cookie is dead), signs in with a code; when the admin deactivates the account its session ends at once."""
import re
from urllib.parse import urlsplit

import pyotp
import requests
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, look, pick_agency, sign_in
from tests.clock import wall_now

PASSWORD = "pantai-lumpue-senja"


def test_invite_set_password_two_step_sign_in_sign_out_and_deactivation(browser, page, stack, forum):
    admin = forum.accounts["coordinator"]
    sign_in(page, admin.email, admin.password)
    page.goto("/console/direktori/akun")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Akun Bagian Humas HUMAS-KOORD")
    pick_agency(page, "instansi", "polres", "Kepolisian Resor Parepare (POLRES-PAREPARE)")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Akun Kepolisian Resor Parepare")
    expect(page.get_by_role("cell", name="Bripka Andi Saputra", exact=True)).to_be_visible()

    page.get_by_label("Nama lengkap").fill("Brigpol Dewi Lestari")
    page.get_by_label("Alamat email").fill(forum.accounts["polres"].email.upper())
    page.get_by_role("button", name="Undang").click()
    expect(page.get_by_role("alert")).to_contain_text("Email ini sudah punya akun")
    expect(page.get_by_label("Nama lengkap")).to_have_value("Brigpol Dewi Lestari")
    page.get_by_label("Alamat email").fill("dewi@polresparepare.example.go.id")
    page.get_by_role("button", name="Undang").click()
    invited = page.get_by_role("status")
    expect(invited).to_contain_text("Brigpol Dewi Lestari sudah diundang")
    first_link = invited.locator(".secret").inner_text()
    assert first_link.startswith("https://hub.example.go.id/console/undangan/")
    look(page, "console-akun-undang")
    dewi = page.get_by_role("row", name=re.compile("Brigpol Dewi Lestari"))
    dewi.get_by_role("button", name="Tautan baru").click()  # e.g. the first one was lost: it stops working
    expect(page.get_by_role("status")).to_contain_text("Brigpol Dewi Lestari sudah diundang")
    link = page.get_by_role("status").locator(".secret").inner_text()
    assert link != first_link

    officer_context = browser.new_context(base_url=stack.url, viewport=DESKTOP)
    officer = officer_context.new_page()
    try:
        assert officer.goto(urlsplit(first_link).path).status == 404
        officer.goto(urlsplit(link).path)
        expect(officer.locator("dl.facts")).to_contain_text("Kepolisian Resor Parepare")
        officer.get_by_label("Kata sandi baru").fill(PASSWORD)
        officer.get_by_label("Ulangi kata sandi yang sama").fill("lain-lagi-kata-sandinya")
        officer.get_by_role("button", name="Simpan kata sandi").click()
        expect(officer.get_by_role("alert")).to_contain_text("Ketik kata sandi yang sama dua kali")
        look(officer, "console-undangan-salah")
        officer.get_by_label("Kata sandi baru").fill(PASSWORD)
        officer.get_by_label("Ulangi kata sandi yang sama").fill(PASSWORD)
        officer.get_by_role("button", name="Simpan kata sandi").click()
        expect(officer.get_by_role("status")).to_have_text(
            "Kata sandi Anda sudah tersimpan. Silakan masuk dengannya sekarang.")
        assert officer.goto(urlsplit(link).path).status == 404  # the link is spent

        sign_in(officer, "dewi@polresparepare.example.go.id", PASSWORD)
        officer.get_by_role("link", name="Brigpol Dewi Lestari (POLRES-PAREPARE)").click()
        expect(officer.get_by_role("heading", level=1)).to_have_text("Akun saya")
        officer.get_by_role("link", name="Atur verifikasi dua langkah").click()
        officer.get_by_label("Kata sandi saat ini").fill("bukan-kata-sandinya")
        officer.get_by_role("button", name="Lanjutkan").click()  # a session alone plants no authenticator
        expect(officer.get_by_role("alert")).to_contain_text("Kata sandi Anda saat ini tidak cocok")
        look(officer, "console-totp-bukti-salah")
        officer.get_by_label("Kata sandi saat ini").fill(PASSWORD)
        officer.get_by_role("button", name="Lanjutkan").click()
        qr = officer.get_by_role("img", name="Kode QR untuk aplikasi autentikator Anda")
        expect(qr).to_be_visible()
        # Polled from here: wait_for_function's page-side polling is script the page's CSP refuses.
        for _ in range(100):
            if qr.evaluate("img => img.complete"):
                break
            officer.wait_for_timeout(100)
        assert officer.evaluate("document.querySelector('main img').naturalWidth") > 0  # CSP let it in
        totp = pyotp.TOTP(officer.locator(".secret").inner_text().strip())
        look(officer, "console-totp")
        officer.get_by_label("Kode dari aplikasi autentikator Anda").fill(totp.now())
        officer.get_by_role("button", name="Aktifkan verifikasi dua langkah").click()
        expect(officer.get_by_role("status")).to_contain_text("Verifikasi dua langkah aktif")
        look(officer, "console-akun-saya")

        # Replacing the app asks for the password and a code of the app in use; the new app then confirms.
        officer.get_by_role("link", name="Ganti aplikasi autentikator").click()
        officer.get_by_label("Kata sandi saat ini").fill(PASSWORD)
        officer.get_by_label("Kode dari aplikasi autentikator Anda").fill(totp.at(wall_now().timestamp() + totp.interval))
        look(officer, "console-totp-ganti")
        officer.get_by_role("button", name="Lanjutkan").click()
        totp = pyotp.TOTP(officer.locator(".secret").inner_text().strip())
        officer.get_by_label("Kode dari aplikasi autentikator Anda").fill(totp.now())
        officer.get_by_role("button", name="Aktifkan verifikasi dua langkah").click()
        expect(officer.get_by_role("status")).to_contain_text("Verifikasi dua langkah aktif")

        cookie = {c["name"]: c["value"] for c in officer_context.cookies()}
        officer.get_by_role("button", name="Keluar").click()
        expect(officer).to_have_url(re.compile(r"/console/masuk\?pesan=keluar$"))
        replay = requests.get(stack.url + "/console/akun", cookies=cookie, allow_redirects=False, timeout=10)
        assert replay.status_code == 303 and "/console/masuk" in replay.headers["Location"]

        officer.get_by_label("Alamat email").fill("dewi@polresparepare.example.go.id")
        officer.get_by_label("Kata sandi").fill(PASSWORD)
        officer.get_by_role("button", name="Masuk").click()
        expect(officer.get_by_role("alert")).to_contain_text("Masukkan kode dari aplikasi autentikator Anda")
        officer.get_by_label("Kata sandi").fill(PASSWORD)
        officer.get_by_label("Kode dari aplikasi autentikator Anda").fill(totp.at(wall_now().timestamp() + totp.interval))
        officer.get_by_role("button", name="Masuk").click()
        expect(officer).to_have_url(re.compile(r"/console/$"))

        page.reload()  # the admin deactivates the officer: the officer's session ends at once
        page.get_by_role("row", name=re.compile("Brigpol Dewi Lestari")).get_by_role("button", name="Nonaktifkan").click()
        expect(page.get_by_role("status")).to_contain_text("Akun sudah dinonaktifkan")
        expect(page.get_by_role("row", name=re.compile("Brigpol Dewi Lestari"))).to_contain_text("Nonaktif")
        officer.goto("/console/akun")
        expect(officer).to_have_url(re.compile(r"/console/masuk\?next=/console/akun$"))
    finally:
        officer_context.close()


def test_an_officer_may_not_manage_accounts(page, forum):
    officer = forum.accounts["polres"]
    sign_in(page, officer.email, officer.password)
    answer = page.goto("/console/direktori/akun")
    assert answer.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Permintaan ini ditolak")
