"""A person signs in to the console, sees it, signs out, and the cookie they had no longer works;
the session cookie is never an API credential, and a form sent without its CSRF token or from
another site is refused."""
import re

import requests
from playwright.sync_api import expect

from bakohumas.harness import console_sign_in
from tests.browser.conftest import look, sign_in


def test_sign_in_see_the_console_sign_out_and_the_old_cookie_is_dead(page, stack, forum):
    page.goto("/console/")  # not signed in: to the sign-in form, which comes back here after
    expect(page).to_have_url(re.compile(r"/console/masuk\?next=/console/$"))
    page.get_by_label("Alamat email").fill("nobody@example.go.id")
    page.get_by_label("Kata sandi").fill("whatever-it-is")
    page.get_by_role("button", name="Masuk").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Email atau kata sandi tidak cocok")
    expect(page.get_by_label("Alamat email")).to_have_value("nobody@example.go.id")
    look(page, "console-masuk-salah")

    account = forum.accounts["coordinator"]
    page.get_by_label("Kata sandi").fill(account.password)
    page.get_by_label("Alamat email").fill(account.email)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.get_by_role("link", name=f"{account.name} (HUMAS-KOORD)")).to_be_visible()
    nav = page.get_by_role("navigation", name="Menu konsol")
    expect(nav.get_by_role("link", name="Beranda")).to_have_attribute("aria-current", "page")
    for name in ("Kalender", "Konten", "Pengaduan", "Direktori", "Informasi", "Notifikasi"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    look(page, "console-beranda")

    cookie = next(c for c in page.context.cookies() if c["name"] == "bakohumas_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert cookie["secure"]  # PUBLIC_URL is https, whatever address the browser talks to
    jar = {"bakohumas_session": cookie["value"]}
    assert requests.get(stack.url + "/api/v1/me", cookies=jar, timeout=10).status_code == 401
    forged = requests.post(stack.url + "/console/keluar", cookies=jar, data={}, allow_redirects=False, timeout=10)
    assert forged.status_code == 403  # no CSRF token
    token = page.locator("header input[name=csrf_token]").get_attribute("value")
    cross = requests.post(stack.url + "/console/keluar", cookies=jar, data={"csrf_token": token},
                          headers={"Origin": "https://evil.example"}, allow_redirects=False, timeout=10)
    assert cross.status_code == 403
    still = requests.get(stack.url + "/console/", cookies=jar, allow_redirects=False, timeout=10)
    assert still.status_code == 200

    page.goto("/console/keluar")  # a typed or linked address asks first
    expect(page.get_by_role("heading", level=1)).to_have_text("Keluar dari konsol?")
    look(page, "console-keluar")
    page.get_by_role("main").get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/console/masuk\?pesan=keluar$"))
    expect(page.get_by_role("status")).to_have_text("Anda telah keluar.")
    replay = requests.get(stack.url + "/console/", cookies=jar, allow_redirects=False, timeout=10)
    assert replay.status_code == 303 and replay.headers["Location"].endswith("/console/masuk?next=/console/")

    officer = forum.accounts["polres"]  # the fixture's helper, as other journeys sign in
    sign_in(page, officer.email, officer.password)
    expect(page.get_by_role("link", name=f"{officer.name} (POLRES-PAREPARE)")).to_be_visible()


def test_the_session_cookie_is_secure_when_the_public_address_is_https_whatever_the_host(stack, forum):
    """The stack answers on http://127.0.0.1 (as behind a proxy that passes that Host upstream) but its
    PUBLIC_URL is https: the cookie is Secure."""
    account = forum.accounts["polres"]
    answer = console_sign_in(stack.url, account.email, account.password)
    assert answer.status_code == 303
    assert re.search(r"bakohumas_session=[^;]+; Secure; HttpOnly; Path=/; SameSite=Lax",
                     answer.headers["Set-Cookie"]), answer.headers["Set-Cookie"]
