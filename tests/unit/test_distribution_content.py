"""Content rules on a real (temporary) SQLite database: sanitising, states, joint approval, deliveries."""
from datetime import timedelta
from types import SimpleNamespace

import feedparser
import pytest
from sqlalchemy import select

from services.distribution import domain, models, schemas, webhooks
from services.distribution.courier import Courier
from services.distribution.models import ContentItem, Delivery, Subscription
from services.distribution.service import CONTENT
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.clock import PINNED_NOW, wall_now

AUTHOR = {"agency_id": "a-author", "role": "member", "key_id": "k1"}
PARTNER = {"agency_id": "a-partner", "role": "member", "key_id": "k2"}
OTHER = {"agency_id": "a-other", "role": "member", "key_id": "k3"}
COORDINATOR = {"agency_id": "a-forum", "role": "coordinator", "key_id": "k4"}


@pytest.fixture
def store(service_db):
    made = service_db("distribution")
    with made.unit_of_work() as uow:
        for actor in (AUTHOR, PARTNER, OTHER):
            domain.keep_agency(uow, {"id": actor["agency_id"], "name": f"Humas {actor['agency_id']}",
                                     "short_name": actor["agency_id"].upper(), "kind": "opd", "role": "member",
                                     "active": True}, PINNED_NOW)
    return made


def release(**fields):
    return {"type": "release", "headline": "Jalan lingkar dibuka", "language": "id",
            "body_html": "<p>Teks</p>", **fields}


def create(store, actor=AUTHOR, **fields):
    with store.unit_of_work() as uow:
        shown = domain.create_content(uow, actor, release(**fields), PINNED_NOW)
        return shown.item.id, shown.stripped


def act(store, fn, *args):
    with store.unit_of_work() as uow:
        return fn(uow, *args)


def subscribe(store, **filters):
    with store.unit_of_work() as uow:
        return domain.create_subscription(uow, AUTHOR, {"url": "https://news.example.org/hook",
                                                        "filters": filters}, False, PINNED_NOW).id


def deliveries(store, **where):
    with store.reading() as session:
        stmt = select(Delivery)
        for name, value in where.items():
            stmt = stmt.where(getattr(Delivery, name) == value)
        return session.scalars(stmt).all()


# --- sanitising ---

def test_scripts_and_event_handlers_never_survive_and_the_answer_says_so():
    clean, stripped = domain.sanitise(
        '<p onclick="steal()">Halo <a href="javascript:alert(1)">x</a> <a href="https://ok.id">ok</a></p>'
        '<script>alert(1)</script><img src="https://x.id/a.png" onerror="boom()"><iframe src="https://e.vil"></iframe>')
    assert "<script" not in clean and "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean and "<iframe" not in clean
    assert 'href="https://ok.id"' in clean and "<img" in clean
    assert "<script> element" in stripped and "<iframe> element" in stripped
    assert "onclick attribute on <p>" in stripped and "onerror attribute on <img>" in stripped
    assert any(s.startswith('href="javascript:alert(1)"') for s in stripped)


def test_clean_html_is_kept_and_nothing_is_reported():
    clean, stripped = domain.sanitise("<p>Satu <strong>dua</strong></p><ul><li>tiga</li></ul>")
    assert clean == "<p>Satu <strong>dua</strong></p><ul><li>tiga</li></ul>"
    assert stripped == []


def test_create_sanitises_the_body(store):
    item_id, stripped = create(store, body_html='<p>x</p><script>bad()</script>')
    assert stripped == ["<script> element"]
    with store.reading() as session:
        assert session.get(ContentItem, item_id).body_html == "<p>x</p>"


# --- bad input ---

@pytest.mark.parametrize("fields, field", [
    ({"type": "rumour"}, "type"),
    ({"subjects": ["medtop:99999999"]}, "subjects"),
    ({"language": "fr"}, "language"),
    ({"embargo_until": (PINNED_NOW - timedelta(minutes=1)).isoformat()}, "embargo_until"),
    ({"type": "clarification"}, "claim"),
    ({"attachments": [{"url": "ftp://x.id/a.pdf", "media_type": "application/pdf"}]}, "attachments"),
    ({"co_issuers": ["a-unknown"]}, "co_issuers"),
])
def test_bad_content_names_the_field(store, fields, field):
    with pytest.raises(ValidationFailed) as error:
        create(store, **fields)
    assert field in error.value.fields


