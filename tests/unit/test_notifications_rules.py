"""Notifications: who is told what, preferences and their defaults per role, de-duplication per
(event, person, channel), the digest at 07:00 in each agency's zone (once a day), the outbox's
retries, the unsubscribe link and the WhatsApp door's reading of a message."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.notifications import domain, rendering
from services.notifications.models import Message, Notice
from shared.contracts import open_envelope, seal
from shared.errors import Forbidden, NotFound
from tests.clock import PINNED_NOW

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 WITA, a Wednesday
ON = {"mail", "whatsapp"}
SECRET = "unit-secret"


@pytest.fixture
def store(service_db):
    store = service_db("notifications")
    for agency_id, role, region in (("koord", "coordinator", "73.72"), ("dinkes", "member", "73.72"),
                                    ("polda", "member", "31.71"), ("papua", "member", "91.01")):
        with store.unit_of_work() as uow:
            domain.keep_agency(uow, {"id": agency_id, "name": agency_id.title(), "short_name": agency_id.upper(),
                                     "kind": "opd", "role": role, "parent_id": None, "region_code": region,
                                     "active": True}, PINNED_NOW)
    return store


def contact(account_id, agency_id, role="officer", **extra):
    return {"account_id": account_id, "agency_id": agency_id, "name": f"Officer {account_id}",
            "email": f"{account_id}@example.go.id", "phone": "+6281234567890", "language": "id",
            "account_role": role, **extra}


def event(name, data, occurred=NOW):
    return open_envelope(seal(name, data, occurred_at=occurred))


def notices(store, envelope):
    with store.unit_of_work() as uow:
        domain.record_notices(uow, envelope)
    with store.unit_of_work() as uow:
        return domain.claim_notices(uow, NOW)


def deliver(store, envelope, contacts_of, reporter=None, now=NOW, channels_on=ON):
    """Record the event's notices and fan each out to ``contacts_of(agency_id)``; the messages made."""
    made = []
    for notice in notices(store, envelope):
        with store.unit_of_work() as uow:
            made += [m.id for m in domain.fan_out(uow, notice.id, [c for a in notice.agency_ids for c in contacts_of(a)],
                                                  reporter if notice.complaint_id else None, channels_on,
                                                  "Asia/Makassar", now)]
    with store.reading() as session:
        return session.scalars(select(Message).where(Message.id.in_(made))).all()


FORWARDED = {"complaint_id": "c1", "category": "kesehatan", "agency_id": "dinkes", "from_agency_id": "polda",
             "to_agency_id": "dinkes", "step": "proposed"}


def test_a_forward_tells_the_officers_of_the_agency_it_goes_to_and_nobody_else(store):
    people = {"dinkes": [contact("a1", "dinkes"), contact("a2", "dinkes", role="admin")], "polda": [contact("p", "polda")]}
    made = deliver(store, event("complaint.forwarded", FORWARDED), lambda a: people.get(a, []))
    assert sorted((m.person, m.state) for m in made) == [("account:a1", "pending"), ("account:a2", "waiting")]
    assert all(m.kind == "complaint_assigned" and m.channel == "mail" for m in made)


def test_a_refused_forward_and_a_complaint_in_triage_go_to_the_coordinators(store):
    people = {"koord": [contact("k", "koord")], "dinkes": [contact("a1", "dinkes")]}
    made = deliver(store, event("complaint.forwarded", {**FORWARDED, "step": "refused"}), lambda a: people.get(a, []))
    assert [m.person for m in made] == ["account:k"]
    received = event("complaint.status_changed", {"complaint_id": "c2", "category": None, "agency_id": None,
                                                  "status": "received", "previous": None})
    kinds = {(n.kind, n.agency_ids, n.complaint_id) for n in notices(store, received)}
    assert kinds == {("complaint_assigned", ("koord",), None), ("complaint_received", (), "c2")}


def test_an_escalation_tells_the_agency_its_parent_and_the_coordinators(store):
    escalated = event("complaint.escalated", {"complaint_id": "c1", "category": "kesehatan", "agency_id": "dinkes",
                                              "stage": "follow_up", "due_at": NOW.isoformat(),
                                              "parent_agency_id": "polda"})
    [notice] = notices(store, escalated)
    assert notice.kind == "complaint_escalated" and notice.agency_ids == ("dinkes", "polda", "koord")


