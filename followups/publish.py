"""Publishing work to the workers: the one place that enqueues Celery tasks.

Tasks are named here, not imported: ``followups.tasks`` calls the parts, and
the parts publish through these functions, so nothing imports back up into
the tasks module. Every publish happens after the current transaction
commits, and a broker failure is logged, never raised: the rows are in the
database, and the sweeper publishes what did not get through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

ROUTE_RESPONSES = "followups.route_responses"
SEND_MESSAGES = "followups.send_emails"
SCHEDULE_WAVE = "followups.schedule_wave"
SEND_WAVE_CHUNK = "followups.send_wave_chunk"
SEND_INVITATIONS = "followups.send_invitations"
SEND_DUE_INVITATIONS = "followups.send_due_invitations"


def chunked(ids: Sequence[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def task_publish(name: str, *args, countdown: float | None = None) -> None:
    """Publish the registered task ``name`` now (not on commit: for callers
    outside a transaction, such as the sweeper and retries). Raises what the
    broker raises."""
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
