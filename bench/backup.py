"""The restore drill: a forum with a day of activity, a backup taken while writes go on, the data
folder wiped, the archive restored, the system started again, and a count of what came back.

``python -m bench backup [--quick] [--postgresql]`` prints the figures (records before and after,
seconds to back up and to restore); tests/e2e/test_backup_restore.py runs the same drill reduced
and asserts on what it found.

What it holds the system to:
- every row the databases had when the backup started is there after the restore, unchanged
  (outbox rows compared without their publication marks, which a restore resets for recent events);
- a write answered before the backup started is back; one answered after it ended is not; one
  answered meanwhile is wholly in or wholly out (a calendar item with its history and its event);
- every webhook delivery reached its receiver once, before and after the restore;
- new writes work on the restored system.
"""
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import requests
from sqlalchemy import create_engine, inspect, text

from bakohumas.harness import Api, LocalStack
from bench.common import table
from bench.faults import Receiver
from services import SERVICE_NAMES
from shared.config import database_url, load_config
from shared.db import normalise_url

STACK_ENV = {
    "COMPLAINTS_INTAKE_BURST": "1000000", "COMPLAINTS_INTAKE_PER_MINUTE": "1000000",
    "WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_RETRY_BASE_SECONDS": "0.5", "WEBHOOK_TIMEOUT_SECONDS": "3",
}
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
SETTLE_SECONDS = 120
# Written by a unit of work but not data to compare: what a restore resets on purpose.
OUTBOX_COLUMNS = "event_id, name, envelope"


def twice(receiver):
    """The ``webhook-id`` of each delivery that reached the receiver more than once."""
    counts = Counter(webhook_id for _at, _path, webhook_id, _body in receiver.calls)
    return sorted(webhook_id for webhook_id, count in counts.items() if count > 1)


@dataclass
class Drill:
    records_before: dict = field(default_factory=dict)
    records_after: dict = field(default_factory=dict)
    backup_seconds: float = 0.0
    restore_seconds: float = 0.0
    archive_bytes: int = 0
    writes: Counter = field(default_factory=Counter)
    problems: list = field(default_factory=list)

    def check(self, condition, problem):
        if not condition:
            self.problems.append(problem)


def eventually(check, what, timeout=SETTLE_SECONDS):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(0.3)


# ------------------------------------------------------------------ the databases, read directly

def service_urls(stack):
    config = load_config(environ=stack.env)
    return {service: normalise_url(database_url(config, service)) for service in SERVICE_NAMES}


def read_all(urls):
    """Every row of every table of every service, as sets of tuples per ``service.table``."""
    rows = {}
    for service, url in urls.items():
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                for name in inspect(connection).get_table_names():
                    columns = OUTBOX_COLUMNS if name == "outbox" else "*"
                    found = connection.execute(text(f"SELECT {columns} FROM {name}")).all()
                    rows[f"{service}.{name}"] = {tuple(map(comparable, row)) for row in found}
        finally:
            engine.dispose()
    return rows


def comparable(value):
    """A column value as something hashable (PostgreSQL answers JSON columns as lists and dicts)."""
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def scalar(url, sql, **params):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).all()
    finally:
        engine.dispose()


def settled(urls, receiver, expected_deliveries):
    """Every event published, every complaint taken from the queue, every delivery and notice done."""
    for url in urls.values():
        if scalar(url, "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]:
            return False
    pending = scalar(urls["distribution"], "SELECT count(*) FROM deliveries WHERE state != 'delivered'")[0][0]
    # A notice not yet fanned out, or a message not yet sent, changes after the snapshot of "before".
    notices = scalar(urls["notifications"], "SELECT count(*) FROM notices WHERE state = 'pending'")[0][0]
    messages = scalar(urls["notifications"],
                      "SELECT count(*) FROM messages WHERE state IN ('pending', 'retrying')")[0][0]
    return pending == notices == messages == 0 and len(receiver.calls) >= expected_deliveries


# ------------------------------------------------------------------ a forum and its day

def start_of_hour(days, hours):
    base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return base + timedelta(days=days, hours=hours)


def propose(member, title, start):
    return member.post("/api/v1/calendar/items", json={
        "kind": "press_conference", "title": title, "timezone": "Asia/Makassar",
        "start": start.isoformat(), "end": (start + timedelta(minutes=45)).isoformat()})


def file_complaint(stack, agency_id, text, key):
    return requests.post(stack.url + "/api/v1/complaints", timeout=15, headers={"Idempotency-Key": key}, json={
        "channel": "web", "text": text, "category": "layanan_publik", "target_agency_id": agency_id})


def expect(response, status):
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url} answered "
                           f"{response.status_code}: {response.text[:300]}")
    return response.json()