def test_other_services_events_reach_the_agencies_they_concern(store):
    ref = {"id": "n1", "agency_id": "dinkes", "co_issuers": ["polda"], "type": "release", "version": 2,
           "headline": "Vaksinasi", "calendar_item_id": None}
    asked = notices(store, event("content.approval_requested", {"content": ref, "awaiting_agency_ids": ["polda"]}))
    assert [(n.kind, n.agency_ids) for n in asked] == [("release_approval", ("polda",))]
    published = notices(store, event("content.published", {"content": ref}))
    assert [(n.kind, n.agency_ids) for n in published] == [("release_approval", ("dinkes", "polda"))]
    alone = notices(store, event("content.published", {"content": {**ref, "id": "n2", "co_issuers": []}}))
    assert alone == []  # an agency's own release concerns nobody else
    amplify = notices(store, event("amplification.requested", {
        "request_id": "r1", "content_id": "n1", "headline": "Vaksinasi", "requested_by": "koord",
        "members": ["dinkes", "papua"], "deadline": (NOW + timedelta(days=1)).isoformat()}))
    assert [(n.kind, n.agency_ids) for n in amplify] == [("amplification_requested", ("dinkes", "papua"))]
    failing = notices(store, event("subscription.failing", {"subscription_id": "s1", "owner_agency_id": "papua",
                                                            "subscription_name": "Portal", "reason": "HTTP 500"}))
    assert [(n.kind, n.agency_ids) for n in failing] == [("webhook_failing", ("papua",))]


def test_a_redelivered_event_makes_no_second_message(store):
    people = lambda a: [contact("a1", "dinkes")] if a == "dinkes" else []  # noqa: E731
    forwarded = event("complaint.forwarded", FORWARDED)
    assert len(deliver(store, forwarded, people)) == 1
    assert deliver(store, forwarded, people) == []  # the notice exists: nothing new
    with store.unit_of_work() as uow:  # and were it fanned out again, the (event, person, channel) is taken
        uow.session.execute(Notice.__table__.update().values(state="pending", leased_until=None))
    assert deliver(store, forwarded, people) == []
    with store.reading() as session:
        assert len(session.scalars(select(Message)).all()) == 1


def test_preferences_per_kind_channel_and_role_defaults(store):
    actor = {"agency_id": "dinkes", "role": "member", "key_id": None, "account_id": "a1", "account_name": "A",
             "account_role": "officer"}
    with store.reading() as session:
        shown = domain.preferences(session, actor)
    assert {k["kind"]: k["mode"] for k in shown.kinds}["webhook_failing"] == "off"
    assert domain.default_mode("admin", "webhook_failing") == "immediate"
    with store.unit_of_work() as uow:
        domain.set_preferences(uow, actor, {"channel": "whatsapp", "kinds": {"complaint_assigned": "off",
                                                                            "release_approval": "digest"}}, NOW)
    people = lambda a: [contact("a1", "dinkes")] if a == "dinkes" else []  # noqa: E731
    assert deliver(store, event("complaint.forwarded", FORWARDED), people) == []
    ref = {"id": "n1", "agency_id": "polda", "co_issuers": ["dinkes"], "type": "release", "version": 1,
           "headline": "H", "calendar_item_id": None}
    [made] = deliver(store, event("content.approval_requested", {"content": ref, "awaiting_agency_ids": ["dinkes"]}),
                     people)
    assert (made.channel, made.state, made.address) == ("whatsapp", "waiting", "+6281234567890")
    with pytest.raises(Forbidden):
        with store.reading() as session:
            domain.preferences(session, {"agency_id": "dinkes", "role": "member", "key_id": "k", "account_id": None})


def test_a_channel_that_is_off_records_the_message_as_skipped(store):
    people = lambda a: [contact("a1", "dinkes")] if a == "dinkes" else []  # noqa: E731
    [made] = deliver(store, event("complaint.forwarded", FORWARDED), people, channels_on=set())
    assert (made.state, made.last_error) == ("skipped", "mail is off")


def test_reporters_anonymous_never_whatsapp_first_else_mail(store):
    received = {"complaint_id": "c9", "category": None, "agency_id": None, "status": "received", "previous": None}
    nobody = lambda a: []  # noqa: E731
    assert deliver(store, event("complaint.status_changed", received), nobody,
                   reporter={"anonymous": True, "email": None, "phone": None, "channel": "web"}) == []
    [wa] = deliver(store, event("complaint.status_changed", received), nobody,
                   reporter={"anonymous": False, "email": "r@example.com", "phone": "+6281", "channel": "whatsapp"})
    assert (wa.channel, wa.address, wa.person) == ("whatsapp", None, "reporter:c9")  # asked again when sent
    [mail] = deliver(store, event("complaint.status_changed", {**received, "complaint_id": "c8"}), nobody,
                     reporter={"anonymous": False, "email": "r@example.com", "phone": None, "channel": "web"})
    assert mail.channel == "mail" and "r@example.com" not in mail.params


