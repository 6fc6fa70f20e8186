"""The console's door on a stack of its own: the sign-in throttle under attempts that arrive at the
same moment, what a change of password, second factor or email asks for, and the smaller edges of
signing in (``next=``, the pre-session CSRF token, pages for unknown console paths).

The stack is its own because the flood at the end empties the sign-in count of 127.0.0.1, which every
other e2e module signs in from."""
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pyotp
import pytest
import requests

from bakohumas.harness import LocalStack, MailSink, console_sign_in, form_token
from tests.clock import wall_now

pytestmark = pytest.mark.e2e

PASSWORD = "pelabuhan-senja-2026"
BURST = 20


@pytest.fixture(scope="module")
def own_stack():
    mail = MailSink().start()
    # Twenty argon2 checks at once on a busy machine may take longer than the harness's usual 3 s.
    stack = LocalStack(extra_env={"RPC_TIMEOUT": "30", "SMTP_URL": mail.url,
                                  "MAIL_FROM": "Bakohumas Hub <no-reply@hub.example.test>"})
    try:
        stack.start()
        stack.mail = mail
        yield stack
    finally:
        stack.stop()
        mail.stop()


@pytest.fixture(scope="module")
def admin(own_stack):
    made = own_stack.bootstrap()
    answer = requests.post(own_stack.url + urlsplit(made["console_link"]).path, allow_redirects=False, timeout=30,
                           data={"password": PASSWORD, "password_again": PASSWORD})
    assert answer.status_code == 303, answer.text
    return {"email": "admin@humas-koord.example.go.id", "password": PASSWORD}


def test_the_sign_in_form_needs_its_token_and_next_takes_no_control_character(own_stack, admin):
    tokenless = requests.post(f"{own_stack.url}/console/masuk", allow_redirects=False, timeout=30, data=admin)
    assert tokenless.status_code == 403 and tokenless.headers["Content-Type"].startswith("text/html")
    assert admin["email"] in tokenless.text and "bakohumas_session" not in tokenless.cookies
    signed_in = console_sign_in(own_stack.url, admin["email"], admin["password"],
                                next="/console/akun\r\nSet-Cookie: dipasang=1")
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/console/"
    assert "dipasang" not in signed_in.headers.get("Set-Cookie", "")


def test_console_addresses_nobody_serves_answer_pages(own_stack, admin):
    for language, words in (("id", "Halaman tidak ditemukan"), ("en", "Page not found")):
        unknown = requests.get(f"{own_stack.url}/console/tidak-ada/sama-sekali?lang={language}", timeout=30)
        assert unknown.status_code == 404 and unknown.headers["Content-Type"].startswith("text/html")
        assert words in unknown.text
    assert requests.get(f"{own_stack.url}/console/keluar", allow_redirects=False, timeout=30).status_code == 303
    cookie = console_sign_in(own_stack.url, admin["email"], admin["password"]).cookies["bakohumas_session"]
    asked = requests.get(f"{own_stack.url}/console/keluar", cookies={"bakohumas_session": cookie}, timeout=30)
    assert asked.status_code == 200 and "Keluar dari konsol?" in asked.text
    token = form_token(asked.text)
    out = requests.post(f"{own_stack.url}/console/keluar", cookies={"bakohumas_session": cookie},
                        data={"csrf_token": token}, allow_redirects=False, timeout=30)
    assert out.status_code == 303 and out.headers["Location"] == "/console/masuk?pesan=keluar"


def signed_in(stack, account):
    """A session of ``account``: a requests.Session holding its cookie."""
    browser = requests.Session()
    assert console_sign_in(stack.url, account["email"], account["password"], browser).status_code == 303
    return browser


def still_signed_in(stack, browser):
    return browser.get(f"{stack.url}/console/akun", allow_redirects=False, timeout=30).status_code == 200


def send(stack, browser, path, **fields):
    token = form_token(browser.get(f"{stack.url}/console/akun", timeout=30).text)
    return browser.post(f"{stack.url}{path}", data={"csrf_token": token, **fields}, allow_redirects=False,
                        timeout=30)


def mailed(stack, address, subject):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [m for m in stack.mail.to(address) if m["Subject"] == subject]
        if found:
            return found
        time.sleep(0.3)
    return []


