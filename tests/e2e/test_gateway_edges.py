"""The gateway's edges as an outsider meets them: stalled sockets, a forged Host header."""
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


def test_stalled_sockets_neither_block_other_clients_nor_stay_open(stack):
    key = stack.bootstrap()["api_key"]
    assert requests.get(stack.url + "/api/v1/me", headers={"Authorization": f"Bearer {key}"},
                        timeout=10).status_code == 200  # the gateway knows the key from now on
    sockets = open_stalled_sockets(stack.port, key, STALLED)
    opened = time.monotonic()
    try:
        time.sleep(0.5)  # let the gateway accept them all and start reading
        for path in ("/health", "/api/v1/feeds/content.json"):
            answers = [latency(stack.url + path) for _ in range(5)]
            assert {status for _, status in answers} == {200}, (path, answers)
            # A correctness bound, not a benchmark: a blocked gateway answers after seconds or never.
            assert statistics.median(t for t, _ in answers) < 1.0, (path, answers)
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
