"""Distribution benchmark: one release fanned out to 500 webhook subscribers on 127.0.0.1.

One subscriber is always down (nothing listens on its port), one answers after 2 s; the
other 498 should all have the release within 10 s, and the two bad ones must not slow them.
Prints deliveries/s, time to the last delivery, and the echo ceiling of the same run.
"""
import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bakohumas.harness import Api, LocalStack, free_port
from bench.common import ceiling, table

SUBSCRIBERS = 500
SLOW_SECONDS = 2.0
TARGET_SECONDS = 10.0


class Receivers:
    """Many minimal HTTP receivers on one asyncio loop, noting when each first got a delivery."""

    def __init__(self, count, slow_index):
        self.count, self.slow_index = count, slow_index
        self.ports, self.arrivals = [], {}
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()

    def _handler(self, index):
        async def handle(reader, writer):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            await reader.readexactly(length)
            self.arrivals.setdefault(index, time.monotonic())
            if index == self.slow_index:
                await asyncio.sleep(SLOW_SECONDS)
            writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            await writer.drain()
            writer.close()
        return handle

    async def _serve(self):
        for index in range(self.count):
            server = await asyncio.start_server(self._handler(index), "127.0.0.1", 0, backlog=64)
            self.ports.append(server.sockets[0].getsockname()[1])
        self.ready.set()

    def start(self):
        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self._serve())
            self.loop.run_forever()
        threading.Thread(target=run, daemon=True).start()
        self.ready.wait(30)
        return self


def main(options):
    stack = LocalStack(extra_env={"WEBHOOK_ALLOW_PRIVATE": "true", "LOG_LEVEL": "WARNING"}).start()
    try:
        made = stack.bootstrap()
        author = Api(stack.url, made["api_key"])
        receivers = Receivers(SUBSCRIBERS - 1, slow_index=0).start()
        down_port = free_port()
        urls = [f"http://127.0.0.1:{port}/hook" for port in receivers.ports]
        urls.append(f"http://127.0.0.1:{down_port}/hook")

        def subscribe(url):
            response = author.post("/api/v1/subscriptions", json={"url": url})
            response.raise_for_status()
            return response.json()["id"]

        with ThreadPoolExecutor(10) as pool:
            subscription_ids = list(pool.map(subscribe, urls))
        created = author.post("/api/v1/content", json={
            "type": "release", "headline": "Bench: satu rilis untuk semua", "language": "id",
            "body_html": "<p>" + "Isi rilis. " * 200 + "</p>"}).json()
        started = time.monotonic()
        published = author.post(f"/api/v1/content/{created['id']}/publish", json={})
        published.raise_for_status()
        live = SUBSCRIBERS - 1
        deadline = started + 30
        while len(receivers.arrivals) < live and time.monotonic() < deadline:
            time.sleep(0.05)
        arrivals = sorted(t - started for t in receivers.arrivals.values())
        fast = sorted(t - started for i, t in receivers.arrivals.items() if i != receivers.slow_index)
        down_log = author.get(f"/api/v1/subscriptions/{subscription_ids[-1]}/deliveries").json()["items"]
        echo = ceiling(10)
    finally:
        stack.stop()
    last = arrivals[-1] if arrivals else float("nan")
    rows = [{
        "subscribers": SUBSCRIBERS, "reached": f"{len(arrivals)}/{live}",
        "deliveries/s": len(arrivals) / last if arrivals else 0.0,
        "p50_s": arrivals[len(arrivals) // 2] if arrivals else None,
        "last_s": last, "last_without_slow_s": fast[-1] if fast else None,
        "within_10s": bool(arrivals) and len(arrivals) == live and last <= TARGET_SECONDS,
        "down_one": f"{down_log[0]['state']} after {down_log[0]['attempts']} attempt(s)" if down_log else "-",
    }]
    table(rows, list(rows[0]))
    print(f"\nceiling (nameko HTTP→RPC echo, c=10, same run): {echo['rps']:,.0f} req/s, "
          f"p50 {echo['p50_ms']:.1f} ms, p99 {echo['p99_ms']:.1f} ms")