def test_a_member_cannot_post_as_another_agency(store):
    with pytest.raises(Forbidden) as error:
        create(store, agency_id=PARTNER["agency_id"])
    assert "agency_id" in error.value.fields


# --- states ---

def test_draft_publish_correct_withdraw(store):
    item_id, _ = create(store)
    act(store, domain.edit_draft, AUTHOR, item_id, {"headline": "Jalan lingkar dibuka besok"}, PINNED_NOW)
    item = act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW).item
    assert (item.state, item.version, item.pub_status) == ("published", 2, "usable")
    with pytest.raises(Conflict) as error:
        act(store, domain.edit_draft, AUTHOR, item_id, {"headline": "Diam-diam"}, PINNED_NOW)
    assert "correction" in error.value.message
    item = act(store, domain.correct, AUTHOR, item_id, {"headline": "Dibuka lusa", "change_note": "tanggal"},
               PINNED_NOW).item
    assert (item.state, item.version, item.change_note) == ("corrected", 3, "tanggal")
    item = act(store, domain.withdraw, AUTHOR, item_id, {"reason": "dibatalkan"}, PINNED_NOW).item
    assert (item.state, item.pub_status) == ("withdrawn", "canceled")
    with pytest.raises(Conflict):
        act(store, domain.withdraw, AUTHOR, item_id, {"reason": "lagi"}, PINNED_NOW)


def test_only_the_author_publishes(store):
    item_id, _ = create(store, co_issuers=[PARTNER["agency_id"]])
    with pytest.raises(Forbidden):
        act(store, domain.publish, PARTNER, item_id, {}, PINNED_NOW)
    with pytest.raises(NotFound):
        act(store, domain.publish, OTHER, item_id, {}, PINNED_NOW)


def test_drafts_are_hidden_from_other_members(store):
    item_id, _ = create(store)
    with store.reading() as session:
        with pytest.raises(NotFound):
            domain.get_item(session, OTHER, item_id)
        assert domain.get_item(session, AUTHOR, item_id).id == item_id


def test_the_public_sees_only_what_went_out(store):
    draft, _ = create(store)
    under_embargo, _ = create(store, embargo_until=(PINNED_NOW + timedelta(hours=1)).isoformat())
    act(store, domain.publish, AUTHOR, under_embargo, {}, PINNED_NOW)
    killed_under_embargo, _ = create(store, embargo_until=(PINNED_NOW + timedelta(hours=1)).isoformat())
    act(store, domain.publish, AUTHOR, killed_under_embargo, {}, PINNED_NOW)
    act(store, domain.withdraw, AUTHOR, killed_under_embargo, {"reason": "batal"}, PINNED_NOW)
    published, _ = create(store)
    act(store, domain.publish, AUTHOR, published, {}, PINNED_NOW)
    withdrawn, _ = create(store)
    act(store, domain.publish, AUTHOR, withdrawn, {}, PINNED_NOW)
    act(store, domain.withdraw, AUTHOR, withdrawn, {"reason": "hoaks"}, PINNED_NOW)
    with store.reading() as session:
        for unseen in (draft, under_embargo, killed_under_embargo):
            with pytest.raises(NotFound):
                domain.show_item(session, None, unseen)
        assert domain.show_item(session, None, published).item.state == "published"
        assert domain.show_item(session, None, withdrawn).item.state == "withdrawn"
        assert domain.show_item(session, AUTHOR, killed_under_embargo).item.state == "withdrawn"


def test_embargo_publishes_once_when_due(store):
    item_id, _ = create(store, embargo_until=(PINNED_NOW + timedelta(hours=1)).isoformat())
    assert act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW).item.state == "embargoed"
    assert act(store, domain.publish_due_embargoes, PINNED_NOW) == []
    later = PINNED_NOW + timedelta(hours=2)
    assert act(store, domain.publish_due_embargoes, later) == [item_id]
    assert act(store, domain.publish_due_embargoes, later) == []
    with store.reading() as session:
        assert session.get(ContentItem, item_id).state == "published"
        assert domain.feed_items(session, None, later)[0].id == item_id


