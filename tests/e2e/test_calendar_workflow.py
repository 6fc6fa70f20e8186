"""The joint press calendar over HTTP with the real services: propose, confirm, schedule, clash,
override, reschedule, cancel; bad input; free slots; the feeds parsed back with icalendar."""
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from icalendar import Calendar

from tests.clock import wall_now

pytestmark = pytest.mark.e2e

WIB, WITA = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")
ITEMS = "/api/v1/calendar/items"


def day(offset_days, hour, zone=WIB, minute=0):
    """A local time some days from now (items in the future, each test on its own days). The day is
    counted in WITA whatever ``zone``: two items of one day share a date at any hour (from 16:00 to
    17:00 UTC the WIB date is still the day before the WITA one)."""
    base = (wall_now(WITA) + timedelta(days=offset_days)).date()
    return datetime(base.year, base.month, base.day, hour, minute, tzinfo=zone)


def item_body(start, hours=1, **fields):
    return {"kind": "press_conference", "title": "Konferensi pers", "timezone": "Asia/Jakarta",
            "start": start.isoformat(), "end": (start + timedelta(hours=hours)).isoformat(), **fields}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def error_fields(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]["fields"]


def test_a_joint_item_from_proposal_to_cancellation(coordinator, new_member):
    lead, partner = new_member(kind="polri"), new_member(kind="opd")
    venue = f"Aula {uuid.uuid4().hex[:6]}"
    joint = ok(lead.post(ITEMS, json=item_body(
        day(30, 9, WITA), timezone="Asia/Makassar", venue=venue, kind="press_release",
        supporting_agency_ids=[partner.agency_id], officials=[{"name": "AKBP Arief", "position": "Kapolres"}])), 201)
    assert joint["state"] == "proposed" and joint["start_local"].startswith(day(30, 9, WITA).date().isoformat())
    assert joint["embargo_at"] == joint["start"]
    assert ok(partner.get(f"{ITEMS}/{joint['id']}"))["id"] == joint["id"]

    answered = ok(partner.post(f"{ITEMS}/{joint['id']}/participation", json={"response": "confirmed"}))
    assert {p["agency_id"]: p["response"] for p in answered["participants"]} == {
        lead.agency_id: "confirmed", partner.agency_id: "confirmed"}
    assert {p["agency_id"]: p["short_name"] for p in answered["participants"]} == {
        lead.agency_id: lead.agency["short_name"], partner.agency_id: partner.agency["short_name"]}
    assert answered["lead_agency"] == {"id": lead.agency_id, "name": lead.agency["name"],
                                       "short_name": lead.agency["short_name"]}

    assert lead.post(f"{ITEMS}/{joint['id']}/schedule", json={}).status_code == 403
    scheduled = ok(coordinator.post(f"{ITEMS}/{joint['id']}/schedule", json={}))
    assert (scheduled["state"], scheduled["sequence"]) == ("scheduled", 1)
    assert error_fields(coordinator.post(f"{ITEMS}/{joint['id']}/schedule", json={}), 409) == {
        "state": ["must be proposed to be scheduled"]}

    # 08:00 WIB is 09:00 WITA: the partner is double-booked
    other = ok(partner.post(ITEMS, json=item_body(day(30, 8, WIB))), 201)
    refused = coordinator.post(f"{ITEMS}/{other['id']}/schedule", json={})
    clashes = error_fields(refused, 409)["clashes"]
    assert [(c["id"], c["on"]) for c in clashes] == [(joint["id"], [f"agency:{partner.agency_id}"])]
    overridden = ok(coordinator.post(f"{ITEMS}/{other['id']}/schedule",
                                     json={"override_reason": "the deputy attends the second one"}))
    assert overridden["state"] == "scheduled"

    new_start = day(31, 10, WITA)
    no_reason = lead.patch(f"{ITEMS}/{joint['id']}", json={
        "start": new_start.isoformat(), "end": (new_start + timedelta(hours=1)).isoformat()})
    assert "reason" in error_fields(no_reason, 400)
    moved = ok(lead.patch(f"{ITEMS}/{joint['id']}", json={
        "start": new_start.isoformat(), "end": (new_start + timedelta(hours=1)).isoformat(),
        "reason": "the Kapolres is called to Makassar"}))
    assert (moved["id"], moved["revision"], moved["sequence"]) == (joint["id"], 2, 2)
    assert moved["embargo_at"] == moved["start"]

    assert "reason" in error_fields(lead.post(f"{ITEMS}/{joint['id']}/cancel", json={}), 400)
    cancelled = ok(lead.post(f"{ITEMS}/{joint['id']}/cancel", json={"reason": "flood emergency"}))
    assert cancelled["state"] == "cancelled"
    for attempt in (lead.patch(f"{ITEMS}/{joint['id']}", json={"title": "Again"}),
                    lead.post(f"{ITEMS}/{joint['id']}/cancel", json={"reason": "twice over"}),
                    partner.post(f"{ITEMS}/{joint['id']}/participation", json={"response": "declined"})):
        assert error_fields(attempt, 409) == {"state": ["item_cancelled"]}

    history = ok(partner.get(f"{ITEMS}/{joint['id']}/history"))["entries"]
    assert [e["action"] for e in history] == [
        "proposed", "participation_confirmed", "scheduled", "rescheduled", "cancelled"]
    assert history[3]["reason"] == "the Kapolres is called to Makassar" and history[3]["revision"] == 2
    assert history[3]["actor_agency_id"] == lead.agency_id
    assert history[3]["actor_agency"] == {"id": lead.agency_id, "name": lead.agency["name"],
                                          "short_name": lead.agency["short_name"]}
    assert history[1]["actor_agency"]["short_name"] == partner.agency["short_name"]
    other_history = ok(coordinator.get(f"{ITEMS}/{other['id']}/history"))["entries"]
    assert "the deputy attends the second one" in other_history[-1]["reason"]

    listed = ok(partner.get(ITEMS, params={"agency_id": partner.agency_id}))["items"]
    assert [i["id"] for i in listed] == [other["id"], joint["id"]]
    only = ok(partner.get(ITEMS, params={"agency_id": partner.agency_id, "state": "cancelled"}))["items"]
    assert [i["id"] for i in only] == [joint["id"]]