def test_a_session_alone_changes_no_second_factor_password_or_email(own_stack, admin):
    desk, laptop = signed_in(own_stack, admin), signed_in(own_stack, admin)
    refused = send(own_stack, desk, "/console/akun/totp", current_password="bukan-sandinya")
    assert refused.status_code == 403 and "Kata sandi Anda saat ini tidak cocok" in refused.text
    assert send(own_stack, desk, "/console/akun/totp", current_password=admin["password"]).status_code == 303
    secret = desk.get(f"{own_stack.url}/console/akun/totp", timeout=30).text.split('class="secret">', 1)[1]
    totp = pyotp.TOTP(secret.split("<", 1)[0].strip())
    confirmed = send(own_stack, desk, "/console/akun/totp/konfirmasi", code=totp.now())
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/console/akun?pesan=totp"
    assert still_signed_in(own_stack, desk) and not still_signed_in(own_stack, laptop)
    [told] = mailed(own_stack, admin["email"], "Verifikasi dua langkah akun Bakohumas Hub Anda diubah")
    assert "Verifikasi dua langkah dinyalakan untuk akun Anda" in told.get_body(("plain",)).get_content()

    phone = requests.Session()
    assert console_sign_in(own_stack.url, admin["email"], admin["password"], phone).status_code == 400
    assert console_sign_in(own_stack.url, admin["email"], admin["password"], phone,
                           totp_code=totp.at(wall_now().timestamp() + totp.interval)).status_code == 303
    without_code = send(own_stack, desk, "/console/akun/totp/hapus", current_password=admin["password"])
    assert without_code.status_code == 403 and "Masukkan 6 angka yang tampil di aplikasi Anda sekarang" in \
        without_code.text
    # A code is good once: the next one the server takes is of the step after the phone's, so wait for it.
    time.sleep(totp.interval - wall_now().timestamp() % totp.interval + 0.5)
    removed = send(own_stack, desk, "/console/akun/totp/hapus", current_password=admin["password"],
                   current_code=totp.at(wall_now().timestamp() + totp.interval))
    assert removed.status_code == 303 and not still_signed_in(own_stack, phone)
    assert len(mailed(own_stack, admin["email"], "Verifikasi dua langkah akun Bakohumas Hub Anda diubah")) >= 1

    new_email = "koordinator.humas@example.go.id"
    wrong = send(own_stack, desk, "/console/akun/email", email=new_email, current_password="bukan-sandinya")
    assert wrong.status_code == 403 and new_email in wrong.text  # nothing typed is lost
    assert send(own_stack, desk, "/console/akun/email", email=new_email,
                current_password=admin["password"]).status_code == 303
    admin["email"] = new_email
    assert signed_in(own_stack, admin) and still_signed_in(own_stack, desk)
    common = send(own_stack, desk, "/console/akun/sandi", current_password=admin["password"],
                  new_password="qwertyuiop", new_password_again="qwertyuiop")
    assert common.status_code == 400 and "daftar kata sandi yang umum atau pernah bocor" in common.text
    in_english = send(own_stack, desk, "/console/akun/sandi?lang=en", current_password=admin["password"],
                      new_password="koordinator.humas-26", new_password_again="koordinator.humas-26")
    assert "The password may not contain the name of your email address" in in_english.text


def test_wrong_sign_ins_arriving_at_once_from_one_address_never_pass_the_burst(own_stack, admin):
    """Last in this module: it leaves 127.0.0.1 without tries for a while."""
    form = requests.get(f"{own_stack.url}/console/masuk", timeout=30)

    def wrong_sign_in(_):
        return requests.post(f"{own_stack.url}/console/masuk", allow_redirects=False, timeout=60,
                             cookies=form.cookies, data={"email": f"orang-{uuid.uuid4().hex[:8]}@example.go.id",
                                                         "password": "bukan-sandinya",
                                                         "csrf_token": form_token(form.text)})

    with ThreadPoolExecutor(max_workers=45) as pool:
        statuses = [answer.status_code for answer in pool.map(wrong_sign_in, range(45))]
    # A 400 is an attempt that reached the password check; a 429 one stopped before it. The tests
    # before may have left a few tries of the burst taken.
    assert statuses.count(400) <= BURST and statuses.count(429) >= 45 - BURST, statuses
    assert statuses.count(400) + statuses.count(429) == 45, statuses
