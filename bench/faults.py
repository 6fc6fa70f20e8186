"""The proof: a mixed write load while processes crash, the broker restarts and a webhook
destination goes away, then a count of what was accepted against what exists.
``python -m bench faults [--quick]`` prints the table; tests/e2e/test_faults.py runs the same
scenarios reduced.

A client here behaves as a careful real one: a write that got no answer or a 503 is sent again with
the same Idempotency-Key, so "accepted" means the client was told yes at some point, and "found"
means it exists afterwards, exactly once, with its event effects done exactly once.

Every stack runs on a private RabbitMQ node started from the installed rabbitmq-server (its own
node name, ports and data under a temporary folder), so restarting "the broker" never touches the
machine's own RabbitMQ that other test runs share.
"""
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from bakohumas.harness import Api, LocalStack, free_port
from bench.common import table
from services import SERVICE_NAMES
from shared.messaging import DeadLetters

RABBIT_BIN = "/usr/lib/rabbitmq/bin"
SETTLE_SECONDS = 90
STACK_ENV = {
    # the load is one client address: the public intake's per-address limit is not under test
    "COMPLAINTS_INTAKE_BURST": "1000000", "COMPLAINTS_INTAKE_PER_MINUTE": "1000000",
    "WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_RETRY_BASE_SECONDS": "0.5", "WEBHOOK_TIMEOUT_SECONDS": "3",
}


# ------------------------------------------------------------------ a private RabbitMQ node