@pytest.mark.parametrize("region, zone", [("73.72", "Asia/Makassar"), ("31.71", "Asia/Jakarta"),
                                          ("91.01", "Asia/Jayapura"), ("51.71", "Asia/Makassar"),
                                          ("61.71", "Asia/Jakarta"), (None, "Asia/Makassar")])
def test_an_agencys_zone_comes_from_its_province(region, zone):
    assert domain.zone_of_region(region, "Asia/Makassar") == zone


def test_the_digest_comes_at_seven_in_each_agencys_zone_once_a_day(store):
    people = {"dinkes": [contact("w", "dinkes", role="admin")], "polda": [contact("j", "polda", role="admin")],
              "papua": [contact("p", "papua", role="admin")]}
    evening = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)  # 19:00 WITA, 20:00 WIT, 19:00 WIB
    for step in ("proposed", "decided"):
        for agency in ("dinkes", "polda", "papua"):
            deliver(store, event("complaint.forwarded", {**FORWARDED, "to_agency_id": agency, "step": step}),
                    lambda a: people[a], now=evening)
    at_wit_seven = datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc)  # 07:00 WIT = 06:00 WITA = 05:00 WIB
    with store.reading() as session:
        assert domain.digest_candidates(session, at_wit_seven) == [("account:p", "mail")]
    with store.unit_of_work() as uow:
        digest = domain.build_digest(uow, "account:p", "mail", at_wit_seven, at_wit_seven)
    assert digest.event_id == "digest:2026-12-02" and json.loads(digest.params)["count"] == 2
    at_wita_seven = datetime(2026, 12, 1, 23, 0, tzinfo=timezone.utc)
    with store.reading() as session:
        assert domain.digest_candidates(session, at_wita_seven) == [("account:w", "mail")]
    with store.unit_of_work() as uow:  # the same person and day again: nothing more
        assert domain.build_digest(uow, "account:p", "mail", at_wita_seven, at_wita_seven) is None


def test_a_second_instance_cannot_build_the_same_days_digest(store):
    people = lambda a: [contact("w", "dinkes", role="admin")]  # noqa: E731
    evening = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    deliver(store, event("complaint.forwarded", FORWARDED), people, now=evening)
    seven = datetime(2026, 12, 1, 23, 0, tzinfo=timezone.utc)
    with store.unit_of_work() as uow:
        domain.build_digest(uow, "account:w", "mail", seven, seven)
    deliver(store, event("complaint.forwarded", {**FORWARDED, "step": "decided"}), people, now=evening)
    with pytest.raises(IntegrityError):  # the unique (event, person, channel) of "digest:<day>"
        with store.unit_of_work() as uow:
            domain.build_digest(uow, "account:w", "mail", seven, seven)


def test_sending_retries_with_backoff_then_fails_visibly(store):
    people = lambda a: [contact("a1", "dinkes")]  # noqa: E731
    [made] = deliver(store, event("complaint.forwarded", FORWARDED), people)
    policy, now = domain.Policy(base_seconds=10, max_attempts=2), NOW
    for attempt in (1, 2):
        with store.unit_of_work() as uow:
            [claimed] = domain.claim_messages(uow, "me", 10, timedelta(seconds=30), now)
        with store.unit_of_work() as uow:  # leased: nobody else takes it meanwhile
            assert domain.claim_messages(uow, "other", 10, timedelta(seconds=30), now) == []
        with store.unit_of_work() as uow:
            message = domain.record_attempt(uow, "me", claimed.id, "retry", "SMTPServerDisconnected", policy, now)
            state, due = message.state, message.next_attempt_at
        now = due
    assert state == "failed"
    with store.reading() as session:
        log = domain.delivery_log(session, {"agency_id": "koord", "role": "coordinator"}, {"state": "failed"})
    assert [m.id for m in log.items] == [made.id] and log.items[0].last_error == "SMTPServerDisconnected"
    with store.reading() as session:
        assert domain.delivery_log(session, {"agency_id": "polda", "role": "member"}, {}).total == 0


