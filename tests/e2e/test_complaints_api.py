"""Complaints over HTTP with the real services: intake, tracking, routing, lifecycle, forwarding, privacy."""
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import requests
from tests.e2e.complaints_e2e_support import REPORTER, complaint, eventually, file, tracked

pytestmark = pytest.mark.e2e

WITA = ZoneInfo("Asia/Makassar")


def routed_agency(stack, coordinator, new_member, kind="opd", **fields):
    """A member agency, known to the complaints service, with a rule for a category of its own."""
    agency = new_member(kind=kind, **fields)
    category = f"t_{uuid.uuid4().hex[:8]}"
    made = coordinator.post("/api/v1/complaints/categories",
                            json={"code": category, "name_id": "Uji", "name_en": "Test"})
    assert made.status_code == 201, made.text
    eventually(lambda: coordinator.post("/api/v1/complaints/rules", json={
        "category": category, "agency_id": agency.agency_id}).status_code == 201)
    agency.category = category
    return agency


def find(agency, number):
    listed = agency.get("/api/v1/complaints").json()["complaints"]
    return next((c for c in listed if c["tracking_number"] == number), None)


def test_intake_answers_a_tracking_number_and_what_happens_next(stack):
    accepted = file(stack.url, complaint(reporter=REPORTER))
    number = accepted["tracking_number"]
    assert number.startswith("DUMAS-") and accepted["reporter_secret"]
    assert "hari kerja" in accepted["next_steps"]["id"] and "working days" in accepted["next_steps"]["en"]
    page = tracked(stack.url, number)
    assert page["status"] == "received" and page["history"][0]["status"] == "received"
    for due in (page["verify_due"], page["settle_due"], page["expected_by"]):  # the stack's forum is WITA
        assert datetime.fromisoformat(due).astimezone(WITA).time() == time(23, 59, 59), due
    text = str(page)
    assert REPORTER["name"] not in text and REPORTER["phone"] not in text and "Lampu jalan" not in text


def test_unknown_tracking_numbers_give_no_hint(stack):
    answers = [requests.get(f"{stack.url}/api/v1/complaints/track/{n}", timeout=10)
               for n in ("DUMAS-0000-0000-0000", "nonsense", "DUMAS-ZZZZ")]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1


@pytest.mark.parametrize("body, field", [
    (complaint(text=""), "text"),
    (complaint(text="   "), "text"),
    (complaint(text="x" * 4001), "text"),
    (complaint(channel="pigeon"), "channel"),
    (complaint(category="no_such_category"), "category"),
    (complaint(location={"latitude": 51.5, "longitude": -0.12}), "location"),
    (complaint(reporter={"phone": "12ab"}), "reporter"),
    (complaint(reporter={"email": "not-an-email"}), "reporter"),
    (complaint(anonymous=True, reporter=REPORTER), "reporter"),
])
def test_bad_intake_names_the_field(stack, body, field):
    answer = requests.post(stack.url + "/api/v1/complaints", json=body, timeout=10)
    assert answer.status_code == 400, answer.text
    assert field in answer.json()["error"]["fields"]


def test_routed_complaint_goes_through_its_lifecycle(stack, coordinator, new_member):
    dinas = routed_agency(stack, coordinator, new_member)
    accepted = file(stack.url, complaint(category=dinas.category, reporter=REPORTER))
    number, secret = accepted["tracking_number"], accepted["reporter_secret"]
    mine = eventually(lambda: find(dinas, number))
    assert mine["reporter"]["name"] == REPORTER["name"] and mine["agency_id"] == dinas.agency_id
    url = f"/api/v1/complaints/{mine['id']}"
    skipped = dinas.post(url + "/status", json={"status": "closed"})
    assert skipped.status_code == 409 and "status" in skipped.json()["error"]["fields"]
    for status in ("verified", "assigned", "in_progress"):
        moved = dinas.post(url + "/status", json={"status": status})
        assert moved.status_code == 200, moved.text
    note = dinas.post(url + "/notes", json={"text": "cek lapangan besok", "visibility": "internal"})
    assert note.status_code == 200
    responded = dinas.post(url + "/status", json={"status": "responded", "reason": "Lampu sudah diganti."})
    assert responded.json()["status"] == "responded"
    page = tracked(stack.url, number)
    assert [a["text"] for a in page["answers"]] == ["Lampu sudah diganti."]
    assert page["next_step"] == "confirmation" and page["expected_by"] != page["settle_due"]
    assert "cek lapangan" not in str(page)
    wrong = requests.post(f"{stack.url}/api/v1/complaints/track/{number}",
                          json={"reporter_secret": "guess", "action": "confirm"}, timeout=10)
    assert wrong.status_code == 403
    confirmed = requests.post(f"{stack.url}/api/v1/complaints/track/{number}",
                              json={"reporter_secret": secret, "action": "confirm"}, timeout=10)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "closed"
    audit = [a["action"] for a in dinas.get(url).json()["audit"]]
    assert audit[:2] == ["received", "routed"] and audit[-2:] == ["reporter:confirm", "status:closed"]


