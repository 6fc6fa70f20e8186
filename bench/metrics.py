"""Watching benchmark: ``GET /metrics`` from the gateway's cache and ``GET /health`` (4 RPCs and the
broker's queue depths), at concurrency 1 and 10, each beside the nameko HTTP→RPC echo ceiling."""
from bakohumas.harness import LocalStack
from bench.common import EchoPair, table, wrk

CONCURRENCY = (1, 10)


def main(options):
    seconds = 3 if "--quick" in options else 5
    stack = LocalStack().start()
    rows = []
    try:
        with EchoPair() as pair:
            for concurrency in CONCURRENCY:
                echo = wrk(pair.url, concurrency, seconds)
                rows.append({"path": "echo HTTP→RPC (ceiling)", "c": concurrency, **echo, "ratio": 1.0})
                for path, label in (("/metrics", "GET /metrics (cached figures)"),
                                    ("/health", "GET /health (4 RPCs + broker)")):
                    measured = wrk(stack.url + path, concurrency, seconds)
                    rows.append({"path": label, "c": concurrency, **measured, "ratio": measured["rps"] / echo["rps"]})
    finally:
        stack.stop()
    table(rows, ["path", "c", "rps", "p50_ms", "p99_ms", "non_2xx", "ratio"])
