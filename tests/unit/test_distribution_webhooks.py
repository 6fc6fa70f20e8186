"""Signing, the retry schedule and what each answer of a destination means."""
import json
import random
from datetime import datetime, timedelta, timezone

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.distribution import webhooks


def test_signature_verifies_with_the_standardwebhooks_package():
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_")
    body = json.dumps({"type": "content.published", "data": {"uri": "urn:x"}}).encode()
    now = int(datetime.now(timezone.utc).timestamp())
    headers = webhooks.signed_headers([secret], "msg_1", now, body)
    assert Webhook(secret).verify(body, headers) == {"type": "content.published", "data": {"uri": "urn:x"}}


def test_a_tampered_body_or_another_secret_fails_verification():
    secret = webhooks.new_secret()
    body = b'{"a":1}'
    headers = webhooks.signed_headers([secret], "msg_1", int(datetime.now(timezone.utc).timestamp()), body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(body, headers)


def test_during_rotation_both_secrets_sign():
    old, new = webhooks.new_secret(), webhooks.new_secret()
    body = b'{"a":1}'
    headers = webhooks.signed_headers([new, old], "msg_2", int(datetime.now(timezone.utc).timestamp()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)


def test_backoff_doubles_with_jitter_and_is_capped():
    policy = webhooks.RetryPolicy(base_seconds=10, cap_seconds=300, max_attempts=12)
    rng = random.Random(7)
    for attempts, window in [(1, 10), (2, 20), (3, 40), (4, 80), (6, 300), (11, 300)]:
        delays = [policy.backoff(attempts, rng) for _ in range(50)]
        assert all(window / 2 <= d <= window for d in delays)
        assert len(set(delays)) > 1


@pytest.mark.parametrize("status, verdict", [
    (200, "delivered"), (204, "delivered"), (410, "gone"), (408, "retry"), (429, "retry"),
    (500, "retry"), (503, "retry"), (400, "failed"), (401, "failed"), (404, "failed"), (422, "failed"),
])
def test_what_each_answer_means(status, verdict):
    assert webhooks.judge(status).verdict == verdict


def test_retry_after_as_seconds_or_http_date():
    assert webhooks.parse_retry_after("120") == 120
    now = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    assert webhooks.parse_retry_after("Mon, 23 Nov 2026 12:01:00 GMT", now) == 60
    assert webhooks.parse_retry_after("soon") is None
    assert webhooks.parse_retry_after(None) is None


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/",
                                 "http://[::1]:80/", "http://169.254.169.254/latest", "http://192.168.0.1/"])
def test_private_destinations_are_refused_unless_allowed(url):
    assert webhooks.literal_address_refused(url, allow_private=False)
    with pytest.raises(webhooks.RefusedAddress):
        webhooks.check_destination(url, allow_private=False)
    assert not webhooks.literal_address_refused(url, allow_private=True)
    webhooks.check_destination(url, allow_private=True)


def test_refused_destination_fails_without_a_request():
    outcome = webhooks.attempt("http://127.0.0.1:9/hook", b"{}", {}, 1, allow_private=False)
    assert outcome.verdict == "failed" and "refused" in outcome.error


def test_public_literal_address_is_accepted_at_registration():
    assert not webhooks.literal_address_refused("https://8.8.8.8/hook", allow_private=False)
    assert not webhooks.literal_address_refused("https://news.example.org/hook", allow_private=False)