def test_embargoed_items_stay_out_of_feeds(store):
    item_id, _ = create(store, embargo_until=(PINNED_NOW + timedelta(hours=1)).isoformat())
    act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    with store.reading() as session:
        assert domain.feed_items(session, None, PINNED_NOW) == []


# --- joint releases ---

def test_joint_release_needs_every_co_issuer_on_the_same_version(store):
    item_id, _ = create(store, co_issuers=[PARTNER["agency_id"], OTHER["agency_id"]])
    with pytest.raises(Conflict) as error:
        act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    assert len(error.value.fields["approvals"]) == 2
    assert error.value.fields["approvals"][0] == "A-PARTNER (a-partner) has not approved version 1"
    act(store, domain.approve, PARTNER, item_id, {"version": 1}, PINNED_NOW)
    act(store, domain.approve, OTHER, item_id, {"version": 1}, PINNED_NOW)
    act(store, domain.edit_draft, AUTHOR, item_id, {"summary": "ringkas"}, PINNED_NOW)
    with pytest.raises(Conflict) as error:
        act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    assert len(error.value.fields["approvals"]) == 2
    with pytest.raises(Conflict):
        act(store, domain.approve, PARTNER, item_id, {"version": 1}, PINNED_NOW)
    act(store, domain.approve, PARTNER, item_id, {"version": 2}, PINNED_NOW)
    act(store, domain.approve, OTHER, item_id, {"version": 2}, PINNED_NOW)
    assert act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW).item.state == "published"


def test_a_joint_release_names_its_agency_co_issuers_and_approvals(store):
    item_id, _ = create(store, co_issuers=[PARTNER["agency_id"], OTHER["agency_id"]])
    act(store, domain.approve, PARTNER, item_id, {"version": 1}, PINNED_NOW)
    person = {**OTHER, "key_id": None, "account_id": "acc-1", "account_name": "Rina Wulandari",
              "account_role": "officer"}
    act(store, domain.approve, person, item_id, {"version": 1}, PINNED_NOW)
    with store.reading() as session:
        shown = CONTENT.dump(domain.show_item(session, AUTHOR, item_id))
    assert shown["agency"] == {"id": "a-author", "name": "Humas a-author", "short_name": "A-AUTHOR"}
    assert [a["short_name"] for a in shown["co_issuer_agencies"]] == ["A-PARTNER", "A-OTHER"]
    assert shown["approved_by"] == [  # a key approves as its agency; a person is named beside it
        {"id": "a-partner", "name": "Humas a-partner", "short_name": "A-PARTNER", "version": 1,
         "account_id": None, "account_name": None},
        {"id": "a-other", "name": "Humas a-other", "short_name": "A-OTHER", "version": 1,
         "account_id": "acc-1", "account_name": "Rina Wulandari"}]
    assert shown["approvals"] == {"a-partner": 1, "a-other": 1}


def test_only_co_issuers_approve(store):
    item_id, _ = create(store, co_issuers=[PARTNER["agency_id"]])
    with pytest.raises(Forbidden):
        act(store, domain.approve, AUTHOR, item_id, {"version": 1}, PINNED_NOW)


# --- deliveries ---

def test_publishing_fans_out_to_matching_subscriptions_and_clarifications_go_first(store):
    wants_all = subscribe(store)
    subscribe(store, types=["news"])
    subscribe(store, language="en")
    item_id, _ = create(store)
    act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    clarification_id, _ = create(store, type="clarification", claim={"text": "Jembatan runtuh",
                                                                      "circulated_on": ["WhatsApp"]})
    act(store, domain.publish, AUTHOR, clarification_id, {}, PINNED_NOW)
    assert {d.subscription_id for d in deliveries(store)} == {wants_all}
    claimed = act(store, domain.claim_deliveries, "me", 10, timedelta(seconds=30), PINNED_NOW)
    assert [d["id"] for d in claimed][0] == deliveries(store, item_id=clarification_id)[0].id
    assert act(store, domain.claim_deliveries, "someone-else", 10, timedelta(seconds=30), PINNED_NOW) == []


