"""Directory benchmark: authenticated ``GET /api/v1/me`` (no RPC once the key is cached) and
``GET /api/v1/agencies/{id}`` (one RPC) through the gateway, at concurrency 1, 10 and 50, each
beside the nameko HTTP→RPC echo ceiling of the same run. Target: at least 0.9 of the ceiling.

The forum is the one ``bakohumas demo`` loads; the agency read is Polres Parepare (officers,
channels, contributors and three Polsek sub-units), with a member's key.
"""
import json

from bakohumas.harness import LocalStack
from bench.common import EchoPair, table, wrk

CONCURRENCY = (1, 10, 50)
TARGET = 0.9


def main(options):
    seconds = 3 if "--quick" in options else 5
    stack = LocalStack().start()
    rows = []
    try:
        forum = {a["short_name"]: a for a in json.loads(stack.bakohumas("demo", "--json").stdout)["agencies"]}
        polres = forum["POLRES-PAREPARE"]
        auth = {"Authorization": f"Bearer {forum['POLSEK-SOREANG']['api_key']}"}
        reads = (("GET /api/v1/me", f"{stack.url}/api/v1/me"),
                 ("GET /api/v1/agencies/{id}", f"{stack.url}/api/v1/agencies/{polres['agency_id']}"))
        with EchoPair() as pair:
            for concurrency in CONCURRENCY:
                echo = wrk(pair.url, concurrency, seconds)
                rows.append({"path": "echo HTTP→RPC (ceiling)", "c": concurrency, **echo, "ratio": 1.0})
                for label, url in reads:
                    figures = wrk(url, concurrency, seconds, headers=auth)
                    ratio = figures["rps"] / echo["rps"]
                    rows.append({"path": label, "c": concurrency, **figures, "ratio": ratio,
                                 "target": "ok" if ratio >= TARGET else f"below {TARGET}"})
    finally:
        stack.stop()
    table(rows, ["path", "c", "rps", "p50_ms", "p99_ms", "non_2xx", "ratio", "target"])
