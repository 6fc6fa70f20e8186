"""WhatsApp as Meta really answers, without a broker: the local stand-in refuses what Meta refuses and
takes what the postman builds; the 24-hour customer service window decides text or template (the
clock pinned); Meta's later status reports are kept against the message's wamid (a failure retried or
reported with its code and title); replies are keyed by the whole message id."""
import json
import logging
from datetime import datetime, timedelta, timezone

import pytest

from bakohumas.harness import FakeWhatsApp
from services.notifications import domain, rendering, whatsapp
from services.notifications.models import Message
from services.notifications.postman import whatsapp_person

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)
CITIZEN = "+6281355500111"
OFFICER_PARAMS = {"complaint_assigned": {"tracking_number": "DUMAS-AB12-CD34-EF56", "how": "forwarded"},
                  "complaint_status": {"tracking_number": "DUMAS-AB12-CD34-EF56", "status": "verified"}}


@pytest.fixture
def meta():
    fake = FakeWhatsApp(clock=NOW.timestamp).start()
    yield fake
    fake.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(service_db, request):
    """Both databases: the migration widens a column and adds a table and an index on each."""
    return service_db("notifications", backend=request.param)


def settings_of(fake):
    return whatsapp.WhatsAppSettings(fake.url, "test-token", "1234567890", timeout=5)


def outgoing(kind, person="account:a1", params=None):
    return domain.Outgoing("m1", person, "whatsapp", kind, "id", CITIZEN, "Officer", "Asia/Makassar",
                           params or OFFICER_PARAMS.get(kind, {}), [])


