"""Webhooks delivered per second through a real worker to a local receiver,
against the email outbox's rate for as many emails to a local SMTP sink
(issue 14).

Both go through the same outbox: rows claimed in batches of
``NPS_EMAIL_BATCH_SIZE`` by ``followups.send_emails`` tasks on a real
``celery -A nps_project worker`` (production settings, the bench's
concurrency), each row delivered by its channel's transport and recorded.
Each run measures, one after the other (the order alternates from run to run),
each on an empty outbox after a ``CHECKPOINT``:

- **webhooks**: N ``response.recorded`` events (their payloads made by
  ``followups.webhooks.emit.WebhookEmitter``, as routing makes them, stored
  untimed) for one active endpoint at a receiver on 127.0.0.1 in the bench
  process (``infra.WebhookReceiver``: an asyncio HTTP/1.1 server that answers
  204 and keeps each request). Timed from the first publish until the
  database says all N are sent and the receiver has all N webhook-ids. Then
  checked: exactly N requests, N distinct webhook-ids, each its row's, and
  every signature verified by the ``standardwebhooks`` library.
- **floor, emails**: N outbox emails (copies of real invitation emails in the
  customer's language, about 6 kB each, stored untimed) to the SMTP sink the
  other benchmarks use; timed the same way until all N are sent and at the sink.

``webhooks.deliveries_per_s`` is N over the webhooks' seconds; its ratio is to
the emails' rate measured in the same run.
"""

from __future__ import annotations

import json
import statistics
import time

from . import infra, wave
from .loop import NOISY_SHARE, Measurement
from .report import Figure

DESCRIPTION = (
    "Signed webhooks (`response.recorded`, Standard Webhooks) delivered through the outbox by "
    "a real worker (`celery -A nps_project worker`, production settings) to a receiver on "
    "127.0.0.1, against the same worker sending as many outbox emails to the SMTP sink."
)
DEFAULT_N = 5_000
EVENT = "response.recorded"
POLL_SECONDS = 0.2
# Both channels must keep up with each other: a webhook is one small signed
# POST where an email is a 6 kB MIME message and four SMTP round trips.
TARGET = 0.5


def _endpoint(url: str):
    """The one active endpoint, at the receiver. Created directly: the bench
    process runs production settings, whose address check refuses 127.0.0.1
    (the worker is told to allow it, see ``run``)."""
    from followups.models import WebhookEndpoint
    from followups.webhooks.signing import secret_new

    WebhookEndpoint.objects.all().delete()
    return WebhookEndpoint.objects.create(url=url, events=[EVENT], secret=secret_new())


def _remove_endpoints() -> None:
    from followups.models import WebhookEndpoint

    WebhookEndpoint.objects.all().delete()


def _responses(survey, customers) -> list:
    """One answer per customer (untimed), with what its payload reads."""
    from django.utils import timezone

    from surveys import stats
    from surveys.models import Channel, Customer, Response

    people = Customer.objects.in_bulk([pk for pk, _, _ in customers])
    now = timezone.now()
    rows = [
        Response(
            survey=survey,
            customer=people[pk],
            score=pk % 11,
            category=stats.classify(pk % 11),
            channel=Channel.API,
            submitted_at=now,
            segment=people[pk].segment,
            locale=language,
        )
        for pk, _, language in customers
    ]
    Response.objects.bulk_create(rows, batch_size=1000)
    return rows


def _webhook_rows(endpoint, responses) -> list[dict]:
    """The outbox rows of one ``response.recorded`` event per answer, as the
    routing transaction would write them, as field values (each run stores
    fresh copies)."""
    from django.utils import timezone

    from followups.webhooks.emit import Event, WebhookEmitter

    emitter = WebhookEmitter(endpoints=[endpoint])
    now = timezone.now()
    for response in responses:
        objects = {"response": response, "customer": response.customer}
        emitter.add(Event(EVENT, f"response:{response.pk}", now, objects, response_id=response.pk))
    fields = (
        "channel",
        "webhook_endpoint_id",
        "dedupe_key",
        "template",
        "language",
        "recipient",
        "body_text",
        "response_id",
    )
    return [{name: getattr(row, name) for name in fields} for row in emitter.rows]


