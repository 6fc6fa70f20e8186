"""The proof: a mixed write load while processes crash and the broker restarts, then a count of
what was accepted against what exists. ``python -m bench faults [--quick]`` prints the table; the
test suite runs the same scenarios reduced (tests/e2e/test_faults.py).

A client here behaves as a careful real one: a write that got no answer or a 503 is sent again with
the same Idempotency-Key, so "accepted" means the client was told yes at some point, and "found"
means it exists afterwards, exactly once.
"""
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from bakohumas.harness import Api, LocalStack
from bench.common import table
from shared.messaging import DeadLetters

SERVICES = ("directory", "calendar", "distribution", "complaints")


@dataclass
class Outcome:
    kind: str
    attempted: int = 0
    accepted: int = 0
    found: int = 0
    duplicates: int = 0
    lost: int = 0
    server_errors: int = 0
    accepted_ids: list = field(default_factory=list)


class DirectoryWrites:
    """Register member agencies; each accepted one must exist once, under its own short name."""
    kind = "directory: register agency"

    def __init__(self, coordinator):
        self.coordinator = coordinator

    def attempt(self, number, send):
        short_name = f"F-{uuid.uuid4().hex[:10].upper()}"
        body = {"name": f"Dinas Uji {number}", "short_name": short_name, "kind": "opd"}
        answer = send(self.coordinator, "POST", "/api/v1/agencies", body)
        return short_name if answer is not None else None

    def count(self, short_name):
        listing = self.coordinator.get("/api/v1/agencies", params={"q": short_name, "limit": 10})
        listing.raise_for_status()
        return sum(1 for agency in listing.json()["items"] if agency["short_name"] == short_name)


class Load:
    """Writes from a pool of client threads, each write retried with its Idempotency-Key."""

    def __init__(self, writers, retry_for=60.0):
        self.writers = writers
        self.retry_for = retry_for
        self.outcomes = {writer.kind: Outcome(writer.kind) for writer in writers}
        self.lock = threading.Lock()
        self.unexpected = []

    def send(self, client, method, path, body):
        key = uuid.uuid4().hex
        deadline = time.monotonic() + self.retry_for
        while time.monotonic() < deadline:
            try:
                response = client.request(method, path, json=body, headers={"Idempotency-Key": key},
                                          timeout=15)
            except requests.RequestException:
                time.sleep(0.5)
                continue
            if response.status_code < 300:
                return response.json()
            if response.status_code >= 500 and response.status_code != 503:
                with self.lock:
                    self.unexpected.append((path, response.status_code, response.text[:300]))
            if response.status_code not in (503, 429):
                return None
            time.sleep(0.5)
        return None

    def one(self, number):
        writer = self.writers[number % len(self.writers)]
        outcome = self.outcomes[writer.kind]
        with self.lock:
            outcome.attempted += 1
        accepted = writer.attempt(number, self.send)
        if accepted is not None:
            with self.lock:
                outcome.accepted += 1
                outcome.accepted_ids.append(accepted)

    def run(self, count, threads, pause=0.0):
        with ThreadPoolExecutor(threads) as pool:
            for number in range(count):
                pool.submit(self.one, number)
                if pause:
                    time.sleep(pause)

    def verify(self):
        for writer in self.writers:
            outcome = self.outcomes[writer.kind]
            for accepted in outcome.accepted_ids:
                copies = writer.count(accepted)
                outcome.found += 1 if copies >= 1 else 0
                outcome.duplicates += max(0, copies - 1)
                outcome.lost += 1 if copies == 0 else 0
            outcome.server_errors = sum(1 for path, *_ in self.unexpected)
        return list(self.outcomes.values())


def wait_healthy(stack, timeout=90):
    started = time.monotonic()
    stack.wait_healthy(timeout)
    return time.monotonic() - started


def crash_each_service(stack, instances=1):
    """SIGKILL each service in turn and start it again; the recovery time of each."""
    recoveries = []
    for name in SERVICES:
        label = name if instances == 1 else f"{name}-1"
        time.sleep(1.0)
        stack.kill(label)
        time.sleep(1.0)
        stack.start_process(name, label)
        recoveries.append((f"SIGKILL {label}", wait_healthy(stack)))
    return recoveries


def restart_broker(stack):
    """Stop RabbitMQ's application and start it again (the node keeps its durable queues)."""
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, capture_output=True, timeout=120)
    time.sleep(2.0)
    subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, capture_output=True, timeout=120)
    return [("restart RabbitMQ", wait_healthy(stack, 180))]


def scenario(name, writes, threads, fault, instances=1):
    """Run one scenario on a fresh stack: load and a fault side by side, then count."""
    stack = LocalStack(instances=instances).start()
    try:
        made = stack.bootstrap()
        coordinator = Api(stack.url, made["api_key"])
        load = Load([DirectoryWrites(coordinator)])
        started = time.monotonic()
        runner = threading.Thread(target=load.run, args=(writes, threads, 0.01))
        runner.start()
        faults = fault(stack) if fault else []
        runner.join()
        elapsed = time.monotonic() - started
        time.sleep(2.0)
        outcomes = load.verify()
        dead = DeadLetters(stack.vhost.amqp_uri).list()
    finally:
        stack.stop()
    return {
        "scenario": name,
        "outcomes": outcomes,
        "faults": faults,
        "dead_letters": len(dead),
        "unexpected": load.unexpected,
        "writes_per_s": sum(o.accepted for o in outcomes) / elapsed,
    }


SCENARIOS = {
    "crash each service": lambda writes, threads: scenario(
        "crash each service", writes, threads, crash_each_service),
    "restart the broker": lambda writes, threads: scenario(
        "restart the broker", writes, threads, restart_broker),
    "one instance": lambda writes, threads: scenario("one instance", writes, threads, None),
    "two instances, one crashed": lambda writes, threads: scenario(
        "two instances, one crashed", writes, threads,
        lambda stack: crash_each_service(stack, instances=2), instances=2),
}


def report(results):
    rows = []
    for result in results:
        recovery = max((seconds for _, seconds in result["faults"]), default=0.0)
        for outcome in result["outcomes"]:
            rows.append({"scenario": result["scenario"], "writes": outcome.kind,
                         "attempted": outcome.attempted, "accepted": outcome.accepted,
                         "found": outcome.found, "duplicates": outcome.duplicates, "lost": outcome.lost,
                         "faults": len(result["faults"]), "recovery_s": recovery,
                         "dead_letters": result["dead_letters"], "5xx": len(result["unexpected"]),
                         "writes/s": result["writes_per_s"]})
    table(rows, ["scenario", "writes", "attempted", "accepted", "found", "duplicates", "lost", "faults",
                 "recovery_s", "dead_letters", "5xx", "writes/s"])


def main(options):
    writes, threads = (200, 8) if "--quick" in options else (1000, 16)
    results = [SCENARIOS[name](writes, threads) for name in SCENARIOS]
    report(results)

