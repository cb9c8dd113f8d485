"""Sending a survey wave (issue 7, figure 6): invitations created and emails
queued per second, each against a raw ``bulk_create`` of the same rows.

A wave is what ``manage.py send_survey <slug>`` (and the admin action, and a
repeating survey's schedule) does: ``followups.invitations.waves.wave_plan`` picks
the reachable customers not asked within the throttle days, and
``wave_send`` creates their invitations (each with its HMAC link token) and
their invitation emails (outbox rows, rendered in the customer's language),
500 a transaction, and publishes the sending messages once each transaction
has committed. No worker runs: delivery over SMTP is the loop's business.

Each run measures, side by side (the order rotates from run to run), on N
reachable customers created beforehand, plus N/100 who unsubscribed and N/500
who were erased (the wave must skip them):

- the wave: ``wave_plan`` then ``wave_send`` (what the command runs, without
  its progress bar), timed from the plan's first query until the last batch
  committed and published its messages; then checked: every reachable
  customer has exactly one invitation and one queued invitation email with
  its links, the skipped ones none, and the broker holds one sending message
  entry for every email;
- floor ``Invitation.objects.bulk_create``: the same invitation rows (the
  same survey, customers, channel, expiry and send time, with tokens made
  beforehand, untimed), built as instances and stored 500 a call, one
  transaction each, as ``wave_send`` batches them;
- floor ``OutboundMessage.objects.bulk_create``: as many outbox rows as the
  wave queues, each a copy of a real invitation email of the wave in the
  customer's language (so the same size), stored the same way.

``wave.invitations_per_s`` is set against storing the same rows raw: N over
the sum of the two floors' times (a wave stores an email of about 6 kB with
each invitation; against the invitations alone it could not reach a third
of the floor even if it did nothing else). ``wave.emails_queued_per_s`` is
set against the email floor.

Each measurement starts on empty invitation and outbox tables, after a
``CHECKPOINT``, with the broker flushed; the broker is flushed again at the end.
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import time
from collections import Counter
from pathlib import Path

from . import infra
from .loop import NOISY_SHARE, Measurement
from .report import Figure

DESCRIPTION = (
    "Sending a survey wave: `wave_plan` + `wave_send` (what `manage.py send_survey` runs) "
    "creating N invitations and queueing their N emails (outbox rows rendered in the "
    "customer's language, sending messages published to Redis once each batch commits; no "
    "worker, no SMTP), against `Invitation.objects.bulk_create` and "
    "`OutboundMessage.objects.bulk_create` of the same rows, 500 a call like the wave."
)
DEFAULT_N = 100_000  # the wave: 100,000 customers
SURVEY_SLUG = "bench-wave"
BATCH_SIZE = 500  # wave_send's default; the floors store their rows in the same batches
SKIPPED_UNSUBSCRIBED = 100  # one customer in this many more has unsubscribed ...
SKIPPED_ERASED = 500  # ... and one in this many more was erased
WARM_UP = 200  # customers invited by an untimed wave before the first run
LINKS_CHECKED = 20  # invitations whose emails are checked to carry their own links
# Languages as the loop's customers have them; every 13th customer has no
# name (the greeting without one), every 11th one with characters HTML escapes.
LANGUAGES = ("en", "en", "en", "en", "en", "en", "en", "pl", "ru", "zh-hans")


# --- Data -------------------------------------------------------------------


def _empty_wave_tables() -> None:
    """No invitation or outbox row left, and dirty pages written out, so every
    measurement starts from the same state."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE surveys_invitation, followups_outboundmessage RESTART IDENTITY CASCADE"
        )
        cursor.execute("CHECKPOINT")