def test_attempts_retry_then_fail_and_410_disables(store):
    subscription_id = subscribe(store)
    item_id, _ = create(store)
    act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    policy = webhooks.RetryPolicy(base_seconds=1, max_attempts=2)
    (delivery,) = act(store, domain.claim_deliveries, "me", 10, timedelta(seconds=30), PINNED_NOW)
    recorded = act(store, domain.record_attempt, "me", delivery["id"],
                   webhooks.Outcome("retry", 429, "HTTP 429", 90.0), policy, PINNED_NOW)
    assert recorded.state == "retrying" and recorded.next_attempt_at > PINNED_NOW + timedelta(seconds=80)
    with store.unit_of_work() as uow:
        uow.session.get(Delivery, delivery["id"]).next_attempt_at = PINNED_NOW
    act(store, domain.claim_deliveries, "me", 10, timedelta(seconds=30), PINNED_NOW)
    failed = act(store, domain.record_attempt, "me", delivery["id"], webhooks.Outcome("retry", 503), policy, PINNED_NOW)
    assert (failed.state, failed.attempts) == ("failed", 2)
    replayed = act(store, domain.replay, AUTHOR, subscription_id, delivery["id"], PINNED_NOW)
    assert (replayed.state, replayed.attempts) == ("pending", 0)
    act(store, domain.claim_deliveries, "me", 10, timedelta(seconds=30), PINNED_NOW)
    act(store, domain.record_attempt, "me", delivery["id"], webhooks.Outcome("gone", 410), policy, PINNED_NOW)
    with store.reading() as session:
        assert session.get(Subscription, subscription_id).active is False


def test_a_send_that_raises_anything_is_retried_not_left_leased(store, monkeypatch):
    subscribe(store)
    item_id, _ = create(store)
    act(store, domain.publish, AUTHOR, item_id, {}, wall_now())  # the courier sends what is due by the real clock
    courier = Courier()
    courier.container = SimpleNamespace(config={"WEBHOOKS": {"RETRY_BASE_SECONDS": 1}})
    courier.setup()

    def surprise(*args, **kwargs):
        raise LookupError("the HTTP stack did something nobody expected")

    monkeypatch.setattr(webhooks, "attempt", surprise)
    assert courier.dispatch(store) == 1
    courier.pool.waitall()
    (delivery,) = deliveries(store)
    assert (delivery.state, delivery.attempts, delivery.leased_by) == ("retrying", 1, None)
    assert "LookupError" in delivery.last_error


def test_withdraw_sends_kill_notices_only_where_it_arrived(store):
    reached, _ = subscribe(store), None
    item_id, _ = create(store)
    act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    (delivery,) = act(store, domain.claim_deliveries, "me", 10, timedelta(seconds=30), PINNED_NOW)
    act(store, domain.record_attempt, "me", delivery["id"], webhooks.Outcome("delivered", 200),
        webhooks.RetryPolicy(), PINNED_NOW)
    late = subscribe(store)
    act(store, domain.withdraw, AUTHOR, item_id, {"reason": "hoaks"}, PINNED_NOW)
    kills = deliveries(store, event="content.withdrawn")
    assert [k.subscription_id for k in kills] == [reached]
    assert late != reached


# --- calendar links ---

def test_moving_the_calendar_item_moves_the_embargo_and_cancelling_holds_it(store):
    first = PINNED_NOW + timedelta(hours=1)
    item_id, _ = create(store, calendar_item_id="cal-1", embargo_until=first.isoformat())
    act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    moved_to = first + timedelta(days=1)
    act(store, domain.follow_reschedule, {"id": "cal-1", "revision": 2, "start": moved_to.isoformat(),
                                          "end": None, "embargo_at": moved_to.isoformat(), "state": "scheduled"})
    act(store, domain.follow_reschedule, {"id": "cal-1", "revision": 1, "start": first.isoformat(),
                                          "end": None, "embargo_until": None, "state": "scheduled"})
    with store.reading() as session:
        assert session.get(ContentItem, item_id).embargo_until == moved_to
    act(store, domain.follow_cancellation, {"id": "cal-1", "revision": 3, "start": moved_to.isoformat(),
                                            "end": None, "embargo_until": None, "state": "cancelled"})
    with store.reading() as session:
        item = session.get(ContentItem, item_id)
        assert (item.state, item.pub_status) == ("draft", "withheld")


