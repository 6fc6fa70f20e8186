"""The events the notifications service needs, published where they happen: a calendar proposal
declined or clashing, a joint release's approval asked for and given, an amplification requested, a
webhook failing, a complaint answered in public, a complaint's deadline one working day away (once)."""
from datetime import datetime, timedelta, timezone

from services.calendar import domain as calendar
from services.complaints import domain as complaints
from services.distribution import domain as distribution
from services.distribution import webhooks
from services.distribution.models import Delivery, Subscription
from tests.clock import PINNED_NOW
from tests.unit.calendar_unit_support import COORDINATOR, member
from tests.unit.complaints_unit_support import add_agency, submit

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)


def emitted(store, operation, *args):
    with store.unit_of_work() as uow:
        operation(uow, *args)
    return {event["name"]: event["data"] for event in uow.emitted}


def test_a_declined_or_clashing_proposal_is_announced(cal):
    scheduled = cal.scheduled(member("polres"), venue="Aula Kantor Walikota")
    cal.events.clear()
    clashing = cal.propose(member("dinkes"), venue="Aula Kantor Walikota")
    assert cal.event_names() == ["calendar.item_proposed", "calendar.item_clashing"]
    assert cal.events[1]["data"]["clashes"] == 1 and cal.events[1]["data"]["item"]["id"] == clashing.id
    cal.act(calendar.decline, COORDINATOR, clashing.id,
            {"reason": "Bentrok dengan konferensi pers Polres"})
    assert cal.event_names()[-1] == "calendar.item_declined" and scheduled.id != clashing.id


def test_joint_releases_amplification_and_failing_webhooks_are_announced(service_db):
    store = service_db("distribution")
    for agency_id in ("author", "partner"):
        with store.unit_of_work() as uow:
            distribution.keep_agency(uow, {"id": agency_id, "name": agency_id, "short_name": agency_id.upper(),
                                           "kind": "opd", "role": "member", "active": True}, PINNED_NOW)
    author, partner = ({"agency_id": a, "role": "member", "key_id": a} for a in ("author", "partner"))
    body = {"type": "release", "headline": "Vaksinasi", "language": "id", "body_html": "<p>x</p>",
            "co_issuers": ["partner"]}
    with store.unit_of_work() as uow:
        item = distribution.create_content(uow, author, body, PINNED_NOW).item
    asked = {e["name"]: e["data"] for e in uow.emitted}
    assert asked["content.approval_requested"]["awaiting_agency_ids"] == ["partner"]
    assert emitted(store, distribution.approve, partner, item.id, {"version": 1}, PINNED_NOW)[
        "content.approved"]["agency_id"] == "partner"
    emitted(store, distribution.publish, author, item.id, {}, PINNED_NOW)
    request = emitted(store, distribution.request_amplification, author, item.id,
                      {"deadline": (PINNED_NOW + timedelta(days=1)).isoformat()}, PINNED_NOW)["amplification.requested"]
    assert request["members"] == ["partner"] and request["headline"] == "Vaksinasi"

    with store.unit_of_work() as uow:
        uow.session.add(Subscription(id="s1", owner_agency_id="partner", name="Portal", url="https://p.example/h",
                                     secret="whsec_x", types=[], agencies=[], subjects=[], language=None,
                                     active=True, created_at=PINNED_NOW))
        uow.session.flush()
        uow.session.add(Delivery(id="d1", subscription_id="s1", item_id=item.id, item_version=1,
                                 event="content.published", priority=1, payload="{}", state="pending",
                                 attempts=0, next_attempt_at=PINNED_NOW, created_at=PINNED_NOW, leased_by="me"))
    failing = emitted(store, distribution.record_attempt, "me", "d1", webhooks.Outcome("failed", 400, "HTTP 400"),
                      webhooks.RetryPolicy(), PINNED_NOW)["subscription.failing"]
    assert (failing["owner_agency_id"], failing["subscription_name"]) == ("partner", "Portal")


def test_a_public_answer_and_a_near_deadline_are_announced_once(service_db):
    store = service_db("complaints")
    add_agency(store, "dinas", region_code="73.72")
    complaint = submit(store, NOW, target_agency_id="dinas")
    dinas = {"agency_id": "dinas", "role": "member", "key_id": "k"}
    answered = emitted(store, complaints.answer, dinas, complaint.id, {"text": "Ditangani", "visibility": "public"}, NOW)
    assert answered["complaint.answered"]["complaint_id"] == complaint.id
    assert emitted(store, complaints.answer, dinas, complaint.id, {"text": "x", "visibility": "internal"}, NOW) == {}
    day_before = complaint.verify_due - timedelta(hours=20)
    with store.reading() as session:
        assert (complaint.id, "verify") in complaints.near_candidates(session, day_before)
        assert complaints.near_candidates(session, NOW) == []
    near = emitted(store, complaints.remind, complaint.id, "verify", day_before)["complaint.deadline_near"]
    assert (near["stage"], near["agency_id"]) == ("verify", "dinas")
    assert emitted(store, complaints.remind, complaint.id, "verify", day_before) == {}
    with store.reading() as session:
        assert (complaint.id, "verify") not in complaints.near_candidates(session, day_before)
