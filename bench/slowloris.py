"""Slow-client benchmark: normal requests while 200 connections are held open against the gateway.

Half of the connections send a POST's headers (with a valid key and a Content-Length under the
256 KiB limit) and then one byte of body every 2 s, inside any per-read timeout; the other half connect and send
nothing, and connect again whenever the gateway closes them. ``GET /health`` and an authenticated
read are measured with wrk at concurrency 10, without and with those connections, beside the
echo ceiling of the same run.
"""
import selectors
import socket
import threading
import time

from bakohumas.harness import LocalStack
from bench.common import EchoPair, table, wrk

HELD = 200
CONCURRENCY = 10
DRIP_SECONDS = 2.0


class SlowClients:
    """``count`` slow or idle connections kept open from a thread of their own until ``stop``."""

    def __init__(self, port, key, count=HELD):
        self.port, self.count = port, count
        self.head = ("POST /api/v1/agencies HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key +
                     "\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n{").encode()
        self.slow, self.idle = [], []
        self.reopened = 0
        self.running = threading.Event()
        self.thread = threading.Thread(target=self._keep, daemon=True)

    def _connect(self, slow):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.setblocking(False)
        if slow:
            sock.sendall(self.head)
        return sock

    def __enter__(self):
        for number in range(self.count):
            (self.slow if number % 2 == 0 else self.idle).append(self._connect(number % 2 == 0))
        self.running.set()
        self.thread.start()
        return self

    def _keep(self):
        while self.running.is_set():
            for group, slow in ((self.slow, True), (self.idle, False)):
                for index, sock in enumerate(group):
                    if self._closed(sock) or (slow and not self._drip(sock)):
                        sock.close()
                        group[index] = self._connect(slow)
                        self.reopened += 1
            time.sleep(DRIP_SECONDS)

    @staticmethod
    def _closed(sock):
        selector = selectors.DefaultSelector()
        selector.register(sock, selectors.EVENT_READ)
        try:
            if not selector.select(0):
                return False
            try:
                sock.recv(65536)  # a 408 or nothing: the gateway gave up on this connection
            except OSError:
                pass
            return True
        finally:
            selector.close()

    @staticmethod
    def _drip(sock):
        try:
            sock.send(b" ")
            return True
        except OSError:
            return False

    def open_now(self):
        return sum(1 for sock in self.slow + self.idle if not self._closed(sock))

    def __exit__(self, *exc):
        self.running.clear()
        self.thread.join(DRIP_SECONDS * 3)
        for sock in self.slow + self.idle:
            sock.close()


def main(options):
    seconds = 3 if "--quick" in options else 5
    stack = LocalStack().start()
    rows = []
    try:
        made = stack.bootstrap()
        auth = {"Authorization": f"Bearer {made['api_key']}"}
        paths = {"GET /health (4 RPCs)": (stack.url + "/health", {}),
                 "GET /api/v1/agencies/{id}": (f"{stack.url}/api/v1/agencies/{made['agency_id']}", auth)}
        with EchoPair() as pair:
            echo = wrk(pair.url, CONCURRENCY, seconds)
            rows.append({"path": "echo HTTP→RPC (ceiling)", "held": 0, **echo, "ratio": 1.0})
            for label, (url, headers) in paths.items():
                alone = wrk(url, CONCURRENCY, seconds, headers=headers)
                rows.append({"path": label, "held": 0, **alone, "ratio": alone["rps"] / echo["rps"]})
            with SlowClients(stack.port, made["api_key"]) as clients:
                time.sleep(1)
                for label, (url, headers) in paths.items():
                    loaded = wrk(url, CONCURRENCY, seconds, headers=headers)
                    rows.append({"path": label, "held": clients.open_now(), **loaded,
                                 "ratio": loaded["rps"] / echo["rps"]})
                reopened = clients.reopened
    finally:
        stack.stop()
    print(f"wrk at concurrency {CONCURRENCY}, {seconds} s per row; 'held' = slow/idle connections open "
          f"at the end of the row (closed ones are reopened: {reopened} reopened in all)")
    table(rows, ["path", "held", "rps", "p50_ms", "p99_ms", "non_2xx", "ratio"])