def load_forum(stack):
    made = json.loads(stack.bakohumas("demo", "--url", stack.url, "--json").stdout)["agencies"]
    coordinator = next(a for a in made if a["role"] == "coordinator")
    members = [a for a in made if a["role"] != "coordinator"]
    clients = {a["agency_id"]: Api(stack.url, a["api_key"]) for a in made}
    return Api(stack.url, coordinator["api_key"]), members, clients


def a_day_of_activity(stack, coordinator, members, clients, size, urls):
    """Calendar items proposed and half scheduled, releases published (some corrected), complaints
    filed and moved along; returns the ids made through the API."""
    made = {"items": [], "content": [], "complaints": []}
    for index in range(size):
        member = members[index % len(members)]
        client = clients[member["agency_id"]]
        item = expect(propose(client, f"Konferensi pers {index}", start_of_hour(3, index)), 201)
        if index % 2 == 0:
            expect(coordinator.post(f"/api/v1/calendar/items/{item['id']}/schedule", json={}), 200)
        made["items"].append(item["id"])
        if index % 4 == 0:
            content = expect(client.post("/api/v1/content", json={
                "type": "release", "headline": f"Siaran pers {index}", "language": "id",
                "body_html": f"<p>Isi siaran {index}.</p>"}), 201)
            expect(client.post(f"/api/v1/content/{content['id']}/publish", json={}), 200)
            if index % 8 == 0:
                expect(client.post(f"/api/v1/content/{content['id']}/correct", json={
                    "headline": f"Siaran pers {index} (ralat)", "change_note": "Tanggal diperbaiki"}), 200)
            made["content"].append(content["id"])
        accepted = expect(file_complaint(stack, member["agency_id"], f"Pengaduan hari ini {index}",
                                         f"day-{index}"), 202)
        made["complaints"].append((accepted["tracking_number"], member["agency_id"]))
    ids = {}
    eventually(lambda: ids.update(complaint_ids(urls["complaints"])) or len(ids) >= size, "every complaint filed")
    for index, (number, agency_id) in enumerate(made["complaints"]):
        handler = clients[agency_id]
        if index % 3 == 0:
            expect(handler.post(f"/api/v1/complaints/{ids[number]}/status", json={"status": "verified"}), 200)
        elif index % 3 == 1:
            expect(handler.post(f"/api/v1/complaints/{ids[number]}/status",
                                json={"status": "held", "reason": "Lokasi belum jelas"}), 200)
    made["complaints"] = [ids[number] for number, _ in made["complaints"]]
    return made


def complaint_ids(url):
    return dict(scalar(url, "SELECT tracking_number, id FROM complaints"))


def seen_through_the_api(coordinator, made):
    """What the coordinator reads of the forum and of the day's records."""
    seen = {"agencies": sorted(a["id"] for a in coordinator.get("/api/v1/agencies", params={"limit": 200})
                               .json()["items"])}
    for kind, path, keys in (("items", "/api/v1/calendar/items/", ("state", "revision")),
                             ("content", "/api/v1/content/", ("state", "version")),
                             ("complaints", "/api/v1/complaints/", ("status", "agency_id"))):
        seen[kind] = {}
        for record_id in made[kind]:
            answer = coordinator.get(path + record_id)
            seen[kind][record_id] = ({k: answer.json().get(k) for k in keys}
                                     if answer.status_code == 200 else answer.status_code)
    return seen


# ------------------------------------------------------------------ writes while the backup runs

