"""Fault drills (DESIGN.md, "Reliability, as drills").

Each drill sets up a fault, runs a load through a real worker
(``celery -A nps_project worker -Q routing,email,default --concurrency 2``,
production settings), checks the invariant and prints PASS or FAIL with
figures. The invariant after every drill: every response is routed, has
exactly one outcome (case / offer grant / reward grant, per its category),
exactly one OutboundMessage, sent, and exactly one message at the SMTP sink:
one Message-ID, the outbox row's (a worker killed between the server's "250 OK"
and its own record of it sends that same message again, which is counted and
reported as a retransmission; SMTP has no two-phase commit); none is lost.

Isolation: its own redis-server on 127.0.0.1:6391 (started and stopped here),
its own PostgreSQL database ``nps_drills`` (dropped and recreated), its own
aiosmtpd sink on a free port. The sweeper runs in this process: a thread
calls ``followups.sweep.lost_work_sweep()`` every SWEEP_EVERY seconds.

    .venv/bin/python -m bench.drills          # every drill
    .venv/bin/python -m bench.drills 1 4      # some of them (--help lists them)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller

from . import infra

REDIS_PORT = 6391
BROKER_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nps_drills"
SWEEP_EVERY = 3.0
TIMEOUT = 180.0
# Drill 3 submits one by one while Redis is down; each call may wait on the broker.
SUBMIT_TIMEOUT = 600.0
SETTLE = 3.0  # seconds to wait after completion, so late duplicates would show
RESULTS = infra.ROOT / "bench" / "results" / "drills.md"
COMMAND = ".venv/bin/python -m bench.drills"
DRILL_ENV = {
    "NPS_SWEEP_GRACE_SECONDS": "2",
    "NPS_EMAIL_RETRY_BASE_SECONDS": "1",
    # Production's back-off (30 s doubling to 30 min) on a clock 30 times
    # faster: 1 s doubling to 60 s, with production's number of attempts.
    "NPS_EMAIL_RETRY_MAX_SECONDS": "60",
    # Drill 9's receiver listens on 127.0.0.1, which production refuses.
    "NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
}
# What drill 8 holds to, with production's sweep interval, grace time and lease.
PRODUCTION_SWEEP_EVERY = 30.0
PRODUCTION_SWEEP_GRACE = 30.0
MID_SEND_LIMIT = 120.0  # DESIGN.md: no email delayed by more than two minutes


class DrillError(RuntimeError):
    pass


@dataclass
class Outcome:
    name: str
    ok: bool
    figures: str


# --- Services of our own ------------------------------------------------------


class Redis:
    """redis-server on 127.0.0.1:6391, owned by this process, no persistence."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DrillError(f"redis-server on port {REDIS_PORT} exited at start.")
            with contextlib.suppress(Exception):
                client = redis.Redis(port=REDIS_PORT, socket_timeout=1)
                try:
                    if client.ping():
                        return
                finally:
                    client.close()
            time.sleep(0.1)
        raise DrillError(f"redis-server on port {REDIS_PORT} did not answer.")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


