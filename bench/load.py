"""Load with wrk: a short warm-up, then a measured run bounded in time, parsed into figures."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from client import Request

SCRIPT = Path(__file__).resolve().parent / "request.lua"
THREADS = 1
CONNECTIONS = 16
WARMUP_SECONDS = 2
MEASURE_SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))  # shorter only to try the scripts
TIMEOUT_SECONDS = 30  # wrk's default of 2 s would drop the slowest pages' answers
OPTIONS = [f"-t{THREADS}", f"-c{CONNECTIONS}", f"--timeout={TIMEOUT_SECONDS}s", "--latency"]
COMMAND = " ".join(["wrk", *OPTIONS, f"-d{MEASURE_SECONDS}s"])
# A figure taken while the host stole more than this share of the CPU is taken again, a few
# times at most, and the least-stolen kept: its ratio to a figure taken on a faster machine a
# minute earlier says more about the host than about the servers.
STOLEN_LIMIT = 0.1
TAKES = 3
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    rate: float  # requests per second
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers, and connect, read, write or timeout errors
    stolen: float = 0.0  # share of this machine's CPU time its host gave to others meanwhile


def mean(runs: list[Load]) -> Load:
    """Runs of one request taken as one: their mean rate, and the worst of the rest."""
    return Load(
        rate=sum(r.rate for r in runs) / len(runs),
        p99_ms=max(r.p99_ms for r in runs),
        requests=sum(r.requests for r in runs),
        errors=sum(r.errors for r in runs),
        stolen=max(r.stolen for r in runs),
    )


def measure(request: Request) -> Load:
    """Requests per second and latency for `request`, repeated by wrk over many connections."""
    run_wrk(request, WARMUP_SECONDS)
    before = cpu_ticks()
    figures = run_wrk(request, MEASURE_SECONDS)
    return replace(figures, stolen=stolen_share(before, cpu_ticks()))


def cpu_ticks() -> tuple[int, int]:
    """(stolen, all) CPU ticks since boot. A virtual machine's host that serves other guests
    first slows every server here alike, and the ratios of figures taken at different moments
    can then mean little: so each figure says how much was stolen while it was taken."""
    with open("/proc/stat") as stat:  # "cpu  user nice system idle iowait irq softirq steal …"
        ticks = [int(n) for n in stat.readline().split()[1:9]]
    return ticks[7], sum(ticks)


def stolen_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    elapsed = after[1] - before[1]
    return (after[0] - before[0]) / elapsed if elapsed else 0.0


def run_wrk(request: Request, seconds: int) -> Load:
    headers = [arg for name, value in request.headers.items() for arg in ("-H", f"{name}: {value}")]
    command = ["wrk", *OPTIONS, f"-d{seconds}s", "-s", str(SCRIPT), *headers, request.url]
    env = {**os.environ, "BENCH_METHOD": request.method}
    if request.body is not None:  # "{take}": this run of wrk, so that no two bodies are alike
        env["BENCH_BODY"] = request.body.replace("{take}", uuid.uuid4().hex[:8])
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, check=True, timeout=seconds + 60
    )
    return parse(result.stdout)


def parse(report: str) -> Load:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", report)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", report)
    total = re.search(r"(\d+) requests in", report)
    if rate is None or p99 is None or total is None:
        raise RuntimeError(f"wrk's report is not as expected:\n{report}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    )
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return Load(
        rate=float(rate.group(1)),
        p99_ms=float(p99.group(1)) * UNITS_MS[p99.group(2)],
        requests=int(total.group(1)),
        errors=errors,
    )
