"""Every page, public and console (signed in as the coordinator), at 360 px and at 1280 px: nothing
scrolls sideways and no text breaks inside a word. The pages are found by following the links of
the pages seen, from the public home page and the console's; each is screenshot at both widths."""
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, sign_in

# Addresses that are not pages to look at: files, feeds, the API, leaving the console.
NOT_PAGES = re.compile(r"^/(api|static)/|\.(ics|csv|xlsx|svg|zip|pdf)$|/berkas/|/ekspor|/unduh|/keluar|/poster")
MOST_PAGES = 80

# In the page: the sideways scroll, and every word of the text drawn on more than one line. A word
# is a run of letters and digits; a web or mail address, a code or a key (<code>, .secret) may break
# anywhere, and what no one sees (the honeypot, visually hidden text) is not read.
LAYOUT = """() => {
  const root = document.documentElement;
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !parent.offsetParent && getComputedStyle(parent).position !== "fixed") continue;
    if (parent.closest("[aria-hidden=true], .visually-hidden, .trap, code, .secret")) continue;
    for (const token of node.data.matchAll(/\\S+/gu)) {
      if (/[\\/@]/.test(token[0])) continue;
      for (const match of token[0].matchAll(/[\\p{L}\\p{N}]{2,}/gu)) {
        range.setStart(node, token.index + match.index);
        range.setEnd(node, token.index + match.index + match[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0] + " in <" + parent.tagName.toLowerCase() + ">");
      }
    }
  }
  return {sideways: root.scrollWidth - root.clientWidth, broken: broken.slice(0, 10)};
}"""


def same_site_pages(page):
    found = set()
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or NOT_PAGES.search(parts.path):
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def problems_of(page, address):
    """What is wrong with the layout of ``address`` at each width (a screenshot of each is kept)."""
    found = []
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", address.strip("/")) or "beranda"
    for label, size in (("360", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        measured = page.evaluate(LAYOUT)
        page.screenshot(path=SCREENSHOTS / f"tata-letak-{name}-{label}.png", full_page=True, timeout=120_000)
        if measured["sideways"] > 0:
            found.append(f"{address} at {size['width']} px scrolls sideways by {measured['sideways']} px")
        if measured["broken"]:
            found.append(f"{address} at {size['width']} px breaks words: {measured['broken']}")
    return found


def walk(page, start, inside):
    """Every page reached from ``start`` by links whose path begins with ``inside``: their problems."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    waiting, seen, problems = list(start), set(), []
    while waiting and len(seen) < MOST_PAGES:
        address = waiting.pop(0)
        if address in seen:
            continue
        seen.add(address)
        page.set_viewport_size(DESKTOP)
        response = page.goto(address)
        if response is None or response.status >= 400 or not urlsplit(page.url).path.startswith(inside):
            continue
        problems += problems_of(page, address)
        waiting += sorted(p for p in same_site_pages(page) if p.startswith(inside) and p not in seen)
    return seen, problems


@pytest.fixture
def walked_forum(forum):
    """The forum with a complaint, so that its pages are there to walk."""
    filed = forum.coordinator.post("/api/v1/complaints", json={
        "channel": "web", "text": "Lampu jalan di depan pasar mati sejak Senin malam.",
        "target_agency_id": forum.polres["id"], "category": "lalu_lintas"})
    assert filed.status_code == 202, filed.text
    return forum, filed.json()["tracking_number"]


def test_every_public_page_fits_both_widths_without_breaking_words(page, walked_forum):
    forum, number = walked_forum
    seen, problems = walk(page, ["/", "/lapor", "/lacak", f"/lacak/{number}", "/informasi/permohonan",
                                 f"/lapor?instansi={forum.polres['id']}&pintu=qr"], "/")
    assert len(seen) >= 10 and problems == []


def test_every_console_page_fits_both_widths_without_breaking_words(page, walked_forum):
    forum, _ = walked_forum
    account = forum.accounts["coordinator"]
    sign_in(page, account.email, account.password)
    expect(page).to_have_url(re.compile(r"/console/?$"))
    seen, problems = walk(page, ["/console/", "/console/direktori/akun", "/console/konten/baru",
                                 "/console/kalender/usul"], "/console/")
    assert len(seen) >= 15 and problems == []
