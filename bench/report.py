"""Figures, and the two files they are written to: ``bench/results/latest.json``
(for machines) and ``bench/results/latest.md`` (for people)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    """One measured quantity, its floor measured side by side in the same runs,
    and the target for their ratio (``value / floor``)."""

    name: str
    unit: str
    runs: list[float]
    floor_name: str
    floor_runs: list[float]
    target: float
    comparison: str = ">="  # the ratio must be >= target (rates) or <= target (times)
    details: dict = field(default_factory=dict)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor_runs)

    @property
    def ratios(self) -> list[float]:
        """Per run: each run's figure over the floor measured next to it."""
        return [value / floor for value, floor in zip(self.runs, self.floor_runs, strict=True)]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def passed(self) -> bool:
        return self.ratio >= self.target if self.comparison == ">=" else self.ratio <= self.target

    def line(self) -> str:
        runs = ", ".join(f"{value:.1f}" for value in self.runs)
        return (
            f"{self.name}  median={self.median:.1f} {self.unit}  "
            f"floor({self.floor_name})={self.floor_median:.1f} {self.unit}  "
            f"ratio={self.ratio:.3f} (target {self.comparison} {self.target:g})"
            f"{'' if self.passed else '  BELOW TARGET'}  runs=[{runs}]"
        )

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": self.median,
            "min": min(self.runs),
            "max": max(self.runs),
            "runs": self.runs,
            "floor": {
                "name": self.floor_name,
                "median": self.floor_median,
                "min": min(self.floor_runs),
                "max": max(self.floor_runs),
                "runs": self.floor_runs,
            },
            "ratio": {
                "median": self.ratio,
                "min": min(self.ratios),
                "max": max(self.ratios),
                "runs": self.ratios,
                "target": f"{self.comparison} {self.target:g}",
                "passed": self.passed,
            },
            "details": self.details,
            "note": self.note,
        }


@dataclass
class BenchmarkResult:
    name: str
    description: str
    n: int
    runs: int
    figures: list[Figure]
    notes: list[str] = field(default_factory=list)
    source: str = ""
    date: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "date": self.date,
            "source": self.source,
            "n": self.n,
            "runs": self.runs,
            "figures": [figure.as_dict() for figure in self.figures],
            "notes": self.notes,
        }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def machine(broker_url: str) -> dict:
    """The machine and the versions that the figures depend on."""
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    client = redis.Redis.from_url(broker_url, socket_timeout=5)
    try:
        redis_version = client.info("server")["redis_version"]
    finally:
        client.close()
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": _version("django"),
        "celery": _version("celery"),
        "kombu": _version("kombu"),
        "psycopg": _version("psycopg"),
        "postgres": postgres,
        "redis": redis_version,
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


SOURCE_PACKAGES = ("nps_project", "surveys", "followups")


def source_digest() -> str:
    """A short hash of the project's Python source the figures measure, so a
    result names the code it came from (and a run notices code changing under it)."""
    digest = hashlib.sha256()
    root = RESULTS_DIR.parent.parent
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _same_machine(a: dict, b: dict) -> bool:
    keys = ("cpu_count", "cpu_model", "python", "django", "celery", "postgres", "redis")
    return all(a.get(key) == b.get(key) for key in keys)


def write(results: list[BenchmarkResult], machine_info: dict) -> tuple[Path, Path]:
    """Write this run's results; results of benchmarks not run this time are
    kept when they were measured on the same machine and versions."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS_DIR / "latest.json"
    benchmarks: dict[str, dict] = {}
    try:
        previous = json.loads(json_path.read_text())
    except (OSError, ValueError):
        previous = {}
    if previous and _same_machine(previous.get("machine", {}), machine_info):
        benchmarks.update(previous.get("benchmarks", {}))
    for result in results:
        benchmarks[result.name] = result.as_dict()
    document = {"machine": machine_info, "benchmarks": benchmarks}
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    md_path = RESULTS_DIR / "latest.md"
    md_path.write_text(render_markdown(document))
    return md_path, json_path


def _rate(value: float) -> str:
    return f"{value:,.1f}"


def render_markdown(document: dict) -> str:
    m = document["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m bench` (see `bench/README.md`). Each figure is the median of",
        "its runs, with the slowest and fastest run in brackets; its floor was measured in",
        "the same runs, side by side, and the ratio is the median of the per-run ratios.",
        "",
        f"Machine: {m['cpu_count']} CPUs ({m['cpu_model']}), {m['platform']}; "
        f"Python {m['python']}, Django {m['django']}, Celery {m['celery']} "
        f"(kombu {m['kombu']}), psycopg {m['psycopg']}, PostgreSQL {m['postgres']}, "
        f"Redis {m['redis']}; load average at start {m['load_average_at_start']}; "
        f"{m['date']}.",
        "",
        "| figure | median [min, max] | floor | floor median [min, max] "
        "| ratio [min, max] | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    for bench in document["benchmarks"].values():
        for f in bench["figures"]:
            floor, ratio = f["floor"], f["ratio"]
            lines.append(
                f"| `{f['name']}` | {_rate(f['median'])} {f['unit']} "
                f"[{_rate(f['min'])}, {_rate(f['max'])}] | {floor['name']} "
                f"| {_rate(floor['median'])} {f['unit']} "
                f"[{_rate(floor['min'])}, {_rate(floor['max'])}] "
                f"| {ratio['median']:.3f} [{ratio['min']:.3f}, {ratio['max']:.3f}] "
                f"| {ratio['target']} | {'ok' if ratio['passed'] else '**below**'} |"
            )
    for bench in document["benchmarks"].values():
        lines += [
            "",
            f"## {bench['name']}",
            "",
            f"{bench['description']} N = {bench['n']:,}, {bench['runs']} run(s), {bench['date']}, "
            f"source digest `{bench.get('source', '?')}` (`bench.report.source_digest`).",
        ]
        for note in bench["notes"]:
            lines += ["", note]
        for f in bench["figures"]:
            if f["note"]:
                lines += ["", f"`{f['name']}`: {f['note']}"]
            details = f.get("details") or {}
            if details:
                lines += ["", "| detail (median of runs) | value |", "|---|---|"]
                lines += [f"| {key} | {value} |" for key, value in details.items()]
    return "\n".join(lines) + "\n"
