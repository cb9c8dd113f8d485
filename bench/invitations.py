"""Invitations scheduled through the API and sent by the periodic task (issue
13): invitations sent per second by a real worker, against the wave's floor,
raw ``bulk_create`` of the same invitation and email rows.

Each run, on N reachable customers created beforehand (as the wave bench
makes them):

- untimed: N invitations asked for through ``POST /api/v1/invitations/bulk/``
  (1000 a request, with an API key, through Django's test client: the real
  URL, view, permissions, validation and ``followups.invitations.bulk``), all
  for tomorrow; then made due by one UPDATE of their ``scheduled_at``;
- timed: ``followups.send_due_invitations`` published as celery beat publishes
  it, and run by ``celery -A nps_project worker`` (production settings, the
  bench's concurrency, the ``default`` queue only: delivery over SMTP is the
  loop's business, so the emails stay queued rows, as in the wave bench). The
  periodic task publishes the due invitations in chunks of
  ``NPS_INVITATION_CHUNK_SIZE``; each chunk task claims its rows, marks them
  sent and stores their emails. Timed from the publish until the database
  says every invitation is sent and has its one queued email; then checked.
- the floors of the wave bench (``bench.wave``): the same invitation rows and
  as many outbox rows of the same size, stored with ``bulk_create``, 500 a call.

``invitations.scheduled`` is N over the timed seconds, against N over the sum
of the two floors' times (the wave's ``wave.invitations_per_s`` floor).
"""

from __future__ import annotations

import statistics
import time
import warnings

from . import infra, wave
from .loop import NOISY_SHARE, Measurement
from .report import Figure

DESCRIPTION = (
    "Invitations scheduled through the bulk API, made due and sent by the periodic task "
    "`followups.send_due_invitations` through a real worker (chunks claimed with row locks, "
    "marked sent, their emails stored in the outbox), against the wave's floor: "
    "`bulk_create` of the same invitation and email rows, 500 a call."
)
DEFAULT_N = 10_000
API_BATCH = 1000