def test_forwarding_handshake_and_the_coordinator_decision(stack, coordinator, new_member):
    dinas = routed_agency(stack, coordinator, new_member)
    polres = new_member(kind="polri")
    other = new_member(kind="opd")
    number = file(stack.url, complaint(category=dinas.category))["tracking_number"]
    complaint_id = eventually(lambda: find(dinas, number))["id"]
    url = f"/api/v1/complaints/{complaint_id}"
    same = dinas.post(url + "/forward", json={"to_agency_id": dinas.agency_id, "reason": "x"})
    assert same.status_code == 400 and "to_agency_id" in same.json()["error"]["fields"]
    proposed = eventually(lambda: dinas.post(url + "/forward", json={
        "to_agency_id": polres.agency_id, "reason": "Urusan lalu lintas"}).status_code == 200)
    assert proposed
    assert other.post(url + "/forward/accept", json={}).status_code == 404
    refused = polres.post(url + "/forward/refuse", json={"reason": "Bukan wewenang kepolisian"})
    assert refused.status_code == 200, refused.text
    triage = coordinator.get("/api/v1/complaints", params={"triage": "true"}).json()["complaints"]
    assert complaint_id in [c["id"] for c in triage]
    assert dinas.post(url + "/forward/decide", json={"agency_id": dinas.agency_id, "reason": "x"}).status_code == 403
    decided = coordinator.post(url + "/forward/decide", json={"agency_id": dinas.agency_id,
                                                              "reason": "Penerangan jalan urusan kota"})
    assert decided.status_code == 200 and decided.json()["agency_id"] == dinas.agency_id
    steps = [f["state"] for f in decided.json()["forwards"]]
    assert steps == ["refused", "decided"]
    stats = coordinator.get("/api/v1/complaints/stats").json()
    assert stats["forwarded"] >= 1 and stats["by_agency"][dinas.agency_id]["open"] >= 1
    assert dinas.get("/api/v1/complaints/stats").status_code == 403


def complaint_about_a_unit(stack, new_member):
    """A police unit, its parent, and a complaint about the unit as the parent sees it."""
    parent = new_member(kind="polri")
    unit = new_member(kind="polri", parent_id=parent.agency_id)
    number = eventually(lambda: file(stack.url, complaint(category="pungli", about_agency_id=unit.agency_id,
                                                          reporter=REPORTER))["tracking_number"])
    return parent, unit, number, eventually(lambda: find(parent, number))


def test_confidential_complaint_about_a_unit_goes_to_its_parent(stack, coordinator, new_member):
    parent, unit, number, seen = complaint_about_a_unit(stack, new_member)
    assert seen["confidential"] is True and seen["reporter"] is None
    assert find(unit, number) is None
    assert unit.get(f"/api/v1/complaints/{seen['id']}").status_code == 404
    coordinator_view = coordinator.get(f"/api/v1/complaints/{seen['id']}").json()
    assert coordinator_view["reporter"]["phone"] == REPORTER["phone"]


def test_a_front_desk_files_for_a_walk_in_citizen(stack, coordinator, new_member):
    desk = routed_agency(stack, coordinator, new_member)
    accepted = file(stack.url, complaint(channel="ptsp", category=desk.category, target_agency_id=desk.agency_id),
                    headers=desk.session.headers)
    seen = eventually(lambda: find(desk, accepted["tracking_number"]))
    assert seen["filed_by_agency_id"] == desk.agency_id and seen["channel"] == "ptsp"


def test_a_retried_intake_with_the_same_key_files_once(stack, coordinator, new_member):
    dinas = routed_agency(stack, coordinator, new_member)
    body = complaint(category=dinas.category, reporter=REPORTER)
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = file(stack.url, body, key)
    assert file(stack.url, body, key) == first
    other = file(stack.url, body, {"Idempotency-Key": f"retry-{uuid.uuid4()}"})
    assert other["tracking_number"] != first["tracking_number"]
    for accepted in (first, other):
        tracked(stack.url, accepted["tracking_number"])
    listed = coordinator.get("/api/v1/complaints", params={"category": dinas.category}).json()["complaints"]
    assert sorted(c["tracking_number"] for c in listed) == sorted([first["tracking_number"], other["tracking_number"]])
    assert all(c["agency_id"] == dinas.agency_id for c in listed)


