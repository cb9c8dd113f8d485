"""The whole loop against one empty Celery task per response (DESIGN.md, Targets).

Each run measures, one after the other on the same machine:

- floor: ``celery -A bench.celery_floor worker`` (the project's worker
  command and settings) runs one empty task per response, published with
  ``.delay()``; timed from the first publish until every task has run;
- loop, bulk API: N responses posted to ``POST /api/v1/responses/bulk/`` (1000
  a request) through Django's test client in this process, routed by
  ``celery -A nps_project worker``, every outcome created and every email sent
  to an SMTP sink; timed from the first request until the database says every
  response is routed and every email is sent, and the sink has them all;
- loop, one by one: the same through ``surveys.services.response_record``,
  one call (one transaction, one hand-off) per response.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import time
import warnings
from dataclasses import dataclass, field

from followups.outbox.sending import messages_send
from followups.routing import responses_route

from . import infra
from .report import Figure

DESCRIPTION = (
    "The whole loop (ingest -> route -> outcome -> email sent), measured end to end "
    "against a real worker (`celery -A nps_project worker -Q routing,email,default "
    "--concurrency 2 -P prefork`, production settings, CONN_MAX_AGE=600), PostgreSQL, "
    "Redis and an SMTP sink; the floor is the same worker command and settings running one "
    "empty Celery task per response (`-A bench.celery_floor`)."
)
DEFAULT_N = 10_000
FLOOR_NAME = "empty task/response"
POLL_SECONDS = 0.2
# Every this many polls the full progress is read even without a cheap signal.
FULL_CHECK_POLLS = 10
# Above this share of the CPU taken by other processes, a run is flagged noisy.
NOISY_SHARE = 0.15
SEED = 2026

# A realistic mix (NPS about +30): 20% detractors, 30% passives, 50% promoters.
SCORE_WEIGHTS = {0: 2, 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 8, 7: 13, 8: 17, 9: 25, 10: 25}
LOCALE_WEIGHTS = {"en": 70, "pl": 10, "ru": 10, "zh-hans": 10}
SEGMENTS = ("consumer", "smb", "enterprise")
COMMENTS = (
    "",
    "",
    "",
    "Delivery took two weeks longer than promised.",
    "Support solved my problem on the first call.",
    "Good value, but the app logs me out all the time.",
    "Great product, I already told my colleagues.",
)


@dataclass
class Measurement:
    seconds: float
    n: int
    phases: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    sessions: int | None = None  # PostgreSQL connections opened during the measurement

    @property
    def rate(self) -> float:
        return self.n / self.seconds

    @property
    def busy_neighbours(self) -> float:
        """The share of the machine's CPU that processes other than the bench's
        took during the measurement."""
        capacity = self.cpu["wall"] * (os.cpu_count() or 1)
        return self.cpu["other"] / capacity if capacity else 0.0


# --- Data -------------------------------------------------------------------


def _catalogue():
    """The survey, with the offer and reward its passives and promoters get
    (the defaults the migrations create)."""
    from followups.models import Offer, Reward, SurveyIncentive
    from surveys.models import Survey

    survey, _ = Survey.objects.get_or_create(
        slug="bench-loop",
        defaults={"name": "Bench loop", "status": Survey.Status.ACTIVE},
    )
    offer = Offer.objects.filter(is_default=True, is_active=True).first()
    reward = Reward.objects.filter(is_default=True, is_active=True).first()
    if offer is None or reward is None:
        raise infra.BenchError("The migrations created no default offer or reward.")
    SurveyIncentive.objects.get_or_create(
        survey=survey, defaults={"offer": offer, "reward": reward}
    )
    return survey


def _reset(n: int):
    """Empty every table the loop writes, then create N customers (untimed).
    Returns [(customer, score, comment)] in a fixed, seeded order."""
    from django.db import connection

    from followups.models import CaseEvent, FollowUpCase, OfferGrant, OutboundMessage, RewardGrant
    from surveys.models import Customer, Invitation, Response

    tables = [
        model._meta.db_table
        for model in (
            CaseEvent,
            OutboundMessage,
            OfferGrant,
            RewardGrant,
            FollowUpCase,
            Response,
            Invitation,
            Customer,
        )
    ]
    with connection.cursor() as cursor:
        quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")

    rng = random.Random(SEED)
    locales = rng.choices(list(LOCALE_WEIGHTS), weights=list(LOCALE_WEIGHTS.values()), k=n)
    customers = Customer.objects.bulk_create(
        [
            Customer(
                email=f"customer{i}@bench.example.com",
                name=f"Customer {i}",
                external_id=f"bench-{i}",
                segment=SEGMENTS[i % len(SEGMENTS)],
                locale=locales[i],
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    scores = rng.choices(list(SCORE_WEIGHTS), weights=list(SCORE_WEIGHTS.values()), k=n)
    comments = rng.choices(COMMENTS, k=n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return list(zip(customers, scores, comments, strict=True))


# --- Ingestion ----------------------------------------------------------------
#
# Each way is a pair: ``prepare(survey, specs)`` builds what a client would
# have ready before it sends anything (untimed), ``ingest(prepared, phases, t0,
# tick)`` is the timed part; ``tick`` lets the CPU meter sample during it.

API_BATCH = 1000  # items per bulk request: the API's maximum


def _api_client():
    """A Django test client with an API key (ingest scope), addressed the
    way production settings accept requests (host ``localhost``, HTTPS)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client

    from surveys.api_keys import api_key_create

    user, _ = get_user_model().objects.get_or_create(username="bench-api")
    # The scope is what the key may do of what its user may: recording answers.
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="surveys", codename="add_response")
    )
    issued = api_key_create(user=user, name="bench", scopes=["ingest"], via="bench")
    # Static files are not collected for the bench; WhiteNoise says so once.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    return Client(HTTP_AUTHORIZATION=f"Token {issued.secret}", HTTP_HOST="localhost")


