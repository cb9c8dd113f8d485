"""Latency of single POSTs under load, from locust in headless mode: first the
maximum rate a server sustains, then p50 / p95 / p99 at half of it.

Used by ``bench.ingest`` on the two gunicorn servers it already runs (the API
and the plain view of ``bench.http_floor``), so the two are measured side by
side with the same generator. locust (``bench/locustfile.py``) runs in a
subprocess against 127.0.0.1 only:

1. **maximum rate**: ``PROBE_USERS`` users sending back to back (no wait) for
   ``PROBE_SECONDS``; its requests per second is the maximum.
2. **at half of it**: ``STEADY_USERS`` users, each starting at most
   ``max / 2 / STEADY_USERS`` requests a second (``constant_throughput``), for
   ``STEADY_SECONDS``: the latencies a server has at a load it can carry, where
   queueing does not hide what a request costs.

Every answer must be 201 (any other is a failure and stops the bench). Rows
the runs store are removed by the caller. Percentiles are locust's (response
times in ms, rounded to two significant digits above 100 ms).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import infra

HOST = "127.0.0.1"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
PROBE_USERS = 4  # as bench.ingest's CONCURRENCY: one request queued per sync worker
PROBE_SECONDS = 15
STEADY_USERS = 8
STEADY_SECONDS = 30
LOAD_SHARE = 0.5


@dataclass
class Run:
    """One locust run: its rate, requests, failures and latencies (ms)."""

    requests: int
    failures: int
    rate: float
    p50: float
    p95: float
    p99: float


@dataclass
class Latency:
    max_rate: float
    steady: Run

    @property
    def target_rate(self) -> float:
        return self.max_rate * LOAD_SHARE


def _locust(port: int, spec: dict, *, users: int, seconds: int, what: str, env: dict) -> Run:
    with tempfile.TemporaryDirectory(prefix="bench-locust-") as work:
        spec_path = Path(work) / "spec.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        prefix = str(Path(work) / "run")
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            f"http://{HOST}:{port}",
            "--users",
            str(users),
            "--spawn-rate",
            str(users * 10),
            "--run-time",
            f"{seconds}s",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ]
        try:
            result = subprocess.run(
                command,
                env={**env, "BENCH_LOCUST_SPEC": str(spec_path)},
                capture_output=True,
                text=True,
                timeout=seconds + 120,
                check=False,
            )
        except subprocess.TimeoutExpired:
            limit = seconds + 120
            raise infra.BenchError(f"{what}: locust did not finish within {limit} s.") from None
        stats = Path(f"{prefix}_stats.csv")
        if result.returncode or not stats.exists():
            raise infra.BenchError(
                f"{what}: locust failed ({result.returncode}):\n{result.stderr[-3000:]}"
            )
        run = _aggregated(stats)
        if run.failures:
            failures = Path(f"{prefix}_failures.csv").read_text(encoding="utf-8")[:2000]
            raise infra.BenchError(
                f"{what}: {run.failures} of {run.requests} requests were not answered 201:\n"
                f"{failures}"
            )
        if not run.requests:
            raise infra.BenchError(f"{what}: locust sent no request.\n{result.stderr[-3000:]}")
        return run


def _aggregated(stats: Path) -> Run:
    with stats.open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    return Run(
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        rate=float(row["Requests/s"]),
        p50=float(row["50%"]),
        p95=float(row["95%"]),
        p99=float(row["99%"]),
    )


def measure(port: int, spec: dict, *, what: str, env: dict) -> Latency:
    """The maximum rate of the server on ``port``, then its latencies at
    half of it. ``spec``: what ``bench/locustfile.py`` sends (without
    ``prefix`` and ``per_user_rate``, set here)."""
    probe = _locust(
        port,
        {**spec, "prefix": f"{spec['prefix']}max-", "per_user_rate": 0},
        users=PROBE_USERS,
        seconds=PROBE_SECONDS,
        what=f"{what}, maximum rate",
        env=env,
    )
    per_user = probe.rate * LOAD_SHARE / STEADY_USERS
    steady = _locust(
        port,
        {**spec, "prefix": f"{spec['prefix']}half-", "per_user_rate": per_user},
        users=STEADY_USERS,
        seconds=STEADY_SECONDS,
        what=f"{what}, at {LOAD_SHARE:.0%} of the maximum rate",
        env=env,
    )
    return Latency(max_rate=probe.rate, steady=steady)


def details(latency: Latency, label: str) -> dict:
    steady = latency.steady
    return {
        f"{label}: locust maximum rate, requests/s": round(latency.max_rate, 1),
        f"{label}: locust at {LOAD_SHARE:.0%}, requests/s (achieved)": round(steady.rate, 1),
        f"{label}: locust at {LOAD_SHARE:.0%}, latency p50 / p95 / p99, ms": (
            f"{steady.p50:g} / {steady.p95:g} / {steady.p99:g}"
        ),
    }


def line(latency: Latency, label: str) -> str:
    steady = latency.steady
    return (
        f"   latency {label:<6} max {latency.max_rate:7.1f} requests/s; at "
        f"{steady.rate:6.1f} requests/s: p50 {steady.p50:g} ms, p95 {steady.p95:g} ms, "
        f"p99 {steady.p99:g} ms"
    )