class WriteLoad:
    """A thread proposing calendar items and filing complaints, noting when each was answered."""

    def __init__(self, stack, members, clients):
        self.stack, self.members, self.clients = stack, members, clients
        self.answered = []  # (monotonic time, "item" or "complaint", id or tracking number)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        for index in range(10 ** 6):
            if self.stopping.is_set():
                return
            member = self.members[index % len(self.members)]
            try:
                if index % 2:
                    answer = propose(self.clients[member["agency_id"]], f"Agenda beban {index}",
                                     start_of_hour(40, index))
                    if answer.status_code == 201:
                        self.answered.append((time.monotonic(), "item", answer.json()["id"]))
                else:
                    answer = file_complaint(self.stack, member["agency_id"], f"Pengaduan beban {index}",
                                            f"load-{uuid.uuid4()}")
                    if answer.status_code == 202:
                        self.answered.append((time.monotonic(), "complaint", answer.json()["tracking_number"]))
            except requests.RequestException:
                continue

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(30)


# ------------------------------------------------------------------ PostgreSQL for some services

def postgres_databases(services):
    import psycopg
    names = {service: f"bakohumas_drill_{service}_{uuid.uuid4().hex[:8]}" for service in services}
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES.rsplit("/", 1)[0]
    return names, {f"{service.upper()}_DATABASE_URL": f"{base}/{name}" for service, name in names.items()}


def drop_postgres(names):
    import psycopg
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ------------------------------------------------------------------ the drill

