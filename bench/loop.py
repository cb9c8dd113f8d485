"""The whole loop against one empty Celery task per response (DESIGN.md, Targets).

Each run measures, one after the other on the same machine:

- floor: ``celery -A bench.celery_floor worker`` (the project's worker
  command and settings) runs one empty task per response, published with
  ``.delay()``; timed from the first publish until every task has run;
- loop, bulk: N responses stored with one ``bulk_create`` in one transaction
  and handed to routing through ``surveys.handoff.response_recorded`` on commit
  (what the bulk ingestion API will do; it does not exist yet), routed by
  ``celery -A nps_project worker``, every outcome created and every email sent
  to an SMTP sink; timed from the start of ingestion until the database says
  every response is routed and every email is sent, and the sink has them all;
- loop, one by one: the same through ``surveys.services.response_record``,
  one call (one transaction, one routing message) per response.
"""

from __future__ import annotations

import random
import secrets
import statistics
import time
from dataclasses import dataclass, field

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

    @property
    def rate(self) -> float:
        return self.n / self.seconds


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

    from followups.models import (
        CaseEvent,
        FollowUpCase,
        OfferGrant,
        OutboundEmail,
        RewardGrant,
    )
    from surveys.models import Customer, Invitation, Response

    tables = [
        model._meta.db_table
        for model in (
            CaseEvent,
            OutboundEmail,
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


# --- Ingestion, two ways ----------------------------------------------------


def _ingest_bulk(survey, specs, phases: dict[str, float], t0: float) -> None:
    """One transaction of ``bulk_create``; on commit, one hand-off of every id
    (published in batches of NPS_ROUTING_BATCH_SIZE)."""
    from django.db import transaction
    from django.utils import timezone

    from surveys import handoff, stats
    from surveys.models import Channel, Response

    now = timezone.now()

    def publish(ids: list[int]) -> None:
        phases["ingest"] = time.perf_counter() - t0
        handoff.response_recorded(ids)
        phases["publish"] = time.perf_counter() - t0 - phases["ingest"]

    rows = [
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
        )
        for customer, score, comment in specs
    ]
    with transaction.atomic():
        created = Response.objects.bulk_create(rows, batch_size=1000)
        ids = [row.pk for row in created]
        transaction.on_commit(lambda: publish(ids))


def _ingest_one_by_one(survey, specs, phases: dict[str, float], t0: float) -> None:
    """The real service, one response (one transaction, one publish) at a time."""
    from surveys.models import Channel
    from surveys.services import response_record

    for customer, score, comment in specs:
        response_record(
            survey=survey, customer=customer, score=score, comment=comment, channel=Channel.API
        )
    phases["ingest"] = time.perf_counter() - t0


INGEST = {"bulk": _ingest_bulk, "one_by_one": _ingest_one_by_one}


# --- Measurements -----------------------------------------------------------


def _progress(n: int, sink: infra.SmtpSink) -> dict[str, int]:
    from django.db.models import Count

    from followups.models import OutboundEmail
    from surveys.models import Response

    emails = dict(
        OutboundEmail.objects.order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return {
        "responses": Response.objects.count(),
        "unrouted": Response.objects.filter(routed_at__isnull=True).count(),
        "queued": emails.get(OutboundEmail.Status.QUEUED, 0),
        "sending": emails.get(OutboundEmail.Status.SENDING, 0),
        "sent": emails.get(OutboundEmail.Status.SENT, 0),
        "failed": emails.get(OutboundEmail.Status.FAILED, 0),
        "smtp": sink.count,
        "n": n,
    }


def _verify(specs, sink: infra.SmtpSink) -> None:
    """Every response has exactly its one outcome and one email, sent once."""
    from followups.models import FollowUpCase, OfferGrant, OutboundEmail, RewardGrant
    from surveys import stats

    expected = {stats.DETRACTOR: 0, stats.PASSIVE: 0, stats.PROMOTER: 0}
    for _, score, _ in specs:
        expected[stats.classify(score)] += 1
    found = {
        stats.DETRACTOR: FollowUpCase.objects.count(),
        stats.PASSIVE: OfferGrant.objects.count(),
        stats.PROMOTER: RewardGrant.objects.count(),
    }
    emails = OutboundEmail.objects.count()
    if found != expected or emails != len(specs) or sink.count != len(specs):
        raise infra.BenchError(
            f"The loop's outcome is wrong: expected {expected} and {len(specs)} emails, "
            f"found {found}, {emails} email rows and {sink.count} messages at the SMTP sink."
        )


def measure_loop(ctx, survey, sink: infra.SmtpSink, path: str) -> Measurement:
    from nps_project.celery import app

    n = ctx.n
    specs = _reset(n)
    infra.flush_broker(ctx.env.broker_url)
    sink.reset()
    with infra.Worker(ctx.env, app="nps_project", label="loop") as worker:
        worker.start(infra.celery_ping(app))
        meter = infra.CpuMeter(worker.process.pid, ctx.env.database_name).start()
        phases: dict[str, float] = {}
        t0 = time.perf_counter()
        deadline = t0 + ctx.timeout
        INGEST[path](survey, specs, phases, t0)

        def status() -> str:
            return f"Progress: {_progress(n, sink)}.\nWorker log:\n{worker.output_tail()}"

        def routed() -> bool:
            state = _progress(n, sink)
            if state["failed"]:
                raise infra.BenchError(f"{state['failed']} email(s) failed. {status()}")
            return state["responses"] == n and state["unrouted"] == 0

        def sent() -> bool:
            state = _progress(n, sink)
            if state["failed"]:
                raise infra.BenchError(f"{state['failed']} email(s) failed. {status()}")
            return state["sent"] == n and state["smtp"] >= n

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
    phases["all routed"] = t_routed - t0
    phases["all sent"] = t_sent - t0
    return Measurement(seconds=t_sent - t0, n=n, phases=phases, cpu=cpu)


def measure_floor(ctx) -> Measurement:
    import redis

    from nps_project.celery import app

    from .celery_floor import noop

    n = ctx.n
    infra.flush_broker(ctx.env.broker_url)
    client = redis.Redis.from_url(ctx.env.broker_url, socket_timeout=5)
    with infra.Worker(ctx.env, app="bench.celery_floor", label="floor") as worker:
        worker.start(infra.celery_ping(app))
        # Warm up the producer's connection and a pool child, as the loop's are.
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


# --- The figures ------------------------------------------------------------


def _median(values) -> float:
    return statistics.median(values)


def _details(measurements: list[Measurement]) -> dict[str, float]:
    n = measurements[0].n
    details = {}
    for phase in measurements[0].phases:
        details[f"{phase}, s"] = round(_median(m.phases[phase] for m in measurements), 3)
    details["wall, s"] = round(_median(m.seconds for m in measurements), 3)
    for group in ("worker", "postgres", "redis", "bench", "other", "idle"):
        per_item = _median(m.cpu[group] for m in measurements) / n * 1000
        details[f"CPU {group}, ms per response"] = round(per_item, 3)
    return details


def run(ctx) -> tuple[list[Figure], list[str]]:
    survey = _catalogue()
    floors: list[Measurement] = []
    loops: dict[str, list[Measurement]] = {path: [] for path in INGEST}
    with infra.SmtpSink() as sink:
        ctx.env.email_url = sink.url
        for index in range(ctx.runs):
            for label, measure in (
                ("floor", lambda: measure_floor(ctx)),
                ("bulk", lambda: measure_loop(ctx, survey, sink, "bulk")),
                ("one_by_one", lambda: measure_loop(ctx, survey, sink, "one_by_one")),
            ):
                measurement = measure()
                (floors if label == "floor" else loops[label]).append(measurement)
                print(
                    f"   run {index + 1}/{ctx.runs} {label:<10} {measurement.rate:9.1f} /s"
                    f"  ({measurement.seconds:.2f} s)",
                    flush=True,
                )
    floor_runs = [m.rate for m in floors]
    figures = [
        Figure(
            name="loop.responses_per_s",
            unit="responses/s",
            runs=[m.rate for m in loops["bulk"]],
            floor_name=FLOOR_NAME,
            floor_runs=floor_runs,
            target=1.0,
            details=_details(loops["bulk"]),
            note=(
                "responses stored by one bulk_create and handed to routing once on commit "
                "(the service path the bulk API will use; the API endpoint does not exist "
                "yet); clock from the start of ingestion to the last email at the sink."
            ),
        ),
        Figure(
            name="loop.one_by_one.responses_per_s",
            unit="responses/s",
            runs=[m.rate for m in loops["one_by_one"]],
            floor_name=FLOOR_NAME,
            floor_runs=floor_runs,
            target=1.0,
            details=_details(loops["one_by_one"]),
            note=(
                "each response through surveys.services.response_record (one transaction "
                "and one routing message per response), called in a loop by the bench."
            ),
        ),
    ]
    notes = ["Floor details: " + ", ".join(f"{k} = {v}" for k, v in _details(floors).items()) + "."]
    return figures, notes