def test_the_unsubscribe_link_turns_its_kind_off_and_nothing_else_opens_it(store):
    token = domain.unsubscribe_token(SECRET, "account:a1", "complaint_assigned")
    with store.unit_of_work() as uow:
        assert domain.unsubscribe(uow, SECRET, token, NOW).mode == "off"
    assert deliver(store, event("complaint.forwarded", FORWARDED), lambda a: [contact("a1", "dinkes")]) == []
    for forged in (token[:-2] + "xx", domain.unsubscribe_token("other", "account:a1", "complaint_assigned"), "x"):
        with pytest.raises(NotFound):
            with store.unit_of_work() as uow:
                domain.unsubscribe(uow, SECRET, forged, NOW)


@pytest.mark.parametrize("kind, text, expected", [
    ("text", "cek dumas-abcd-efgh-jkmn", ("check", "DUMAS-ABCD-EFGH-JKMN")),
    ("text", "CEK hello", ("check", None)),
    ("text", " status ", ("status", None)),
    ("image", "", ("photo", None)),
    ("other", "", ("help", None)),
    ("text", "Lampu jalan mati di Jl. Bau Massepe", ("text", "Lampu jalan mati di Jl. Bau Massepe")),
])
def test_the_whatsapp_door_reads_what_a_citizen_asks(kind, text, expected):
    assert domain.read_message(kind, text) == expected


def test_a_message_says_no_more_than_ids_states_and_links():
    message = domain.Outgoing("m1", "reporter:c1", "mail", "complaint_status", "en", "r@example.com", None,
                              "Asia/Makassar", {"complaint_id": "c1", "status": "responded",
                                                "tracking_number": "DUMAS-AAAA-BBBB-CCCC"}, [])
    rendered = rendering.render(message, "https://hub.example.go.id", lambda kind: f"https://u/{kind}")
    assert rendered.subject == "Complaint DUMAS-AAAA-BBBB-CCCC: new status"
    assert "https://hub.example.go.id/lacak/DUMAS-AAAA-BBBB-CCCC" in rendered.text
    assert "answered" in rendered.text and 'href="https://u/complaint_status"' in rendered.html


