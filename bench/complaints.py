"""Complaint intake: 1,000 complaints POSTed through the gateway at concurrency 20.

Prints the accepted rate, p50/p99 latency and the time until the complaints service has
stored and routed every accepted complaint, then the coordinator's page of 20 and its figures over
all of them, beside the HTTP→RPC echo ceiling of the same run.
Intake does no RPC: the gateway validates and puts the complaint on a durable queue with a
publisher confirm, so it should reach at least 60% of the ceiling.
"""
import json
import os
import tempfile
import time

from bakohumas.harness import Api, LocalStack
from bench.common import EchoPair, table, wrk

COMPLAINTS = 1000
CONCURRENCY = 20
READ_CONCURRENCY = 4
WARM_UP_SECONDS = 3

BODY = {"channel": "web", "category": "infrastruktur",
        "text": "Jalan berlubang di depan pasar, membahayakan pengendara motor",
        "location": {"region_code": "73.72", "latitude": -4.0135, "longitude": 119.6255},
        "reporter": {"name": "Warga", "phone": "081234567890"}}

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[%(body)s]]
function done(summary, latency, requests)
  local out = io.open("%(result)s", "w")
  out:write(summary.requests - summary.errors.status, " ", summary.requests)
  out:close()
end
"""


def stored(coordinator):
    answer = coordinator.get("/api/v1/complaints/stats")
    return answer.json()["total"] if answer.status_code == 200 else 0


def main(options):
    complaints = 200 if "--quick" in options else COMPLAINTS
    env = {"COMPLAINTS_INTAKE_BURST": "1000000", "COMPLAINTS_INTAKE_PER_MINUTE": "1000000"}
    stack = LocalStack(extra_env=env).start()
    result = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False).name
    try:
        made = stack.bootstrap()
        coordinator = Api(stack.url, made["api_key"])
        deadline = time.monotonic() + 30
        while coordinator.post("/api/v1/complaints/rules", json={
                "category": "infrastruktur", "agency_id": made["agency_id"]}).status_code != 201:
            if time.monotonic() > deadline:
                raise SystemExit("bench: the complaints service never learned of the coordinator")
            time.sleep(0.3)
        lua = LUA % {"body": json.dumps(BODY), "result": result}
        with EchoPair() as pair:
            echo = wrk(pair.url, CONCURRENCY, 5)
            # wrk runs for a fixed time: a warm-up gives the rate that sizes the measured rounds,
            # repeated until ``complaints`` complaints are accepted.
            warm = wrk(stack.url + "/api/v1/complaints", CONCURRENCY, WARM_UP_SECONDS, lua=lua)
            before = int(open(result).read().split()[0])
            while stored(coordinator) < before:
                time.sleep(0.2)
            rounds, accepted, sent, rate = [], 0, 0, warm["rps"]
            started = time.monotonic()
            while accepted < complaints:
                seconds = max(1, round((complaints - accepted) / rate))
                rounds.append(wrk(stack.url + "/api/v1/complaints", CONCURRENCY, seconds, lua=lua))
                ok, total = (int(n) for n in open(result).read().split())
                accepted, sent, rate = accepted + ok, sent + total, max(rounds[-1]["rps"], 1.0)
            posted = time.monotonic() - started
        while stored(coordinator) < before + accepted:
            if time.monotonic() - started > 300:
                raise SystemExit(f"bench: only {stored(coordinator) - before} of {accepted} complaints stored in 300 s")
            time.sleep(0.2)
        routed = time.monotonic() - started
        # The coordinator's reads over all these complaints: a page and the figures, both cut and
        # counted in the database.
        key = {"Authorization": f"Bearer {made['api_key']}"}
        reads = [(path, wrk(stack.url + path, READ_CONCURRENCY, 3, headers=key))
                 for path in ("/api/v1/complaints?limit=20", "/api/v1/complaints/stats")]
        intake = {"rps": accepted / posted, "p50_ms": max(r["p50_ms"] for r in rounds),
                  "p99_ms": max(r["p99_ms"] for r in rounds), "non_2xx": sum(r["non_2xx"] for r in rounds)}
    finally:
        stack.stop()
        os.unlink(result)
    rows = [
        {"path": "echo HTTP→RPC (ceiling)", "c": CONCURRENCY, **echo, "ratio": 1.0},
        {"path": "POST /api/v1/complaints", "c": CONCURRENCY, **intake, "ratio": intake["rps"] / echo["rps"]},
        *({"path": f"GET {path}", "c": READ_CONCURRENCY, **read, "ratio": read["rps"] / echo["rps"]}
          for path, read in reads),
    ]
    table(rows, ["path", "c", "rps", "p50_ms", "p99_ms", "non_2xx", "ratio"])
    print(f"\n{accepted} of {sent} complaints accepted in {posted:.1f} s; all {accepted} stored and routed "
          f"{routed:.1f} s after the first was sent (target: intake at least 60% of the ceiling: "
          f"{'met' if intake['rps'] >= 0.6 * echo['rps'] else 'NOT met'})")