def test_bad_input_names_the_field_or_rule(coordinator, new_member):
    member, other = new_member(), new_member()
    start = day(40, 9)
    naive = item_body(start)
    naive["start"] = "2031-01-01T09:00:00"
    cases = [
        (naive, 400, "start"),
        (item_body(start, hours=-1), 400, "end"),
        (item_body(start, hours=0), 400, "end"),
        (item_body(start, hours=24 * 8), 400, "end"),
        (item_body(start, supporting_agency_ids=[member.agency_id]), 400, "supporting_agency_ids"),
        (item_body(start, supporting_agency_ids=[str(uuid.uuid4())]), 400, "supporting_agency_ids"),
        (item_body(start, lead_agency_id=other.agency_id), 403, "lead_agency_id"),
        (item_body(start, timezone="UTC"), 400, "timezone"),
    ]
    for body, status, field in cases:
        assert field in error_fields(member.post(ITEMS, json=body), status), body
    proposal = ok(member.post(ITEMS, json=item_body(start)), 201)
    assert member.post(f"{ITEMS}/{proposal['id']}/held").status_code == 409
    assert other.get(f"{ITEMS}/{proposal['id']}").status_code == 404  # someone else's proposal
    assert "state" in error_fields(member.post(f"{ITEMS}/{proposal['id']}/cancel", json={"reason": "not yet"}), 409)
    assert "kind" in error_fields(member.get(ITEMS, params={"kind": "party"}), 400)


def test_clash_check_and_free_slots(coordinator, new_member):
    member = new_member()
    official = f"Pejabat {uuid.uuid4().hex[:6]}"
    first = day(50, 8)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    booked = ok(member.post(ITEMS, json=item_body(first, hours=3, officials=[{"name": official}])), 201)
    ok(coordinator.post(f"{ITEMS}/{booked['id']}/schedule", json={}))
    clashes = ok(member.get("/api/v1/calendar/clashes", params={
        "start": (first + timedelta(hours=1)).isoformat(), "end": (first + timedelta(hours=2)).isoformat(),
        "officials": official.upper()}))["clashes"]
    assert [c["id"] for c in clashes] == [booked["id"]]
    slots = ok(member.get("/api/v1/calendar/free-slots", params={
        "from": first.isoformat(), "to": (first + timedelta(days=1)).isoformat(), "duration_minutes": 120,
        "agencies": member.agency_id, "officials": official, "limit": 2}))["slots"]
    assert slots[0]["start_local"] == (first + timedelta(hours=3)).isoformat()
    assert "duration_minutes" in error_fields(member.get("/api/v1/calendar/free-slots", params={
        "from": first.isoformat(), "to": (first + timedelta(days=1)).isoformat()}), 400)


def feed_events(text):
    return {str(e["UID"]): e for e in Calendar.from_ical(text).walk("VEVENT")}


def test_feeds_public_and_per_agency(stack, coordinator, new_member):
    member = new_member()
    public = ok(member.post(ITEMS, json=item_body(day(60, 9, WITA), timezone="Asia/Makassar")), 201)
    private = ok(member.post(ITEMS, json=item_body(day(61, 9), visibility="members")), 201)
    for item in (public, private):
        ok(coordinator.post(f"{ITEMS}/{item['id']}/schedule", json={}))
    uid = f"{public['id']}@bakohumas-hub"

    response = requests.get(stack.url + "/api/v1/calendar.ics", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.text)
    assert "Asia/Makassar" in {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    shown = feed_events(response.text)
    assert uid in shown and f"{private['id']}@bakohumas-hub" not in shown
    assert shown[uid]["DTSTART"].params["TZID"] == "Asia/Makassar"
    assert shown[uid].decoded("DTSTART").hour == 9
    first_sequence = shown[uid]["SEQUENCE"]

    link = ok(member.post(f"/api/v1/calendar/agencies/{member.agency_id}/feed-link"))
    assert new_member().post(f"/api/v1/calendar/agencies/{member.agency_id}/feed-link").status_code == 403
    own = requests.get(stack.url + link["path"], timeout=10)
    assert own.status_code == 200 and own.headers["Content-Type"].startswith("text/calendar")
    assert set(feed_events(own.text)) == {uid, f"{private['id']}@bakohumas-hub"}

    cancelled = ok(member.post(f"{ITEMS}/{public['id']}/cancel", json={"reason": "the venue flooded"}))
    after = feed_events(requests.get(stack.url + "/api/v1/calendar.ics", timeout=10).text)[uid]
    assert str(after["STATUS"]) == "CANCELLED" and after["SEQUENCE"] > first_sequence
    assert after.decoded("DTSTAMP") == datetime.fromisoformat(cancelled["updated_at"]).replace(microsecond=0)

    rotated = ok(member.post(f"/api/v1/calendar/agencies/{member.agency_id}/feed-link"))
    assert requests.get(stack.url + link["path"], timeout=10).status_code == 404
    assert requests.get(stack.url + rotated["path"], timeout=10).status_code == 200
