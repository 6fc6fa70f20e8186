"""A forum past 200 agencies, over HTTP: every agency is reachable on the public member pages and
findable in every picker (the 201st and the last included), with and without JavaScript; the
console's content list past one page."""
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

import pytest
import requests

from bakohumas.harness import console_sign_in

pytestmark = pytest.mark.e2e

AGENCIES = 230
NEXT = re.compile(r'<a href="([^"]+)" rel="next"')


@pytest.fixture(scope="module")
def large_forum(coordinator):
    """AGENCIES agencies registered through the API side by side, named so that they sort in order."""
    batch = uuid.uuid4().hex[:4].upper()

    def register(number):
        answer = coordinator.post("/api/v1/agencies", json={
            "name": f"Zona Uji {batch} Kantor Nomor {number:03d}", "short_name": f"ZU{batch}-{number:03d}",
            "kind": "opd", "region_code": f"73.{number // 100 + 10}"})
        assert answer.status_code == 201, answer.text
        return answer.json()

    with ThreadPoolExecutor(8) as pool:
        return batch, list(pool.map(register, range(1, AGENCIES + 1)))


def walk(address, linked, session=requests):
    """Every id ``linked`` finds on the pages from ``address`` on, following rel="next": (ids, pages, last page)."""
    seen, pages = set(), 0
    while address:
        answer = session.get(address, timeout=30)
        assert answer.status_code == 200
        seen.update(re.findall(linked, answer.text))
        pages += 1
        following = NEXT.search(answer.text)
        address = urljoin(address, following.group(1).replace("&amp;", "&")) if following else None
    return seen, pages, answer.text


def test_the_public_member_list_reaches_every_agency_through_its_pages(stack, large_forum):
    _, agencies = large_forum
    seen, pages, last = walk(f"{stack.url}/instansi", r'href="/instansi/([0-9a-f-]{36})"')
    assert {agency["id"] for agency in agencies} <= seen and pages > 200 // 24
    assert 'rel="prev"' in last


def test_every_body_has_its_list_of_public_information_and_the_request_form_finds_it(stack, large_forum):
    batch, agencies = large_forum
    seen, _, _ = walk(f"{stack.url}/informasi", r'href="/informasi/dip/([0-9a-f-]{36})"')
    assert {agency["id"] for agency in agencies} <= seen
    form = requests.post(f"{stack.url}/informasi/permohonan", timeout=30, data={
        "name": "Siti Aminah", "information": "Anggaran 2026", "cari": "agency_id",
        "agency_id-cari": f"zona uji {batch} nomor 201"})
    assert form.status_code == 200 and f'value="{agencies[200]["id"]}"' in form.text and "Siti Aminah" in form.text


def test_the_member_list_finds_an_agency_by_its_name_or_short_name(stack, large_forum):
    batch, agencies = large_forum
    for typed in (f"zona uji {batch.lower()} nomor 201", f"zu{batch}-201"):
        answer = requests.get(f"{stack.url}/instansi", params={"q": typed}, timeout=30)
        assert answer.text.count('href="/instansi/') == 1 and agencies[200]["id"] in answer.text


def test_the_picker_finds_the_201st_agency_as_one_types_and_says_when_more_match(stack, large_forum):
    batch, agencies = large_forum
    found = requests.get(f"{stack.url}/pilih/instansi", params={"untuk": "instansi", "q": f"ZU{batch}-201"},
                         timeout=30).text
    assert f'value="{agencies[200]["id"]}"' in found and "Zona Uji" in found
    many = requests.get(f"{stack.url}/pilih/instansi", params={"untuk": "instansi", "q": f"zona uji {batch}"},
                        timeout=30).text
    assert many.count('type="radio"') == 10 and f"10 dari {AGENCIES} ditemukan" in many


def test_the_complaint_form_without_javascript_finds_an_office_and_a_region_keeping_what_was_typed(stack, large_forum):
    batch, agencies = large_forum
    last = agencies[-1]
    typed = {"isi": "Antrean pelayanan tidak bergerak sejak pagi.", "hubungan": "untuk", "kunci": uuid.uuid4().hex,
             "instansi-cari": f"zona uji {batch} nomor {AGENCIES}", "cari": "instansi"}
    page = requests.post(f"{stack.url}/lapor", data=typed, timeout=30)
    assert page.status_code == 200 and f'value="{last["id"]}"' in page.text
    assert "Antrean pelayanan tidak bergerak sejak pagi." in page.text
    region = requests.post(f"{stack.url}/lapor", data={**typed, "cari": "wilayah",
                                                       "wilayah-cari": f"zu{batch}-{AGENCIES}"}, timeout=30)
    assert f'value="{last["region_code"]}"' in region.text
    sent = requests.post(f"{stack.url}/lapor", data={**typed, "cari": "", "instansi": last["id"],
                                                     "wilayah": last["region_code"]}, timeout=30)
    assert sent.status_code == 200 and 'id="nomor"' in sent.text


