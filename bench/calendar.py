"""Calendar benchmark: with 10,000 scheduled items of 50 agencies over two years, a clash check and
a one-month list through the gateway beside the plain authenticated directory read of the same run;
and the render time of an agency feed of 500 items."""
import json
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import requests

from bakohumas.harness import LocalStack
from bench.common import table, wrk
from services.calendar import domain, models
from services.calendar.models import Booking, Item, Participant
from shared.db import Store

AGENCIES = 50
ITEMS = 10_000
FEED_ITEMS = 500
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
CONCURRENCY = (1, 10)  # the gateway→RPC path is flat above about 10 (see nameko-notes)


def register_agencies(stack, auth):
    ids = []
    for number in range(AGENCIES):
        answer = requests.post(f"{stack.url}/api/v1/agencies", headers=auth, timeout=10, json={
            "name": f"Humas bench {number}", "short_name": f"BENCH-{number:02d}", "kind": "opd"})
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    return ids


def wait_until_known(store, agency_ids, timeout=60):
    """The calendar learns agencies from the directory's events; wait until it has them all."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.reading() as session:
            if not domain.unknown_agencies(session, agency_ids):
                return
        time.sleep(0.2)
    raise RuntimeError("the calendar did not receive every agency.registered")


def seed(store, agency_ids, start):
    """10,000 scheduled items straight into the calendar's tables (the API would take minutes).

    Each agency leads 200; the first also supports 300 others', so its feed holds 500 items.
    """
    rng = random.Random(7)
    feed_agency, supporting_left = agency_ids[0], FEED_ITEMS - ITEMS // AGENCIES
    now = datetime.now(timezone.utc)
    items = []
    with store.unit_of_work() as uow:
        for number in range(ITEMS):
            lead = agency_ids[number % AGENCIES]
            begins = start + timedelta(days=rng.randrange(730), hours=rng.randrange(1, 9),
                                       minutes=rng.choice((0, 15, 30, 45)))
            item = Item(id=str(uuid.uuid4()), kind=rng.choice(("press_conference", "press_release", "forum")),
                        title=f"Bench item {number}", description="Seeded for the calendar benchmark.",
                        starts_at=begins, ends_at=begins + timedelta(minutes=rng.choice((60, 90, 120))),
                        timezone=rng.choice(ZONES), venue=f"Venue {rng.randrange(40)}",
                        officials=json.dumps([{"name": f"Official {rng.randrange(100)}", "position": "Kepala"}]),
                        lead_agency_id=lead, visibility=rng.choice(("public", "public", "members")),
                        state="scheduled", revision=1, sequence=1, created_at=now, updated_at=now)
            item.participants = [Participant(agency_id=lead, role="lead", response="confirmed", responded_at=now)]
            if lead != feed_agency and supporting_left > 0:
                supporting_left -= 1
                item.participants.append(Participant(agency_id=feed_agency, role="supporting", response="confirmed"))
            domain.touch(uow.session, item, now)
            items.append(item)
        uow.session.add_all(items)
        uow.session.flush()  # bookings point at items: the items go in first
        uow.session.add_all(Booking(item_id=item.id, resource=key, starts_at=item.starts_at, ends_at=item.ends_at)
                            for item in items for key in domain.resources_of(item))


def feed_render_ms(store, token, runs=15):
    """What the service does for one feed request: find the agency, read its items, render the feed."""
    timings, count = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        with store.reading() as session:
            text = domain.agency_feed(session, token)
        timings.append((time.perf_counter() - began) * 1000)
        count = text.count("BEGIN:VEVENT")
    return count, statistics.median(timings), max(timings)


def clash_plan(store):
    with store.reading() as session:
        rows = session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT item_id FROM bookings WHERE resource IN ('agency:a', 'venue:b') "
            "AND starts_at < '2030-01-02' AND starts_at >= '2029-12-25' AND ends_at > '2030-01-01'").all()
    return "; ".join(row[-1] for row in rows)


def interleaved(base_url, paths, concurrency, seconds, auth, rounds=3):
    """Each path measured in ``rounds`` rounds that alternate with the baseline (the first path),
    so that the machine's changing load hits both alike; the median round is reported, and the
    ratio to the baseline is the median of the per-round ratios."""
    runs = {label: [] for label, _ in paths}
    ratios = {label: [] for label, _ in paths}
    for _ in range(rounds):
        baseline = None
        for label, path in paths:
            figures = wrk(base_url + path, concurrency, seconds, headers=auth)
            baseline = baseline or figures["rps"]
            runs[label].append(figures)
            ratios[label].append(baseline / figures["rps"])
    return [{"path": label, "c": concurrency,
             **sorted(runs[label], key=lambda figures: figures["rps"])[rounds // 2],
             "x baseline": statistics.median(ratios[label])} for label, _ in paths]


def main(options):
    seconds = 3 if "--quick" in options else 5
    stack = LocalStack().start()
    try:
        made = stack.bootstrap()
        auth = {"Authorization": f"Bearer {made['api_key']}"}
        agency_ids = register_agencies(stack, auth)
        store = Store(f"sqlite:///{stack.data_dir / 'calendar.db'}", models)
        wait_until_known(store, agency_ids)
        start = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=365)
        began = time.perf_counter()
        seed(store, agency_ids, start)
        print(f"seeded {ITEMS:,} scheduled items of {AGENCIES} agencies over two years "
              f"in {time.perf_counter() - began:.1f} s", flush=True)
        print(f"clash query plan: {clash_plan(store)}", flush=True)

        month_start = start + timedelta(days=400)
        month = {"from": month_start.isoformat(), "to": (month_start + timedelta(days=30)).isoformat()}
        clash = {"start": month_start.isoformat(), "end": (month_start + timedelta(days=7)).isoformat(),
                 "agencies": ",".join(agency_ids[:3]), "officials": "Official 7", "venue": "Venue 3"}
        agency_month = {**month, "agency_id": agency_ids[5]}
        paths = [
            ("GET /api/v1/agencies/{id} (baseline)", f"/api/v1/agencies/{agency_ids[5]}"),
            ("GET clashes (3 agencies, official, venue; a week)", "/api/v1/calendar/clashes?" + urlencode(clash)),
            ("GET items, one agency, one month", "/api/v1/calendar/items?" + urlencode(agency_month)),
            ("GET items, whole forum, one month (first 100)", "/api/v1/calendar/items?" + urlencode(month)),
        ]
        for label, path in paths:
            answer = requests.get(stack.url + path, headers=auth, timeout=10)
            answer.raise_for_status()
            body = answer.json()
            found = body["items"] if "items" in body else body["clashes"] if "clashes" in body else [body]
            print(f"{label}: {len(found)} result(s), {len(answer.content):,} bytes")
        rows = []
        for concurrency in CONCURRENCY:
            rows += interleaved(stack.url, paths, concurrency, seconds, auth)

        link = requests.post(f"{stack.url}/api/v1/calendar/agencies/{agency_ids[0]}/feed-link",
                             headers=auth, timeout=10).json()
        feed = wrk(stack.url + link["path"], 1, seconds)
        rows.append({"path": "GET agency feed (500 items) over HTTP", "c": 1, **feed})
        count, median_ms, worst_ms = feed_render_ms(store, link["token"])
        store.dispose()
    finally:
        stack.stop()
    table(rows, ["path", "c", "rps", "p50_ms", "p99_ms", "non_2xx", "x baseline"])
    print(f"\nagency feed of {count} items: read + render median {median_ms:.0f} ms, "
          f"worst {worst_ms:.0f} ms (target < 200 ms)")