def _api_client():
    """A Django test client with a key that may invite (``invitations:write``)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client

    from surveys.api_keys import api_key_create

    user, _ = get_user_model().objects.get_or_create(username="bench-invitations")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="surveys",
            codename__in=("add_invitation", "change_invitation", "view_invitation"),
        )
    )
    issued = api_key_create(
        user=user, name="bench invitations", scopes=["invitations:write"], via="bench"
    )
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    return Client(HTTP_AUTHORIZATION=f"Token {issued.secret}", HTTP_HOST="localhost")


def schedule(client, survey, customers) -> float:
    """Ask for an invitation of every customer, for tomorrow, through the bulk
    API. Returns the seconds it took."""
    import json
    from datetime import timedelta

    from django.utils import timezone

    send_at = (timezone.now() + timedelta(days=1)).isoformat()
    t0 = time.perf_counter()
    for start in range(0, len(customers), API_BATCH):
        items = [
            {"survey": survey.slug, "customer": {"email": email}, "send_at": send_at}
            for _, email, _ in customers[start : start + API_BATCH]
        ]
        reply = client.post(
            "/api/v1/invitations/bulk/",
            json.dumps({"invitations": items}),
            content_type="application/json",
            secure=True,
        )
        body = reply.json()
        if reply.status_code != 200 or body.get("created") != len(items):
            raise infra.BenchError(
                f"The bulk API answered {reply.status_code}: "
                f"{ {k: v for k, v in body.items() if k != 'results'} }"
            )
    return time.perf_counter() - t0


def _make_due() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_invitation SET scheduled_at = now() - interval '1 second' "
            "WHERE sent_at IS NULL"
        )
        cursor.execute("CHECKPOINT")


def _sent_state() -> tuple[int, int]:
    from followups.models import OutboundMessage
    from surveys.models import Invitation

    return (
        Invitation.objects.filter(sent_at__isnull=False).count(),
        OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED).count(),
    )


def _verify(n: int) -> None:
    """Every invitation sent once, with exactly its one queued invitation email
    to its customer; none skipped."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE i.sent_at IS NOT NULL AND i.skip_reason = ''),
                   count(e.id)
            FROM surveys_invitation i
            JOIN surveys_customer c ON c.id = i.customer_id
            LEFT JOIN followups_outboundmessage e
                   ON e.dedupe_key = 'invitation:' || i.id || ':first'
                  AND e.recipient = c.email AND e.status = 'queued'
            """
        )
        sent, emails = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM followups_outboundmessage")
        (all_emails,) = cursor.fetchone()
    if (sent, emails, all_emails) != (n, n, n):
        raise infra.BenchError(
            f"{sent:,} of {n:,} invitations sent, {emails:,} with their email, "
            f"{all_emails:,} emails in all (expected {n:,} each)."
        )


def measure_sending(ctx, client, survey, customers) -> tuple[Measurement, float]:
    """Schedule (untimed), make due, then time the periodic task's sending
    through a worker. Returns the measurement and the scheduling seconds."""
    from followups.publish import SEND_DUE_INVITATIONS
    from nps_project.celery import app

    n = len(customers)
    wave._empty_wave_tables()
    scheduling = schedule(client, survey, customers)
    _make_due()
    infra.flush_broker(ctx.env.broker_url)
    with infra.Worker(ctx.env, app="nps_project", label="invitations", queues="default") as worker:
        worker.start(infra.celery_ping(app))
        meter = infra.CpuMeter(worker.process.pid, ctx.env.database_name).start()
        t0 = time.perf_counter()
        app.send_task(SEND_DUE_INVITATIONS)

        def done() -> bool:
            meter.sample()
            return _sent_state() == (n, n)

        finished = infra.wait_until(
            done,
            deadline=t0 + ctx.timeout,
            interval=0.2,
            what="the invitations to be sent",
            status=lambda: f"(sent, emails) {_sent_state()} of {n:,}\n{worker.output_tail()}",
        )
        seconds = finished - t0
        cpu = meter.stop()
    _verify(n)
    infra.flush_broker(ctx.env.broker_url)
    return Measurement(seconds=seconds, n=n, cpu=cpu), scheduling


def run(ctx) -> tuple[list[Figure], list[str]]:
    from surveys.models import Invitation, hash_token

    survey = wave._survey()
    wave._create_customers(ctx.n)
    customers = wave._reachable_customers(survey)
    nonces = [Invitation.new_nonce() for _ in customers]
    tokens = [(nonce, hash_token(Invitation.token_for_nonce(nonce))) for nonce in nonces]
    client = _api_client()
    samples = wave.warm_up(survey)

    sendings: list[Measurement] = []
    schedulings: list[float] = []
    invitation_floors: list[Measurement] = []
    email_floors: list[Measurement] = []

    def sending() -> Measurement:
        measurement, scheduling = measure_sending(ctx, client, survey, customers)
        schedulings.append(scheduling)
        return measurement

    steps = [
        ("sending", sendings, sending),
        (
            "invitation floor",
            invitation_floors,
            lambda: wave.measure_invitation_floor(ctx, survey, customers, tokens),
        ),
        ("email floor", email_floors, lambda: wave.measure_email_floor(ctx, customers, samples)),
    ]
    try:
        for index in range(ctx.runs):
            shift = index % len(steps)
            for label, results, measure in steps[shift:] + steps[:shift]:
                measurement = measure()
                results.append(measurement)
                wave._progress(index, ctx.runs, label, measurement)
    finally:
        wave._empty_wave_tables()
        infra.flush_broker(ctx.env.broker_url)

    floor = [
        ctx.n / (i.seconds + e.seconds)
        for i, e in zip(invitation_floors, email_floors, strict=True)
    ]
    details = {
        **wave._cpu_details(sendings, "sending"),
        **wave._cpu_details(invitation_floors, "invitation floor"),
        **wave._cpu_details(email_floors, "email floor"),
        "scheduling through the bulk API (untimed), invitations/s (per run)": ", ".join(
            f"{ctx.n / s:.0f}" for s in schedulings
        ),
        "scheduling median, s": round(statistics.median(schedulings), 2),
    }
    figures = [
        Figure(
            name="invitations.scheduled",
            unit="invitations/s",
            runs=[m.rate for m in sendings],
            floor_name="bulk_create of the same invitation and email rows, 500 a call (the wave's)",
            floor_runs=floor,
            target=0.5,
            details=details,
            note=(
                f"N = {ctx.n:,} invitations asked for through POST /api/v1/invitations/bulk/ "
                "(untimed), made due, then sent by one publish of the periodic task through "
                f"a real worker ({infra.CONCURRENCY} processes, default queue). Clock from the "
                "publish until every invitation is sent with its queued email. Floor: the "
                "wave bench's, measured in the same run."
            ),
        )
    ]
    noisy = [
        m for m in (*sendings, *invitation_floors, *email_floors) if m.busy_neighbours > NOISY_SHARE
    ]
    notes = []
    if noisy:
        notes.append(
            f"**Noisy:** in {len(noisy)} of {3 * ctx.runs} measurements other processes took "
            f"more than {NOISY_SHARE:.0%} of the CPU; re-run on a quiet machine."
        )
    return figures, notes