class _Handler:
    """Counts messages per recipient, and the distinct Message-IDs among them;
    answers 451 to DATA while ``down``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.per_recipient: Counter[str] = Counter()
        self.message_ids: defaultdict[str, set[str]] = defaultdict(set)
        self.refused = 0
        self.down = False
        # Drill 8: after taking message number ``stall_at``, wait this long
        # before saying so (a sender killed meanwhile sent a message it never
        # saw accepted); ``stalled`` is set when that happens.
        self.stall_at = 0
        self.stall_seconds = 0.0
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        headers = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(headers)
        message_id = found.group(1).decode() if found else "(none)"
        with self.lock:
            if self.down:
                self.refused += 1
                return "451 4.3.0 Mail server temporarily unavailable"
            for rcpt in envelope.rcpt_tos:
                self.per_recipient[rcpt.lower()] += 1
                self.message_ids[rcpt.lower()].add(message_id)
            stall = self.stall_at and sum(self.per_recipient.values()) == self.stall_at
        if stall:
            self.stalled.set()
            await asyncio.sleep(self.stall_seconds)
        return "250 OK"

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.per_recipient.values())

    @property
    def retransmitted(self) -> int:
        """Messages that repeated a Message-ID the recipient already had."""
        with self.lock:
            return sum(
                count - len(self.message_ids[rcpt]) for rcpt, count in self.per_recipient.items()
            )

    def reset(self) -> None:
        with self.lock:
            self.per_recipient.clear()
            self.message_ids.clear()
            self.refused = 0
            self.down = False
            self.stall_at = 0
            self.stall_seconds = 0.0
            self.stalled.clear()


class Sink:
    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = infra.free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class Sweeper:
    """Calls ``followups.sweep.lost_work_sweep()`` every SWEEP_EVERY seconds in a
    thread of this process (instead of celery beat)."""

    def __init__(self) -> None:
        self.every = SWEEP_EVERY  # drill 8 sweeps at production's interval
        self.stop_event = threading.Event()
        self.paused = threading.Event()
        self.runs = 0
        self.errors = 0
        # (perf_counter when it ended, what it re-published) of every sweep
        self.history: list[tuple[float, int]] = []
        self.thread = threading.Thread(target=self._run, daemon=True, name="sweeper")

    def _run(self) -> None:
        from django.db import connection

        from followups.sweep import lost_work_sweep

        while not self.stop_event.wait(self.every):
            if self.paused.is_set():
                continue
            try:
                result = lost_work_sweep()
                self.runs += 1
                self.history.append(
                    (time.perf_counter(), result.responses + result.messages + result.unstuck)
                )
            except Exception:
                self.errors += 1  # broker down: the next sweep tries again
                with contextlib.suppress(Exception):
                    connection.close()
        with contextlib.suppress(Exception):
            connection.close()


# --- Data and checks ------------------------------------------------------------


def _tables() -> list[str]:
    from followups.models import (
        CaseEvent,
        FollowUpCase,
        OfferGrant,
        OutboundMessage,
        RewardGrant,
        WebhookAttempt,
        WebhookEndpoint,
    )
    from surveys.models import Customer, Invitation, Response, Wave, WaveChunk

    models = (
        CaseEvent,
        WebhookAttempt,
        OutboundMessage,
        WebhookEndpoint,
        OfferGrant,
        RewardGrant,
        FollowUpCase,
        Response,
        Invitation,
        WaveChunk,
        Wave,
        Customer,
    )
    return [model._meta.db_table for model in models]


def clean(ctx: Context) -> None:
    """Empty the drill tables, the broker and the sink."""
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        quoted = ", ".join(connection.ops.quote_name(t) for t in _tables())
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    client = redis.Redis(port=REDIS_PORT, socket_timeout=5)
    try:
        client.flushall()
    finally:
        client.close()
    ctx.sink.handler.reset()


def survey():
    from followups.models import Offer, Reward, SurveyIncentive
    from surveys.models import Survey

    found, _ = Survey.objects.get_or_create(
        slug="drills", defaults={"name": "Drills", "status": Survey.Status.ACTIVE}
    )
    offer = Offer.objects.filter(is_default=True, is_active=True).first()
    reward = Reward.objects.filter(is_default=True, is_active=True).first()
    if offer is None or reward is None:
        raise DrillError("The migrations created no default offer or reward.")
    SurveyIncentive.objects.get_or_create(survey=found, defaults={"offer": offer, "reward": reward})
    return found


def customers(prefix: str, n: int):
    from surveys.models import Customer

    return Customer.objects.bulk_create(
        [
            Customer(email=f"{prefix}-{i}@drills.example.com", name=f"Customer {i}", locale="en")
            for i in range(n)
        ],
        batch_size=2000,
    )


def responses_bulk(prefix: str, n: int, *, handoff: bool = True) -> list[int]:
    """N responses (scores 0..10 in turn) in one transaction, handed over to
    routing on commit unless ``handoff`` is false."""
    from django.db import transaction
    from django.utils import timezone

    from surveys import handoff as seam
    from surveys import stats
    from surveys.models import Channel, Response

    target = survey()
    people = customers(prefix, n)
    now = timezone.now()
    rows = [
        Response(
            survey=target,
            customer=customer,
            score=i % 11,
            category=stats.classify(i % 11),
            channel=Channel.API,
            submitted_at=now,
            segment=customer.segment,
            locale="en",
        )
        for i, customer in enumerate(people)
    ]
    with transaction.atomic():
        ids = [row.pk for row in Response.objects.bulk_create(rows, batch_size=1000)]
        if handoff:
            transaction.on_commit(lambda: seam.response_recorded(ids))
    return ids


def progress(ctx: Context) -> dict[str, int]:
    return {**infra.loop_progress(), "smtp": ctx.sink.handler.total}


def wait_done(ctx: Context, n: int, deadline: float) -> float:
    """Poll until n responses are routed, n emails sent and n messages at the
    sink; returns the perf_counter time it was first seen. Raises DrillError
    with the figures on timeout."""

    def done() -> bool:
        p = progress(ctx)
        return (
            p["responses"] >= n
            and p["unrouted"] == 0
            and p["sent"] >= n
            and p["queued"] == 0
            and p["sending"] == 0
            and p["smtp"] >= n
        )

    try:
        return infra.wait_until(
            done,
            deadline=deadline,
            interval=0.2,
            what=f"{n} responses routed and emailed",
            status=lambda: f"progress={progress(ctx)}",
        )
    except infra.BenchError as exc:
        raise DrillError(str(exc)) from None


def verify(ctx: Context, n: int) -> list[str]:
    """The invariant; returns the violations (empty when it holds)."""
    from django.db.models import Count

    from followups.models import FollowUpCase, OfferGrant, OutboundMessage, RewardGrant
    from surveys import stats
    from surveys.models import Response

    problems: list[str] = []
    total = Response.objects.count()
    if total != n:
        problems.append(f"{total} responses stored, expected {n}")
    unrouted = Response.objects.filter(routed_at__isnull=True).count()
    if unrouted:
        problems.append(f"{unrouted} unrouted")
    for category, model in (
        (stats.DETRACTOR, FollowUpCase),
        (stats.PASSIVE, OfferGrant),
        (stats.PROMOTER, RewardGrant),
    ):
        expected = Response.objects.filter(category=category).count()
        matching = model.objects.filter(response__category=category).count()
        found = model.objects.count()
        if matching != expected or found != expected:
            problems.append(
                f"{category}: {expected} responses, {found} {model.__name__} "
                f"({matching} of the right category)"
            )
    emails = OutboundMessage.objects.filter(channel=OutboundMessage.Channel.EMAIL)
    per_response = Counter(
        dict(
            emails.order_by()
            .values_list("response_id")
            .annotate(c=Count("pk"))
            .values_list("response_id", "c")
        )
    )
    ids = set(Response.objects.values_list("pk", flat=True))
    missing = len(ids - set(per_response))
    doubled = sum(1 for rid, c in per_response.items() if rid in ids and c != 1)
    stray = sum(c for rid, c in per_response.items() if rid not in ids)
    sent = emails.filter(status=OutboundMessage.Status.SENT, response_id__in=ids).count()
    if missing or doubled or stray or sent != len(ids):
        problems.append(
            f"emails: {missing} responses without, {doubled} with more than one, "
            f"{stray} not tied to a response, {sent} sent of {len(ids)}"
        )
    # One email per customer means one message: SMTP has no two-phase commit,
    # so a worker killed between the server's "250 OK" and its own record of it
    # sends that message again, with the same Message-ID (a receiver drops the
    # copy). A second, different message is a violation; a retransmission is
    # counted and reported.
    expected_ids = {
        email.lower(): message_id
        for email, message_id in (
            (row.recipient, row.message_id)
            for row in emails.filter(response_id__in=ids).only("pk", "recipient")
        )
    }
    with ctx.sink.handler.lock:
        at_sink = dict(ctx.sink.handler.per_recipient)
        ids_at_sink = {rcpt: set(found) for rcpt, found in ctx.sink.handler.message_ids.items()}
    never = len(set(expected_ids) - set(at_sink))
    twice = sum(1 for found in ids_at_sink.values() if len(found) > 1)
    unknown = len(set(at_sink) - set(expected_ids))
    wrong = sum(
        1
        for rcpt, found in ids_at_sink.items()
        if rcpt in expected_ids and found != {expected_ids[rcpt]}
    )
    if never or twice or unknown or wrong:
        problems.append(
            f"SMTP sink: {never} customers got nothing, {twice} got two different messages, "
            f"{wrong} got a Message-ID other than their outbox row's, {unknown} unknown "
            f"recipients (messages={sum(at_sink.values())})"
        )
    return problems


def finish(ctx: Context, name: str, n: int, figures: list[str]) -> Outcome:
    time.sleep(SETTLE)
    problems = verify(ctx, n)
    p = progress(ctx)
    retransmitted = ctx.sink.handler.retransmitted
    figures.append(
        f"sent={p['sent']} failed={p['failed']} smtp={p['smtp']} "
        f"(retransmitted with the same Message-ID: {retransmitted})"
    )
    if problems:
        figures.append("VIOLATIONS: " + "; ".join(problems))
    errors = [figure for figure in figures if figure.startswith("ERROR")]
    return Outcome(name, not problems and not errors, ", ".join(figures))


# --- Context ------------------------------------------------------------------


@dataclass
class Context:
    env: infra.Environment
    redis: Redis
    sink: Sink
    sweeper: Sweeper
    app: object
    worker_count: int = 0

    def worker(self, queues: str = infra.QUEUES) -> infra.Worker:
        self.worker_count += 1
        worker = infra.Worker(
            self.env, app="nps_project", label=f"drill{self.worker_count}", queues=queues
        )
        return worker.start(infra.celery_ping(self.app))


def sigkill_group(worker: infra.Worker) -> None:
    if worker.process is not None and worker.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)


# --- Drills -------------------------------------------------------------------


def drill_worker_killed(ctx: Context) -> Outcome:
    """1. SIGKILL the worker's process group mid-run; start a new worker."""
    name = "1. worker SIGKILL mid-run (5,000 responses)"
    kill_after = 1000  # emails at the sink: routing and sending are both under way
    n = 5000
    figures: list[str] = []
    worker = ctx.worker()
    replacement = None
    try:
        t0 = time.perf_counter()
        deadline = t0 + TIMEOUT
        responses_bulk("kill", n)
        infra.wait_until(
            lambda: ctx.sink.handler.total >= kill_after,
            deadline=deadline,
            interval=0.05,
            what=f"{kill_after} emails before the kill",
        )
        before = progress(ctx)
        t_kill = time.perf_counter()
        sigkill_group(worker)
        figures.append(
            f"killed at {t_kill - t0:.1f} s with routed={n - before['unrouted']} "
            f"smtp={before['smtp']}"
        )
        replacement = ctx.worker()
        figures.append(f"new worker up {time.perf_counter() - t_kill:.1f} s after kill")
        t_done = wait_done(ctx, n, time.perf_counter() + TIMEOUT)
        figures.append(f"recovery (kill -> all delivered)={t_done - t_kill:.1f} s")
    except (DrillError, infra.BenchError) as exc:
        figures.append(f"ERROR: {exc}")
    finally:
        worker.stop()
        if replacement is not None:
            replacement.stop()
    return finish(ctx, name, n, figures)