INFO = {"request_id": "r1", "agency_id": "dinkes", "registration_number": "PPID-2026-000123"}
DUE = (NOW + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("name, data, kind, told", [
    ("information.request_registered", {**INFO, "registered_at": NOW.isoformat(), "answer_due": DUE},
     "information_request", ("dinkes",)),
    ("information.forwarded", {**INFO, "agency_id": "polda", "from_agency_id": "dinkes", "to_agency_id": "polda",
                               "step": "proposed"}, "information_request", ("polda",)),
    ("information.forwarded", {**INFO, "from_agency_id": "dinkes", "to_agency_id": "polda", "step": "refused"},
     "information_request", ("dinkes",)),
    ("information.forwarded", {**INFO, "agency_id": "polda", "from_agency_id": "dinkes", "to_agency_id": "polda",
                               "step": "accepted"}, None, ()),
    ("information.deadline_near", {**INFO, "stage": "answer", "due_at": DUE}, "information_deadline", ("dinkes",)),
    ("information.stage_overdue", {**INFO, "stage": "objection", "due_at": NOW.isoformat(),
                                   "parent_agency_id": "polda"}, "information_overdue", ("dinkes", "polda", "koord")),
    ("information.stage_overdue", {**INFO, "stage": "answer", "due_at": NOW.isoformat(), "parent_agency_id": None},
     "information_overdue", ("dinkes", "koord")),
    ("information.objection_filed", {**INFO, "objection_id": "o1", "filed_at": NOW.isoformat(), "due_at": DUE},
     "information_objection", ("dinkes",)),
])
def test_information_events_tell_the_agencies_they_concern(store, name, data, kind, told):
    made = notices(store, event(name, data))
    assert [(n.kind, n.agency_ids, n.complaint_id) for n in made] == ([(kind, told, None)] if kind else [])


def test_an_information_notice_reaches_officers_at_once_and_admins_as_their_role_says(store):
    people = {"dinkes": [contact("a1", "dinkes"), contact("a2", "dinkes", role="admin")]}
    registered = event("information.request_registered", {**INFO, "registered_at": NOW.isoformat(), "answer_due": DUE})
    made = deliver(store, registered, lambda a: people.get(a, []))
    assert sorted((m.person, m.kind, m.state) for m in made) == [
        ("account:a1", "information_request", "pending"), ("account:a2", "information_request", "waiting")]
    assert {domain.default_mode("admin", k) for k in ("information_overdue", "information_objection")} == {"immediate"}
    actor = {"agency_id": "dinkes", "role": "member", "key_id": None, "account_id": "a1", "account_name": "A",
             "account_role": "officer"}
    with store.reading() as session:
        kinds = {k["kind"] for k in domain.preferences(session, actor).kinds}
    assert {"information_request", "information_deadline", "information_overdue", "information_objection"} <= kinds


@pytest.mark.parametrize("language, subject, says", [
    ("id", "Permohonan informasi baru: PPID-2026-000123", "jawab paling lambat Kamis, 3 Desember 2026"),
    ("en", "A new information request: PPID-2026-000123", "answer it by Thursday, 3 December 2026"),
])
def test_an_information_message_names_the_request_and_links_its_console_page(language, subject, says):
    params = {"request_id": "r1", "registration_number": "PPID-2026-000123", "how": "registered", "due_at": DUE}
    message = domain.Outgoing("m1", "account:a1", "mail", "information_request", language, "a1@example.go.id",
                              "Officer a1", "Asia/Makassar", params, [])
    rendered = rendering.render(message, "https://hub.example.go.id", lambda kind: f"https://u/{kind}")
    assert rendered.subject == subject and says in rendered.text
    assert "https://hub.example.go.id/console/informasi/permohonan/r1" in rendered.text
    notice, link = rendering.whatsapp_parts(message, "https://hub.example.go.id")
    assert link == "https://hub.example.go.id/console/informasi/permohonan/r1" and "\n" not in notice


def test_an_asked_agency_is_reminded_a_day_before_the_deadline_unless_it_answered(store):
    asked = event("amplification.requested", {
        "request_id": "r1", "content_id": "n1", "headline": "Vaksinasi", "requested_by": "koord",
        "members": ["dinkes", "papua"], "deadline": (NOW + timedelta(days=3)).isoformat()})
    [notice] = notices(store, asked)
    assert notice.kind == "amplification_requested"
    with store.unit_of_work() as uow:
        domain.record_notices(uow, event("amplification.answered", {"request_id": "r1", "agency_id": "papua"}))
    with store.unit_of_work() as uow:
        assert domain.due_reminders(uow, NOW + timedelta(days=1)) == 0
    with store.unit_of_work() as uow:
        assert domain.due_reminders(uow, NOW + timedelta(days=2, minutes=1)) == 1
    with store.unit_of_work() as uow:
        *_, reminder = domain.claim_notices(uow, NOW + timedelta(days=2, minutes=1))  # after the request's
        assert domain.due_reminders(uow, NOW + timedelta(days=2, hours=1)) == 0  # once
    assert (reminder.kind, reminder.agency_ids) == ("amplification_requested", ("dinkes",))
    soon = event("amplification.requested", {
        "request_id": "r2", "content_id": "n1", "headline": "V", "requested_by": "koord", "members": ["dinkes"],
        "deadline": (NOW + timedelta(hours=5)).isoformat()})
    notices(store, soon)
    with store.unit_of_work() as uow:
        assert domain.due_reminders(uow, NOW + timedelta(hours=5)) == 0  # the request said it already


DINKES_ADMIN = {"agency_id": "dinkes", "role": "member", "account_id": "adm", "account_name": "Admin",
                "account_role": "admin"}
TOKEN = "t" * 43


def invitation(**changes):
    return {"account_id": "new1", "agency_id": "dinkes", "agency_name": "Dinas Kesehatan", "name": "Sri Wahyuni",
            "email": "sri@dinkes.example.go.id", "account_role": "officer", "language": "id", "token": TOKEN,
            "expires_at": (NOW + timedelta(hours=72)).isoformat(), **changes}


def test_an_invitation_is_mailed_once_with_its_link_which_goes_once_sent(store):
    for _ in range(2):  # the same invitation asked twice
        with store.unit_of_work() as uow:
            assert domain.mail_invitation(uow, DINKES_ADMIN, invitation(), ON, "Asia/Makassar", NOW) is True
    with store.unit_of_work() as uow:
        [claimed] = domain.claim_messages(uow, "me", 10, timedelta(seconds=30), NOW)
    assert (claimed.kind, claimed.address, claimed.name) == ("invitation", "sri@dinkes.example.go.id", "Sri Wahyuni")
    rendered = rendering.render(claimed, "https://hub.example.go.id", lambda kind: f"https://u/{kind}")
    assert rendered.subject == "Undangan ke konsol Bakohumas Hub" and rendered.unsubscribe is None
    assert f"https://hub.example.go.id/console/undangan/{TOKEN}" in rendered.text
    assert "petugas Dinas Kesehatan" in rendered.text and "5 Des 2026 10.00 WITA" in rendered.text.replace(":", ".")
    with store.unit_of_work() as uow:
        domain.record_attempt(uow, "me", claimed.id, "sent", None, domain.Policy(), NOW)
    with store.reading() as session:
        [kept] = session.scalars(select(Message).where(Message.kind == "invitation")).all()
        assert kept.state == "sent" and TOKEN not in kept.params and TOKEN not in kept.event_id


def test_an_invitation_is_not_mailed_when_mail_is_off_nor_for_another_agency(store):
    with store.unit_of_work() as uow:
        assert domain.mail_invitation(uow, DINKES_ADMIN, invitation(), {"whatsapp"}, "Asia/Makassar", NOW) is False
    for actor in ({**DINKES_ADMIN, "account_role": "officer"}, {**DINKES_ADMIN, "agency_id": "polda"}):
        with pytest.raises(Forbidden):
            with store.unit_of_work() as uow:
                domain.mail_invitation(uow, actor, invitation(), ON, "Asia/Makassar", NOW)
    coordinator_admin = {**DINKES_ADMIN, "agency_id": "koord", "role": "coordinator"}
    with store.unit_of_work() as uow:
        assert domain.mail_invitation(uow, coordinator_admin, invitation(), ON, "Asia/Makassar", NOW) is True
    coordinator_key = {"agency_id": "koord", "role": "coordinator", "key_id": "k", "account_id": None,
                       "account_role": None}
    with store.unit_of_work() as uow:  # the member list's import, by the coordinator's key
        assert domain.mail_invitation(uow, coordinator_key, invitation(token="u" * 43), ON, "Asia/Makassar", NOW)
    with pytest.raises(Forbidden), store.unit_of_work() as uow:
        domain.mail_invitation(uow, {**coordinator_key, "agency_id": "polda", "role": "member"}, invitation(), ON,
                               "Asia/Makassar", NOW)
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 2


def test_a_deadline_in_a_message_is_the_forums_day_whatever_the_readers_zone():
    """23:59:59 WITA on Friday is 00:59 WIT on Saturday: a reader in Papua is told Friday, the day
    every page and the API name (the forum's zone is WITA here)."""
    friday_end = datetime(2026, 12, 4, 15, 59, 59, tzinfo=timezone.utc)
    params = {"request_id": "r1", "registration_number": "PPID-2026-000123", "how": "registered",
              "due_at": friday_end.isoformat()}
    message = domain.Outgoing("m1", "account:a1", "mail", "information_request", "id", "a1@example.go.id",
                              "Officer a1", "Asia/Jayapura", params, [])
    rendered = rendering.render(message, "https://hub.example.go.id", lambda kind: f"https://u/{kind}")
    assert "jawab paling lambat Jumat, 4 Desember 2026." in rendered.text and "Sabtu" not in rendered.text


def test_a_change_of_second_factor_is_mailed_to_the_person_whatever_their_preferences(store):
    change = {"account_id": "adm", "agency_id": "dinkes", "name": "Sri Wahyuni", "email": "sri@dinkes.example.go.id",
              "language": "id", "change": "replaced"}
    with pytest.raises(Forbidden):  # one's own session only
        with store.unit_of_work() as uow:
            domain.mail_second_factor_change(uow, {**DINKES_ADMIN, "account_id": "other"}, change, ON,
                                             "Asia/Makassar", NOW)
    with store.unit_of_work() as uow:
        assert domain.mail_second_factor_change(uow, DINKES_ADMIN, change, {"whatsapp"}, "Asia/Makassar", NOW) \
            is False
        assert domain.mail_second_factor_change(uow, DINKES_ADMIN, change, ON, "Asia/Makassar", NOW) is True
    with store.unit_of_work() as uow:
        [claimed] = domain.claim_messages(uow, "me", 10, timedelta(seconds=30), NOW)
    assert (claimed.kind, claimed.address, claimed.channel) == ("second_factor", "sri@dinkes.example.go.id", "mail")
    rendered = rendering.render(claimed, "https://hub.example.go.id", lambda kind: f"https://u/{kind}")
    assert rendered.subject == "Verifikasi dua langkah akun Bakohumas Hub Anda diubah" and rendered.unsubscribe is None
    assert "Aplikasi autentikator akun Anda diganti" in rendered.text
    assert "https://hub.example.go.id/console/akun" in rendered.text and "WITA" in rendered.text