def test_a_category_sent_twice_with_one_idempotency_key_is_added_once(coordinator):
    categories = coordinator.get("/api/v1/complaints/categories").json()
    code = f"uji_{uuid.uuid4().hex[:6]}"
    body = {"code": code, "name_id": "Uji ulang", "name_en": "Retry test"}
    headers = {"Idempotency-Key": f"cat-{code}"}
    first = coordinator.post("/api/v1/complaints/categories", json=body, headers=headers)
    again = coordinator.post("/api/v1/complaints/categories", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    after = coordinator.get("/api/v1/complaints/categories").json()
    assert len(after) == len(categories) + 1


def test_a_complaint_is_never_handed_back_to_the_unit_it_is_about(stack, coordinator, new_member):
    parent, unit, number, seen = complaint_about_a_unit(stack, new_member)
    url = f"/api/v1/complaints/{seen['id']}"
    forwarded = parent.post(url + "/forward", json={"to_agency_id": unit.agency_id, "reason": "Urusan polsek"})
    assert forwarded.status_code == 400 and "to_agency_id" in forwarded.json()["error"]["fields"]
    decided = coordinator.post(url + "/forward/decide", json={"agency_id": unit.agency_id, "reason": "x"})
    assert decided.status_code == 400 and "agency_id" in decided.json()["error"]["fields"]
    assert find(unit, number) is None and unit.get(url).status_code == 404
    assert coordinator.get(url).json()["agency_id"] == parent.agency_id


def test_a_complaint_without_category_is_accepted_and_waits_in_triage(stack, coordinator):
    body = complaint(channel="whatsapp", text=f"Tolong, air PDAM mati tiga hari {uuid.uuid4().hex[:6]}")
    del body["category"]
    accepted = file(stack.url, body)
    page = tracked(stack.url, accepted["tracking_number"])
    assert page["category"] is None and page["status"] == "received"

    def in_triage():
        listed = coordinator.get("/api/v1/complaints", params={"triage": "true", "limit": 500}).json()
        return next((c for c in listed["complaints"] if c["tracking_number"] == accepted["tracking_number"]), None)
    waiting = eventually(in_triage)
    assert (waiting["category"], waiting["agency_id"], waiting["routed_by"]) == (None, None, "triage:no_category")
    assert "uncategorised" in coordinator.get("/api/v1/complaints/stats").json()["by_category"]


def test_lists_come_in_pages_with_a_total(stack, coordinator, new_member):
    dinas = routed_agency(stack, coordinator, new_member)
    numbers = [file(stack.url, complaint(category=dinas.category))["tracking_number"] for _ in range(5)]
    eventually(lambda: dinas.get("/api/v1/complaints").json()["total"] == 5)
    pages = [dinas.get("/api/v1/complaints", params={"limit": 2, "offset": offset}).json()
             for offset in (0, 2, 4)]
    assert [len(p["complaints"]) for p in pages] == [2, 2, 1] and {p["total"] for p in pages} == {5}
    assert sorted(c["tracking_number"] for p in pages for c in p["complaints"]) == sorted(numbers)
    bad = dinas.get("/api/v1/complaints", params={"offset": -1})
    assert bad.status_code == 400 and "offset" in bad.json()["error"]["fields"]


def test_people_read_agency_names_beside_the_ids(stack, coordinator, new_member):
    dinas = routed_agency(stack, coordinator, new_member)
    polres = new_member(kind="polri")
    number = file(stack.url, complaint(category=dinas.category))["tracking_number"]
    complaint_id = eventually(lambda: find(dinas, number))["id"]
    url = f"/api/v1/complaints/{complaint_id}"
    eventually(lambda: dinas.post(url + "/forward", json={
        "to_agency_id": polres.agency_id, "reason": "Urusan lalu lintas"}).status_code == 200)
    view = coordinator.get(url).json()
    named = {"id": dinas.agency_id, "name": dinas.agency["name"], "short_name": dinas.agency["short_name"]}
    assert view["agency_id"] == dinas.agency_id and view["agency"] == named
    forward = view["forwards"][0]
    assert forward["from_agency"] == named and forward["to_agency"]["name"] == polres.agency["name"]
    proposed = next(entry for entry in view["audit"] if entry["action"] == "forward:proposed")
    assert proposed["actor_agency"] == named and proposed["agency"] == named
    stats = coordinator.get("/api/v1/complaints/stats").json()
    assert stats["by_agency"][dinas.agency_id]["agency"] == named