def drill_redis_restarted(ctx: Context) -> Outcome:
    """2. Redis killed and started again empty mid-run."""
    name = "2. Redis restarted empty mid-run (2,000 responses)"
    n = 2000
    figures: list[str] = []
    worker = ctx.worker()
    try:
        t0 = time.perf_counter()
        responses_bulk("redis", n)
        infra.wait_until(
            lambda: ctx.sink.handler.total >= 200,
            deadline=t0 + TIMEOUT,
            interval=0.05,
            what="200 emails before the restart",
        )
        before = progress(ctx)
        ctx.redis.kill()
        time.sleep(1)
        ctx.redis.start()
        t_up = time.perf_counter()
        figures.append(
            f"restarted at {t_up - t0:.1f} s with routed={n - before['unrouted']} "
            f"smtp={before['smtp']}"
        )
        t_done = wait_done(ctx, n, t_up + TIMEOUT)
        figures.append(f"restart -> all delivered={t_done - t_up:.1f} s")
        # The work that was in Redis is gone; the sweeper must have found it and
        # published it again within two of its intervals (plus the grace time
        # a row must be left alone before it counts as lost).
        limit = 2 * SWEEP_EVERY + float(DRILL_ENV["NPS_SWEEP_GRACE_SECONDS"])
        republished = [at - t_up for at, count in ctx.sweeper.history if at > t_up and count]
        if republished:
            figures.append(
                f"restart -> first sweep re-publishing lost work={republished[0]:.1f} s "
                f"(limit: two sweep intervals + grace = {limit:.0f} s)"
            )
            if republished[0] > limit:
                late = f"the sweeper re-published lost work {republished[0]:.1f} s after"
                figures.append(f"ERROR: {late} the restart, later than {limit:.0f} s")
        elif before["unrouted"] or before["smtp"] < n:
            figures.append("ERROR: work was lost with Redis and no sweep re-published any")
    except (DrillError, infra.BenchError) as exc:
        figures.append(f"ERROR: {exc}")
    finally:
        worker.stop()
    return finish(ctx, name, n, figures)


