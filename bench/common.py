"""What every benchmark needs: wrk runs, the framework's ceiling, and a table printer.

Load comes from wrk (Debian's package; installed here when missing and we are root on Debian),
never from a hand-written loop, so the figures measure the server and not the client.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bakohumas.harness import ROOT, Vhost, free_port

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: installing wrk from Debian's packages", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return
    raise SystemExit("bench: wrk is needed (Debian/Ubuntu: sudo apt-get install wrk)")


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url, concurrency, seconds=5, headers=None, lua=None):
    """Load ``url`` with ``concurrency`` connections for ``seconds``: requests/s, p50, p99 (ms), errors."""
    ensure_wrk()
    args = ["wrk", "-t", str(min(concurrency, 2)), "-c", str(concurrency), "-d", f"{seconds}s",
            "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    script = None
    if lua:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(lua)
        script.close()
        args += ["-s", script.name]
    try:
        out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    finally:
        if script:
            os.unlink(script.name)
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+\w+)", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    # A script may print "status <code> <count>" lines when done (bench/signins.py counts answers so).
    statuses = {int(code): int(count) for code, count in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "statuses": dict(sorted(statuses.items())),
    }


class EchoPair:
    """The trivial nameko HTTP→RPC echo pair (bench/echo.py) on its own vhost: the ceiling."""

    def __init__(self):
        self.vhost = Vhost("bakohumas_bench")
        self.port = free_port()
        self.processes = []

    def __enter__(self):
        self.vhost.create()
        env = {**os.environ, "AMQP_URI": self.vhost.amqp_uri, "ECHO_PORT": str(self.port)}
        for role in ("service", "gateway"):
            self.processes.append(subprocess.Popen([sys.executable, "-m", "bench.echo", role], env=env,
                                                   cwd=ROOT, stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(self.url, timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the echo pair did not start")
            time.sleep(0.2)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/echo"

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(10)
        self.vhost.delete()


def ceiling(concurrency, seconds=5, pair=None):
    """wrk figures of the echo pair at ``concurrency`` (starts one unless ``pair`` is given)."""
    if pair is not None:
        return wrk(pair.url, concurrency, seconds)
    with EchoPair() as started:
        return wrk(started.url, concurrency, seconds)


def median_figures(runs):
    return {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_ms", "p99_ms", "non_2xx")}


def rotating_rounds(paths, concurrency, seconds, rounds, echo_url):
    """Each path's median wrk figures over ``rounds`` rounds in a rotating order, so that each goes
    first in some round (no order bias on a shared machine); ``paths`` maps a label to
    ``(url, headers)``, a url of None meaning the echo pair's."""
    runs = {label: [] for label in paths}
    for turn in range(rounds):
        order = list(paths)[turn % len(paths):] + list(paths)[:turn % len(paths)]
        for label in order:
            url, headers = paths[label]
            runs[label].append(wrk(url or echo_url, concurrency, seconds, headers=headers))
    return {label: median_figures(figures) for label, figures in runs.items()}


def beside_read(medians, concurrency, echo, read, target):
    """The rows of one concurrency: the echo ceiling, the read, then each other path of ``medians``
    with its throughput beside the echo's and the read's, and whether it reaches ``target`` x the read."""
    echo_figures, read_figures = medians.pop(echo), medians.pop(read)
    rows = [{"path": echo, "c": concurrency, **echo_figures, "x echo": 1.0},
            {"path": read, "c": concurrency, **read_figures, "x echo": read_figures["rps"] / echo_figures["rps"],
             "x read": 1.0}]
    for label, figures in medians.items():
        ratio = figures["rps"] / read_figures["rps"]
        rows.append({"path": label, "c": concurrency, **figures, "x echo": figures["rps"] / echo_figures["rps"],
                     "x read": ratio, "target": "ok" if ratio >= target else f"below {target}"})
    return rows


def rounds_beside_read(paths, concurrencies, seconds, rounds, echo, read, target):
    """The rows of every concurrency of ``concurrencies``: ``paths`` taking turns (``rotating_rounds``)
    beside the echo pair (the path ``echo``) and the read (``read``), as ``beside_read`` puts them."""
    rows = []
    with EchoPair() as pair:
        for concurrency in concurrencies:
            medians = rotating_rounds(paths, concurrency, seconds, rounds, pair.url)
            rows += beside_read(medians, concurrency, echo, read, target)
    return rows


def asked_once(paths, shows=lambda label, text: True):
    """Each of ``paths`` (label: (url, headers); no url for the echo) asked once before it is measured:
    it answers 200 and ``shows`` what it should; its size is printed."""
    for label, (url, headers) in paths.items():
        if url:
            answer = requests.get(url, headers=headers, timeout=30, allow_redirects=False)
            assert answer.status_code == 200 and shows(label, answer.text), f"{label}: {answer.status_code}"
            print(f"{label}: {len(answer.content):,} bytes", flush=True)


def table(rows, columns):
    """Print rows (dicts) as an aligned text table with the given column keys."""
    cells = [[str(c) for c in columns]] + [[_fmt(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    for index, row in enumerate(cells):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths)), flush=True)
        if index == 0:
            print("  ".join("-" * width for width in widths))


def _fmt(value):
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return "" if value is None else str(value)


def results_dir():
    path = Path(ROOT) / "bench" / "results"
    path.mkdir(exist_ok=True)
    return path