class PrivateRabbit:
    """A RabbitMQ node of our own on free ports, stopped and deleted by ``stop``."""

    def __init__(self):
        tool = os.path.join(RABBIT_BIN, "rabbitmq-server")
        if not os.path.exists(tool):
            found = shutil.which("rabbitmq-server")
            if not found:
                raise SystemExit("rabbitmq-server is not installed: run deploy/ensure-rabbitmq.sh first")
            tool = found
        self.bin = os.path.dirname(tool)
        self.dir = tempfile.mkdtemp(prefix="bkfaults-")
        self.node = f"bkfaults-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        config = os.path.join(self.dir, "rabbitmq.conf")
        with open(config, "w") as out:
            out.write(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        with open(os.path.join(self.dir, "enabled_plugins"), "w") as out:
            out.write("[].\n")
        os.makedirs(os.path.join(self.dir, "home"))
        # HOME holds the node's Erlang cookie; the env file stays empty so that /etc/rabbitmq's
        # settings (the machine broker's node name and port) are not read.
        self.env = {**os.environ, "HOME": os.path.join(self.dir, "home"),
                    "RABBITMQ_NODENAME": self.node, "RABBITMQ_NODE_PORT": str(self.port),
                    "RABBITMQ_DIST_PORT": str(free_port()), "RABBITMQ_CONFIG_FILE": config,
                    "RABBITMQ_CONF_ENV_FILE": os.path.join(self.dir, "rabbitmq-env.conf"),
                    "RABBITMQ_MNESIA_BASE": os.path.join(self.dir, "mnesia"),
                    "RABBITMQ_LOG_BASE": os.path.join(self.dir, "log"),
                    "RABBITMQ_PID_FILE": os.path.join(self.dir, "rabbit.pid"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(self.dir, "enabled_plugins"),
                    "RABBITMQ_PLUGINS_EXPAND_DIR": os.path.join(self.dir, "plugins-expand")}
        self.process = None
        self.amqp_uri = f"pyamqp://guest:guest@127.0.0.1:{self.port}//"

    def ctl(self, *args, timeout=120):
        return subprocess.run([os.path.join(self.bin, "rabbitmqctl"), "-q", "-n", self.node, *args],
                              env=self.env, capture_output=True, text=True, timeout=timeout, check=True)

    def start(self, timeout=90):
        self.process = subprocess.Popen([os.path.join(self.bin, "rabbitmq-server")], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        self.wait_listening(timeout)
        return self

    def wait_listening(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the private RabbitMQ node exited; logs in {self.dir}/log")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the private RabbitMQ node did not listen in {timeout}s")

    def restart(self, outage):
        """Stop the broker application (every connection drops), keep it down, start it again."""
        self.ctl("stop_app")
        time.sleep(outage)
        self.ctl("start_app")
        self.wait_listening()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            try:
                self.ctl("stop", timeout=60)
                self.process.wait(30)
            except (subprocess.SubprocessError, OSError):
                os.killpg(self.process.pid, 9)
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------ a webhook destination

class Receiver:
    """A webhook destination on 127.0.0.1 that can go down (connection refused) and come back."""

    def __init__(self):
        self.port = free_port()
        self.calls = []
        self.lock = threading.Lock()
        self.server = None
        self.up()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def up(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.calls.append((time.monotonic(), self.path.strip("/"),
                                           self.headers.get("webhook-id"), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        self.server.shutdown()
        self.server.server_close()

    def received(self):
        """(path, webhook-id, body) of every call so far."""
        with self.lock:
            return [call[1:] for call in self.calls]

    def settled_since(self, moment):
        """Seconds from ``moment`` to the last call after it: how long the backlog took to arrive."""
        with self.lock:
            return max((call[0] - moment for call in self.calls if call[0] >= moment), default=0.0)


# ------------------------------------------------------------------ the load

@dataclass
class Outcome:
    kind: str
    attempted: int = 0
    accepted: int = 0
    found: int = 0
    duplicates: int = 0
    lost: int = 0
    note: str = ""
    accepted_ids: list = field(default_factory=list)


class Load:
    """Writes from a pool of client threads, each retried with its Idempotency-Key on no answer or 503."""

    def __init__(self, writers, retry_for=90.0):
        self.writers = writers
        self.retry_for = retry_for
        self.outcomes = {writer.kind: Outcome(writer.kind) for writer in writers}
        self.lock = threading.Lock()
        self.server_errors = []
        self.hangs = 0
        self.unavailable = 0

    def send(self, client, method, path, body=None):
        """The final answer to one write (retried as a client would), or None if there never was one."""
        key = uuid.uuid4().hex
        deadline = time.monotonic() + self.retry_for
        while time.monotonic() < deadline:
            try:
                response = client.request(method, path, json=body, headers={"Idempotency-Key": key},
                                          timeout=20)
            except requests.Timeout:
                with self.lock:
                    self.hangs += 1
                continue
            except requests.RequestException:
                time.sleep(0.3)
                continue
            if response.status_code >= 500 and response.status_code != 503:
                with self.lock:
                    self.server_errors.append((method, path, response.status_code, response.text[:300]))
            if response.status_code != 503:
                return response
            with self.lock:
                self.unavailable += 1
            time.sleep(0.3)
        return None

    def one(self, number):
        writer = self.writers[number % len(self.writers)]
        outcome = self.outcomes[writer.kind]
        with self.lock:
            outcome.attempted += 1
        try:
            accepted = writer.attempt(number, self.send)
        except Exception as error:  # a bench must finish and show what happened
            with self.lock:
                self.server_errors.append(("client", writer.kind, 0, repr(error)))
            return
        if accepted is not None:
            with self.lock:
                outcome.accepted += 1
                outcome.accepted_ids.append(accepted)

    def run(self, count, threads, until):
        """At least ``count`` writes, and on until ``until`` is set (the fault is over)."""
        numbers = itertools.count()

        def client():
            for number in numbers:
                if number >= count and until.is_set():
                    return
                self.one(number)

        with ThreadPoolExecutor(threads) as pool:
            for _ in range(threads):
                pool.submit(client)

    def verify(self):
        for writer in self.writers:
            writer.verify(self.outcomes[writer.kind])
        return list(self.outcomes.values())


def eventually(check, timeout=SETTLE_SECONDS, interval=0.5):
    """Poll ``check`` (which returns (done, value)) until done or the time is up; the last value."""
    deadline = time.monotonic() + timeout
    while True:
        done, value = check()
        if done or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class DirectoryWrites:
    """Register member agencies; each accepted one must exist once, under its own short name."""
    kind = "directory"

    def __init__(self, setup):
        self.coordinator = setup.coordinator

    def attempt(self, number, send):
        short_name = f"F-{uuid.uuid4().hex[:10].upper()}"
        body = {"name": f"Dinas Uji {number}", "short_name": short_name, "kind": "opd"}
        answer = send(self.coordinator, "POST", "/api/v1/agencies", body)
        return short_name if answer is not None and answer.status_code == 201 else None

    def verify(self, outcome):
        for short_name in outcome.accepted_ids:
            listing = self.coordinator.get("/api/v1/agencies", params={"q": short_name, "limit": 10})
            listing.raise_for_status()
            copies = sum(1 for agency in listing.json()["items"] if agency["short_name"] == short_name)
            count(outcome, copies)


class CalendarWrites:
    """A member proposes an item, the coordinator schedules it: each must exist once, scheduled."""
    kind = "calendar"

    def __init__(self, setup):
        self.coordinator, self.member = setup.coordinator, setup.member
        self.first = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=400)

    def attempt(self, number, send):
        start = self.first + timedelta(hours=2 * number)
        title = f"Konferensi pers {uuid.uuid4().hex[:10]}"
        body = {"kind": "press_conference", "title": title, "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(), "timezone": "Asia/Makassar"}
        proposed = send(self.member, "POST", "/api/v1/calendar/items", body)
        if proposed is None or proposed.status_code != 201:
            return None
        item_id = proposed.json()["id"]
        scheduled = send(self.coordinator, "POST", f"/api/v1/calendar/items/{item_id}/schedule",
                            {"override_reason": "uji beban"})
        if scheduled is None:
            return None
        # a retried schedule whose first try was done meets the item already scheduled
        if scheduled.status_code == 200 or self.state(item_id) == "scheduled":
            return title
        return None

    def state(self, item_id):
        answer = self.coordinator.get(f"/api/v1/calendar/items/{item_id}")
        return answer.json().get("state") if answer.status_code == 200 else None

    def verify(self, outcome):
        titles = Counter()
        offset = 0
        while True:
            page = self.member.get("/api/v1/calendar/items", params={
                "agency_id": self.member.agency_id, "from": self.first.isoformat(), "limit": 500,
                "offset": offset})
            page.raise_for_status()
            items = page.json()["items"]
            titles.update(item["title"] for item in items if item["state"] == "scheduled")
            if len(items) < 500:
                break
            offset += 500
        for title in outcome.accepted_ids:
            count(outcome, titles[title])


class ComplaintWrites:
    """Public complaints: each tracking number answered must become trackable once, routed once.

    Intake honours Idempotency-Key (the retry of a try that got no answer files nothing new), so
    any complaint stored beyond the answered tracking numbers is a duplicate."""
    kind = "complaints"

    def __init__(self, setup):
        self.public, self.coordinator = Api(setup.url), setup.coordinator

    def attempt(self, number, send):
        body = {"channel": "web", "text": f"Lampu jalan mati {number}", "category": "infrastruktur"}
        answer = send(self.public, "POST", "/api/v1/complaints", body)
        if answer is None or answer.status_code != 202:
            return None
        return answer.json()["tracking_number"]

    def routings(self, number):
        page = self.public.get(f"/api/v1/complaints/track/{number}")
        if page.status_code != 200:
            return 0
        return sum(1 for entry in page.json()["history"] if entry["status"] == "received")

    def verify(self, outcome):
        def stored():
            listing = self.coordinator.get("/api/v1/complaints", params={"limit": 500})
            listing.raise_for_status()
            numbers = Counter(c["tracking_number"] for c in listing.json()["complaints"])
            return all(numbers[n] for n in outcome.accepted_ids), numbers
        numbers = eventually(stored)
        for number in outcome.accepted_ids:
            count(outcome, numbers[number], self.routings(number) if numbers[number] else 0)
        extra = sum(numbers.values()) - sum(numbers[n] for n in outcome.accepted_ids)
        outcome.duplicates += extra


class ContentWrites:
    """Create and publish a release; each reaches every webhook subscription once per webhook-id."""
    kind = "distribution"
    PATHS = ("hook-a", "hook-b")

    def __init__(self, setup):
        self.coordinator, self.receiver = setup.coordinator, setup.receiver
        for path in self.PATHS:
            made = self.coordinator.post("/api/v1/subscriptions", json={"url": self.receiver.url(path)})
            made.raise_for_status()

    def attempt(self, number, send):
        body = {"type": "release", "headline": f"Siaran pers {number}", "language": "id",
                "body_html": "<p>Uji beban.</p>"}
        created = send(self.coordinator, "POST", "/api/v1/content", body)
        if created is None or created.status_code != 201:
            return None
        item_id = created.json()["id"]
        published = send(self.coordinator, "POST", f"/api/v1/content/{item_id}/publish", {})
        if published is None:
            return None
        if published.status_code != 200:
            # a retried publish whose first try was done meets the item already published
            again = self.coordinator.get(f"/api/v1/content/{item_id}")
            if again.status_code != 200 or again.json()["state"] != "published":
                return None
            published = again
        return published.json()["uri"]

    def arrivals(self):
        ids = defaultdict(set)
        for path, webhook_id, body in self.receiver.received():
            event = json.loads(body)
            ids[(event["data"]["uri"], path)].add(webhook_id)
        return ids

    def verify(self, outcome):
        wanted = {(uri, path) for uri in outcome.accepted_ids for path in self.PATHS}
        ids = eventually(lambda: (wanted <= set(self.arrivals()), self.arrivals()))
        for uri in outcome.accepted_ids:
            per_path = [len(ids.get((uri, path), ())) for path in self.PATHS]
            copies = 0 if 0 in per_path else max(per_path)
            count(outcome, copies)
        calls = Counter(webhook_id for _, webhook_id, _ in self.receiver.received())
        again = sum(n - 1 for n in calls.values())
        if again:
            outcome.note = f"{again} webhook-ids received again (the receiver deduplicates)"


def count(outcome, copies, effects=None):
    """One accepted write found ``copies`` times, its effect done ``effects`` times (if checked)."""
    effects = copies if effects is None else effects
    outcome.found += 1 if copies else 0
    outcome.lost += 0 if copies else 1
    outcome.duplicates += max(0, copies - 1) + max(0, effects - 1)
    if copies and not effects:
        outcome.lost += 1


WRITERS = (DirectoryWrites, CalendarWrites, ComplaintWrites, ContentWrites)


# ------------------------------------------------------------------ faults

def healthy_after(stack, since, timeout=120):
    stack.wait_healthy(timeout)
    return time.monotonic() - since


def crash_each(stack, broker, receiver, instances=1, pause=1.0):
    """SIGKILL each service (one instance of each) and the gateway in turn, start it again."""
    recoveries = []
    for name in (*SERVICE_NAMES, "gateway"):
        label = name if instances == 1 or name == "gateway" else f"{name}-1"
        time.sleep(pause)
        killed = time.monotonic()
        stack.kill(label)
        time.sleep(0.5)
        stack.start_process(name, label)
        recoveries.append((f"SIGKILL {label}", healthy_after(stack, killed)))
    return recoveries


def crash_one_of_each(stack, broker, receiver, pause=3.0):
    """With two instances: kill the first of every service at once midway, bring them back later."""
    time.sleep(pause)
    killed = time.monotonic()
    for name in SERVICE_NAMES:
        stack.kill(f"{name}-1")
    time.sleep(pause)
    for name in SERVICE_NAMES:
        stack.start_process(name, f"{name}-1")
    return [(f"SIGKILL {name}-1", healthy_after(stack, killed)) for name in SERVICE_NAMES]


def restart_broker(stack, broker, receiver, outage=5.0, pause=2.0):
    time.sleep(pause)
    stopped = time.monotonic()
    broker.restart(outage)
    return [("restart RabbitMQ", healthy_after(stack, stopped))]


def webhook_destination_down(stack, broker, receiver, outage=10.0, pause=1.0):
    time.sleep(pause)
    receiver.down()
    time.sleep(outage)
    back = time.monotonic()
    receiver.up()
    # its recovery is known only once everything waiting for it has arrived (after the count)
    return [("webhook destination down", lambda: receiver.settled_since(back))]


# ------------------------------------------------------------------ scenarios

@dataclass
class Setup:
    url: str
    coordinator: Api
    member: Api
    receiver: Receiver


def prepare(stack, receiver):
    made = stack.bootstrap()
    coordinator = Api(stack.url, made["api_key"])
    agency = coordinator.post("/api/v1/agencies", json={"name": "Dinas Kominfo Uji", "short_name": "KOMINFO-UJI",
                                                         "kind": "opd"})
    agency.raise_for_status()
    key = coordinator.post(f"/api/v1/agencies/{agency.json()['id']}/keys", json={"label": "beban"})
    key.raise_for_status()
    member = Api(stack.url, key.json()["api_key"])
    member.agency_id = agency.json()["id"]
    # every service learns agencies from the directory's events: wait until they have
    eventually(lambda: (coordinator.get(f"/api/v1/feeds/atom/{member.agency_id}").status_code == 200, None))
    return Setup(stack.url, coordinator, member, receiver)


@dataclass
class Result:
    scenario: str
    outcomes: list
    faults: list
    dead_letters: int
    server_errors: list
    hangs: int
    unavailable: int
    writes_per_s: float


def scenario(name, writes, threads, fault=None, instances=1):
    """One scenario on a fresh stack with a private broker: load and a fault side by side, then count."""
    broker = PrivateRabbit().start()
    receiver = Receiver()
    stack = None
    try:
        stack = LocalStack(instances=instances, extra_env=STACK_ENV, amqp_uri=broker.amqp_uri).start()
        setup = prepare(stack, receiver)
        load = Load([writer(setup) for writer in WRITERS])
        started = time.monotonic()
        fault_over = threading.Event()
        runner = threading.Thread(target=load.run, args=(writes, threads, fault_over))
        runner.start()
        try:
            faults = fault(stack, broker, receiver) if fault else []
        finally:
            fault_over.set()
        runner.join()
        elapsed = time.monotonic() - started
        outcomes = load.verify()
        faults = [(what, seconds() if callable(seconds) else seconds) for what, seconds in faults]
        dead = DeadLetters(broker.amqp_uri).list()
    finally:
        if stack is not None:
            stack.stop()
        receiver.down()
        broker.stop()
    return Result(name, outcomes, faults, len(dead), load.server_errors, load.hangs, load.unavailable,
                  sum(o.accepted for o in outcomes) / elapsed)


def scenarios(writes, threads):
    """Name → how to run it, in the order the table shows them."""
    return {
        "1 crash each process": lambda: scenario("1 crash each process", writes, threads, crash_each),
        "2 restart RabbitMQ": lambda: scenario("2 restart RabbitMQ", writes, threads, restart_broker),
        "3a one instance": lambda: scenario("3a one instance", writes, threads),
        "3b two instances": lambda: scenario("3b two instances", writes, threads, instances=2),
        "3c two instances, one killed": lambda: scenario("3c two instances, one killed", writes, threads,
                                                         crash_one_of_each, instances=2),
        "4 webhook destination down": lambda: scenario("4 webhook destination down", writes, threads,
                                                       webhook_destination_down),
    }


def report(results):
    rows = []
    for result in results:
        recovery = max((seconds for _, seconds in result.faults), default=None)
        for outcome in result.outcomes:
            rows.append({"scenario": result.scenario, "writes": outcome.kind,
                         "attempted": outcome.attempted, "accepted": outcome.accepted,
                         "found": outcome.found, "duplicates": outcome.duplicates, "lost": outcome.lost,
                         "faults": len(result.faults), "recovery_s": recovery,
                         "dead_letters": result.dead_letters, "503": result.unavailable,
                         "other_5xx": len(result.server_errors), "hangs": result.hangs,
                         "writes/s": result.writes_per_s, "note": outcome.note})
    table(rows, ["scenario", "writes", "attempted", "accepted", "found", "duplicates", "lost", "faults",
                 "recovery_s", "dead_letters", "503", "other_5xx", "hangs", "writes/s", "note"])
    for result in results:
        for error in result.server_errors[:5]:
            print(f"  {result.scenario}: {error}")


def main(options):
    writes, threads = (100, 6) if "--quick" in options else (400, 8)
    results = [run() for run in scenarios(writes, threads).values()]
    report(results)