def test_ninjs_names(store):
    item_id, _ = create(store, subjects=["medtop:11000000"], summary="Ringkas", place="Parepare",
                        attachments=[{"url": "https://x.id/a.jpg", "media_type": "image/jpeg", "caption": "Foto"}])
    with store.reading() as session:
        doc = domain.ninjs(session, session.get(ContentItem, item_id))
    assert doc["uri"].startswith("urn:bakohumas:content:") and doc["profile"] == "release"
    assert doc["headlines"][0]["value"] == "Jalan lingkar dibuka"
    assert doc["subjects"][0]["name"] == "politics" and doc["places"] == [{"name": "Parepare"}]
    assert doc["associations"][0]["mimetype"] == "image/jpeg"
    assert SimpleNamespace(**doc).pubStatus == "usable"


def test_an_embargo_can_be_moved_or_lifted_by_publishing_again(store):
    item_id, _ = create(store, embargo_until=(PINNED_NOW + timedelta(hours=1)).isoformat())
    act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    later = PINNED_NOW + timedelta(hours=3)
    moved = act(store, domain.publish, AUTHOR, item_id, {"embargo_until": later.isoformat()}, PINNED_NOW).item
    assert (moved.state, moved.embargo_until) == ("embargoed", later)
    assert act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW).item.state == "published"


def test_a_deactivated_agency_stops_receiving(store):
    subscription_id = subscribe(store)
    act(store, domain.agency_departed, {"id": AUTHOR["agency_id"], "name": "x", "short_name": "X",
                                        "kind": "opd", "role": "member", "active": False}, PINNED_NOW, PINNED_NOW)
    with store.reading() as session:
        subscription = session.get(Subscription, subscription_id)
        assert subscription.active is False and "deactivated" in subscription.disabled_reason


def test_editing_an_embargoed_item_takes_it_back_to_draft(store):
    item_id, _ = create(store, embargo_until=(PINNED_NOW + timedelta(hours=1)).isoformat())
    act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    item = act(store, domain.edit_draft, AUTHOR, item_id, {"summary": "baru"}, PINNED_NOW).item
    assert (item.state, item.version) == ("draft", 2)
    assert act(store, domain.publish_due_embargoes, PINNED_NOW + timedelta(hours=2)) == []


def test_atom_feed_is_valid_even_with_control_characters(store):
    item_id, _ = create(store, headline="Rilis \x01 resmi", summary="ringkas\x0b")
    act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    with store.reading() as session:
        xml = domain.atom_feed(session, "http://hub/feeds/atom", None, PINNED_NOW)
    feed = feedparser.parse(xml)
    assert not feed.bozo and feed.entries[0].title == "Rilis  resmi"
    assert feed.entries[0].author == "Humas a-author"


def test_a_reschedule_without_embargo_time_moves_the_embargo_to_the_new_start(store):
    item_id, _ = create(store, calendar_item_id="cal-2", embargo_until=(PINNED_NOW + timedelta(hours=1)).isoformat())
    act(store, domain.publish, AUTHOR, item_id, {}, PINNED_NOW)
    new_start = PINNED_NOW + timedelta(days=2)
    act(store, domain.follow_reschedule, {"id": "cal-2", "revision": 5, "start": new_start,
                                          "end": new_start + timedelta(hours=1), "embargo_at": None})
    with store.reading() as session:
        assert session.get(ContentItem, item_id).embargo_until == new_start


def test_an_agency_not_known_here_is_named_by_its_id_alone(store):
    with store.unit_of_work() as uow:
        item = ContentItem(id="c-1", agency_id="", kind="news", state="draft", version=1, headline="Berita",
                           language="id", co_issuers=["a-gone"], first_created=PINNED_NOW, version_created=PINNED_NOW)
        uow.session.add(item)
    with store.reading() as session:
        shown = CONTENT.dump(domain.show_item(session, COORDINATOR, "c-1"))
    assert shown["agency"] == {"id": "", "name": None, "short_name": None}
    assert shown["co_issuer_agencies"] == [{"id": "a-gone", "name": None, "short_name": None}]