def drill_redis_down(ctx: Context) -> Outcome:
    """3. Redis down while 200 responses are recorded one by one."""
    from django.db import connection

    from surveys.models import Channel
    from surveys.services import response_record

    name = "3. Redis down during 200 submissions"
    n = 200
    figures: list[str] = []
    worker = ctx.worker()
    try:
        target = survey()
        people = customers("down", n)
        ctx.redis.kill()
        durations: list[float] = []
        errors: list[str] = []
        # The hand-off logs a traceback per failed publish; the drill counts instead.
        quiet = logging.getLogger("surveys.handoff")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        submit_deadline = time.perf_counter() + SUBMIT_TIMEOUT
        for i, customer in enumerate(people):
            if time.perf_counter() > submit_deadline:
                figures.append(f"FAIL: only {i} of {n} submitted in {SUBMIT_TIMEOUT:.0f} s")
                break
            start = time.perf_counter()
            try:
                response_record(survey=target, customer=customer, score=i % 11, channel=Channel.API)
            except Exception as exc:  # the drill counts them
                errors.append(f"{type(exc).__name__}: {exc}")
                connection.close()
            durations.append(time.perf_counter() - start)
        quiet.setLevel(level)
        n = len(durations)
        figures.append(
            f"calls={n} exceptions={len(errors)} slowest={max(durations):.3f} s "
            f"mean={sum(durations) / n:.3f} s"
        )
        if errors:
            figures.append(f"first exception: {errors[0][:200]}")
        time.sleep(2)
        ctx.redis.start()
        t_up = time.perf_counter()
        t_done = wait_done(ctx, n, t_up + TIMEOUT)
        figures.append(f"Redis back -> all delivered={t_done - t_up:.1f} s")
        if errors:
            figures.append("FAIL: submissions raised")
    except (DrillError, infra.BenchError) as exc:
        figures.append(f"ERROR: {exc}")
    finally:
        if ctx.redis.process is None or ctx.redis.process.poll() is not None:
            ctx.redis.start()
        worker.stop()
    outcome = finish(ctx, name, n, figures)
    if any(f.startswith("FAIL:") for f in figures):
        outcome.ok = False
    return outcome


