"""The WhatsApp door's reading of what Meta posts: a signature or verify token in any characters is
compared as bytes (a mismatch, never a crash); a signed body is read against Meta's documented shape,
anything else refused (400) in one log line; message ids are kept whole."""
import hashlib
import hmac
import json
import logging
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.errors import HttpError
from gateway.routes.notifications import WhatsAppDoor, whatsapp_updates

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)
CITIZEN = "6281355500111"


def door(secret="app-secret", token="verify-me"):
    made = WhatsAppDoor()
    made.app_secret, made.verify_token = secret, token
    return made


def signature(raw, secret="app-secret"):
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def message(**fields):
    return {"from": CITIZEN, "id": "wamid.one", "timestamp": str(int(NOW.timestamp())), "type": "text",
            "text": {"body": "Jalan berlubang"}, **fields}


def webhook(messages=(), statuses=()):
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"}}
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}]}).encode()


@pytest.mark.parametrize("header", ["sha256=é", "sha256=" + "ü" * 64, "😀", "", None])
def test_a_signature_in_any_characters_is_a_mismatch_not_a_crash(header):
    raw = webhook([message()])
    assert door().signed(raw, header) is False
    assert door().signed(raw, signature(raw)) is True


@pytest.mark.parametrize("given_token", ["vérify-me", "😀", "", "verify-me "])
def test_a_verify_token_in_any_characters_is_a_mismatch_not_a_crash(given_token):
    assert door(token="verify-me").token_matches(given_token) is False
    assert door(token="vérify-mé").token_matches("vérify-mé") is True


@pytest.mark.parametrize("body", [
    {"object": "whatsapp_business_account", "entry": ["not an object"]},
    {"entry": [{"changes": ["not an object"]}]},
    {"entry": [{"changes": [{"value": "not an object"}]}]},
    {"entry": [{"changes": [{"value": {"messages": [message(text="not an object")]}}]}]},
    {"entry": [{"changes": [{"value": {"messages": [message(id=["a list"])]}}]}]},
    {"entry": "not a list"},
    ["a", "list"],
    "text",
    12,
])
def test_a_signed_body_not_of_metas_shape_is_refused_in_one_line(body, caplog):
    with caplog.at_level(logging.INFO, logger="gateway.routes.notifications"):
        with pytest.raises(HttpError) as refused:
            whatsapp_updates(json.dumps(body).encode(), NOW)
    assert refused.value.status == 400
    [line] = [r.getMessage() for r in caplog.records]
    assert "\n" not in line and CITIZEN not in line and "Jalan" not in line


def test_a_nesting_too_deep_to_read_is_refused():
    with pytest.raises(HttpError) as refused:
        whatsapp_updates(b"[" * 100_000 + b"]" * 100_000, NOW)
    assert refused.value.status == 400


def test_a_message_is_taken_whatever_form_its_timestamp_has():
    for timestamp, sent_at in ((1796608800, datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)),
                               ("1796608800", datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)),
                               ("1796616000", NOW),  # an hour ahead of us: never later than now
                               ("not a time", NOW), (None, NOW), ("99999999999999999999", NOW)):
        [taken], _ = whatsapp_updates(webhook([message(timestamp=timestamp)]), NOW)
        assert taken["sent_at"] == sent_at.isoformat()


def test_messages_and_statuses_are_read_and_ids_kept_whole():
    long_id = "wamid." + "A" * 200
    raw = webhook([message(id=long_id), message(id="wamid.photo", type="image", image={"id": "media-1"})],
                  [{"id": "wamid.sent-1", "status": "failed", "timestamp": "1796612400", "recipient_id": CITIZEN,
                    "errors": [{"code": 131026, "title": "Message undeliverable"}]}])
    messages, statuses = whatsapp_updates(raw, NOW)
    assert [(m["message_id"], m["phone"], m["type"], m["media_id"]) for m in messages] == [
        (long_id, "+" + CITIZEN, "text", None), ("wamid.photo", "+" + CITIZEN, "image", "media-1")]
    assert statuses == [{"wamid": "wamid.sent-1", "status": "failed", "error_code": 131026,
                         "error_title": "Message undeliverable"}]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=30)
# Meta's own keys at every level, so that random values reach the fields the door reads.
KEYS = st.sampled_from(["object", "entry", "changes", "field", "value", "messages", "statuses", "from", "id",
                        "type", "text", "body", "image", "timestamp", "errors", "code", "title", "status",
                        "from_user_id", "contacts", "wa_id", "user_id"])
SHAPED = st.recursive(st.none() | st.integers() | st.text(max_size=12) | st.sampled_from(["text", "image", "failed"]),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
                      max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(st.one_of(JSON, SHAPED))
def test_any_json_at_the_signed_door_is_read_or_refused_never_a_crash(payload):
    try:
        messages, statuses = whatsapp_updates(json.dumps(payload).encode(), NOW)
    except HttpError as refused:
        assert refused.status == 400
    else:
        assert all(m["message_id"] and m["phone"].startswith("+") for m in messages)
        assert all(s["wamid"] and s["status"] in ("sent", "delivered", "read", "failed") for s in statuses)


def test_a_sender_known_only_by_a_business_scoped_user_id_is_taken_to_be_answered(caplog):
    """Meta's newer user_id (a person who chose a username): no number, yet a reply can reach them."""
    bsuid_only = message(id="wamid.bsuid", text={"body": "Halo"}, from_user_id="ID.1502576394655843")
    del bsuid_only["from"]
    with caplog.at_level(logging.INFO, logger="gateway.routes.notifications"):
        [taken], _ = whatsapp_updates(webhook([bsuid_only]), NOW)
    assert (taken["phone"], taken["user_id"], taken["text"]) == (None, "ID.1502576394655843", "Halo")
    assert not caplog.records
    nobody = message(id="wamid.nobody")
    del nobody["from"]
    with caplog.at_level(logging.INFO, logger="gateway.routes.notifications"):
        assert whatsapp_updates(webhook([nobody]), NOW) == ([], [])
    [line] = [r.getMessage() for r in caplog.records]
    assert "no number and no business-scoped user id" in line
