"""The answers the gateway keeps behind Beranda and the month calendar, over the real broker: they are
kept (a change no service announced does not show), and a change a service announces shows on the
next view even when it came from elsewhere than this gateway (here an RPC straight to the calendar)."""
import sqlite3
import time
from datetime import timedelta

import requests
from nameko.standalone.rpc import ClusterRpcProxy

from bakohumas.harness import LocalStack
from bench.console import ADMIN_EMAIL, signed_in_cookie
from tests.clock import wall_now



def proposal(title, start):
    return {"kind": "press_conference", "title": title, "timezone": "Asia/Makassar",
            "start": start.isoformat(), "end": (start + timedelta(minutes=45)).isoformat()}


def test_kept_answers_are_forgotten_when_the_calendar_announces_a_change():
    stack = LocalStack(extra_env={"RECENT_READS_SECONDS": "600"}).start()
    try:
        made = stack.bootstrap(admin_email=ADMIN_EMAIL)
        browser = requests.Session()
        browser.headers["Cookie"] = signed_in_cookie(stack, made)
        start = (wall_now() + timedelta(days=40)).replace(hour=2, minute=0, second=0, microsecond=0)
        pages = [f"{stack.url}/console/", f"{stack.url}/console/kalender?bulan={start:%Y-%m}"]

        def seen():
            answers = [browser.get(page, timeout=10) for page in pages]
            assert all(answer.status_code == 200 for answer in answers)
            return [answer.text for answer in answers]

        assert not any("Sidak pasar" in text for text in seen())
        actor = {"agency_id": made["agency_id"], "role": "coordinator", "key_id": None, "account_id": None,
                 "account_name": None, "account_role": None}
        with ClusterRpcProxy({"AMQP_URI": stack.vhost.amqp_uri}) as services:
            services.calendar.propose_item(actor, proposal("Sidak pasar", start))
            deadline = time.monotonic() + 20
            while not all("Sidak pasar" in text for text in seen()):
                assert time.monotonic() < deadline, "the proposal never showed on the kept pages"
                time.sleep(0.3)

            # A change behind the services' back is announced by nobody: the kept answers stay.
            with sqlite3.connect(stack.data_dir / "calendar.db") as database:
                database.execute("UPDATE items SET title = 'Sidak pasar murah', "
                                 "summary_json = replace(summary_json, 'Sidak pasar', 'Sidak pasar murah')")
            assert not any("Sidak pasar murah" in text for text in seen())

            services.calendar.propose_item(actor, proposal("Rapat koordinasi", start + timedelta(hours=3)))
            deadline = time.monotonic() + 20
            while not all("Rapat koordinasi" in text and "Sidak pasar murah" in text for text in seen()):
                assert time.monotonic() < deadline, "the second proposal never showed on the kept pages"
                time.sleep(0.3)
    finally:
        stack.stop()
