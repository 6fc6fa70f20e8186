"""The console's plumbing without a stack: CSRF tokens bound to the session, refusal of cross-site
requests, where a sign-in may send the browser, loopback hosts, the menu, and that no page of one
mixin hides another's (two handlers of one name on GatewayService: only one would be served)."""
import io
from types import SimpleNamespace

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway.pages.console.session import (PRE_SESSION_COOKIE, SESSION_COOKIE, check_csrf, console_render,
                                           csrf_token, nav, refuse_cross_site, safe_next, set_session_cookie,
                                           sign_in_csrf_token)
from gateway.pages.console.signin import ConsoleSignIn
from gateway.pages.web import PageError
from gateway.ratelimit import TokenBucket
from gateway.service import GatewayService

TOKEN = "a" * 43
OTHER = "b" * 43
PUBLIC = "https://hub.example.go.id"


def request(method="POST", cookie=TOKEN, headers=None, data=None, host="127.0.0.1:8000"):
    builder = EnvironBuilder(method=method, path="/console/keluar", headers={"Host": host, **(headers or {})},
                             data=data)
    if cookie:
        builder.headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    environ = builder.get_environ()
    body = environ["wsgi.input"].read()
    environ["bakohumas.body"] = body  # as the gateway buffers it before a page reads its form
    environ["wsgi.input"] = io.BytesIO(body)
    return Request(environ)


def test_the_csrf_token_is_bound_to_the_session():
    mine = csrf_token(request())
    assert mine and mine != csrf_token(request(cookie=OTHER)) and csrf_token(request(cookie=None)) == ""
    check_csrf(request(data={"csrf_token": mine}))
    check_csrf(request(headers={"X-CSRF-Token": mine}))
    for sent in ({}, {"csrf_token": csrf_token(request(cookie=OTHER))}, {"csrf_token": mine[:-1]}):
        with pytest.raises(PageError) as refused:
            check_csrf(request(data=sent))
        assert refused.value.status == 403


@pytest.mark.parametrize("headers, refused", [
    ({}, False),
    ({"Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1:8000"}, False),
    ({"Origin": PUBLIC}, False),
    ({"Sec-Fetch-Site": "none"}, False),
    ({"Sec-Fetch-Site": "cross-site"}, True),
    ({"Sec-Fetch-Site": "same-site"}, True),
    ({"Origin": "https://evil.example"}, True),
    ({"Origin": "null"}, True),
    ({"Origin": "http://127.0.0.1:9999"}, True),
])
def test_a_request_from_another_site_or_origin_is_refused(headers, refused):
    if refused:
        with pytest.raises(PageError):
            refuse_cross_site(request(headers=headers), PUBLIC)
    else:
        refuse_cross_site(request(headers=headers), PUBLIC)


def test_after_sign_in_only_a_console_path_of_this_gateway():
    assert safe_next("/console/kalender?bulan=2026-12") == "/console/kalender?bulan=2026-12"
    for target in (None, "", "https://evil.example/console", "//evil.example/console", "/console\\@evil", "/",
                   "/console/\r\nSet-Cookie: a=b", "/console/\x00", "/console/\tx", "/console/\x7f"):
        assert safe_next(target) == "/console/"


@pytest.mark.parametrize("public_url, secure", [("https://hub.example.go.id", True),
                                                ("http://127.0.0.1:8000", False)])