def drill(size=24, postgresql=()):
    """Run the whole drill; ``postgresql`` names the services to keep on PostgreSQL."""
    result = Drill()
    pg_names, env = postgres_databases(postgresql) if postgresql else ({}, {})
    stack = LocalStack(extra_env={**STACK_ENV, **env})
    receiver = Receiver()
    backups = tempfile.mkdtemp(prefix="bakohumas-drill-backups-")
    try:
        stack.start()
        urls = service_urls(stack)
        coordinator, members, clients = load_forum(stack)
        expect(coordinator.post("/api/v1/subscriptions", json={"url": receiver.url("drill"), "filters": {}}), 201)
        made = a_day_of_activity(stack, coordinator, members, clients, size, urls)
        deliveries = len(made["content"]) + sum(1 for i in range(0, size, 8))
        eventually(lambda: settled(urls, receiver, deliveries), "the day's events and deliveries to settle")
        before_api = seen_through_the_api(coordinator, made)
        before = read_all(urls)
        result.records_before = {name: len(rows) for name, rows in before.items()}

        with WriteLoad(stack, members, clients) as load:
            time.sleep(1)
            began = time.monotonic()
            out = stack.bakohumas("backup", backups, check=False)
            ended = time.monotonic()
            result.backup_seconds = ended - began
            time.sleep(1)
        if out.returncode != 0:
            raise RuntimeError(f"backup failed ({out.returncode}): {out.stderr}")
        archive = out.stdout.strip()
        result.archive_bytes = os.path.getsize(archive)
        answered = load.answered
        result.writes = Counter(f"{kind} {'before' if at < began else 'after' if at > ended else 'during'}"
                                for at, kind, _ in answered)

        stack.stop()
        shutil.rmtree(stack.data_dir)
        stack.data_dir.mkdir()
        if pg_names:
            drop_postgres(pg_names.values())
        started = time.monotonic()
        restored = stack.bakohumas("restore", archive, check=False)
        result.restore_seconds = time.monotonic() - started
        if restored.returncode != 0:
            raise RuntimeError(f"restore failed ({restored.returncode}): {restored.stderr}")
        stack.start()

        delivered_before = len(receiver.calls)
        eventually(lambda: all(not scalar(url, "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]
                               for url in urls.values()), "the restored outboxes to be sent again")
        after = read_all(urls)
        result.records_after = {name: len(rows) for name, rows in after.items()}
        for name, rows in before.items():
            missing = rows - after.get(name, set())
            result.check(not missing, f"{name}: {len(missing)} of {len(rows)} rows not back as they were")
        result.check(seen_through_the_api(coordinator, made) == before_api,
                     "the coordinator reads the forum differently after the restore")
        check_load(result, answered, (began, ended), urls, coordinator)
        check_new_writes(result, stack, coordinator, members, clients, receiver, delivered_before)
        result.check(not twice(receiver), f"delivered twice: {twice(receiver)}")
    finally:
        stack.stop()
        receiver.down()
        shutil.rmtree(backups, ignore_errors=True)
        shutil.rmtree(stack.data_dir, ignore_errors=True)
        if pg_names:
            drop_postgres(pg_names.values())
    return result


def check_load(result, answered, backup_window, urls, coordinator):
    """Writes answered before the backup are back, after it are not, during it are whole or absent."""
    begun, ended = backup_window
    items = {row[0] for row in scalar(urls["calendar"], "SELECT id FROM items")}
    proposed = {json.loads(row[0])["data"]["item"]["id"]
                for row in scalar(urls["calendar"], "SELECT envelope FROM outbox WHERE name = 'calendar.item_proposed'")}
    histories = {row[0] for row in scalar(urls["calendar"], "SELECT DISTINCT item_id FROM item_history")}
    numbers = set(complaint_ids(urls["complaints"]))
    for at, kind, record in answered:
        if kind == "item":
            present = record in items
            if at < begun:
                result.check(present, f"calendar item {record}, answered before the backup, is not back")
            if at > ended:
                result.check(not present, f"calendar item {record}, answered after the backup, is there")
            result.check(present == (record in proposed) == (record in histories),
                         f"calendar item {record} came back in part")
            if present:
                result.check(coordinator.get(f"/api/v1/calendar/items/{record}").status_code == 200,
                             f"calendar item {record} is in the database but not served")
        elif record in numbers:
            page = requests.get(f"{coordinator.base_url}/api/v1/complaints/track/{record}", timeout=15)
            result.check(page.status_code == 200, f"complaint {record} is in the database but not tracked")


def check_new_writes(result, stack, coordinator, members, clients, receiver, delivered_before):
    member = members[0]
    client = clients[member["agency_id"]]
    item = propose(client, "Agenda setelah pemulihan", start_of_hour(80, 1))
    result.check(item.status_code == 201, f"a new calendar item after the restore: {item.status_code}")
    accepted = file_complaint(stack, member["agency_id"], "Pengaduan setelah pemulihan", f"after-{uuid.uuid4()}")
    result.check(accepted.status_code == 202, f"a new complaint after the restore: {accepted.status_code}")
    number = accepted.json()["tracking_number"]
    eventually(lambda: requests.get(f"{stack.url}/api/v1/complaints/track/{number}", timeout=15).status_code == 200,
               "the new complaint to be tracked")
    content = expect(client.post("/api/v1/content", json={
        "type": "news", "headline": "Berita setelah pemulihan", "language": "id", "body_html": "<p>Ya.</p>"}), 201)
    expect(client.post(f"/api/v1/content/{content['id']}/publish", json={}), 200)
    eventually(lambda: len(receiver.calls) > delivered_before, "the new release's delivery")
    # Give the courier a few more rounds: an old delivery sent again would show now.
    time.sleep(5)


def main(options):
    sizes = [24] if "--quick" in options else [400]
    layouts = [()] + ([("distribution", "complaints")] if "--postgresql" in options else [])
    rows = []
    for size in sizes:
        for postgresql in layouts:
            result = drill(size, postgresql)
            rows.append({
                "day of activity": size,
                "databases": "+".join(postgresql) + " on PostgreSQL" if postgresql else "SQLite",
                "rows before": sum(result.records_before.values()),
                "rows after": sum(result.records_after.values()),
                "archive KiB": round(result.archive_bytes / 1024),
                "backup s": round(result.backup_seconds, 2), "restore s": round(result.restore_seconds, 2),
                "writes": ", ".join(f"{kind}: {count}" for kind, count in sorted(result.writes.items())),
                "problems": "; ".join(result.problems) or "none"})
            print(json.dumps({**rows[-1], "tables before": result.records_before,
                              "tables after": result.records_after}), flush=True)
    table(rows, list(rows[0]))