def test_the_stand_in_refuses_a_template_parameter_meta_refuses(meta, caplog):
    """The shape every officer alert had: one parameter "notice\\nlink"."""
    settings = settings_of(meta)
    old = {"messaging_product": "whatsapp", "to": CITIZEN[1:], "type": "template", "template": {
        "name": "bakohumas_complaint_assigned", "language": {"code": "id"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Pengaduan baru\nhttps://x/y"}]}]}}
    with caplog.at_level(logging.WARNING, logger="services.notifications.whatsapp"):
        verdict, error, wamid = whatsapp.send(settings, old)
    assert (verdict, wamid) == ("failed", None)
    assert error == "Meta 132000: Number of parameters does not match the expected number of params"
    two = json.loads(json.dumps(old))
    two["template"]["components"][0]["parameters"].append({"type": "text", "text": "a     b"})
    assert whatsapp.send(settings, two)[:2] == (
        "failed", "Meta 132018: There was an issue with the parameters in your template.")
    assert meta.refused[-1]["error"]["error_data"]["details"] == (
        "Param text cannot have new-line/tab characters or more than 4 consecutive spaces")
    assert any("Meta 132000" in record.getMessage() for record in caplog.records)  # Meta's words, logged
    assert not meta.delivered


@pytest.mark.parametrize("kind", ["complaint_assigned", "complaint_status"])
def test_an_alert_as_the_postman_builds_it_reaches_the_phone(meta, kind):
    notice, link = rendering.whatsapp_parts(outgoing(kind), "https://hub.example.go.id")
    body = whatsapp.template_body(settings_of(meta), CITIZEN, kind, "id", notice, link)
    verdict, error, wamid = whatsapp.send(settings_of(meta), body)
    assert (verdict, error) == ("sent", None) and wamid.startswith("wamid.")
    assert meta.to(CITIZEN) == [body]


def test_an_unregistered_template_is_refused_with_metas_code(meta):
    body = whatsapp.template_body(settings_of(meta), CITIZEN, "no_such_kind", "id", "x", "https://x")
    assert whatsapp.send(settings_of(meta), body)[:2] == (
        "failed", "Meta 132001: Template name does not exist in the translation")


def test_free_text_reaches_a_citizen_only_within_24_hours_of_their_last_message(store):
    person = whatsapp_person(CITIZEN)
    with store.reading() as session:
        assert domain.window_open(session, person, NOW) is False  # never wrote: a template
    with store.unit_of_work() as uow:
        domain.heard_from(uow, person, NOW - timedelta(hours=23))
    with store.unit_of_work() as uow:
        domain.heard_from(uow, person, NOW - timedelta(hours=30))  # an older message, redelivered late
    with store.reading() as session:
        assert domain.window_open(session, person, NOW) is True
        assert domain.window_open(session, person, NOW + timedelta(hours=1)) is False
        assert domain.window_open(session, whatsapp_person("+6281200000000"), NOW) is False
    assert domain.whatsapp_form("reporter:c1", {}, True) == "text"
    assert domain.whatsapp_form("reporter:c1", {}, False) == "template"
    assert domain.whatsapp_form("reporter:c1", {"outside_window": True}, True) == "template"
    assert domain.whatsapp_form("account:a1", {}, True) == "template"  # an officer never wrote first


def test_the_stand_in_fails_free_text_outside_the_window_as_meta_reports_it(meta):
    raw = json.dumps({"entry": [{"changes": [{"value": {"messages": [
        {"from": CITIZEN[1:], "id": "wamid.in", "timestamp": str(int(NOW.timestamp()) - 25 * 3600)}]}}]}]})
    meta.note_incoming(raw)
    verdict, _, wamid = whatsapp.send(settings_of(meta), whatsapp.text_body(CITIZEN, "Status pengaduan"))
    assert verdict == "sent" and meta.to(CITIZEN) == []  # Meta takes it, then reports it failed
    assert meta.refused[-1]["error"]["code"] == 131047


def sent_message(store, wamid="wamid.s1", person="reporter:c1", kind="complaint_status"):
    with store.unit_of_work() as uow:
        message = Message(id="m-" + wamid, event_id="e-" + wamid, person=person, channel="whatsapp", kind=kind,
                          language="id", zone="Asia/Makassar", params="{}", state="pending", attempts=0,
                          next_attempt_at=NOW, created_at=NOW, leased_by="me", leased_until=NOW + timedelta(minutes=1))
        uow.session.add(message)
    with store.unit_of_work() as uow:
        domain.record_attempt(uow, "me", "m-" + wamid, "sent", None, domain.Policy(), NOW, wamid=wamid)
    return "m-" + wamid


def reported(store, wamid, status, code=None, title=None, now=NOW):
    with store.unit_of_work() as uow:
        domain.record_status(uow, wamid, status, code, title, domain.Policy(base_seconds=30), now)
    with store.reading() as session:
        message = session.get(Message, "m-" + wamid)
        return message.state, message.reported, message.last_error, message.next_attempt_at


def test_metas_status_reports_are_kept_against_the_wamid(store):
    sent_message(store)
    assert reported(store, "wamid.s1", "read")[:2] == ("sent", "read")
    assert reported(store, "wamid.s1", "delivered")[:2] == ("sent", "read")  # late news never goes back
    with store.unit_of_work() as uow:
        assert domain.record_status(uow, "wamid.unknown", "delivered", None, None, domain.Policy(), NOW) is None
        with pytest.raises(domain.NotYetSent):
            domain.record_status(uow, "wamid.unknown", "failed", 131026, "Message undeliverable", domain.Policy(), NOW)


def test_a_failure_meta_reports_is_retried_when_passing_else_reported_with_its_code(store):
    sent_message(store, "wamid.gone")
    assert reported(store, "wamid.gone", "failed", 131026, "Message undeliverable")[:3] == (
        "failed", "failed", "Meta 131026: Message undeliverable")
    sent_message(store, "wamid.busy")
    state, _, error, next_at = reported(store, "wamid.busy", "failed", 130429, "Rate limit hit")
    assert (state, error) == ("retrying", "Meta 130429: Rate limit hit") and NOW + timedelta(seconds=15) <= next_at
    sent_message(store, "wamid.late")
    assert reported(store, "wamid.late", "failed", 131047, "Re-engagement message")[::3] == ("retrying", NOW)
    with store.reading() as session:
        again = json.loads(session.get(Message, "m-wamid.late").params)
    assert domain.whatsapp_form("reporter:c1", again, True) == "template"  # sent again as a template


def test_two_message_ids_alike_in_their_first_80_characters_are_two_messages(store):
    first, second = "wamid." + "H" * 90 + "A", "wamid." + "H" * 90 + "B"
    for message_id in (first, second, first):
        with store.unit_of_work() as uow:
            domain.queue_reply(uow, message_id, whatsapp_person(CITIZEN), CITIZEN, "help", {}, {"whatsapp"},
                               "Asia/Makassar", NOW)
    with store.reading() as session:
        assert domain.replied(session, first) and domain.replied(session, second)
        assert session.query(Message).count() == 2


def test_a_reply_reaches_a_sender_by_their_business_scoped_user_id(meta):
    bsuid = "ID.1502576394655843"
    meta.note_incoming(json.dumps({"entry": [{"changes": [{"value": {"messages": [
        {"from_user_id": bsuid, "id": "wamid.in", "timestamp": str(int(NOW.timestamp()))}]}}]}]}))
    body = whatsapp.text_body(bsuid, "Halo")
    assert "to" not in body and body["recipient"] == bsuid
    assert whatsapp.send(settings_of(meta), body)[0] == "sent" and meta.to(bsuid) == [body]
    assert whatsapp.text_body(CITIZEN, "Halo")["to"] == CITIZEN[1:]
    template = whatsapp.template_body(settings_of(meta), bsuid, "whatsapp_reply", "id", "Halo", "https://x/lapor")
    assert template["recipient"] == bsuid and "to" not in template