def _prepare_api(survey, specs):
    import json

    from django.urls import reverse

    payloads = []
    for start in range(0, len(specs), API_BATCH):
        items = [
            {
                "survey": survey.slug,
                "customer": {"email": customer.email},
                "score": score,
                "comment": comment,
                "idempotency_key": f"bench-{customer.pk}",
            }
            for customer, score, comment in specs[start : start + API_BATCH]
        ]
        payloads.append((json.dumps({"responses": items}), len(items)))
    return _api_client(), reverse("api:response-bulk"), payloads


def _ingest_api(prepared, phases: dict[str, float], t0: float, tick=None) -> None:
    """``POST /api/v1/responses/bulk/``, 1000 answers a request, through the
    real view (token, permissions, throttle, validation, the bulk ingestion
    service, the hand-off to routing on commit), in this process."""
    client, url, payloads = prepared
    for payload, items in payloads:
        reply = client.post(url, data=payload, content_type="application/json", secure=True)
        created = reply.json().get("created") if reply.status_code == 200 else None
        if created != items:
            raise infra.BenchError(
                f"The bulk API answered {reply.status_code}: {reply.content[:2000]!r}"
            )
        if tick is not None:
            tick()
    phases["ingest"] = time.perf_counter() - t0


def _prepare_one_by_one(survey, specs):
    return survey, specs


def _ingest_one_by_one(prepared, phases: dict[str, float], t0: float, tick=None) -> None:
    """The real service, one response (one transaction, one publish) at a time."""
    from surveys.models import Channel
    from surveys.services import response_record

    survey, specs = prepared
    for index, (customer, score, comment) in enumerate(specs):
        response_record(
            survey=survey, customer=customer, score=score, comment=comment, channel=Channel.API
        )
        if tick is not None and index % 10 == 0:
            tick()
    phases["ingest"] = time.perf_counter() - t0