@pytest.fixture(scope="module")
def console(stack, coordinator):
    """A requests session signed in to the console as an admin of the coordinator's agency."""
    email = f"admin-{uuid.uuid4().hex[:6]}@humas.example.go.id"
    invited = coordinator.post(f"/api/v1/agencies/{coordinator.agency_id}/accounts", json={
        "name": "Admin Besar", "email": email, "account_role": "admin"})
    assert invited.status_code == 201, invited.text
    password = "kata-sandi-panjang-sekali"
    assert requests.post(invited.json()["invite_link"], data={"password": password, "password_again": password},
                         allow_redirects=False, timeout=30).status_code == 303
    session = requests.Session()
    assert console_sign_in(stack.url, email, password, session).status_code == 303
    return session


def csrf_of(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_every_console_picker_finds_the_201st_agency_with_its_find_button(stack, coordinator, large_forum, console):
    batch, agencies = large_forum
    wanted, typed = agencies[200], f"zona uji {batch} nomor 201"
    chosen = f'value="{wanted["id"]}"'

    def found_by_get(path, field):
        page = console.get(stack.url + path, params={"cari": field, f"{field}-cari": typed}, timeout=30)
        assert page.status_code == 200 and chosen in page.text, path

    found_by_get("/console/direktori/akun", "instansi")
    found_by_get("/console/pengaduan", "agency_id")
    found_by_get("/console/informasi/dip", "instansi")

    def found_by_post(form_path, path, field, **typed_too):
        token = csrf_of(console.get(stack.url + form_path, timeout=30))
        page = console.post(stack.url + path, timeout=30, data={
            "csrf_token": token, "cari": field, f"{field}-cari": typed, **typed_too})
        assert page.status_code == 200 and chosen in page.text, path
        for value in typed_too.values():
            assert value in page.text
        return page

    found_by_post("/console/konten/baru", "/console/konten/baru", "co_issuers", headline="Rilis bersama 201")
    found_by_post("/console/kalender/usul", "/console/kalender/usul", "supporting_agency_ids",
                  title="Rapat koordinasi 201")
    found_by_post("/console/pengaduan/aturan", "/console/pengaduan/aturan", "agency_id")

    filed = requests.post(f"{stack.url}/api/v1/complaints", json={"channel": "web", "text": "Lampu jalan mati 201"},
                          timeout=30)
    assert filed.status_code == 202, filed.text
    number = filed.json()["tracking_number"]
    complaint = None
    for _ in range(100):
        listed = coordinator.get("/api/v1/complaints", params={"triage": "true", "limit": 200}).json()["complaints"]
        complaint = next((c for c in listed if c["tracking_number"] == number), None)
        if complaint:
            break
        time.sleep(0.3)
    assert complaint, "the complaint was not stored"
    verified = coordinator.post(f"/api/v1/complaints/{complaint['id']}/status", json={"status": "verified"})
    assert verified.status_code == 200, verified.text  # verified, it may be assigned: the picker is shown
    path = f"/console/pengaduan/{complaint['id']}"
    found_by_post(path, path + "/status", "agency_id")


def test_the_console_content_list_reaches_every_item_through_its_pages(stack, coordinator, console):
    """More items than one page of the Konten list (50): every one is on a page linked rel="next"."""
    def draft(number):
        answer = coordinator.post("/api/v1/content", json={
            "type": "release", "headline": f"Rilis halaman {number:03d}", "language": "id", "body_html": "<p>Teks</p>"})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        made = set(pool.map(draft, range(1, 56)))
    listed = coordinator.get("/api/v1/content", params={"state": "draft", "limit": 50}).json()
    assert listed["total"] >= 55 and len(listed["items"]) == 50
    seen, pages, last = walk(f"{stack.url}/console/konten?state=draft", r'href="/console/konten/([0-9a-f-]{36})"',
                             console)
    assert made <= seen and pages >= 2 and 'rel="prev"' in last


def test_the_console_delivery_log_reads_the_paged_answer(stack, coordinator, console):
    made = coordinator.post("/api/v1/subscriptions", json={"url": "https://news.example.org/hook", "filters": {}})
    assert made.status_code == 201, made.text
    page = console.get(f"{stack.url}/console/konten/langganan/{made.json()['id']}?halaman=2", timeout=30)
    assert page.status_code == 200 and "https://news.example.org/hook" in page.text