def drill_smtp_down(ctx: Context) -> Outcome:
    """4. The SMTP server answers 451 for a minute while 300 responses flow."""
    from django.db.models import Max

    from followups.models import OutboundMessage

    name = "4. SMTP down (451) for a minute (300 responses)"
    n = 300
    down_for = 60.0
    figures: list[str] = []
    worker = ctx.worker()
    try:
        ctx.sink.handler.down = True
        responses_bulk("smtp", n)
        time.sleep(down_for)
        ctx.sink.handler.down = False
        t_up = time.perf_counter()
        figures.append(f"refused while down={ctx.sink.handler.refused}")
        t_done = wait_done(ctx, n, t_up + TIMEOUT)
        most = OutboundMessage.objects.aggregate(m=Max("attempts"))["m"]
        figures.append(f"SMTP up -> all delivered={t_done - t_up:.1f} s, max attempts={most}")
    except (DrillError, infra.BenchError) as exc:
        figures.append(f"ERROR: {exc}")
    finally:
        ctx.sink.handler.down = False
        worker.stop()
    return finish(ctx, name, n, figures)


def drill_task_thrice(ctx: Context) -> Outcome:
    """5. The same routing task delivered three times at once."""
    from followups.tasks import responses_route_task

    name = "5. same routing task x3 (300 ids)"
    n = 300
    figures: list[str] = []
    worker = ctx.worker()
    try:
        ids = responses_bulk("thrice", n, handoff=False)
        t0 = time.perf_counter()
        for _ in range(3):
            responses_route_task.delay(ids)
        t_done = wait_done(ctx, n, t0 + TIMEOUT)
        figures.append(f"published 3 x {n} ids, all delivered in {t_done - t0:.1f} s")
    except (DrillError, infra.BenchError) as exc:
        figures.append(f"ERROR: {exc}")
    finally:
        worker.stop()
    return finish(ctx, name, n, figures)


