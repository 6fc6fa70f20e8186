"""Bad input to the distribution endpoints: each a 4xx naming the field or rule (default configuration)."""
from datetime import timedelta

import pytest

from tests.clock import wall_now

pytestmark = pytest.mark.e2e


def fields_of(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]["fields"]


def release(**fields):
    return {"type": "release", "headline": "Rapat koordinasi", "language": "id", **fields}


def test_unsafe_html_is_stripped_and_the_answer_says_what(new_member):
    author = new_member()
    created = author.post("/api/v1/content", json=release(
        body_html='<p>Halo<img src="https://x.id/a.png" onerror="alert(1)"></p><script>alert(1)</script>'))
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["body_html"] == '<p>Halo<img src="https://x.id/a.png"></p>'
    assert item["stripped"] == ["<script> element", "onerror attribute on <img>"]
    assert item["state"] == "draft" and item["ninjs"]["pubStatus"] == "usable"


@pytest.mark.parametrize("body, field", [
    (release(embargo_until=(wall_now() - timedelta(hours=1)).isoformat()), "embargo_until"),
    (release(subjects=["hoaks"]), "subjects"),
    (release(type="opinion"), "type"),
    ({"type": "clarification", "headline": "Bukan gempa", "language": "id"}, "claim"),
])
def test_bad_content_is_400_naming_the_field(new_member, body, field):
    assert field in fields_of(new_member().post("/api/v1/content", json=body), 400)


def test_a_member_cannot_post_as_another_agency(new_member, coordinator):
    response = new_member().post("/api/v1/content", json=release(agency_id=coordinator.agency_id))
    assert "agency_id" in fields_of(response, 403)


@pytest.mark.parametrize("url", ["ftp://news.example.org/hook", "javascript:alert(1)", "https://u:p@x.id/h"])
def test_webhook_url_must_be_http(new_member, url):
    assert "url" in fields_of(new_member().post("/api/v1/subscriptions", json={"url": url}), 400)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000/hook", "http://localhost/hook", "http://10.0.0.7/hook"])
def test_private_webhook_destinations_are_refused_by_default(new_member, url):
    assert "url" in fields_of(new_member().post("/api/v1/subscriptions", json={"url": url}), 400)


def test_the_secret_is_shown_once(new_member):
    member = new_member()
    created = member.post("/api/v1/subscriptions", json={"url": "https://news.example.org/hook",
                                                         "filters": {"language": "en"}})
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    listed = member.get("/api/v1/subscriptions").json()
    assert [s["id"] for s in listed] == [created.json()["id"]] and "secret" not in listed[0]
    assert listed[0]["filters"]["language"] == "en"


def test_drafts_are_not_public(new_member, stack):
    author, other = new_member(), new_member()
    item = author.post("/api/v1/content", json=release()).json()
    assert other.get(f"/api/v1/content/{item['id']}").status_code == 404
    assert item["id"] not in [i["id"] for i in other.get("/api/v1/content").json()["items"]]
    assert item["id"] in [i["id"] for i in author.get("/api/v1/content?state=draft").json()["items"]]