def _email_rows(customers, samples) -> list[dict]:
    return [
        {
            "dedupe_key": f"bench-email:{customer_id}",
            "template": "invitation",
            "language": language,
            "recipient": email,
            "customer_id": customer_id,
            "subject": samples[language][0],
            "body_text": samples[language][1],
            "body_html": samples[language][2],
        }
        for customer_id, email, language in customers
    ]


def _empty_outbox() -> None:
    """No outbox row (nor delivery attempt) left; the answers stay."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE followups_outboundmessage RESTART IDENTITY CASCADE")


def _store(rows: list[dict]) -> list[int]:
    from django.db import connection
    from django.utils import timezone

    from followups.models import OutboundMessage

    _empty_outbox()
    now = timezone.now()
    stored = OutboundMessage.objects.bulk_create(
        [OutboundMessage(**row, created_at=now, next_attempt_at=now) for row in rows],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE followups_outboundmessage")
        cursor.execute("CHECKPOINT")
    return [row.pk for row in stored]


def _outbox() -> dict[str, int]:
    progress = infra.loop_progress()
    return {key: progress[key] for key in ("queued", "sending", "sent", "failed")}


def measure(ctx, rows: list[dict], *, label: str, arrived) -> Measurement:
    """Store ``rows`` (untimed), then time a worker sending them all until the
    outbox says sent and ``arrived()`` counts them all at the far end."""
    from followups.publish import messages_enqueue
    from nps_project.celery import app

    n = len(rows)
    ids = _store(rows)
    infra.flush_broker(ctx.env.broker_url)
    with infra.Worker(ctx.env, app="nps_project", label=f"webhooks-{label}") as worker:
        worker.start(infra.celery_ping(app))
        meter = infra.CpuMeter(worker.process.pid, ctx.env.database_name).start()
        t0 = time.perf_counter()
        messages_enqueue(message_ids=ids)  # no transaction open: published now

        def status() -> str:
            return (
                f"Outbox: {_outbox()}, at the far end: {arrived()} of {n:,}.\n"
                f"Worker log:\n{worker.output_tail()}"
            )

        def done() -> bool:
            meter.sample()
            state = _outbox()
            if state["failed"]:
                raise infra.BenchError(f"{state['failed']} {label} failed. {status()}")
            return state["sent"] == n and arrived() >= n

        finished = infra.wait_until(
            done,
            deadline=t0 + ctx.timeout,
            interval=POLL_SECONDS,
            what=f"{n:,} {label} to be delivered",
            status=status,
        )
        cpu = meter.stop()
    return Measurement(seconds=finished - t0, n=n, cpu=cpu)


def verify_deliveries(receiver: infra.WebhookReceiver, endpoint, n: int) -> dict[str, int]:
    """Exactly N requests, N distinct webhook-ids, each a sent row's, each
    signature verified by ``standardwebhooks`` and each body its row's event.
    Returns what was checked; raises BenchError on any difference."""
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    from followups.models import OutboundMessage

    requests = list(receiver.requests)
    rows = {
        row.webhook_id: row
        for row in OutboundMessage.objects.filter(
            channel=OutboundMessage.Channel.WEBHOOK, status=OutboundMessage.Status.SENT
        ).only("pk", "body_text", "response_id")
    }
    ids = [headers.get("webhook-id", "") for headers, _ in requests]
    problems = []
    if len(requests) != n or len(set(ids)) != n or set(ids) != set(rows):
        problems.append(
            f"{len(requests):,} requests, {len(set(ids)):,} distinct webhook-ids, "
            f"{len(set(ids) - set(rows)):,} not a sent row's, {len(set(rows) - set(ids)):,} "
            f"sent rows never received (expected {n:,} of each)"
        )
    verifier = Webhook(endpoint.secret)
    refused = wrong = 0
    for headers, body in requests:
        try:
            payload = verifier.verify(body, headers)
        except WebhookVerificationError:
            refused += 1
            continue
        row = rows.get(headers["webhook-id"])
        if (
            row is None
            or payload != json.loads(row.body_text)
            or payload["data"]["response"]["id"] != row.response_id
        ):
            wrong += 1
    if refused or wrong:
        problems.append(f"{refused:,} signatures refused, {wrong:,} bodies not their row's event")
    if problems:
        raise infra.BenchError("Webhook deliveries: " + "; ".join(problems))
    return {"requests": len(requests), "verified": len(requests) - refused}


def _details(label: str, measurements: list[Measurement]) -> dict:
    n = measurements[0].n
    details = {f"{label}: seconds": round(statistics.median(m.seconds for m in measurements), 2)}
    for group in ("worker", "postgres", "redis", "bench", "other", "idle"):
        per_row = statistics.median(m.cpu[group] for m in measurements) / n * 1000
        details[f"{label}: CPU {group}, ms per message"] = round(per_row, 3)
    details[f"{label}: CPU taken by other processes, % (per run)"] = ", ".join(
        f"{m.busy_neighbours:.0%}" for m in measurements
    )
    return details


def run(ctx) -> tuple[list[Figure], list[str]]:
    from django.conf import settings

    survey = wave._survey()
    wave._create_customers(ctx.n)
    customers = wave._reachable_customers(survey)[: ctx.n]
    samples = wave.warm_up(survey)
    webhooks: list[Measurement] = []
    emails: list[Measurement] = []
    connections: list[int] = []
    # The worker runs production settings, which refuse a receiver on 127.0.0.1.
    ctx.env.extra["NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = "1"
    try:
        with infra.WebhookReceiver() as receiver, infra.SmtpSink() as sink:
            ctx.env.email_url = sink.url
            endpoint = _endpoint(receiver.url)
            webhook_rows = _webhook_rows(endpoint, _responses(survey, customers))
            email_rows = _email_rows(customers, samples)
            n = len(webhook_rows)

            def deliver_webhooks() -> Measurement:
                receiver.reset()
                measured = measure(
                    ctx, webhook_rows, label="webhooks", arrived=lambda: len(receiver.requests)
                )
                verify_deliveries(receiver, endpoint, n)
                connections.append(receiver.connections_opened)
                return measured

            def send_emails() -> Measurement:
                sink.reset()
                measured = measure(ctx, email_rows, label="emails", arrived=lambda: sink.count)
                if sink.count != n:
                    raise infra.BenchError(f"The SMTP sink got {sink.count:,} of {n:,} emails.")
                return measured

            steps = [("webhooks", webhooks, deliver_webhooks), ("emails", emails, send_emails)]
            for index in range(ctx.runs):
                for label, results, step in steps[index % 2 :] + steps[: index % 2]:
                    measurement = step()
                    results.append(measurement)
                    wave._progress(index, ctx.runs, label, measurement)
    finally:
        ctx.env.extra.pop("NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS", None)
        _empty_outbox()
        _remove_endpoints()  # or the next benchmark's answers post to a receiver gone
        infra.flush_broker(ctx.env.broker_url)

    details = {
        **_details("webhooks", webhooks),
        **_details("emails", emails),
        "webhooks: TCP connections the receiver accepted per delivery": round(
            statistics.median(connections) / ctx.n, 3
        ),
        "deliveries checked: distinct webhook-ids, signatures verified (per run)": (
            f"{ctx.n:,} of {ctx.n:,}, {ctx.n:,} of {ctx.n:,}"
        ),
        "NPS_EMAIL_BATCH_SIZE (messages a task claims)": settings.NPS_EMAIL_BATCH_SIZE,
    }
    figures = [
        Figure(
            name="webhooks.deliveries_per_s",
            unit="deliveries/s",
            runs=[m.rate for m in webhooks],
            floor_name="outbox emails to the SMTP sink, same worker",
            floor_runs=[m.rate for m in emails],
            target=TARGET,
            details=details,
            note=(
                f"N = {ctx.n:,} `{EVENT}` events for one endpoint at a receiver on 127.0.0.1 "
                "(answers 204), stored untimed and published in batches of "
                f"{settings.NPS_EMAIL_BATCH_SIZE} to a real worker ({infra.CONCURRENCY} "
                "processes); clock from the first publish until every row is sent and the "
                "receiver has every webhook-id; then every delivery checked (one request per "
                "event, its row's webhook-id, signature verified with `standardwebhooks`). "
                "Floor: N outbox emails (copies of real invitation emails) sent by the same "
                "worker to the SMTP sink, in the same run."
            ),
        )
    ]
    noisy = [m for m in (*webhooks, *emails) if m.busy_neighbours > NOISY_SHARE]
    notes = []
    if noisy:
        notes.append(
            f"**Noisy:** in {len(noisy)} of {2 * ctx.runs} measurements other processes took "
            f"more than {NOISY_SHARE:.0%} of the CPU; re-run on a quiet machine."
        )
    return figures, notes
