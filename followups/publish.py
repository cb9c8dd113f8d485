"""Publishing work to the workers: the one place that enqueues Celery tasks.

Tasks are named here, not imported: ``followups.tasks`` calls the parts, and
the parts publish through these functions, so nothing imports back up into
the tasks module. Every publish happens after the current transaction
commits, and a broker failure is logged, never raised: the rows are in the
database, and the sweeper publishes what did not get through.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable, Sequence

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

ROUTE_RESPONSES = "followups.route_responses"
ROUTE_RECENT = "followups.route_recent_responses"
SEND_MESSAGES = "followups.send_emails"
SCHEDULE_WAVE = "followups.schedule_wave"
SEND_WAVE_CHUNK = "followups.send_wave_chunk"
SEND_INVITATIONS = "followups.send_invitations"
SEND_DUE_INVITATIONS = "followups.send_due_invitations"


def chunked(ids: Sequence[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def countdown_for_broker(seconds: float) -> float:
    """``seconds`` as the broker can delay a message: RabbitMQ's delayed
    delivery (quorum queues) counts whole seconds and refuses less than one,
    so there a fraction is rounded up; Redis takes it as it is."""
    scheme = str(current_app.conf.broker_url or "").split("://", 1)[0]
    if scheme in {"amqp", "amqps", "pyamqp"} and seconds > 0:
        return float(math.ceil(seconds))
    return seconds


def task_publish(name: str, *args, countdown: float | None = None) -> None:
    """Publish the registered task ``name`` now (not on commit: for callers
    outside a transaction, such as the sweeper and retries). Raises what the
    broker raises."""
    if countdown is not None:
        countdown = countdown_for_broker(countdown)
    # Celery reads a None countdown as "now"; the stub allows only a float.
    current_app.signature(name, args=args).apply_async(
        countdown=countdown,  # type: ignore[arg-type]
        argsrepr=_args_shown(args),
    )


def _args_shown(args: tuple) -> str | None:
    """The arguments as monitoring shows them. Celery's own ``saferepr`` is
    pure Python and costs a millisecond per ten batches of ids; for what fits
    its size limit, ``repr`` gives the same text. Longer: Celery truncates."""
    shown = repr(args)
    return shown if len(shown) <= current_app.amqp.argsrepr_maxsize else None


def tasks_publish_on_commit(name: str, arguments: Sequence[tuple], *, what: str) -> None:
    """Publish ``name`` once per tuple of ``arguments`` after the current
    transaction commits. ``what`` names the work in the log line a broker
    failure leaves."""
    if not arguments:
        return
    calls = list(arguments)

    def publish() -> None:
        try:
            for args in calls:
                task_publish(name, *args)
        except Exception:
            logger.warning("Could not publish %d %s; the sweeper will.", len(calls), what)

    transaction.on_commit(publish)


def messages_enqueue(*, message_ids: Sequence[int], countdown: float | None = None) -> None:
    """Publish send tasks, NPS_EMAIL_BATCH_SIZE messages each (so several
    workers share a burst), after the current transaction commits."""
    if not message_ids:
        return
    ids = list(message_ids)

    def publish() -> None:
        try:
            for chunk in chunked(ids, settings.NPS_EMAIL_BATCH_SIZE):
                task_publish(SEND_MESSAGES, chunk, countdown=countdown)
        except Exception:
            logger.warning("Could not publish %d message(s); the sweeper will.", len(ids))

    transaction.on_commit(publish)


def responses_route_later(*, response_ids: Sequence[int]) -> None:
    """Publish routing work in batches of NPS_ROUTING_BATCH_SIZE, now."""
    for chunk in chunked(response_ids, settings.NPS_ROUTING_BATCH_SIZE):
        task_publish(ROUTE_RESPONSES, chunk)


class _RoutingRun:
    """When the routing run this process published last will start (epoch
    seconds), so answers recorded before then need no run of their own."""

    lock = threading.Lock()
    starts_at = 0.0


# A run is not counted on if it starts this soon after an answer's hand-off:
# the worker's clock may be this far behind ours.
CLOCK_MARGIN_SECONDS = 0.05


def routing_run_request() -> None:
    """Have every recent unrouted answer routed within
    NPS_ROUTING_COALESCE_SECONDS, by one run for however many answers this
    process hands over meanwhile (a burst of single answers is routed in
    batches, not one task each).

    Called after the answer's transaction committed. A run is published with
    that countdown unless one this process published already starts later
    than now: that run reads the database after this answer committed, so it
    routes it. A run takes every routable answer recorded from the sweeper's
    grace time before its publication on, so a run lost with a restarted
    broker is made good by the next run, or else by the sweeper. Raises what
    the broker raises (then nothing counts as pending, and the next answer
    publishes again)."""
    delay = countdown_for_broker(settings.NPS_ROUTING_COALESCE_SECONDS)
    if current_app.conf.task_always_eager or delay <= 0:
        # In-process tasks run at once and ignore countdowns: one run each.
        task_publish(ROUTE_RECENT, time.time())
        return
    with _RoutingRun.lock:
        now = time.time()
        if now < _RoutingRun.starts_at - CLOCK_MARGIN_SECONDS:
            return
        task_publish(ROUTE_RECENT, now, countdown=delay)
        _RoutingRun.starts_at = now + delay
