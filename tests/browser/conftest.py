"""Browser tests: Debian's Chromium driven by Playwright against a whole stack in a subprocess.

They run as their own pytest pass, without nameko's plugin and without ``tests/conftest.py``
(``make test`` passes ``-p no:pytest_nameko --confcutdir=tests/browser``): nothing here is
monkey-patched by eventlet. Every page a test looks at is screenshot at desktop width and at
360 px into ``test-artifacts/screenshots/`` and checked by axe-core (WCAG 2.x A/AA, 2.2 AA).
"""
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from urllib.parse import urlsplit

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from bakohumas.harness import Api, LocalStack
from tests.clock import wall_now

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
PUBLIC_URL = "https://hub.example.go.id"
WITA = ZoneInfo("Asia/Makassar")
AXE = Axe()
# Every account the forum fixture makes signs in with this password.
PASSWORD = "rahasia-forum-2026"


@pytest.fixture(scope="session")
def stack():
    running = LocalStack(extra_env={"PUBLIC_URL": PUBLIC_URL}).start()
    try:
        yield running
    finally:
        running.stop()


def created(response, status=201):
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture(scope="session")
def forum(stack):
    """A small forum loaded through the JSON API: a Polres with its channels and a Polsek, news
    (a corrected release, a hoax clarification, a withdrawn release) and a public event."""
    made = stack.bootstrap(admin_email="koordinator@humas.example.go.id")
    coordinator = Api(stack.url, made["api_key"])
    polres = created(coordinator.post("/api/v1/agencies", json={
        "name": "Kepolisian Resor Parepare", "short_name": "POLRES-PAREPARE", "kind": "polri",
        "region_code": "73.72", "channels": {"instagram": "@humaspolresparepare",
                                             "website": "https://polresparepare.example.go.id"}}))
    polsek = created(coordinator.post("/api/v1/agencies", json={
        "name": "Kepolisian Sektor Soreang", "short_name": "POLSEK-SOREANG", "kind": "polri",
        "region_code": "73.72.03", "parent_id": polres["id"]}))
    key = created(coordinator.post(f"/api/v1/agencies/{polres['id']}/keys", json={"label": "browser"}))
    humas = Api(stack.url, key["api_key"])

    def publish(**fields):
        body = {"type": "release", "language": "id", "body_html": "<p>Isi siaran pers.</p>", **fields}
        item = created(humas.post("/api/v1/content", json=body))
        return created(humas.post(f"/api/v1/content/{item['id']}/publish", json={}), 200)

    corrected = publish(headline="Operasi Zebra dimulai 14 Desember",
                        summary="Polres Parepare menggelar Operasi Zebra selama dua pekan.",
                        body_html="<p>Operasi Zebra digelar di seluruh wilayah kota.</p>")
    created(humas.post(f"/api/v1/content/{corrected['id']}/correct", json={
        "headline": "Operasi Zebra dimulai 15 Desember", "change_note": "tanggal mulai diralat"}), 200)
    clarification = publish(type="clarification", headline="Tidak ada razia kendaraan tengah malam",
                            claim={"text": "Pesan berantai: razia kendaraan tiap tengah malam di Jalan Bau Massepe",
                                   "circulated_on": ["WhatsApp"]},
                            body_html="<p>Informasi itu tidak benar.</p>")
    withdrawn = publish(headline="Jadwal pelayanan SIM keliling pekan ini",
                        body_html="<p>SIM keliling di Lapangan Andi Makkasau.</p>")
    created(humas.post(f"/api/v1/content/{withdrawn['id']}/withdraw",
                       json={"reason": "jadwal belum final"}), 200)

    start = datetime.combine(wall_now(WITA).date() + timedelta(days=3), datetime.min.time(), WITA)
    start = start.replace(hour=10)
    event = created(humas.post("/api/v1/calendar/items", json={
        "kind": "press_conference", "title": "Konferensi pers Operasi Zebra", "timezone": "Asia/Makassar",
        "venue": "Aula Polres Parepare", "visibility": "public",
        "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}))
    created(coordinator.post(f"/api/v1/calendar/items/{event['id']}/schedule", json={}), 200)

    # People, each through their one-time link as a person would: the coordinator's first admin from
    # `bakohumas bootstrap`, a Polres admin and a Polres officer invited through the JSON API.
    accounts = {"coordinator": SimpleNamespace(email="koordinator@humas.example.go.id", password=PASSWORD,
                                               name="Admin HUMAS-KOORD", account_id=made["admin_account_id"],
                                               agency_id=made["agency_id"])}
    set_password(stack, made["console_link"], PASSWORD)
    accounts["polres_admin"] = make_account(stack, coordinator, polres["id"], "Kompol Sri Wahyuni",
                                            "admin@polresparepare.example.go.id", role="admin")
    accounts["polres"] = make_account(stack, coordinator, polres["id"], "Bripka Andi Saputra",
                                      "andi@polresparepare.example.go.id")
    return SimpleNamespace(coordinator=coordinator, humas=humas, polres=polres, polsek=polsek,
                           corrected=corrected, clarification=clarification, withdrawn=withdrawn,
                           event=event, accounts=accounts)


def make_account(stack, api, agency_id, name, email, role="officer", password=PASSWORD):
    """A person of the agency, invited through the JSON API with ``api``'s key (the agency's own, or
    the coordinator's) and signed up through the one-time link: ``.email .password .name .account_id``."""
    invited = created(api.post(f"/api/v1/agencies/{agency_id}/accounts", json={
        "name": name, "email": email, "account_role": role}))
    set_password(stack, invited["invite_link"], password)
    return SimpleNamespace(email=email, password=password, name=name, account_id=invited["account"]["id"],
                           agency_id=agency_id)


def set_password(stack, link, password):
    """Follow a one-time link (it names PUBLIC_URL; the stack answers on its own address) and set a password."""
    path = urlsplit(link).path
    answer = requests.post(stack.url + path, data={"password": password, "password_again": password},
                           allow_redirects=False, timeout=30)
    assert answer.status_code == 303, answer.text


def eventually(check, timeout=60):
    """What ``check()`` answers once it answers something (the services work after the 202)."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"not true within {timeout}s"
        time.sleep(0.3)
    return found


def listed(agency, number):
    """The complaint ``number`` as the ``agency`` API client lists it, or None while it is not there."""
    return next((c for c in agency.get("/api/v1/complaints").json()["complaints"]
                 if c["tracking_number"] == number), None)


def sign_in(page, email, password):
    """Sign in through the console's form, as a person does; the page is then on the console."""
    page.goto("/console/masuk")
    page.get_by_label("Alamat email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    expect(page).not_to_have_url(re.compile(r"/console/masuk"))


def pick_agency(page, key, typed, name):
    """Choose an agency in a picker (templates/_picker.html) as a person does: type part of its name,
    then tick it among those found (after the picker's Find button when the page runs no script)."""
    page.locator(f"#{key}-cari").fill(typed)
    if getattr(page, "without_javascript", False):
        page.locator(f"#{key}").get_by_role("button", name="Cari").click()
    page.locator(f"#{key}-hasil").get_by_label(name).check()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def page_without_javascript(browser, stack):
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP, java_script_enabled=False)
    opened = context.new_page()
    opened.without_javascript = True
    try:
        yield opened
    finally:
        context.close()


def check_accessibility(page):
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"


def check_accessibility_of_twin(page):
    """axe-core is JavaScript: a page seen without it is checked as the same address opened,
    with the same cookies, in a context that runs scripts."""
    twin = page.context.browser.new_context(viewport=DESKTOP)
    try:
        twin.add_cookies(page.context.cookies())
        opened = twin.new_page()
        opened.goto(page.url)
        check_accessibility(opened)
    finally:
        twin.close()


def look(page, name):
    """What every test does on every page it visits: axe-core finds nothing to report, and a
    screenshot at desktop width and at 360 px is kept for a person to see."""
    if getattr(page, "without_javascript", False):
        check_accessibility_of_twin(page)
    else:
        check_accessibility(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    viewport = page.viewport_size
    page.screenshot(path=SCREENSHOTS / f"{safe}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOTS / f"{safe}-360.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.set_viewport_size(viewport)
    assert overflow <= 0, f"{page.url} scrolls sideways at 360 px by {overflow} px"
