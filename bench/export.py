"""CSV export of N answers in flat memory (DESIGN.md, Targets).

What it does:

1. fills the bench database in SQL, once (untimed): 50,000 customers and N
   answers over two years in submission order, with the statements
   ``bench.reporting`` uses (``INSERT ... SELECT FROM generate_series``), then
   ``VACUUM ANALYZE``;
2. each run exports, each in a fresh subprocess (``python -m bench.export
   --child``, production settings, the bench database), first the newest
   ``SMALL`` answers, then all N: the admin's export
   (``/admin/surveys/response/export/``, ``ResponseAdmin.export_csv``: the
   list's own queryset through ``surveys.exports.response_csv_lines`` and
   ``csv_response``, the same functions the API's ``/api/v1/responses/export/``
   uses) asked through ``django.test.Client`` as a manager, its streamed body
   read block by block, counted and dropped, as a web server sends it on;
3. the subprocess reports its peak resident memory (``VmHWM`` of
   ``/proc/self/status``, the whole process: Django, the request, the rows),
   the same before the request, the time from the request to the last byte,
   and the bytes and lines it read; the bench checks there was one line per
   answer plus the header.

Figures: the peak at N against the peak at ``SMALL`` in the same run (flat:
ratio <= ``FLAT_TARGET``), and the peak at N against the ``BUDGET_MB`` budget
(ratio <= 1). Rows per second are in the details.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import psycopg

from . import infra, reporting
from .report import Figure

DESCRIPTION = (
    "CSV export of N answers (the admin's export: ResponseAdmin.export_csv -> "
    "surveys.exports, streamed) in a subprocess with production settings, read to the "
    "last byte; its peak resident memory (VmHWM) against the same export of the newest "
    "10,000 answers in the same run, and against a 150 MB budget."
)
DEFAULT_N = 1_000_000
SMALL = 10_000  # answers in the floor's export
BUDGET_MB = 150.0  # the most a web process may hold while exporting any number of rows
FLAT_TARGET = 1.1  # the peak at N may exceed the peak at SMALL by at most 10%
CUSTOMERS = reporting.CUSTOMERS
SPAN_DAYS = 730
MANAGER = "bench-export"


# --- The data -----------------------------------------------------------------


def fill(database_url: str, rows: int, timeout: float) -> float:
    """Empty the answer tables and fill them with ``rows`` answers; returns seconds."""
    from psycopg import sql

    from surveys.models import Survey

    # The statements below assign answers to surveys 1 and 2.
    for pk, slug, name in ((1, "relationship", "Relationship NPS"), (2, "support", "Support NPS")):
        Survey.objects.update_or_create(
            pk=pk, defaults={"slug": slug, "name": name, "status": Survey.Status.ACTIVE}
        )
    now = datetime.now(UTC)
    start = now - timedelta(days=SPAN_DAYS)
    params = {
        "rows": rows,
        "customers": min(CUSTOMERS, max(rows // 10, 10)),
        "start": start,
        "created": start - timedelta(days=60),
        "step": (now - start - timedelta(minutes=15)) / rows,
    }
    tables = (
        "followups_caseevent",
        "followups_outboundmessage",
        "followups_offergrant",
        "followups_rewardgrant",
        "followups_followupcase",
        "surveys_response",
        "surveys_invitation",
        "surveys_customer",
    )
    started = time.perf_counter()
    with psycopg.connect(
        infra.psycopg_url(database_url), autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute("SELECT set_config('statement_timeout', %s, false)", [f"{int(timeout)}s"])
        conn.execute("SET synchronous_commit = off")
        names = sql.SQL(", ").join(sql.Identifier(table) for table in tables)
        conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(names))
        # Every reference is valid by construction: skip the foreign-key triggers.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SELECT setseed(0.42)")
        for statement in reporting.GENERATION_FUNCTIONS:
            conn.execute(statement)
        conn.execute(reporting.CUSTOMERS_SQL, params)
        conn.execute(reporting.RESPONSES_SQL, params)
        conn.execute("SET session_replication_role = DEFAULT")
        for table in ("surveys_customer", "surveys_response"):
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({name}, 'id'), "
                    "(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                ).format(name=sql.Literal(table), table=sql.Identifier(table))
            )
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
        counted = conn.execute("SELECT count(*) FROM surveys_response").fetchone()[0]
    if counted != rows:
        raise infra.BenchError(f"Filling the database for {rows:,} answers made {counted:,}.")
    return time.perf_counter() - started


def export_manager() -> None:
    """A manager (the role that exports answers), created once."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from followups import roles

    user, _ = get_user_model().objects.get_or_create(
        username=MANAGER, defaults={"is_staff": True, "email": "export@example.com"}
    )
    user.groups.add(Group.objects.get(name=roles.MANAGERS))


def newest_query(small: int) -> tuple[str, int]:
    """The query string that selects the newest ``small`` answers in the admin
    (its date hierarchy's field, from a time on), and how many it selects."""
    from surveys.models import Response

    since = (
        Response.objects.order_by("-submitted_at").values_list("submitted_at", flat=True)[small - 1]
        if Response.objects.count() > small
        else None
    )
    if since is None:
        return "", Response.objects.count()
    return (
        urlencode({"submitted_at__gte": since.isoformat()}),
        Response.objects.filter(submitted_at__gte=since).count(),
    )


# --- The export, in a subprocess -------------------------------------------------