def _survey():
    from surveys.models import Survey

    survey, _ = Survey.objects.update_or_create(
        slug=SURVEY_SLUG,
        defaults={
            "name": "Bench wave",
            "status": Survey.Status.ACTIVE,
            "throttle_days": 30,
            "translations": {
                "pl": {"question": "Jak chętnie polecisz nas znajomemu?"},
                "ru": {"question": "Насколько вероятно, что вы порекомендуете нас другу?"},
                "zh-hans": {"question": "您向朋友推荐我们的可能性有多大？"},  # noqa: RUF001
            },
        },
    )
    return survey


def _create_customers(n: int) -> tuple[int, int]:
    """N reachable customers, and the unsubscribed and erased ones the wave
    must skip, in three INSERT ... SELECT statements (untimed). Returns the
    numbers of unsubscribed and erased customers."""
    from django.db import connection

    unsubscribed = max(n // SKIPPED_UNSUBSCRIBED, 1)
    erased = max(n // SKIPPED_ERASED, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE surveys_customer, surveys_invitation, surveys_response, "
            "followups_outboundmessage RESTART IDENTITY CASCADE"
        )
        cursor.execute(
            """
            INSERT INTO surveys_customer (email, name, external_id, segment, locale,
                                          created_at, updated_at, unsubscribe_key,
                                          email_problem, time_zone)
            SELECT 'customer' || i || '@bench.example.com',
                   CASE WHEN i %% 13 = 0 THEN ''
                        WHEN i %% 11 = 0 THEN 'O''Brien & <Sons> ' || i
                        ELSE 'Customer ' || i END,
                   'bench-' || i,
                   (ARRAY['consumer', 'smb', 'enterprise'])[i %% 3 + 1],
                   (%s::text[])[(i * 7) %% %s + 1],
                   now(), now(), md5('bench-' || i), '', ''
            FROM generate_series(1, %s) AS i
            """,
            [list(LANGUAGES), len(LANGUAGES), n],
        )
        cursor.execute(
            """
            INSERT INTO surveys_customer (email, name, external_id, segment, locale,
                                          unsubscribed_at, created_at, updated_at,
                                          unsubscribe_key, email_problem, time_zone)
            SELECT 'gone' || i || '@bench.example.com', 'Gone ' || i, 'bench-gone-' || i,
                   'consumer', 'en', now(), now(), now(), md5('bench-gone-' || i), '', ''
            FROM generate_series(1, %s) AS i
            """,
            [unsubscribed],
        )
        # As surveys.services.customer_erase leaves them: no email, no name.
        cursor.execute(
            """
            INSERT INTO surveys_customer (email, name, segment, locale,
                                          erased_at, created_at, updated_at, unsubscribe_key,
                                          email_problem, time_zone)
            SELECT NULL, '', 'consumer', '', now(), now(), now(), md5('bench-erased-' || i), '',
                   ''
            FROM generate_series(1, %s) AS i
            """,
            [erased],
        )
        cursor.execute("ANALYZE")
    return unsubscribed, erased


def _reachable_customers(survey) -> list[tuple[int, str, str]]:
    """(id, email, language) of every reachable customer, in id order."""
    from django.conf import settings

    from surveys.models import Customer

    default = survey.default_locale or settings.LANGUAGE_CODE
    return [
        (pk, email, locale or default)
        for pk, email, locale in Customer.objects.reachable()
        .order_by("pk")
        .values_list("pk", "email", "locale")
    ]


# --- Measurements -----------------------------------------------------------


def _deadline_check(deadline: float, what: str):
    def check(done: int, total: int) -> None:
        if time.perf_counter() > deadline:
            raise infra.BenchError(f"Timed out {what}: {done:,} of {total:,} done.")

    return check


def _resident_mb() -> float:
    """This process's resident memory now, from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class _StatementCounter:
    """Counts the statements Django sends (a connection execute wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure_wave(ctx, survey, n: int, skipped: tuple[int, int]):
    """``wave_plan`` and ``wave_send``, as ``manage.py send_survey`` runs them.
    Returns the measurement, the number of statements sent, and by how much
    this process's resident memory grew at most while sending (MB, sampled
    after every batch)."""
    from django.db import connection

    from followups.invitations.waves import wave_plan, wave_send

    _empty_wave_tables()
    infra.flush_broker(ctx.env.broker_url)
    counter = _StatementCounter()
    done = 0
    resident_at_start = peak_resident = _resident_mb()
    meter = infra.CpuMeter(None, ctx.env.database_name).start()
    t0 = time.perf_counter()
    check = _deadline_check(t0 + ctx.timeout, "sending the wave")

    def progress(count: int) -> None:
        nonlocal done, peak_resident
        done += count
        peak_resident = max(peak_resident, _resident_mb())
        meter.sample()
        check(done, n)

    with connection.execute_wrapper(counter):
        plan = wave_plan(survey=survey)
        t_planned = time.perf_counter()
        sent = wave_send(plan, progress=progress)
    seconds = time.perf_counter() - t0
    cpu = meter.stop()
    unsubscribed, erased = skipped
    expected_skips = {"unsubscribed": unsubscribed, "erased": erased}
    if len(plan.to_send) != n or dict(plan.skipped) != expected_skips or sent != n:
        raise infra.BenchError(
            f"The wave planned {len(plan.to_send):,} of {n:,} customers ({plan.summary}) "
            f"and sent {sent:,}; expected {n:,} to invite, {unsubscribed} unsubscribed and "
            f"{erased} erased skipped."
        )
    _verify(ctx, survey, n)
    measurement = Measurement(
        seconds=seconds,
        n=n,
        phases={"plan": t_planned - t0, "send": seconds - (t_planned - t0)},
        cpu=cpu,
    )
    infra.flush_broker(ctx.env.broker_url)
    return measurement, counter.count, peak_resident - resident_at_start


def _published_email_ids(broker_url: str) -> Counter:
    """Every email id in a ``followups.send_emails`` message waiting in the
    broker (kombu keeps each queue as a Redis list of JSON envelopes)."""
    import redis

    client = redis.Redis.from_url(broker_url, socket_timeout=10)
    ids: Counter = Counter()
    try:
        for key in client.scan_iter(count=1000):
            if client.type(key) != b"list":
                continue
            for raw in client.lrange(key, 0, -1):
                envelope = json.loads(raw)
                if envelope.get("headers", {}).get("task") != "followups.send_emails":
                    continue
                args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
                ids.update(args[0])
    finally:
        client.close()
    return ids


def _verify(ctx, survey, n: int) -> None:
    """Every reachable customer has exactly one invitation and one queued
    invitation email addressed to them, carrying that invitation's own links;
    nobody unsubscribed or erased got either; every email is in a sending
    message."""
    from django.db import connection

    from followups.models import OutboundMessage
    from surveys.models import Invitation

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE c.unsubscribed_at IS NULL AND c.erased_at IS NULL),
                   count(*) FILTER (WHERE c.unsubscribed_at IS NOT NULL
                                       OR c.erased_at IS NOT NULL)
            FROM surveys_invitation i JOIN surveys_customer c ON c.id = i.customer_id
            WHERE i.survey_id = %s
            """,
            [survey.pk],
        )
        invited, invited_unreachable = cursor.fetchone()
        cursor.execute(
            """
            SELECT count(*) FROM surveys_invitation i
            JOIN surveys_customer c ON c.id = i.customer_id
            JOIN followups_outboundmessage e ON e.dedupe_key = 'invitation:' || i.id || ':first'
            WHERE e.customer_id = i.customer_id AND e.recipient = c.email
              AND e.template = 'invitation' AND e.status = 'queued'
            """
        )
        matched = cursor.fetchone()[0]
    customers_invited = Invitation.objects.values("customer").distinct().count()
    emails = OutboundMessage.objects.count()
    if (invited, invited_unreachable, customers_invited, matched, emails) != (n, 0, n, n, n):
        raise infra.BenchError(
            f"The wave's rows are wrong: {invited:,} invitations to {customers_invited:,} "
            f"reachable customers (expected {n:,} to {n:,}), {invited_unreachable} to "
            f"unsubscribed or erased ones (expected 0), {emails:,} emails of which {matched:,} "
            "are the queued invitation email of an invitation, to its customer "
            f"(expected {n:,})."
        )
    published = _published_email_ids(ctx.env.broker_url)
    email_ids = set(OutboundMessage.objects.values_list("pk", flat=True))
    repeated = sum(1 for count in published.values() if count > 1)
    if set(published) != email_ids or repeated:
        raise infra.BenchError(
            f"The broker holds sending messages for {len(published):,} email(s), "
            f"{len(email_ids - set(published)):,} of the {len(email_ids):,} queued missing, "
            f"{len(set(published) - email_ids):,} unknown, {repeated:,} published twice."
        )
    sampled = Invitation.objects.select_related("customer").order_by("?")[:LINKS_CHECKED]
    for invitation in sampled:
        email = OutboundMessage.objects.get(dedupe_key=f"invitation:{invitation.pk}:first")
        links = [invitation.public_url(score) for score in range(11)]
        if not all(f"{link}\n" in email.body_text and link in email.body_html for link in links):
            raise infra.BenchError(
                f"The email of invitation {invitation.pk} does not carry its own 11 links."
            )


def warm_up(survey) -> dict[str, tuple[str, str, str]]:
    """A small wave, untimed: imports, URL patterns and templates are loaded
    before the first measurement, as in a process that has served before.
    Returns a (subject, text, HTML) of its emails per language, which the email
    floor copies."""
    from followups.invitations.waves import wave_plan, wave_send
    from followups.models import OutboundMessage

    _empty_wave_tables()
    wave_send(wave_plan(survey=survey, limit=WARM_UP))
    samples = {}
    for language in LANGUAGES:
        email = OutboundMessage.objects.filter(language=language).order_by("pk").first()
        if email is None:
            raise infra.BenchError(f"The warm-up wave wrote no email in {language!r}.")
        samples[language] = (email.subject, email.body_text, email.body_html)
    _empty_wave_tables()
    return samples


def measure_invitation_floor(ctx, survey, customers, tokens) -> Measurement:
    """The wave's invitation rows, with their tokens made beforehand, built as
    instances and stored with ``bulk_create``, 500 a call (a transaction each)."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from surveys.models import Channel, Invitation

    _empty_wave_tables()
    n = len(customers)
    meter = infra.CpuMeter(None, ctx.env.database_name).start()
    t0 = time.perf_counter()
    check = _deadline_check(t0 + ctx.timeout, "storing invitations with bulk_create")
    for start in range(0, n, BATCH_SIZE):
        now = timezone.now()
        expires = now + timedelta(days=survey.invitation_lifetime_days)
        with transaction.atomic():
            Invitation.objects.bulk_create(
                [
                    Invitation(
                        survey=survey,
                        customer_id=customer_id,
                        channel=Channel.EMAIL,
                        nonce=nonce,
                        token_hash=token_hash,
                        expires_at=expires,
                        sent_at=now,
                    )
                    for (customer_id, _, _), (nonce, token_hash) in zip(
                        customers[start : start + BATCH_SIZE],
                        tokens[start : start + BATCH_SIZE],
                        strict=True,
                    )
                ]
            )
        meter.sample()
        check(start + BATCH_SIZE, n)
    measurement = Measurement(seconds=time.perf_counter() - t0, n=n, cpu=meter.stop())
    if (stored := Invitation.objects.count()) != n:
        raise infra.BenchError(f"bulk_create stored {stored:,} of {n:,} invitations.")
    return measurement


def measure_email_floor(ctx, customers, samples) -> Measurement:
    """As many outbox rows as the wave queues, each a copy of a wave email in
    the customer's language, stored with ``bulk_create``, 500 a call."""
    from django.db import transaction

    from followups.models import OutboundMessage

    _empty_wave_tables()
    n = len(customers)
    meter = infra.CpuMeter(None, ctx.env.database_name).start()
    t0 = time.perf_counter()
    check = _deadline_check(t0 + ctx.timeout, "storing emails with bulk_create")
    for start in range(0, n, BATCH_SIZE):
        with transaction.atomic():
            OutboundMessage.objects.bulk_create(
                [
                    OutboundMessage(
                        dedupe_key=f"bench-floor:{customer_id}",
                        template="invitation",
                        language=language,
                        recipient=email,
                        customer_id=customer_id,
                        subject=samples[language][0],
                        body_text=samples[language][1],
                        body_html=samples[language][2],
                    )
                    for customer_id, email, language in customers[start : start + BATCH_SIZE]
                ]
            )
        meter.sample()
        check(start + BATCH_SIZE, n)
    measurement = Measurement(seconds=time.perf_counter() - t0, n=n, cpu=meter.stop())
    if (stored := OutboundMessage.objects.count()) != n:
        raise infra.BenchError(f"bulk_create stored {stored:,} of {n:,} emails.")
    return measurement


# --- The figures ------------------------------------------------------------


def _median(values) -> float:
    return statistics.median(values)


def _cpu_details(measurements: list[Measurement], label: str) -> dict:
    n = measurements[0].n
    details = {f"{label}: seconds": round(_median(m.seconds for m in measurements), 3)}
    for group in ("bench", "postgres", "redis", "other", "idle"):
        per_row = _median(m.cpu[group] for m in measurements) / n * 1000
        details[f"{label}: CPU {group}, ms per row"] = round(per_row, 3)
    details[f"{label}: CPU taken by other processes, % (per run)"] = ", ".join(
        f"{m.busy_neighbours:.0%}" for m in measurements
    )
    return details


def _progress(index: int, runs: int, label: str, m: Measurement) -> None:
    busy = m.busy_neighbours
    print(
        f"   run {index + 1}/{runs} {label:<16} {m.n:>7,} {m.rate:9.1f} rows/s  "
        f"({m.seconds:.2f} s; other processes took {busy:.0%} of the CPU"
        f"{', NOISY' if busy > NOISY_SHARE else ''})",
        flush=True,
    )


def run(ctx) -> tuple[list[Figure], list[str]]:
    from surveys.models import Invitation, hash_token

    survey = _survey()
    skipped = _create_customers(ctx.n)
    customers = _reachable_customers(survey)
    if len(customers) != ctx.n:
        raise infra.BenchError(f"Created {len(customers):,} reachable customers of {ctx.n:,}.")
    nonces = [Invitation.new_nonce() for _ in customers]
    tokens = [(nonce, hash_token(Invitation.token_for_nonce(nonce))) for nonce in nonces]

    waves: list[Measurement] = []
    invitation_floors: list[Measurement] = []
    email_floors: list[Measurement] = []
    statements: list[int] = []
    memory_growth: list[float] = []

    def wave() -> Measurement:
        measurement, count, growth = measure_wave(ctx, survey, ctx.n, skipped)
        statements.append(count)
        memory_growth.append(growth)
        return measurement

    samples = warm_up(survey)
    steps = [
        ("wave", waves, wave),
        (
            "invitation floor",
            invitation_floors,
            lambda: measure_invitation_floor(ctx, survey, customers, tokens),
        ),
        ("email floor", email_floors, lambda: measure_email_floor(ctx, customers, samples)),
    ]
    try:
        for index in range(ctx.runs):
            shift = index % len(steps)
            for label, results, measure in steps[shift:] + steps[:shift]:
                measurement = measure()
                results.append(measurement)
                _progress(index, ctx.runs, label, measurement)
    finally:
        _empty_wave_tables()
        infra.flush_broker(ctx.env.broker_url)

    wave_seconds = [m.seconds for m in waves]
    both = [
        w / (i.seconds + e.seconds)
        for w, i, e in zip(wave_seconds, invitation_floors, email_floors, strict=True)
    ]
    wave_details = {
        "plan (wave_plan), s": round(_median(m.phases["plan"] for m in waves), 3),
        "send (wave_send), s": round(_median(m.phases["send"] for m in waves), 3),
        **_cpu_details(waves, "wave"),
        "wave: statements per 1000 invitations": round(_median(statements) / ctx.n * 1000, 1),
        "wave: bench process memory growth while sending, MB (per run)": ", ".join(
            f"{value:.1f}" for value in memory_growth
        ),
        "wave seconds / (invitation floor + email floor) seconds (per run)": ", ".join(
            f"{value:.2f}" for value in both
        ),
    }
    unsubscribed, erased = skipped
    data = (
        f"N = {ctx.n:,} reachable customers (70% English, 10% each Polish, Russian and "
        "Simplified Chinese; every 13th without a name, every 11th with one HTML must escape) "
        f"invited; {unsubscribed:,} unsubscribed and {erased:,} erased customers skipped. "
    )
    # The floor of the invitations: storing the same rows the wave stores for
    # them, raw: the invitations and their emails, as the two floors did in
    # the same run.
    rows_floor = [
        ctx.n / (i.seconds + e.seconds)
        for i, e in zip(invitation_floors, email_floors, strict=True)
    ]
    figures = [
        Figure(
            name="wave.invitations_per_s",
            unit="invitations/s",
            runs=[m.rate for m in waves],
            floor_name="bulk_create of the same invitation and email rows, 500 a call",
            floor_runs=rows_floor,
            target=0.5,
            details={
                **wave_details,
                **_cpu_details(invitation_floors, "invitation floor"),
                **_cpu_details(email_floors, "email floor"),
                "invitation floor alone, invitations/s (per run)": ", ".join(
                    f"{m.rate:.0f}" for m in invitation_floors
                ),
            },
            note=(
                data + "Clock from wave_plan's first query until wave_send's last batch "
                "committed and published its sending messages (invitations, their emails "
                "rendered and stored, 500 a transaction). Floor: the same rows stored raw, "
                "as the two floors below measure them in the same run: the invitation rows "
                "(tokens made beforehand) and as many outbox rows of the same size, each "
                "built as instances and stored with bulk_create, 500 a call and a "
                "transaction; the floor's rate is N over the sum of the two floors' times."
            ),
        ),
        Figure(
            name="wave.emails_queued_per_s",
            unit="emails/s",
            runs=[m.rate for m in waves],
            floor_name="OutboundMessage bulk_create, 500 a call",
            floor_runs=[m.rate for m in email_floors],
            target=0.5,
            details={**wave_details, **_cpu_details(email_floors, "email floor")},
            note=(
                data + "The same wave measurements: emails queued (outbox rows committed "
                "and their sending messages published) per second. Floor: as many "
                "OutboundMessage rows, each a copy of a wave email in the customer's "
                "language, built as instances and stored with bulk_create, 500 a call and "
                "a transaction."
            ),
        ),
    ]
    noisy = [
        m for m in (*waves, *invitation_floors, *email_floors) if m.busy_neighbours > NOISY_SHARE
    ]
    notes = []
    if noisy:
        notes.append(
            f"**Noisy:** in {len(noisy)} of {3 * ctx.runs} measurements other processes took "
            f"more than {NOISY_SHARE:.0%} of the CPU; the absolute rates are low and spread "
            "out, the per-run ratios less so. Re-run on a quiet machine."
        )
    notes.append(
        "CPU rows: CPU seconds per row (invitation or email) of the bench process (the "
        "product code runs in it), PostgreSQL (the bench database's backends and the server's "
        "own processes), Redis, everything else the machine did and idle. Statements: those "
        "Django sent during the wave (wave_plan's counts included)."
    )
    return figures, notes
