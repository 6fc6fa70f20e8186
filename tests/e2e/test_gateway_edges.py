"""The gateway's edges as an outsider meets them: stalled sockets, a forged Host header, hostile webhook URLs."""
import socket
import statistics
import time

import pytest
import feedparser
import requests

from bakohumas.harness import LocalStack

pytestmark = pytest.mark.e2e

SOCKET_TIMEOUT = 3
STALLED = 200


@pytest.fixture(scope="module")
def stack():
    stack = LocalStack(extra_env={"HTTP_SOCKET_TIMEOUT": str(SOCKET_TIMEOUT),
                                  "PUBLIC_URL": "https://hub.example.go.id"}).start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def coordinator_key(stack):
    key = stack.bootstrap()["api_key"]
    assert requests.get(stack.url + "/api/v1/me", headers={"Authorization": f"Bearer {key}"},
                        timeout=10).status_code == 200  # the gateway knows the key from now on
    return key


def open_stalled_sockets(port, key, count):
    """Half send a POST's headers with a Content-Length and never the body; half send nothing.

    The POSTs carry a valid key: a request refused for its key is answered before its body is read.
    """
    head = ("POST /api/v1/agencies HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key +
            "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{").encode()
    sockets = []
    for number in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if number % 2 == 0:
            sock.sendall(head)
        sockets.append(sock)
    return sockets


def closed_by_server(sock, deadline):
    """True once the server closes the socket (whatever it said first), False at ``deadline``."""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if sock.recv(4096) == b"":
                return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
    return False


def latency(url):
    started = time.monotonic()
    response = requests.get(url, timeout=10)
    return time.monotonic() - started, response.status_code


def median_latency(url):
    answers = [latency(url) for _ in range(5)]
    assert {status for _, status in answers} == {200}, (url, answers)
    return statistics.median(seconds for seconds, _ in answers)


def test_stalled_sockets_neither_block_other_clients_nor_stay_open(stack, coordinator_key):
    paths = ("/health", "/api/v1/feeds/content.json")
    unloaded = {path: median_latency(stack.url + path) for path in paths}
    sockets = open_stalled_sockets(stack.port, coordinator_key, STALLED)
    opened = time.monotonic()
    try:
        time.sleep(0.5)  # let the gateway accept them all and start reading
        for path in paths:
            # A correctness bound, not a benchmark: a blocked gateway answers after seconds or never.
            # On a loaded machine the bound grows with what the same request took just before.
            bound = max(1.0, 3 * unloaded[path])
            assert median_latency(stack.url + path) < bound, (path, unloaded)
        deadline = opened + SOCKET_TIMEOUT + 5
        still_open = [sock for sock in sockets if not closed_by_server(sock, deadline)]
        assert not still_open, f"{len(still_open)} of {STALLED} stalled sockets still open"
    finally:
        for sock in sockets:
            sock.close()


@pytest.mark.parametrize("path", ["/api/v1/feeds/atom", "/api/v1/feeds/content.json", "/api/v1/calendar.ics"])
def test_feeds_name_only_the_public_url_whatever_the_host_header(stack, path):
    response = requests.get(stack.url + path, headers={"Host": "attacker.example:666"}, timeout=10)
    assert response.status_code == 200, response.text
    assert "attacker.example" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    if "atom" in path:
        feed = feedparser.parse(response.text)
        assert feed.feed.id == "https://hub.example.go.id/api/v1/feeds/atom"
        assert [link.href for link in feed.feed.links if link.rel == "self"] == [feed.feed.id]


@pytest.mark.parametrize("url, message", [
    ("https://news.example.org:99999/hook", "port"),
    ("http://news.example.org:0/hook", "port"),
    ("http://2130706433/hook", "loopback"),
    ("http://0x7f000001/hook", "loopback"),
    ("http://0/hook", "loopback"),
    ("http://localhost./hook", "loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "http(s) URL"),  # marshmallow already refuses this form
    ("http://[64:ff9b::7f00:1]/hook", "loopback"),
    ("http://[2002:7f00:1::]/hook", "loopback"),
    ("http://224.0.0.1/hook", "loopback"),
])
def test_hostile_webhook_urls_are_refused_at_registration(stack, coordinator_key, url, message):
    response = requests.post(stack.url + "/api/v1/subscriptions", json={"url": url},
                             headers={"Authorization": f"Bearer {coordinator_key}"}, timeout=10)
    assert response.status_code == 400, response.text
    assert message in " ".join(response.json()["error"]["fields"]["url"])
