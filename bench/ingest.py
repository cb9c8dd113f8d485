"""Ingestion through the REST API against the cheapest way to store the same
rows (DESIGN.md, Targets: bulk ingestion through the API at >= 0.5x raw
``bulk_create`` of the same rows).

Each run measures, side by side (which of a pair goes first alternates from
run to run):

- ``ingest.bulk_api.responses_per_s``: N responses posted to
  ``POST /api/v1/responses/bulk/`` (1000 a request, token auth) through
  Django's test client in this process, as ``bench.loop`` posts them; floor:
  the same rows stored with ``Response.objects.bulk_create``, 1000 a call (one
  transaction each, as each request is), customers created beforehand. No
  worker runs: each request still hands its answers to routing on commit (a
  publish to the bench's Redis, part of the API's cost), and the broker is
  flushed afterwards.
- ``ingest.single_post.requests_per_s``: N/10 single answers, each its own
  ``POST /api/v1/responses/`` to gunicorn (the Dockerfile's command: two sync
  workers, production settings) from a fixed-concurrency load generator in
  this process (``bench.http_load``); floor: the same gunicorn command and
  settings serving ``bench.http_floor``, a plain Django view that stores each
  answer with one INSERT. The two servers take their requests in slices, in
  turn (``measure_single_pair``). Every request carries its own idempotency
  key and must be answered 201; the row count is checked after each run.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import warnings
from dataclasses import dataclass, field
from io import StringIO

from . import http_load, infra, latency
from .loop import API_BATCH, _ingest_api, _prepare_api, _reset, response_rows
from .report import Figure

DESCRIPTION = (
    "Ingestion through the REST API against the cheapest way to store the same rows: the "
    "bulk API (`POST /api/v1/responses/bulk/`, 1000 a request, Django's test client in the "
    "bench process) against `Response.objects.bulk_create`, 1000 a call; and single "
    "`POST /api/v1/responses/` requests to gunicorn (2 sync workers, production settings) "
    "from an in-process load generator at a fixed concurrency, against the same server "
    "serving a plain Django view that stores each answer with one INSERT."
)
DEFAULT_N = 20_000
# Single posts per run: N / SINGLE_SHARE (a request costs far more than a bulk item).
SINGLE_SHARE = 10
# Two sync workers answer one request each at a time; four connections keep one
# request queued per worker, so no worker waits for the client between two
# requests, and a latency is at most one queued request more than the work.
CONCURRENCY = 4
# The single POST's requests per run go to both servers in this many slices
# each, in turn (measure_single_pair).
SINGLE_CHUNKS = 10
WARM_UP = 40  # untimed requests per server before the first run
NOISY_SHARE = 0.15
SURVEY_SLUG = "bench-ingest"
# The API's throttles keep running (a cache read and write per throttle and
# request, in Redis as with several web processes), but must never refuse: a
# 429 is not an ingestion. A one-second window keeps their history (a list of
# request times, stored whole in the cache on every request) as short as
# production's at its own rates, rather than growing with N.
THROTTLE_RATE = "1000000/s"
API_PATH = "/api/v1/responses/"
FLOOR_PATH = "/floor/responses/"
# As a TLS-terminating proxy in front of production forwards requests.
PROXY_HEADERS = {"Host": "localhost", "X-Forwarded-Proto": "https"}


@dataclass
class Measurement:
    n: int
    seconds: float
    cpu: dict[str, float] = field(default_factory=dict)
    load: http_load.LoadResult | None = None  # single posts only

    @property
    def rate(self) -> float:
        return self.n / self.seconds

    @property
    def busy_neighbours(self) -> float:
        capacity = self.cpu["wall"] * (os.cpu_count() or 1)
        return self.cpu["other"] / capacity if capacity else 0.0


# --- Data -------------------------------------------------------------------


def _survey():
    from surveys.models import Survey

    survey, _ = Survey.objects.get_or_create(
        slug=SURVEY_SLUG, defaults={"name": "Bench ingest", "status": Survey.Status.ACTIVE}
    )
    return survey


def _truncate_responses() -> None:
    from django.db import connection

    from surveys.models import Response

    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Response._meta.db_table)
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")


def _stored(prefix: str) -> int:
    from surveys.models import Response

    return Response.objects.filter(idempotency_key__startswith=prefix).count()


def _measured(meter: infra.CpuMeter, seconds: float, n: int, **extra) -> Measurement:
    return Measurement(n=n, seconds=seconds, cpu=meter.stop(), **extra)


# --- Bulk: the API against bulk_create ---------------------------------------


def measure_bulk_floor(ctx, survey, specs) -> Measurement:
    """The same rows as the API stores, built as model instances and stored
    with ``bulk_create``, one call (one transaction) per 1000."""
    from django.utils import timezone

    from surveys.models import Response

    _truncate_responses()
    meter = infra.CpuMeter(None, ctx.env.database_name).start()
    t0 = time.perf_counter()
    now = timezone.now()
    for start in range(0, len(specs), API_BATCH):
        Response.objects.bulk_create(response_rows(survey, specs[start : start + API_BATCH], now))
    measurement = _measured(meter, time.perf_counter() - t0, len(specs))
    if (stored := _stored("bench-")) != len(specs):
        raise infra.BenchError(f"bulk_create stored {stored} of {len(specs)} responses.")
    return measurement


def measure_bulk_api(ctx, prepared, n: int) -> Measurement:
    """``POST /api/v1/responses/bulk/`` through the real URL, view, token,
    permissions, throttles, validation, ``surveys.ingestion`` and the
    hand-off on commit; in this process, so no HTTP server is measured."""
    _truncate_responses()
    infra.flush_broker(ctx.env.broker_url)
    meter = infra.CpuMeter(None, ctx.env.database_name).start()
    t0 = time.perf_counter()
    _ingest_api(prepared, {}, t0)
    measurement = _measured(meter, time.perf_counter() - t0, n)
    if (stored := _stored("bench-")) != n:
        raise infra.BenchError(f"The bulk API answered for {n} responses but {stored} are stored.")
    infra.flush_broker(ctx.env.broker_url)
    return measurement


# --- Single posts: gunicorn serving the API against a plain view --------------


def _api_token() -> str:
    """A token with the ``ingest`` scope, made as an operator makes one, so
    each request checks the permissions a real integration's token has."""
    from django.core.management import call_command

    out = StringIO()
    call_command(
        "api_token",
        "create",
        "bench-ingest",
        "--create-user",
        "--scope",
        "ingest",
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue().strip()


def api_bodies(survey, specs, prefix: str) -> list[str]:
    """One JSON body per answer, each with its own idempotency key, its
    customer known by email (as the bulk path sends them)."""
    return [
        json.dumps(
            {
                "survey": survey.slug,
                "customer": {"email": customer.email},
                "score": score,
                "comment": comment,
                "idempotency_key": f"{prefix}{index}",
            }
        )
        for index, (customer, score, comment) in enumerate(specs)
    ]


def _api_requests(survey, specs, token: str, prefix: str) -> list[bytes]:
    headers = {**PROXY_HEADERS, "Authorization": f"Token {token}"}
    return [
        http_load.post_request(API_PATH, body.encode(), headers)
        for body in api_bodies(survey, specs, prefix)
    ]


def _floor_requests(survey, specs, prefix: str) -> list[bytes]:
    """The same answers for ``bench.http_floor``, which trusts ids as given."""
    return [
        http_load.post_request(
            FLOOR_PATH,
            json.dumps(
                {
                    "survey": survey.pk,
                    "customer": customer.pk,
                    "score": score,
                    "comment": comment,
                    "idempotency_key": f"{prefix}{index}",
                }
            ).encode(),
            PROXY_HEADERS,
        )
        for index, (customer, score, comment) in enumerate(specs)
    ]


def _server_env(ctx, settings_module: str) -> dict[str, str]:
    return {
        **ctx.env.subprocess_env(),
        "DJANGO_SETTINGS_MODULE": settings_module,
        # Throttle counts shared by the two workers, as production needs them.
        "CACHE_URL": ctx.env.broker_url,
        "API_THROTTLE_USER": THROTTLE_RATE,
        "API_THROTTLE_INGEST": THROTTLE_RATE,
    }


def _warm_up(ctx, server: http_load.Gunicorn, requests: list[bytes], what: str) -> None:
    """Untimed requests, so both workers have imported, connected and
    compiled what a request needs before the clock starts; then their rows go."""
    http_load.generate_load(
        server.port,
        requests,
        concurrency=2,
        expected=201,
        timeout=min(ctx.timeout, 120),
        what=f"{what} (warm-up)",
    )
    _truncate_responses()
    infra.flush_broker(ctx.env.broker_url)


@dataclass
class SingleSide:
    """One server of the single-POST pair: its requests and their keys' prefix."""

    label: str
    server: http_load.Gunicorn
    requests: list[bytes]
    prefix: str


def measure_single_pair(
    ctx, sides: tuple[SingleSide, SingleSide], chunks: int = SINGLE_CHUNKS
) -> dict[str, Measurement]:
    """Both servers' requests, sent in ``chunks`` slices taken in turn (the
    first side's slice, the second's, the first's ...), each side's rate its
    requests over the sum of its slices' times.

    Why in turn: this machine's pace drifts over tens of seconds (the WAL's
    flushes, a neighbour on the host), and one side measured whole after the
    other saw another machine, the plain view (a third of the API's CPU per
    request, the same flush per request) most. Slices of about a second put
    both under the same drift. A slice's end costs an idle worker for about one
    request; the same per slice for both sides, a share of under 1% either way."""
    _truncate_responses()
    infra.flush_broker(ctx.env.broker_url)
    parts: dict[str, list[tuple[http_load.LoadResult, dict[str, float]]]] = {
        side.label: [] for side in sides
    }
    for index in range(chunks):
        for side in sides if index % 2 == 0 else sides[::-1]:
            part = side.requests[index::chunks]
            side.server.check_running()
            meter = infra.CpuMeter(side.server.process.pid, ctx.env.database_name).start()
            try:
                load = http_load.generate_load(
                    side.server.port,
                    part,
                    concurrency=CONCURRENCY,
                    expected=201,
                    timeout=ctx.timeout,
                    what=side.label,
                )
            except infra.BenchError as exc:
                raise infra.BenchError(f"{exc}\nServer log:\n{side.server.output_tail()}") from None
            parts[side.label].append((load, meter.stop()))
    measurements = {}
    for side in sides:
        if (stored := _stored(side.prefix)) != len(side.requests):
            raise infra.BenchError(
                f"{side.label}: every one of {len(side.requests)} requests was answered 201, "
                f"but {stored} responses are stored."
            )
        load = http_load.LoadResult.combined([load for load, _cpu in parts[side.label]])
        cpu = {key: sum(c[key] for _l, c in parts[side.label]) for key in parts[side.label][0][1]}
        measurements[side.label] = Measurement(n=load.n, seconds=load.seconds, cpu=cpu, load=load)
    infra.flush_broker(ctx.env.broker_url)
    return measurements


def _latencies(ctx, api_server, floor_server, survey, specs, token: str) -> dict:
    """p50 / p95 / p99 of both servers at half their maximum rate, from
    locust (``bench.latency``), each on an empty table."""
    customers = specs[: max(ctx.n // SINGLE_SHARE, WARM_UP)]
    sides = {
        "API": (
            api_server,
            {
                "path": API_PATH,
                "headers": {**PROXY_HEADERS, "Authorization": f"Token {token}"},
                "survey": survey.slug,
                "customers": [customer.email for customer, _score, _comment in customers],
                "customer_field": "email",
                "prefix": "latency-api-",
            },
        ),
        "floor": (
            floor_server,
            {
                "path": FLOOR_PATH,
                "headers": PROXY_HEADERS,
                "survey": survey.pk,
                "customers": [customer.pk for customer, _score, _comment in customers],
                "customer_field": "id",
                "prefix": "latency-floor-",
            },
        ),
    }
    measured = {}
    for label, (server, spec) in sides.items():
        _truncate_responses()
        infra.flush_broker(ctx.env.broker_url)
        server.check_running()
        try:
            measured[label] = latency.measure(
                server.port, spec, what=f"single POST, {label}", env=dict(os.environ)
            )
        except infra.BenchError as exc:
            raise infra.BenchError(f"{exc}\nServer log:\n{server.output_tail()}") from None
        print(latency.line(measured[label], label), flush=True)
    return measured


# --- The figures ------------------------------------------------------------


def _median(values) -> float:
    return statistics.median(values)


def _cpu_details(measurements: list[Measurement], label: str, unit: str) -> dict:
    n = measurements[0].n
    groups = {"worker": "server (gunicorn)", "bench": "bench process"}
    details = {}
    for group in ("worker", "bench", "postgres", "redis", "other", "idle"):
        if group == "worker" and measurements[0].load is None:
            continue
        per_item = _median(m.cpu[group] for m in measurements) / n * 1000
        details[f"{label}: CPU {groups.get(group, group)}, ms per {unit}"] = round(per_item, 3)
    details[f"{label}: CPU taken by other processes, % (per run)"] = ", ".join(
        f"{m.busy_neighbours:.0%}" for m in measurements
    )
    return details


def _latency_details(measurements: list[Measurement], label: str) -> dict:
    details = {}
    for name, share in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        value = _median(m.load.percentile(share) for m in measurements) * 1000
        details[f"{label}: latency {name}, ms"] = round(value, 2)
    per_request = _median(m.load.client_cpu / m.n for m in measurements) * 1000
    details[f"{label}: load generator CPU, ms per request"] = round(per_request, 3)
    opened = _median(m.load.connections / m.n for m in measurements)
    details[f"{label}: connections opened per request"] = round(opened, 2)
    return details


def _progress(index: int, runs: int, label: str, m: Measurement, unit: str) -> None:
    busy = m.busy_neighbours
    print(
        f"   run {index + 1}/{runs} {label:<14} {m.n:>6} {m.rate:9.1f} {unit}/s  "
        f"({m.seconds:.2f} s; other processes took {busy:.0%} of the CPU"
        f"{', NOISY' if busy > NOISY_SHARE else ''})",
        flush=True,
    )


def run(ctx) -> tuple[list[Figure], list[str]]:
    from django.urls import reverse

    n_single = max(ctx.n // SINGLE_SHARE, 1)
    survey = _survey()
    specs = _reset(max(ctx.n, n_single, WARM_UP))
    bulk_specs = specs[: ctx.n]
    single_specs = specs[:n_single]
    # Static files are not collected for the bench; WhiteNoise says so once.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    prepared = _prepare_api(survey, bulk_specs)
    warm = _prepare_api(survey, specs[:WARM_UP])
    _ingest_api(warm, {}, time.perf_counter())  # untimed: imports, connections, caches
    if reverse("api:response-list") != API_PATH:
        raise infra.BenchError(f"The API's responses URL is not {API_PATH}.")

    token = _api_token()
    api_requests = _api_requests(survey, single_specs, token, "single-api-")
    floor_requests = _floor_requests(survey, single_specs, "single-floor-")

    bulk_api: list[Measurement] = []
    bulk_floor: list[Measurement] = []
    single_api: list[Measurement] = []
    single_floor: list[Measurement] = []
    api_server = http_load.Gunicorn(
        _server_env(ctx, "nps_project.settings.production"), label="ingest-api"
    )
    floor_server = http_load.Gunicorn(
        _server_env(ctx, "bench.http_floor_settings"), label="ingest-floor"
    )
    with api_server, floor_server:
        api_server.start()
        floor_server.start()
        _warm_up(
            ctx,
            api_server,
            _api_requests(survey, specs[:WARM_UP], token, "warm-api-"),
            "single POST, API",
        )
        _warm_up(
            ctx,
            floor_server,
            _floor_requests(survey, specs[:WARM_UP], "warm-floor-"),
            "single POST, floor",
        )
        single_sides = (
            SingleSide("single POST, floor", floor_server, floor_requests, "single-floor-"),
            SingleSide("single POST, API", api_server, api_requests, "single-api-"),
        )
        for index in range(ctx.runs):
            bulk = (
                ("bulk floor", bulk_floor, lambda: measure_bulk_floor(ctx, survey, bulk_specs)),
                ("bulk API", bulk_api, lambda: measure_bulk_api(ctx, prepared, len(bulk_specs))),
            )
            for label, results, measure in bulk if index % 2 == 0 else bulk[::-1]:
                measurement = measure()
                results.append(measurement)
                _progress(index, ctx.runs, label, measurement, "responses")
            single = measure_single_pair(
                ctx, single_sides if index % 2 == 0 else single_sides[::-1]
            )
            for label, results, side in (
                ("single floor", single_floor, single_sides[0]),
                ("single API", single_api, single_sides[1]),
            ):
                results.append(single[side.label])
                _progress(index, ctx.runs, label, single[side.label], "requests")
        latencies = _latencies(ctx, api_server, floor_server, survey, specs, token)
    _truncate_responses()
    infra.flush_broker(ctx.env.broker_url)

    figures = [
        Figure(
            name="ingest.bulk_api.responses_per_s",
            unit="responses/s",
            runs=[m.rate for m in bulk_api],
            floor_name="bulk_create, 1000 a call",
            floor_runs=[m.rate for m in bulk_floor],
            target=0.5,
            details={
                "bulk API: seconds": round(_median(m.seconds for m in bulk_api), 3),
                "floor: seconds": round(_median(m.seconds for m in bulk_floor), 3),
                **_cpu_details(bulk_api, "bulk API", "response"),
                **_cpu_details(bulk_floor, "floor", "response"),
            },
            note=(
                f"N = {len(bulk_specs):,} responses (20% detractors, 30% passives, 50% "
                "promoters; four languages; some comments; existing customers named by "
                "email) posted to POST /api/v1/responses/bulk/, 1000 a request, with an API "
                "token, through Django's test client in the bench process; each request one "
                "transaction handed to routing on commit (published to Redis; no worker "
                "runs). Floor: the same rows built as Response instances and stored with "
                "Response.objects.bulk_create, one call (one transaction) per 1000."
            ),
        ),
        Figure(
            name="ingest.single_post.requests_per_s",
            unit="requests/s",
            runs=[m.rate for m in single_api],
            floor_name="plain view, one INSERT",
            floor_runs=[m.rate for m in single_floor],
            target=0.6,
            details={
                **latency.details(latencies["API"], "API"),
                **latency.details(latencies["floor"], "floor"),
                **_latency_details(single_api, "API"),
                **_latency_details(single_floor, "floor"),
                **_cpu_details(single_api, "API", "request"),
                **_cpu_details(single_floor, "floor", "request"),
            },
            note=(
                f"N/{SINGLE_SHARE} = {n_single:,} answers per run, each its own POST "
                f"/api/v1/responses/ (token with the ingest scope, a new customer-by-email "
                f"lookup, its own idempotency key), {CONCURRENCY} at a time, to `gunicorn "
                "nps_project.wsgi:application --workers 2 --access-logfile -` on 127.0.0.1 "
                "(production settings, throttles in Redis raised to "
                f"{THROTTLE_RATE}); every answer 201 and stored. Floor: the same command "
                "with DJANGO_SETTINGS_MODULE=bench.http_floor_settings, a plain Django view "
                "that stores each answer with one INSERT. The two servers take a run's "
                f"requests in {SINGLE_CHUNKS} slices each, in turn (floor, API, API, floor "
                "...), so that both see the same drift of the machine's pace; each rate is "
                "its requests over the sum of its slices' times. Latencies from the load "
                "generator (bench.http_load), connecting included. Then, on the same servers, "
                f"locust (headless, {latency.PROBE_USERS} users without waiting for "
                f"{latency.PROBE_SECONDS} s) finds each one's maximum rate, and "
                f"{latency.STEADY_USERS} users at {latency.LOAD_SHARE:.0%} of it for "
                f"{latency.STEADY_SECONDS} s give p50 / p95 / p99 (bench.latency)."
            ),
        ),
    ]
    everything = [*bulk_api, *bulk_floor, *single_api, *single_floor]
    noisy = [m for m in everything if m.busy_neighbours > NOISY_SHARE]
    notes = (
        [
            f"**Noisy:** in {len(noisy)} of {len(everything)} measurements other processes "
            f"took more than {NOISY_SHARE:.0%} of the CPU; the absolute rates are low and "
            "spread out, the per-run ratios less so. Re-run on a quiet machine."
        ]
        if noisy
        else []
    )
    notes.append(
        "CPU rows: CPU seconds per response (bulk) or request (single) of the gunicorn "
        "server (master and workers), the bench process (the bulk API runs in it; for "
        "single posts it is the load generator), PostgreSQL (the bench database's backends "
        "and the server's own processes), Redis, everything else the machine did "
        '("other") and idle.'
    )
    return figures, notes
