"""Directory benchmark: authenticated ``GET /api/v1/me`` (no RPC once the key is cached) and
``GET /api/v1/agencies/{id}`` (one RPC) through the gateway, at concurrency 1, 10 and 50, each
beside the nameko HTTP→RPC echo ceiling of the same run. Target: at least 0.9 of the ceiling.

The forum is the one ``bakohumas demo`` loads; the agency read is Polres Parepare (officers,
channels, contributors and three Polsek sub-units), with a member's key. On a shared machine one
run of each can be far off, so the echo and the reads take turns for several rounds (in a
rotating order) and the table shows each path's median.
"""
import json

from bakohumas.harness import LocalStack
from bench.common import EchoPair, rotating_rounds, table

CONCURRENCY = (1, 10, 50)
TARGET = 0.9


def main(options):
    quick = "--quick" in options
    seconds, rounds = (3, 1) if quick else (4, 3)
    stack = LocalStack().start()
    rows = []
    try:
        forum = {a["short_name"]: a for a in json.loads(stack.bakohumas("demo", "--json").stdout)["agencies"]}
        auth = {"Authorization": f"Bearer {forum['POLSEK-SOREANG']['api_key']}"}
        paths = {"echo HTTP→RPC (ceiling)": (None, {}),
                 "GET /api/v1/me": (f"{stack.url}/api/v1/me", auth),
                 "GET /api/v1/agencies/{id}": (f"{stack.url}/api/v1/agencies/{forum['POLRES-PAREPARE']['agency_id']}",
                                               auth)}
        with EchoPair() as pair:
            for concurrency in CONCURRENCY:
                medians = rotating_rounds(paths, concurrency, seconds, rounds, pair.url)
                echo = medians.pop("echo HTTP→RPC (ceiling)")
                rows.append({"path": "echo HTTP→RPC (ceiling)", "c": concurrency, **echo, "ratio": 1.0})
                for label, figures in medians.items():
                    ratio = figures["rps"] / echo["rps"]
                    rows.append({"path": label, "c": concurrency, **figures, "ratio": ratio,
                                 "target": "ok" if ratio >= TARGET else f"below {TARGET}"})
    finally:
        stack.stop()
    print(f"median of {rounds} round(s) of {seconds} s per path")
    table(rows, ["path", "c", "rps", "p50_ms", "p99_ms", "non_2xx", "ratio", "target"])