INGEST = {
    "bulk_api": (_prepare_api, _ingest_api),
    "one_by_one": (_prepare_one_by_one, _ingest_one_by_one),
}


def response_rows(survey, specs, now) -> list:
    """Unsaved Response rows for (customer, score, comment) specs, as the bulk
    API would store them (its idempotency key ``bench-<customer id>``)."""
    from surveys import stats
    from surveys.models import Channel, Response

    return [
        Response(
            survey=survey,
            customer=customer,
            score=score,
            category=stats.classify(score),
            comment=comment,
            channel=Channel.API,
            submitted_at=now,
            segment=customer.segment,
            locale=customer.locale or survey.default_locale,
            idempotency_key=f"bench-{customer.pk}",
        )
        for customer, score, comment in specs
    ]


def _store_without_routing(survey, specs) -> list[int]:
    """Responses stored with one ``bulk_create`` and no hand-off (untimed)."""
    from django.utils import timezone

    from surveys.models import Response

    rows = Response.objects.bulk_create(
        response_rows(survey, specs, timezone.now()), batch_size=1000
    )
    return [row.pk for row in rows]


# --- Measurements -----------------------------------------------------------


def _progress(n: int, sink: infra.SmtpSink) -> dict[str, int]:
    return {**infra.loop_progress(), "smtp": sink.count, "n": n}


class _Polls:
    """The waits' questions, asked so the polling costs the database little:
    the full progress (a count of every email by status: a scan of the outbox
    that grows with it) only once a cheap signal says the stage may be done,
    and every FULL_CHECK_POLLS polls to catch a failed email early. Asking it
    five times a second took about a third of PostgreSQL's CPU in the
    measured loop, which the worker's figure then carried."""

    def __init__(self, n: int, sink: infra.SmtpSink) -> None:
        self.n = n
        self.sink = sink
        self.polls = 0

    def _state(self) -> dict[str, int]:
        state = _progress(self.n, self.sink)
        if state["failed"]:
            raise infra.BenchError(f"{state['failed']} email(s) failed. Progress: {state}.")
        return state

    def _due_for_full_check(self) -> bool:
        self.polls += 1
        return self.polls % FULL_CHECK_POLLS == 0

    def routed(self) -> bool:
        from surveys.models import Response

        # The partial index of unrouted answers makes this a short index scan.
        maybe = not Response.objects.filter(routed_at__isnull=True).exists()
        if not (maybe or self._due_for_full_check()):
            return False
        state = self._state()
        return state["responses"] == self.n and state["unrouted"] == 0

    def sent(self) -> bool:
        if not (self.sink.count >= self.n or self._due_for_full_check()):
            return False
        state = self._state()
        return state["sent"] == self.n and state["smtp"] >= self.n


def _verify(specs, sink: infra.SmtpSink) -> None:
    """Every response has exactly its one outcome and one email, sent once."""
    from followups.models import FollowUpCase, OfferGrant, OutboundMessage, RewardGrant
    from surveys import stats

    expected = {stats.DETRACTOR: 0, stats.PASSIVE: 0, stats.PROMOTER: 0}
    for _, score, _ in specs:
        expected[stats.classify(score)] += 1
    found = {
        stats.DETRACTOR: FollowUpCase.objects.count(),
        stats.PASSIVE: OfferGrant.objects.count(),
        stats.PROMOTER: RewardGrant.objects.count(),
    }
    emails = OutboundMessage.objects.count()
    if found != expected or emails != len(specs) or sink.count != len(specs):
        raise infra.BenchError(
            f"The loop's outcome is wrong: expected {expected} and {len(specs)} emails, "
            f"found {found}, {emails} email rows and {sink.count} messages at the SMTP sink."
        )