def drill_concurrent_submissions(ctx: Context) -> Outcome:
    """6. 50 threads submit the same invitation at once."""
    from django.db import connection

    from surveys.models import Channel, Invitation, Response
    from surveys.services import response_record

    name = "6. 50 concurrent submissions of one invitation"
    threads_n = 50
    figures: list[str] = []
    worker = ctx.worker()
    try:
        target = survey()
        (customer,) = customers("link", 1)
        invitation = Invitation(survey=target, customer=customer, channel=Channel.EMAIL)
        invitation.prepare_token()
        invitation.save()
        barrier = threading.Barrier(threads_n)
        lock = threading.Lock()
        created: list[int] = []
        returned: set[int] = set()
        errors: list[str] = []

        def submit(i: int) -> None:
            try:
                barrier.wait(timeout=30)
                recorded = response_record(
                    survey=target,
                    customer=customer,
                    score=i % 11,
                    invitation=invitation,
                    channel=Channel.LINK,
                )
                with lock:
                    returned.add(recorded.response.pk)
                    if recorded.created:
                        created.append(recorded.response.pk)
            except Exception as exc:  # counted
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                connection.close()

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(threads_n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        stored = Response.objects.filter(invitation=invitation).count()
        figures.append(
            f"threads={threads_n} stored={stored} created=True x{len(created)} "
            f"distinct ids returned={len(returned)} exceptions={len(errors)}"
        )
        if errors:
            figures.append(f"first exception: {errors[0][:200]}")
        if stored != 1 or len(created) != 1 or len(returned) != 1 or errors:
            figures.append("FAIL: not exactly one response")
        t_done = wait_done(ctx, 1, time.perf_counter() + TIMEOUT)
        del t_done
    except (DrillError, infra.BenchError) as exc:
        figures.append(f"ERROR: {exc}")
    finally:
        worker.stop()
    outcome = finish(ctx, name, 1, figures)
    if any(f.startswith("FAIL:") for f in figures):
        outcome.ok = False
    return outcome


def drill_wave_killed(ctx: Context) -> Outcome:
    """7. SIGKILL the worker mid-wave (100,000 customers); a new worker finishes it.

    The chunks the killed worker held are lost with it; the sweeper publishes
    them again. Every customer must end with one invitation and one email."""
    from django.conf import settings
    from django.db.models import Count

    from followups.invitations.waves import wave_start
    from followups.models import OutboundMessage
    from surveys.models import Invitation, Wave

    n = 100_000
    name = f"7. worker SIGKILL mid-wave ({n:,} customers)"
    kill_after = 10  # chunks done
    figures: list[str] = []
    problems: list[str] = []
    # Only the queue waves run on: the wave's 100,000 emails stay queued rows
    # (delivering them is what drills 1 and 8 are about, not this one).
    worker = ctx.worker(queues="default")
    replacement = None
    try:
        customers("wave", n)
        t0 = time.perf_counter()
        wave = wave_start(survey=survey())
        wave_row = Wave.objects.filter(pk=wave.pk)
        infra.wait_until(
            lambda: wave_row.get().chunks_done >= kill_after,
            deadline=t0 + TIMEOUT,
            interval=0.05,
            what=f"{kill_after} chunks before the kill",
        )
        t_kill = time.perf_counter()
        sigkill_group(worker)
        before = wave_row.get()
        figures.append(
            f"{before.chunk_count} chunks of {settings.NPS_WAVE_CHUNK_SIZE}; killed at "
            f"{t_kill - t0:.1f} s with {before.chunks_done} chunks done, "
            f"{before.invited} invited"
        )
        if not 0 < before.chunks_done < before.chunk_count:
            figures.append("ERROR: the kill did not land mid-wave")
        replacement = ctx.worker(queues="default")
        t_done = infra.wait_until(
            lambda: wave_row.get().finished_at is not None,
            deadline=time.perf_counter() + TIMEOUT,
            interval=0.2,
            what="the wave finished",
            status=lambda: f"chunks done={wave_row.get().chunks_done}",
        )
        figures.append(f"kill -> wave finished={t_done - t_kill:.1f} s")
        time.sleep(SETTLE)
        after = wave_row.get()
        invited = Invitation.objects.values("customer").annotate(k=Count("pk"))
        emailed = OutboundMessage.objects.values("customer").annotate(k=Count("pk"))
        counts = {
            "invited customers": invited.count(),
            "invited twice": invited.filter(k__gt=1).count(),
            "emailed customers": emailed.count(),
            "emailed twice": emailed.filter(k__gt=1).count(),
        }
        figures.append(
            f"chunks done={after.chunks_done}/{after.chunk_count}, wave.invited={after.invited}, "
            + ", ".join(f"{k}={v}" for k, v in counts.items())
        )
        if (
            after.invited != n
            or counts["invited customers"] != n
            or counts["emailed customers"] != n
            or counts["invited twice"]
            or counts["emailed twice"]
        ):
            problems.append("not exactly one invitation and one email per customer")
    except (DrillError, infra.BenchError) as exc:
        figures.append(f"ERROR: {exc}")
    finally:
        worker.stop()
        if replacement is not None:
            replacement.stop()
    if problems:
        figures.append("VIOLATIONS: " + "; ".join(problems))
    errors = [figure for figure in figures if figure.startswith("ERROR")]
    return Outcome(name, not problems and not errors, ", ".join(figures))


def drill_killed_mid_send(ctx: Context) -> Outcome:
    """8. SIGKILL the worker mid-send, with production's lease and sweep.

    The sink stalls after taking one message, the worker is killed then. With
    production's lease, sweep interval and grace time, every email must
    arrive within two minutes of the kill, a duplicate only with its row's
    Message-ID and at most one per sending process killed."""
    from django.conf import settings

    from followups.models import OutboundMessage

    n = 500
    name = f"8. worker SIGKILL mid-send, production lease and sweep ({n} responses)"
    figures: list[str] = []
    worker = ctx.worker()
    replacement = None
    saved_grace = settings.NPS_SWEEP_GRACE_SECONDS
    ctx.sweeper.every = PRODUCTION_SWEEP_EVERY
    settings.NPS_SWEEP_GRACE_SECONDS = PRODUCTION_SWEEP_GRACE
    try:
        ctx.sink.handler.stall_at = n // 5
        ctx.sink.handler.stall_seconds = 3 * 60.0  # longer than any lease: only the kill ends it
        t0 = time.perf_counter()
        responses_bulk("midsend", n)
        if not ctx.sink.handler.stalled.wait(TIMEOUT):
            raise DrillError("the mail server never got to the message it stalls on")
        t_kill = time.perf_counter()
        sigkill_group(worker)
        held = list(
            OutboundMessage.objects.filter(status=OutboundMessage.Status.SENDING).values_list(
                "claimed_at", "lease_expires_at"
            )
        )
        leases = sorted({(until - at).total_seconds() for at, until in held})
        figures.append(
            f"killed at {t_kill - t0:.1f} s, while the sink held message {n // 5}; "
            f"{len(held)} emails claimed by the killed worker, leases {leases} s "
            f"(EMAIL_TIMEOUT={settings.EMAIL_TIMEOUT}, "
            f"NPS_EMAIL_LEASE_MAX_SECONDS={settings.NPS_EMAIL_LEASE_MAX_SECONDS:.0f}, "
            f"NPS_EMAIL_BATCH_SIZE={settings.NPS_EMAIL_BATCH_SIZE}); sweeper every "
            f"{PRODUCTION_SWEEP_EVERY:.0f} s, grace {PRODUCTION_SWEEP_GRACE:.0f} s"
        )
        replacement = ctx.worker()
        t_done = wait_done(ctx, n, t_kill + TIMEOUT)
        late = t_done - t_kill
        figures.append(f"kill -> every email delivered={late:.1f} s (limit {MID_SEND_LIMIT:.0f} s)")
        if late > MID_SEND_LIMIT:
            figures.append(f"ERROR: an email arrived {late:.1f} s after the kill")
        retransmitted = ctx.sink.handler.retransmitted
        if retransmitted > infra.CONCURRENCY:
            figures.append(
                f"ERROR: {retransmitted} duplicates from one killed worker of "
                f"{infra.CONCURRENCY} sending processes"
            )
    except (DrillError, infra.BenchError) as exc:
        figures.append(f"ERROR: {exc}")
    finally:
        ctx.sweeper.every = SWEEP_EVERY
        settings.NPS_SWEEP_GRACE_SECONDS = saved_grace
        worker.stop()
        if replacement is not None:
            replacement.stop()
    return finish(ctx, name, n, figures)


def _webhook_check(receiver: infra.WebhookReceiver, endpoint, response_ids: set[int]) -> dict:
    """What drill 9's receiver got against the outbox: each answer's one
    ``response.recorded`` row, sent; the webhook-ids received; copies of one
    (the same id again) counted; every signature checked by ``standardwebhooks``."""
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    from followups.models import OutboundMessage

    rows = list(
        OutboundMessage.objects.filter(channel=OutboundMessage.Channel.WEBHOOK).only(
            "pk", "status", "response_id", "attempts"
        )
    )
    per_response = Counter(row.response_id for row in rows)
    expected = {row.webhook_id for row in rows}
    requests = list(receiver.requests)
    received = Counter(headers.get("webhook-id", "") for headers, _ in requests)
    verifier = Webhook(endpoint.secret)
    refused = 0
    for headers, body in requests:
        try:
            verifier.verify(body, headers)
        except WebhookVerificationError:
            refused += 1
    return {
        "rows": len(rows),
        "answers without": len(response_ids - set(per_response)),
        "answers with more than one": sum(1 for count in per_response.values() if count > 1),
        "not sent": sum(1 for row in rows if row.status != OutboundMessage.Status.SENT),
        "never received": len(expected - set(received)),
        "unknown ids": len(set(received) - expected),
        "copies": sum(count - 1 for count in received.values()),
        "signatures refused": refused,
        "max attempts": max((row.attempts for row in rows), default=0),
    }


def drill_receiver_down(ctx: Context) -> Outcome:
    """9. The webhook receiver refuses connections for a minute while 300 responses flow.

    Every answer's ``response.recorded`` event reaches the receiver once it is
    back, with its own webhook-id (a copy only with the same id, counted); none
    is lost, and the endpoint stays enabled (it disables after days of failing)."""
    from followups.models import WebhookAttempt, WebhookEndpoint
    from followups.webhooks.signing import secret_new
    from surveys.models import Response

    n = 300
    down_for = 60.0
    name = f"9. webhook receiver down (connection refused) for a minute ({n} responses)"
    figures: list[str] = []
    problems: list[str] = []
    worker = None
    with infra.WebhookReceiver() as receiver:
        try:
            endpoint = WebhookEndpoint.objects.create(
                url=receiver.url, events=["response.recorded"], secret=secret_new()
            )
            receiver.down()
            worker = ctx.worker()
            responses_bulk("hook", n)
            time.sleep(down_for)
            refused = WebhookAttempt.objects.filter(error__contains="ConnectionRefused").count()
            endpoint.refresh_from_db()
            figures.append(
                f"refused while down={refused} attempts, endpoint failing since "
                f"{'set' if endpoint.failing_since else 'unset'}"
            )
            receiver.up()
            t_up = time.perf_counter()
            # Done when the outbox has sent every row, emails and webhooks alike.
            wait_done(ctx, n, t_up + TIMEOUT)
            t_hooks = infra.wait_until(
                lambda: len(set(receiver.ids())) >= n,
                deadline=time.perf_counter() + 10,
                interval=0.2,
                what=f"{n} webhooks at the receiver",
                status=lambda: f"received {len(set(receiver.ids()))} distinct webhook-ids",
            )
            figures.append(f"receiver up -> every webhook delivered={t_hooks - t_up:.1f} s")
            time.sleep(SETTLE)
            found = _webhook_check(
                receiver, endpoint, set(Response.objects.values_list("pk", flat=True))
            )
            endpoint.refresh_from_db()
            figures.append(
                f"webhooks: rows={found['rows']} received={len(receiver.requests)} "
                f"(copies with the same webhook-id: {found['copies']}), "
                f"max attempts={found['max attempts']}, endpoint "
                f"{'active' if endpoint.is_active else 'DISABLED'}"
            )
            wrong = {
                key: value
                for key, value in found.items()
                if key not in ("rows", "copies", "max attempts") and value
            }
            if found["rows"] != n or wrong:
                problems.append(f"webhooks: {n} expected, {found['rows']} rows; {wrong}")
            if not endpoint.is_active or endpoint.failing_since is not None:
                problems.append("the endpoint was disabled or is still marked failing")
        except (DrillError, infra.BenchError) as exc:
            figures.append(f"ERROR: {exc}")
        finally:
            if worker is not None:
                worker.stop()
    outcome = finish(ctx, name, n, figures)
    if problems:
        outcome.figures += ", VIOLATIONS: " + "; ".join(problems)
        outcome.ok = False
    return outcome


DRILLS: list[Callable[[Context], Outcome]] = [
    drill_worker_killed,
    drill_redis_restarted,
    drill_redis_down,
    drill_smtp_down,
    drill_task_thrice,
    drill_concurrent_submissions,
    drill_wave_killed,
    drill_killed_mid_send,
    drill_receiver_down,
]


# --- Running ------------------------------------------------------------------


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _earlier_rows() -> dict[int, str]:
    """The table rows of the last results, by drill number."""
    if not RESULTS.exists():
        return {}
    text = RESULTS.read_text()
    # Results written before rows carried their own date had one for the table.
    table_date = re.search(r"Run (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", text)
    rows = {}
    for line in text.splitlines():
        found = re.match(r"\| (\d+)\. ", line)
        if found:
            if "(run " not in line and table_date:
                line = f"{line[:-2]} (run {table_date.group(1)}) |"
            rows[int(found.group(1))] = line
    return rows


def write_results(outcomes: list[tuple[int, Outcome]], started: str) -> str:
    """The results table; drills not run this time keep their last row."""
    rows = _earlier_rows()
    for number, o in outcomes:
        figures = o.figures.replace("|", "\\|")
        rows[number] = f"| {o.name} | {'PASS' if o.ok else 'FAIL'} | {figures} (run {started}) |"
    lines = [
        "# Fault drills",
        "",
        f"Command: `{COMMAND}` (or `make drills`); `{COMMAND} 7 8` runs some of them. "
        "Each row says when it was run.",
        "",
        "Own redis-server on 127.0.0.1:6391, own database `nps_drills`, own aiosmtpd sink; "
        "workers `celery -A nps_project worker -Q routing,email,default --concurrency 2` "
        "(production settings, NPS_SWEEP_GRACE_SECONDS=2, NPS_EMAIL_RETRY_BASE_SECONDS=1, "
        "NPS_EMAIL_RETRY_MAX_SECONDS=60; the email lease is production's); sweeper: "
        f"`followups.sweep.lost_work_sweep()` called in-process every {SWEEP_EVERY:.0f} s "
        f"(no celery beat), every {PRODUCTION_SWEEP_EVERY:.0f} s with a grace time of "
        f"{PRODUCTION_SWEEP_GRACE:.0f} s in drill 8. Drill 7's workers take the `default` "
        "queue only. Drill 9's webhook receiver is an HTTP server on 127.0.0.1 in the drill "
        "process (NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS=1); webhooks retry on the email clock.",
        "",
        "| drill | result | figures |",
        "|---|---|---|",
        *(rows[number] for number in sorted(rows)),
    ]
    table = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table)
    return table


