"""Foundation benchmark: ``GET /health`` and one RPC-backed read through the gateway,
at concurrency 1, 10 and 50, each beside the nameko HTTP→RPC echo ceiling of the same run."""
from bakohumas.harness import LocalStack
from bench.common import EchoPair, table, wrk

CONCURRENCY = (1, 10, 50)


def main(options):
    seconds = 3 if "--quick" in options else 5
    stack = LocalStack().start()
    rows = []
    try:
        made = stack.bootstrap()
        auth = {"Authorization": f"Bearer {made['api_key']}"}
        read_url = f"{stack.url}/api/v1/agencies/{made['agency_id']}"
        with EchoPair() as pair:
            for concurrency in CONCURRENCY:
                echo = wrk(pair.url, concurrency, seconds)
                rows.append({"path": "echo HTTP→RPC (ceiling)", "c": concurrency, **echo, "ratio": 1.0})
                health = wrk(stack.url + "/health", concurrency, seconds)
                rows.append({"path": "GET /health (4 RPCs)", "c": concurrency, **health,
                             "ratio": health["rps"] / echo["rps"]})
                read = wrk(read_url, concurrency, seconds, headers=auth)
                rows.append({"path": "GET /api/v1/agencies/{id}", "c": concurrency, **read,
                             "ratio": read["rps"] / echo["rps"]})
    finally:
        stack.stop()
    table(rows, ["path", "c", "rps", "p50_ms", "p99_ms", "non_2xx", "ratio"])