# --- what waits for an agency (the console's home page) ---

def test_a_joint_release_waits_for_each_co_issuer_until_it_approves_the_current_version(store):
    item_id, _ = create(store, co_issuers=[PARTNER["agency_id"]])
    published_id, _ = create(store, headline="Sudah terbit")
    act(store, domain.publish, AUTHOR, published_id, {}, PINNED_NOW)
    soon, later = PINNED_NOW + timedelta(hours=2), PINNED_NOW + timedelta(days=2)
    for deadline in (later, soon):
        act(store, domain.request_amplification, AUTHOR, published_id,
            {"deadline": deadline.isoformat(), "members": [PARTNER["agency_id"]]}, PINNED_NOW)

    def waiting(actor):
        with store.reading() as session:
            return schemas.Waiting().dump(domain.waiting_for(session, actor, PINNED_NOW))

    partner = waiting(PARTNER)
    assert [item["id"] for item in partner["to_approve"]] == [item_id]
    assert partner["agencies"]["a-author"]["short_name"] == "A-AUTHOR"
    assert [r["headline"] for r in partner["amplification"]] == ["Sudah terbit", "Sudah terbit"]
    first = partner["amplification"][0]
    assert first["deadline"] == soon.isoformat() and first["requested_by"] == "a-author"
    assert waiting(OTHER) == {"to_approve": [], "amplification": [], "agencies": {}}
    act(store, domain.approve, PARTNER, item_id, {"version": 1}, PINNED_NOW)
    act(store, domain.answer_amplification, PARTNER, first["id"], {"url": "https://instagram.com/p/x"}, PINNED_NOW)
    partner = waiting(PARTNER)
    assert partner["to_approve"] == [] and len(partner["amplification"]) == 1
    act(store, domain.edit_draft, AUTHOR, item_id, {"summary": "ringkas"}, PINNED_NOW)
    assert [item["version"] for item in waiting(PARTNER)["to_approve"]] == [2]


def test_every_subject_has_its_indonesian_name():
    assert schemas.SUBJECT_NAMES_ID.keys() == schemas.SUBJECTS.keys() and all(schemas.SUBJECT_NAMES_ID.values())


def test_the_content_list_pages_past_the_old_cap_of_200_and_counts_everything(store):
    made = [create(store, headline=f"Rilis {n}")[0] for n in range(205)]
    with store.reading() as session:
        first = domain.list_content(session, AUTHOR, {"limit": "200"})
        last = domain.list_content(session, AUTHOR, {"limit": "200", "offset": "200"})
        unseen = domain.list_content(session, OTHER, {})  # drafts are the author's own
    assert (first.total, last.total, len(first.items), len(last.items)) == (205, 205, 200, 5)
    assert {shown.item.id for shown in first.items + last.items} == set(made)
    assert (unseen.total, unseen.items) == (0, [])


def test_the_content_list_refuses_a_page_larger_than_its_maximum(store):
    with store.reading() as session, pytest.raises(ValidationFailed):
        domain.list_content(session, AUTHOR, {"limit": "201"})


def test_the_delivery_log_pages_past_the_old_cap_of_500_and_counts_everything(store):
    subscription_id = subscribe(store)
    with store.unit_of_work() as uow:
        uow.session.add_all(Delivery(id=f"d-{n:04}", subscription_id=subscription_id, item_id="i", item_version=1,
                                     event="content.published", payload="{}", state="failed",
                                     created_at=PINNED_NOW + timedelta(seconds=n)) for n in range(505))
    with store.reading() as session:
        pages = [domain.list_deliveries(session, AUTHOR, subscription_id, {"limit": "500", "offset": str(offset)})
                 for offset in (0, 500)]
        failed = domain.list_deliveries(session, AUTHOR, subscription_id, {"state": "failed", "offset": "500"})
    assert [(page.total, len(page.items)) for page in pages] == [(505, 500), (505, 5)]
    assert pages[1].items[-1].id == "d-0000"  # newest first: the oldest is last on the last page
    assert (failed.total, len(failed.items)) == (505, 5)