def parse_args(argv: list[str]) -> list[int]:
    listing = "\n".join(
        f"  {(drill.__doc__ or drill.__name__).splitlines()[0]}" for drill in DRILLS
    )
    parser = argparse.ArgumentParser(
        prog="python -m bench.drills",
        description="Fault drills against a real worker, Redis, PostgreSQL and SMTP sink.",
        epilog=f"drills:\n{listing}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "numbers",
        nargs="*",
        type=int,
        choices=range(1, len(DRILLS) + 1),
        metavar="N",
        help="the drills to run, by number (default: every drill)",
    )
    return parser.parse_args(argv).numbers or list(range(1, len(DRILLS) + 1))


def main(argv: list[str]) -> int:
    chosen = parse_args(argv)
    infra.install_signal_handlers()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if not _port_free(REDIS_PORT):
        print(f"Port {REDIS_PORT} is in use by someone else; not touching it.", file=sys.stderr)
        return 2
    sink = Sink()
    sink.controller.start()
    redis_server = Redis()
    sweeper = None
    outcomes: list[tuple[int, Outcome]] = []
    try:
        redis_server.start()
        env = infra.Environment(
            database_url=DATABASE_URL,
            broker_url=BROKER_URL,
            secret_key="drills-" + secrets.token_urlsafe(64),
            email_url=sink.url,
        )
        env.check()
        os.environ.update(DRILL_ENV)
        env.apply()
        infra.recreate_database(DATABASE_URL)
        infra.migrate(env)

        import django

        django.setup()
        from django.db import close_old_connections

        from nps_project.celery import app

        sweeper = Sweeper()
        sweeper.thread.start()
        print(f"sweeper: followups.sweep.lost_work_sweep() in-process every {SWEEP_EVERY:.0f} s")
        ctx = Context(env=env, redis=redis_server, sink=sink, sweeper=sweeper, app=app)
        for number in chosen:
            drill = DRILLS[number - 1]
            sweeper.paused.set()
            time.sleep(0.5)
            close_old_connections()
            clean(ctx)
            sweeper.paused.clear()
            started_at = time.perf_counter()
            try:
                outcome = drill(ctx)
            except Exception as exc:  # a drill that crashed is a FAIL, with why
                outcome = Outcome(drill.__doc__ or drill.__name__, False, f"CRASH: {exc!r}")
            took = time.perf_counter() - started_at
            outcome.figures += f", drill took {took:.0f} s"
            print(f"{'PASS' if outcome.ok else 'FAIL'}  {outcome.name}: {outcome.figures}")
            outcomes.append((number, outcome))
            sys.stdout.flush()
    finally:
        if sweeper is not None:
            sweeper.stop_event.set()
            sweeper.thread.join(timeout=10)
        redis_server.kill()
        sink.controller.stop()
    print()
    print(write_results(outcomes, started))
    print(f"results: {Path(RESULTS).relative_to(infra.ROOT)}")
    return 0 if outcomes and all(o.ok for _, o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
