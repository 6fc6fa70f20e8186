"""Console benchmark: the console's home page (``/console/``) and the whole forum's month on the
calendar page (``/console/kalender?bulan=...``, about 400 of 10,000 scheduled items of 50 agencies)
for a signed-in coordinator, at concurrency 1 and 10, beside the nameko HTTP→RPC echo ceiling and
the authenticated directory read (``GET /api/v1/agencies/{id}``) of the same run.
Target: each page at least 0.5x the directory read.

The pages, the read and the echo take turns for several rounds (in a rotating order) and the
table shows each path's median, as ``bench directory`` does. It runs twice: as the console serves
(the gateway keeps the answers behind both pages until something changes, ``RECENT_READS_SECONDS``),
then with nothing kept (``RECENT_READS_SECONDS=0``: every view asks the services, as the first view
after a change does).
"""
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import requests

from bakohumas.harness import LocalStack, console_sign_in
from bench.calendar import register_agencies, seed, wait_until_known
from bench.common import asked_once, rounds_beside_read, table
from services.calendar import models
from shared.db import Store

CONCURRENCY = (1, 10)
TARGET = 0.5
PASSWORD = "bench-console-2026"
ADMIN_EMAIL = "admin@bench.example.go.id"
ECHO = "echo HTTP→RPC (ceiling)"
READ = "GET /api/v1/agencies/{id} (baseline)"


def signed_in_cookie(stack, made, email=ADMIN_EMAIL):
    """The coordinator's first admin (``email``) sets a password through the bootstrap's link and signs in."""
    answer = requests.post(stack.url + urlsplit(made["console_link"]).path, timeout=30, allow_redirects=False,
                           data={"password": PASSWORD, "password_again": PASSWORD})
    assert answer.status_code == 303, answer.text
    browser = requests.Session()
    answer = console_sign_in(stack.url, email, PASSWORD, browser)
    assert answer.status_code == 303, answer.text
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def measure(kept_seconds, seconds, rounds):
    """The table's rows for one stack whose gateway keeps answers ``kept_seconds``."""
    stack = LocalStack(extra_env={"RECENT_READS_SECONDS": str(kept_seconds)}).start()
    try:
        made = stack.bootstrap(admin_email=ADMIN_EMAIL)
        auth = {"Authorization": f"Bearer {made['api_key']}"}
        agency_ids = register_agencies(stack, auth)
        store = Store(f"sqlite:///{stack.data_dir / 'calendar.db'}", models)
        wait_until_known(store, agency_ids)
        start = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=365)
        seed(store, agency_ids, start)
        store.dispose()
        cookie = {"Cookie": signed_in_cookie(stack, made)}
        month = (start + timedelta(days=400)).strftime("%Y-%m")
        paths = {ECHO: (None, {}),
                 READ: (f"{stack.url}/api/v1/agencies/{agency_ids[5]}", auth),
                 "GET /console/ (home)": (f"{stack.url}/console/", cookie),
                 f"GET /console/kalender?bulan={month} (whole forum)": (f"{stack.url}/console/kalender?bulan={month}",
                                                                        cookie)}
        asked_once(paths)
        rows = rounds_beside_read(paths, CONCURRENCY, seconds, rounds, ECHO, READ, TARGET)
    finally:
        stack.stop()
    return rows


def main(options):
    quick = "--quick" in options
    seconds, rounds = (3, 1) if quick else (4, 3)
    columns = ["path", "c", "rps", "p50_ms", "p99_ms", "non_2xx", "x echo", "x read", "target"]
    served = measure(10, seconds, rounds)
    afresh = measure(0, seconds, rounds)
    print(f"median of {rounds} round(s) of {seconds} s per path; target: each page >= {TARGET}x the directory read")
    print("\nAs the console serves (answers kept until a change, RECENT_READS_SECONDS=10):")
    table(served, columns)
    print("\nEvery view asking the services (RECENT_READS_SECONDS=0, as the first view after a change):")
    table(afresh, columns)