def _status_kb(field: str) -> int:
    """A ``kB`` line of /proc/self/status, e.g. VmHWM (peak resident set)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise infra.BenchError(f"/proc/self/status has no {field}.")


def child(query: str) -> int:
    """The admin's export as a manager, read to the last byte; prints one JSON line."""
    import django

    # Static files are not collected for the bench; WhiteNoise says so once.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=MANAGER))
    url = reverse("admin:surveys_response_export") + (f"?{query}" if query else "")
    before_kb = _status_kb("VmHWM")
    started = time.perf_counter()
    reply = client.get(url, secure=True)
    if reply.status_code != 200 or not reply.streaming:
        print(f"GET {url} answered {reply.status_code}: {reply.content[:500]!r}", file=sys.stderr)
        return 1
    size = lines = blocks = 0
    for block in reply.streaming_content:
        size += len(block)
        lines += block.count(b"\n")
        blocks += 1
    reply.close()
    seconds = time.perf_counter() - started
    result = {
        "url": url,
        "seconds": seconds,
        "bytes": size,
        "lines": lines,
        "blocks": blocks,
        "peak_kb": _status_kb("VmHWM"),
        "before_kb": before_kb,
    }
    print(json.dumps(result), flush=True)
    return 0


@dataclass
class Export:
    rows: int
    seconds: float
    bytes: int
    peak_mb: float
    before_mb: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def measure(ctx, query: str, rows: int, where: str) -> Export:
    command = [sys.executable, "-m", "bench.export", "--child", "--query", query]
    try:
        result = subprocess.run(
            command,
            cwd=infra.ROOT,
            env=ctx.env.subprocess_env(),
            capture_output=True,
            text=True,
            timeout=ctx.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise infra.BenchError(
            f"The export of {rows:,} answers ({where}) took more than {ctx.timeout:.0f} s."
        ) from exc
    if result.returncode:
        raise infra.BenchError(
            f"The export of {rows:,} answers ({where}) failed:\n{result.stdout}\n{result.stderr}"
        )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if report["lines"] != rows + 1:
        raise infra.BenchError(
            f"The export ({where}) sent {report['lines']:,} lines for {rows:,} answers "
            "and a header."
        )
    return Export(
        rows=rows,
        seconds=report["seconds"],
        bytes=report["bytes"],
        peak_mb=report["peak_kb"] / 1024,
        before_mb=report["before_kb"] / 1024,
    )


# --- The figures ----------------------------------------------------------------


def _details(exports: list[Export]) -> dict:
    def median(values) -> float:
        return statistics.median(values)

    rows = exports[0].rows
    label = f"{rows:,} answers"
    return {
        f"peak MB, {label} (runs)": ", ".join(f"{e.peak_mb:.1f}" for e in exports),
        f"MB before the request, {label}": round(median(e.before_mb for e in exports), 1),
        f"peak MB over before the request, {label}": round(
            median(e.peak_mb - e.before_mb for e in exports), 1
        ),
        f"rows/s, {label} (median of runs)": round(median(e.rows_per_s for e in exports)),
        f"seconds to the last byte, {label}": round(median(e.seconds for e in exports), 2),
        f"CSV MB, {label}": round(exports[0].bytes / 2**20, 1),
    }


def run(ctx) -> tuple[list[Figure], list[str]]:
    n = ctx.n
    small = min(SMALL, n)
    export_manager()
    took = fill(ctx.env.database_url, n, ctx.timeout)
    print(f"   {n:,} answers filled in {took:.1f} s", flush=True)
    small_query, small_rows = newest_query(small)
    large: list[Export] = []
    floor: list[Export] = []
    for index in range(ctx.runs):
        for query, rows, results in (("", n, large), (small_query, small_rows, floor)):
            where = f"run {index + 1}/{ctx.runs}, {rows:,} answers"
            export = measure(ctx, query, rows, where)
            results.append(export)
            print(
                f"   {where}: peak {export.peak_mb:.1f} MB (before the request "
                f"{export.before_mb:.1f} MB), {export.rows_per_s:,.0f} rows/s, "
                f"{export.bytes / 2**20:.1f} MB of CSV in {export.seconds:.1f} s",
                flush=True,
            )
    details = {**_details(large), **_details(floor)}
    where = (
        f"the admin's CSV export of {n:,} answers, read to the last byte in a fresh "
        "subprocess (production settings, test client as a manager); peak = VmHWM of the "
        "whole process"
    )
    figures = [
        Figure(
            name="export.peak_mb",
            unit="MB",
            runs=[e.peak_mb for e in large],
            floor_name=f"{small_rows:,} answers",
            floor_runs=[e.peak_mb for e in floor],
            target=FLAT_TARGET,
            comparison="<=",
            details=details,
            note=f"{where}; the floor is the same export of the newest {small_rows:,} "
            "answers (`?submitted_at__gte=`), in its own subprocess, in the same run.",
        ),
        Figure(
            name="export.peak_mb_budget",
            unit="MB",
            runs=[e.peak_mb for e in large],
            floor_name="budget",
            floor_runs=[BUDGET_MB] * len(large),
            target=1.0,
            comparison="<=",
            note=f"{where}; against a budget of {BUDGET_MB:g} MB for a web process "
            "exporting any number of rows.",
        ),
    ]
    notes = [
        f"{n:,} answers of {min(CUSTOMERS, max(n // 10, 10)):,} customers over "
        f"{SPAN_DAYS} days, filled in SQL with `bench.reporting`'s statements in "
        f"{took:.0f} s (untimed), once for all runs."
    ]
    return figures, notes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.export",
        description="The export subprocess of the export benchmark (run by `python -m bench "
        "export`, which sets its environment).",
    )
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("--query", default="", help="the admin list's query string")
    args = parser.parse_args(argv)
    return child(args.query)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