def _postgres_sessions() -> int:
    """Sessions ever opened to this database (counted when they end)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


# Untimed answers through the whole loop before the clock starts, one per
# outcome, as the floor runs one empty task first: both clocks then start on a
# worker whose pool has run the code it is measured on.
WARM_UP_SCORES = (3, 7, 10)


def _warm_up(ctx, survey, sink: infra.SmtpSink, worker: infra.Worker) -> None:
    """Record WARM_UP_SCORES' answers the one-by-one way and wait until their
    emails reach the sink; the caller then empties the tables again."""
    from django.conf import settings

    from surveys.models import Channel
    from surveys.services import response_record

    specs = _reset(len(WARM_UP_SCORES))
    sink.reset()
    for (customer, _, _), score in zip(specs, WARM_UP_SCORES, strict=True):
        response_record(survey=survey, customer=customer, score=score, channel=Channel.API)

    def done() -> bool:
        state = infra.loop_progress()
        return sink.count >= len(WARM_UP_SCORES) and state["sent"] == len(WARM_UP_SCORES)

    infra.wait_until(
        done,
        deadline=time.perf_counter() + min(ctx.timeout, 60),
        interval=0.05,
        what="the loop worker's warm-up answers to be sent",
        status=worker.output_tail,
    )
    # The last answer's coalesced routing run may still be due: let it pass
    # before the tables are emptied under it.
    time.sleep(settings.NPS_ROUTING_COALESCE_SECONDS + 0.5)


def measure_loop(ctx, survey, sink: infra.SmtpSink, path: str, n: int) -> Measurement:
    from nps_project.celery import app

    with infra.Worker(ctx.env, app="nps_project", label="loop") as worker:
        infra.flush_broker(ctx.env.broker_url)
        worker.start(infra.celery_ping(app))
        _warm_up(ctx, survey, sink, worker)
        specs = _reset(n)
        prepare, ingest = INGEST[path]
        prepared = prepare(survey, specs)
        sink.reset()
        sessions_before = _postgres_sessions()
        meter = infra.CpuMeter(worker.process.pid, ctx.env.database_name).start()
        phases: dict[str, float] = {}
        t0 = time.perf_counter()
        deadline = t0 + ctx.timeout
        ingest(prepared, phases, t0, tick=meter.sample)

        def status() -> str:
            return f"Progress: {_progress(n, sink)}.\nWorker log:\n{worker.output_tail()}"

        polls = _Polls(n, sink)

        def routed() -> bool:
            meter.sample()
            return polls.routed()

        def sent() -> bool:
            meter.sample()
            return polls.sent()

        what = f"{n} responses to be routed ({path})"
        t_routed = infra.wait_until(
            routed, deadline=deadline, interval=POLL_SECONDS, what=what, status=status
        )
        what = f"{n} emails to be sent ({path})"
        t_sent = infra.wait_until(
            sent, deadline=deadline, interval=POLL_SECONDS, what=what, status=status
        )
        cpu = meter.stop()
    _verify(specs, sink)
    # The clock stops when the sink accepted the last email, not when a poll
    # (every POLL_SECONDS) saw it: a fifth of a second is an eighth of a run of
    # the one-by-one path. The wait above only confirms every row is sent.
    last_email = sink.last_at if t0 < sink.last_at <= t_sent else t_sent
    time.sleep(1)  # PostgreSQL publishes its session count about once a second
    phases["all routed"] = t_routed - t0
    phases["all sent"] = last_email - t0
    phases["all sent, seen by a poll"] = t_sent - t0
    sessions = _postgres_sessions() - sessions_before
    return Measurement(seconds=last_email - t0, n=n, phases=phases, cpu=cpu, sessions=sessions)


def measure_floor(ctx) -> Measurement:
    import redis

    from nps_project.celery import app

    from .celery_floor import noop

    n = ctx.n
    infra.flush_broker(ctx.env.broker_url)
    client = redis.Redis.from_url(ctx.env.broker_url, socket_timeout=5)
    with infra.Worker(ctx.env, app="bench.celery_floor", label="floor") as worker:
        worker.start(infra.celery_ping(app))
        # One task first, untimed: the producer's connection and a pool child
        # are ready when the clock starts.
        warm_key = f"bench:floor:warm:{secrets.token_hex(4)}"
        noop.delay(warm_key)
        infra.wait_until(
            lambda: client.get(warm_key) is not None,
            deadline=time.perf_counter() + 30,
            interval=0.05,
            what="the floor worker's first task",
            status=worker.output_tail,
        )
        key = f"bench:floor:{secrets.token_hex(4)}"
        meter = infra.CpuMeter(worker.process.pid, ctx.env.database_name).start()
        t0 = time.perf_counter()
        for _ in range(n):
            noop.delay(key)
        published = time.perf_counter() - t0
        t_done = infra.wait_until(
            lambda: int(client.get(key) or 0) >= n,
            deadline=t0 + ctx.timeout,
            interval=0.05,
            what=f"{n} empty tasks to run",
            status=lambda: f"{int(client.get(key) or 0)} ran.\n{worker.output_tail()}",
        )
        cpu = meter.stop()
    client.close()
    return Measurement(seconds=t_done - t0, n=n, phases={"publish": published}, cpu=cpu)


# --- Round trips, counted in-process ---------------------------------------


def count_round_trips(survey, n: int = 200) -> dict[str, float]:
    """Statements (BEGIN, SAVEPOINT and COMMIT included) that routing and
    sending send to PostgreSQL per response, counted by running the worker's
    service functions in this process on N fresh responses (untimed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from followups.models import OutboundMessage

    specs = _reset(n)
    ids = _store_without_routing(survey, specs)
    # The sending messages routing publishes go to the bench broker, which no
    # worker reads now; the caller flushes it.
    with CaptureQueriesContext(connection) as routing:
        result = responses_route(response_ids=ids)
    locmem = "django.core.mail.backends.locmem.EmailBackend"
    with override_settings(EMAIL_BACKEND=locmem), CaptureQueriesContext(connection) as sending:
        messages_send(message_ids=result.email_ids)
    unsent = OutboundMessage.objects.exclude(status=OutboundMessage.Status.SENT)
    if len(result.email_ids) != n or unsent.exists():
        problem = unsent.exclude(last_error="").values_list("last_error", flat=True).first()
        raise infra.BenchError(
            f"Counting statements: {len(result.email_ids)} of {n} responses got an email and "
            f"{unsent.count()} email(s) were not sent ({problem or 'no error recorded'})."
        )
    return {
        "statements per response, routing (in-process count)": round(
            len(routing.captured_queries) / n, 2
        ),
        "statements per email, sending (in-process count)": round(
            len(sending.captured_queries) / max(len(result.email_ids), 1), 2
        ),
    }


# --- The figures ------------------------------------------------------------


def _median(values) -> float:
    return statistics.median(values)


def _details(measurements: list[Measurement]) -> dict[str, float]:
    n = measurements[0].n
    details = {}
    for phase in measurements[0].phases:
        details[f"{phase}, s"] = round(_median(m.phases[phase] for m in measurements), 3)
    details["wall, s"] = round(_median(m.seconds for m in measurements), 3)
    details["CPU taken by other processes, % (per run)"] = ", ".join(
        f"{m.busy_neighbours:.0%}" for m in measurements
    )
    for group in ("worker", "postgres", "redis", "bench", "other", "idle"):
        per_item = _median(m.cpu[group] for m in measurements) / n * 1000
        details[f"CPU {group}, ms per response"] = round(per_item, 3)
    if measurements[0].sessions is not None:
        opened = _median(m.sessions for m in measurements) / n * 100
        details["PostgreSQL connections opened per 100 responses"] = round(opened, 1)
    return details


# The one-by-one path's share of N. Its clock stops at the last email, which
# leaves at least NPS_ROUTING_COALESCE_SECONDS (0.25 s) plus one routing run
# and one send after the last answer, by design (answers are routed in
# batches): with N/20 (500 answers, 1.1 s of recording) that tail was a third
# of the time measured, and the figure measured the coalescing window more
# than the rate. With N/5 it is about a tenth.
ONE_BY_ONE_SHARE = 5


def run(ctx) -> tuple[list[Figure], list[str]]:
    survey = _catalogue()
    n_one_by_one = max(ctx.n // ONE_BY_ONE_SHARE, 1)
    floors: list[Measurement] = []
    bulk_api: list[Measurement] = []
    one_by_one: list[Measurement] = []
    with infra.SmtpSink() as sink:
        ctx.env.email_url = sink.url
        for index in range(ctx.runs):
            for label, results, measure in (
                ("floor", floors, lambda: measure_floor(ctx)),
                (
                    "bulk_api",
                    bulk_api,
                    lambda: measure_loop(ctx, survey, sink, "bulk_api", ctx.n),
                ),
                (
                    "one_by_one",
                    one_by_one,
                    lambda: measure_loop(ctx, survey, sink, "one_by_one", n_one_by_one),
                ),
            ):
                measurement = measure()
                results.append(measurement)
                busy = measurement.busy_neighbours
                print(
                    f"   run {index + 1}/{ctx.runs} {label:<10} {measurement.n:>6} "
                    f"{measurement.rate:9.1f} /s  ({measurement.seconds:.2f} s; other processes "
                    f"took {busy:.0%} of the CPU{', NOISY' if busy > NOISY_SHARE else ''})",
                    flush=True,
                )
    round_trips = count_round_trips(survey)
    infra.flush_broker(ctx.env.broker_url)
    floor_runs = [m.rate for m in floors]
    figures = [
        Figure(
            name="loop.responses_per_s",
            unit="responses/s",
            runs=[m.rate for m in bulk_api],
            floor_name=FLOOR_NAME,
            floor_runs=floor_runs,
            target=1.0,
            details={**_details(bulk_api), **round_trips},
            note=(
                "responses posted to the bulk API (POST /api/v1/responses/bulk/, 1000 a "
                "request, token auth, through Django's test client in the bench process: "
                "the real view and service, no HTTP server), each request one transaction "
                "handed to routing on commit; clock from the first request to the last "
                "email at the SMTP sink."
            ),
        ),
        Figure(
            name="loop.one_by_one.responses_per_s",
            unit="responses/s",
            runs=[m.rate for m in one_by_one],
            floor_name=FLOOR_NAME,
            floor_runs=floor_runs,
            target=0.5,
            details=_details(one_by_one),
            note=(
                f"N/{ONE_BY_ONE_SHARE} = {n_one_by_one:,} responses per run, each through "
                "surveys.services.response_record (one transaction and one hand-off per "
                "response, coalesced into routing runs), called in a loop by the bench; "
                "clock from the first call to the last email at the SMTP sink."
            ),
        ),
    ]
    noisy = [m for m in (*floors, *bulk_api, *one_by_one) if m.busy_neighbours > NOISY_SHARE]
    notes = (
        [
            f"**Noisy:** in {len(noisy)} of {len(floors) + len(bulk_api) + len(one_by_one)} "
            f"measurements other processes took more than {NOISY_SHARE:.0%} of the CPU; the "
            "absolute rates are low and spread out, the per-run ratios less so. Re-run on a "
            "quiet machine."
        ]
        if noisy
        else []
    )
    notes += [
        "Floor (median of runs):\n\n| detail | value |\n|---|---|\n"
        + "\n".join(f"| {key} | {value} |" for key, value in _details(floors).items()),
        "CPU rows: CPU seconds per response of the worker (parent and pool children), "
        "PostgreSQL (the bench database's backends and the server's own processes), Redis, "
        "the bench process (ingestion, polling, the SMTP sink), everything else the machine "
        'did ("other": its busy time from /proc/stat minus those; a busy neighbour makes the '
        "run noisy) and idle.",
    ]
    return figures, notes