def test_the_session_cookie_is_secure_when_the_public_address_is_https_whatever_host_the_proxy_sends(
        public_url, secure):
    """The request (its Host, any X-Forwarded-* header) has no say: a proxy passing 127.0.0.1:8000
    upstream must not give HTTPS users a cookie without Secure."""
    cookie = set_session_cookie(Response(), public_url, TOKEN).headers["Set-Cookie"]
    assert ("; Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_menu_marks_the_section_of_the_page():
    items = nav("id", "/console/direktori/akun")
    assert [item["label"] for item in items] == ["Beranda", "Kalender", "Konten", "Pengaduan", "Direktori",
                                                 "Informasi", "Notifikasi"]
    assert [item["href"] for item in items if item["current"]] == ["/console/direktori"]
    assert [item["href"] for item in nav("en", "/console/") if item["current"]] == ["/console/"]


def test_no_handler_of_the_gateway_hides_another():
    seen = {}
    for mixin in GatewayService.__mro__[1:]:
        for name, value in vars(mixin).items():
            if callable(value) and not name.startswith("__"):
                assert name not in seen, f"{mixin.__name__}.{name} is hidden by {seen[name]}.{name}"
                seen[name] = mixin.__name__


def test_a_console_page_carries_the_csrf_token_for_forms_and_for_htmx():
    actor = {"agency_id": "a1", "role": "member", "key_id": None, "account_id": "acc-1", "account_name": "Rina",
             "account_role": "officer", "agency_name": "Polres Parepare", "agency_short_name": "POLRES"}
    signed_in = request(method="GET")
    html = console_render(signed_in, "id", actor, "console/base.html").get_data(as_text=True)
    token = csrf_token(signed_in)
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in html  # the sign-out form
    assert f"""hx-headers='{{"X-CSRF-Token": "{token}"}}'""" in html
    assert "Rina (POLRES)" in html


class SignInDirectory:
    """The directory's ``sign_in`` as a fake RPC: every attempt fails (counted), or all succeed."""

    def __init__(self, succeed=False):
        self.succeed = succeed
        self.attempts = 0

    def __call__(self, service, method, *args):
        assert (service, method) == ("directory", "sign_in")
        self.attempts += 1
        if self.succeed:
            return {"token": "t", "totp_required": False, "session": {"account_id": "a1"}}
        return {"token": None, "totp_required": False}


def signing_in(pages, email="budi@polres.example.go.id", address="10.0.0.7", csrf=None, pre_session=OTHER,
               next_path=None):
    """The sign-in form sent from a browser that opened it (its pre-session cookie and token)."""
    data = {"email": email, "password": "wrong-one", "csrf_token": sign_in_csrf_token(pre_session)
            if csrf is None else csrf, **({"next": next_path} if next_path else {})}
    environ = EnvironBuilder(method="POST", path="/console/masuk", data=data, environ_base={"REMOTE_ADDR": address},
                             headers={"Cookie": f"{PRE_SESSION_COOKIE}={pre_session}"}).get_environ()
    environ["bakohumas.body"] = environ["wsgi.input"].read()  # as the gateway buffers it
    environ["wsgi.input"] = io.BytesIO(environ["bakohumas.body"])
    return ConsoleSignIn.sign_in.__wrapped__(pages, Request(environ), "id")


def test_an_address_that_keeps_failing_is_stopped_whatever_emails_it_tries_and_successes_never_count():
    clock = [0.0]
    failures = TokenBucket(per_minute=10, burst=3, clock=lambda: clock[0])
    directory = SignInDirectory()
    pages = SimpleNamespace(rpc=directory, sign_in_failures=failures, public_url=PUBLIC,
                            sessions=SimpleNamespace(drop=lambda digest: None))
    answers = [signing_in(pages, email=f"orang{n}@example.go.id") for n in range(4)]
    assert [a.status_code for a in answers] == [400, 400, 400, 429] and directory.attempts == 3
    stopped = answers[-1]
    assert stopped.headers["Retry-After"] == "6" and "Tunggu 6 detik" in stopped.get_data(as_text=True)
    assert 'value="orang3@example.go.id"' in stopped.get_data(as_text=True)  # nothing typed is lost
    assert signing_in(pages, address="10.0.0.8").status_code == 400  # another address has its own count
    clock[0] += 6
    assert signing_in(pages).status_code == 400 and directory.attempts == 5
    office = SimpleNamespace(rpc=SignInDirectory(succeed=True), sign_in_failures=failures, public_url=PUBLIC,
                             sessions=SimpleNamespace(drop=lambda digest: None))
    assert all(signing_in(office, address="10.0.0.9").status_code == 303 for _ in range(10))


class OverlappingSignIns(SignInDirectory):
    """Every attempt still at the password check when the next one arrives (as concurrent requests
    are): each call makes the next sign-in from inside itself, until ``arriving`` have come."""

    def __init__(self, pages, arriving):
        super().__init__()
        self.pages, self.arriving, self.arrived, self.answers = pages, arriving, 1, []

    def __call__(self, service, method, *args):
        if self.arrived < self.arriving:
            self.arrived += 1
            self.answers.append(signing_in(self.pages))
        return super().__call__(service, method, *args)


def test_attempts_in_flight_at_once_never_exceed_the_burst():
    pages = SimpleNamespace(sign_in_failures=TokenBucket(per_minute=10, burst=20, clock=lambda: 0.0),
                            public_url=PUBLIC, sessions=SimpleNamespace(drop=lambda digest: None))
    pages.rpc = directory = OverlappingSignIns(pages, arriving=45)
    directory.answers.append(signing_in(pages))
    while directory.arrived < directory.arriving:  # the ones turned away before the check
        directory.arrived += 1
        directory.answers.append(signing_in(pages))
    statuses = [answer.status_code for answer in directory.answers]
    assert directory.attempts == 20 and statuses.count(400) == 20 and statuses.count(429) == 25


def test_the_sign_in_form_needs_the_token_its_page_gave_this_browser():
    pages = SimpleNamespace(rpc=SignInDirectory(), sign_in_failures=TokenBucket(per_minute=10, burst=20),
                            public_url=PUBLIC, sessions=SimpleNamespace(drop=lambda digest: None))
    for refused in (signing_in(pages, csrf=""), signing_in(pages, csrf=sign_in_csrf_token(TOKEN))):
        html = refused.get_data(as_text=True)
        assert refused.status_code == 403 and "Formulir ini sudah kedaluwarsa" in html
        assert 'value="budi@polres.example.go.id"' in html  # nothing typed is lost but the password
        assert f'name="csrf_token" value="{sign_in_csrf_token(OTHER)}"' in html  # a token to try again with
    assert pages.rpc.attempts == 0
    assert signing_in(pages).status_code == 400 and pages.rpc.attempts == 1


def test_a_control_character_in_next_sends_the_browser_home():
    pages = SimpleNamespace(rpc=SignInDirectory(succeed=True), sign_in_failures=TokenBucket(per_minute=10, burst=20),
                            public_url=PUBLIC, sessions=SimpleNamespace(drop=lambda digest: None))
    answer = signing_in(pages, next_path="/console/\r\nSet-Cookie: a=b")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/console/")
