"""Fan-out: one event to 500 officers' mailboxes on a local SMTP server (aiosmtpd, loopback).

500 active officer accounts of one agency are seeded straight into the directory's database (the
invitation flow would hash 500 passwords); then one complaint is assigned to that agency. Its
``complaint.status_changed`` is fanned out by the notifications service to 500 messages, each sent
over its own SMTP connection. Measured: from the POST to the last mail taken by the server, beside
the HTTP→RPC echo ceiling of the same run (requests/s of a trivial nameko pair, c=10).
"""
import time
import uuid

from bakohumas.harness import Api, LocalStack, MailSink
from bench.common import EchoPair, table, wrk
from services.directory import models as directory_models
from services.directory.models import Account
from shared.db import Store, utcnow
from shared.schemas import name_key

OFFICERS = 500
CONCURRENCY = 10


def seed(stack, agency_id, count):
    """``count`` active officers of ``agency_id`` straight into the directory's tables."""
    store = Store(f"sqlite:///{stack.data_dir / 'directory.db'}", directory_models)
    now = utcnow()
    with store.unit_of_work() as uow:
        for number in range(count):
            email = f"petugas{number:03d}@dinas.bench.example"
            uow.session.add(Account(id=str(uuid.uuid4()), agency_id=agency_id, name=f"Petugas {number:03d}",
                                    email=email, email_key=name_key(email), phone=None, account_role="officer",
                                    language="id", active=True, failed_logins=0, created_at=now, activated_at=now))
    store.dispose()


def wait_for(check, timeout=60):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: not ready within {timeout} s: {check}")
        time.sleep(0.3)
    return found


def main(options):
    officers = 100 if "--quick" in options else OFFICERS
    mail = MailSink().start()
    stack = LocalStack(extra_env={"SMTP_URL": mail.url, "NOTIFY_CONCURRENCY": "50"}).start()
    try:
        coordinator = Api(stack.url, stack.bootstrap()["api_key"])
        made = coordinator.post("/api/v1/agencies", json={"name": "Dinas Bench", "short_name": "DINAS-BENCH",
                                                          "kind": "opd", "role": "member", "region_code": "73.72"})
        agency_id = made.json()["id"]
        seed(stack, agency_id, officers)
        number = Api(stack.url).post("/api/v1/complaints", json={
            "channel": "web", "text": "Jembatan retak", "anonymous": True}).json()["tracking_number"]
        complaint_id = wait_for(lambda: next((c["id"] for c in coordinator.get(
            "/api/v1/complaints", params={"triage": "true"}).json()["complaints"]
            if c["tracking_number"] == number), None))
        url = f"/api/v1/complaints/{complaint_id}/status"
        assert coordinator.post(url, json={"status": "verified"}).status_code == 200
        # The one event: the complaint assigned to the agency (once the complaints service knows it).
        wait_for(lambda: coordinator.post(url, json={"status": "assigned", "agency_id": agency_id}).status_code == 200)
        sent_at = time.monotonic()
        first = None
        while len(mail.mails) < officers:
            if first is None and mail.mails:
                first = time.monotonic() - sent_at
            if time.monotonic() - sent_at > 600:
                raise SystemExit(f"bench: only {len(mail.mails)} of {officers} mails arrived in 600 s")
            time.sleep(0.05)
        last = time.monotonic() - sent_at
        with EchoPair() as pair:
            echo = wrk(pair.url, CONCURRENCY, 5)
    finally:
        stack.stop()
        mail.stop()
    rows = [{"path": "echo HTTP→RPC (ceiling)", "n": None, "per_s": echo["rps"], "first_s": None, "last_s": None},
            {"path": "1 event → mail to each officer", "n": officers, "per_s": officers / last,
             "first_s": first, "last_s": last}]
    table(rows, ["path", "n", "per_s", "first_s", "last_s"])
    print(f"\n{officers} mails taken by the SMTP server {last:.1f} s after the complaint was assigned "
          f"({officers / last:.0f}/s, {officers / last / echo['rps']:.2f} of the echo ceiling's requests/s)")
