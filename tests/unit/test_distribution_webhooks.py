"""Signing, the retry schedule and what each answer of a destination means."""
import json
import random
import socket
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import urllib3
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.distribution import webhooks
from tests.clock import wall_now


def test_signature_verifies_with_the_standardwebhooks_package():
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_")
    body = json.dumps({"type": "content.published", "data": {"uri": "urn:x"}}).encode()
    now = int(wall_now().timestamp())
    headers = webhooks.signed_headers([secret], "msg_1", now, body)
    assert Webhook(secret).verify(body, headers) == {"type": "content.published", "data": {"uri": "urn:x"}}


def test_a_tampered_body_or_another_secret_fails_verification():
    secret = webhooks.new_secret()
    body = b'{"a":1}'
    headers = webhooks.signed_headers([secret], "msg_1", int(wall_now().timestamp()), body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(body, headers)


def test_during_rotation_both_secrets_sign():
    old, new = webhooks.new_secret(), webhooks.new_secret()
    body = b'{"a":1}'
    headers = webhooks.signed_headers([new, old], "msg_2", int(wall_now().timestamp()), body)
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
        webhooks.resolve_destination(url, allow_private=False)
    assert not webhooks.literal_address_refused(url, allow_private=True)
    webhooks.resolve_destination(url, allow_private=True)


def test_refused_destination_fails_without_a_request():
    outcome = webhooks.attempt("http://127.0.0.1:9/hook", b"{}", {}, 1, allow_private=False)
    assert outcome.verdict == "failed" and "refused" in outcome.error


def test_public_literal_address_is_accepted_at_registration():
    assert not webhooks.literal_address_refused("https://8.8.8.8/hook", allow_private=False)
    assert not webhooks.literal_address_refused("https://news.example.org/hook", allow_private=False)


@pytest.mark.parametrize("url", [
    "http://0/", "http://0.0.0.0/", "http://127.1/", "http://2130706433/", "http://0x7f000001/",
    "http://017700000001/", "http://0x7f.0.0.1/", "http://localhost./", "http://LOCALHOST/",
    "http://api.localhost./", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
    "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::127.0.0.1]/", "http://[2002:7f00:1::]/",
    "http://[2002:a00:1::]/", "http://[::]/", "http://[::1]/", "http://[fe80::1]/", "http://[ff02::1]/",
    "http://224.0.0.1/", "http://239.255.255.250:1900/", "http://[ff0e::1]/", "http://169.254.169.254/",
    "http://100.64.0.1/", "http://255.255.255.255/", "http://240.0.0.1/", "http://[::7f00:1]/",
    "http://0251.0376.0251.0376/",  # 169.254.169.254 in octal
])
def test_non_canonical_and_non_public_addresses_are_refused_at_registration(url):
    assert webhooks.literal_address_refused(url, allow_private=False), url
    with pytest.raises(webhooks.RefusedAddress):
        webhooks.resolve_destination(url, allow_private=False)


@pytest.mark.parametrize("url", ["https://8.8.8.8/hook", "https://134744072/hook", "http://[2606:4700::1111]/",
                                 "http://[2002:808:808::]/", "http://[64:ff9b::808:808]/"])
def test_public_addresses_in_any_form_are_accepted(url):
    assert not webhooks.literal_address_refused(url, allow_private=False)


def test_browser_number_forms_read_as_the_address_they_name():
    assert str(webhooks.ipv4_number_form("0")) == "0.0.0.0"
    assert str(webhooks.ipv4_number_form("127.1")) == "127.0.0.1"
    assert str(webhooks.ipv4_number_form("0x7f000001")) == "127.0.0.1"
    assert str(webhooks.ipv4_number_form("017700000001")) == "127.0.0.1"
    assert str(webhooks.ipv4_number_form("10.0x10.1")) == "10.16.0.1"
    assert webhooks.ipv4_number_form("news.example.org") is None
    assert webhooks.ipv4_number_form("256.1.1.1") is None
    assert webhooks.ipv4_number_form("08.1.1.1") is None


def test_an_impossible_port_fails_the_attempt_instead_of_raising():
    outcome = webhooks.attempt("http://news.example.org:99999/hook", b"{}", {}, 1, allow_private=True)
    assert outcome.verdict == "failed" and "port" in outcome.error


class Receiver(BaseHTTPRequestHandler):
    """A loopback HTTP server recording what reached it."""
    received = []

    def do_POST(self):
        Receiver.received.append({"host": self.headers["Host"], "path": self.path,
                                  "body": self.rfile.read(int(self.headers["Content-Length"]))})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def rebinding_resolver(first, then):
    """``rebind.example`` resolves to ``first`` once and to ``then`` afterwards; other names as usual."""
    answers = iter([first])
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        address = next(answers, then)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    return resolve


def test_a_name_rebound_to_loopback_after_the_check_is_not_reached(receiver, monkeypatch):
    resolve = rebinding_resolver("93.184.215.14", "127.0.0.1")
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    connected = []
    real_connect = urllib3.util.connection.create_connection

    def connect(address, *args, **kwargs):
        connected.append(address[0])
        if address[0] in ("127.0.0.1", "rebind.example"):  # only loopback traffic leaves this test
            return real_connect(address, *args, **kwargs)
        raise ConnectionRefusedError("not leaving the machine in a test")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    outcome = webhooks.attempt(f"http://rebind.example:{receiver}/hook", b"{}", {}, 2, allow_private=False)
    assert Receiver.received == []
    assert connected == ["93.184.215.14"]
    assert outcome.verdict == "retry"


def test_the_checked_address_is_reached_with_the_url_host_in_the_host_header(receiver, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", rebinding_resolver("127.0.0.1", "10.9.9.9"))
    outcome = webhooks.attempt(f"http://rebind.example:{receiver}/hook?x=1", b'{"a": 1}', {"webhook-id": "d1"},
                               2, allow_private=True)
    assert outcome.verdict == "delivered", outcome
    assert Receiver.received == [{"host": f"rebind.example:{receiver}", "path": "/hook?x=1", "body": b'{"a": 1}'}]


def test_https_connects_to_the_checked_address_and_verifies_the_url_host():
    destination = webhooks.Destination("https", "news.example.org", 443, "93.184.215.14", "/hook")
    pool = webhooks.connection_pool(destination, 5)
    assert pool.host == "93.184.215.14"
    assert pool.conn_kw["server_hostname"] == "news.example.org"
    assert pool.assert_hostname == "news.example.org" and pool.cert_reqs == "CERT_REQUIRED"
    assert destination.host_header == "news.example.org"
