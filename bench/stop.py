"""Stop benchmark: ``bakohumas run`` started in its own process group, then stopped again and again
the ways of ``harness.STOP_WAYS`` in turn (20 stops; ``--quick``: 5): how many stops were clean (no
process left, none restarted on the way down) and how long each took, against the bound
(STOP_TIMEOUT, 20 s by default, + 5 s for the runner)."""
import os
import statistics

from bakohumas.harness import STOP_WAYS, LocalStack, stopped_within
from bench.common import table

BOUND = 20 + 5


def one_stop(way):
    stack = LocalStack(own_group=True)
    try:
        stack.start(timeout=180)
        STOP_WAYS[way](stack)
        took = stopped_within(stack, BOUND + 15)
        left = stack.leftovers()
        restarted = "starting again" in stack.log() or "re-send()" in stack.log()
        return {"way": way, "clean": took is not None and not left and not restarted,
                "seconds": took, "left": len(left)}
    finally:
        for pid in stack.leftovers():
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        stack.stop()


def main(options):
    stops = 5 if "--quick" in options else 20
    ways = list(STOP_WAYS)
    rows = []
    for index in range(stops):
        row = one_stop(ways[index % len(ways)])
        print(f"stop {index + 1}/{stops}: {row}", flush=True)
        rows.append(row)
    summary = []
    for way in ways:
        mine = [row for row in rows if row["way"] == way]
        times = [row["seconds"] for row in mine if row["seconds"] is not None]
        summary.append({"way": way, "stops": len(mine), "clean": sum(row["clean"] for row in mine),
                        "median_s": statistics.median(times) if times else None,
                        "max_s": max(times) if times else None, "bound_s": BOUND})
    table(summary, ["way", "stops", "clean", "median_s", "max_s", "bound_s"])
    clean = sum(row["clean"] for row in rows)
    print(f"\n{clean} of {stops} stops clean")
