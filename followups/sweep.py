"""The sweeper: work the broker lost (unrouted answers, unsent messages, stalled
waves) found again in the database and published once more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from followups.insights.suggestions import SUGGEST_ROOT_CAUSES, unsuggested_cases
from followups.models import (
    OutboundMessage,
)
from followups.outbox.sending import finish_sent
from followups.publish import (
    ROUTE_RESPONSES,
    SCHEDULE_WAVE,
    SEND_MESSAGES,
    SEND_WAVE_CHUNK,
    chunked,
    task_publish,
)
from surveys.models import Response, Wave, WaveChunk

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    responses: int = 0
    messages: int = 0  # outbox rows of any channel re-published
    unstuck: int = 0
    finished: int = 0  # accepted by the far end, bookkeeping done by the sweep
    waves: int = 0  # wave scheduler and chunk tasks re-published
    suggestions: int = 0  # cases whose root-cause suggestion task was lost


def lost_work_sweep(*, now: datetime | None = None) -> SweepResult:
    """Re-publish work that the broker may have lost: responses still unrouted
    and messages still queued past a grace time, and messages still "sending"
    past their sender's lease (a worker died mid-send: see
    ``followups.outbox.sending``). Messages the far end had accepted when their
    sender died are recorded as sent instead, so they do not go out twice."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.NPS_SWEEP_GRACE_SECONDS)
    limit = settings.NPS_SWEEP_LIMIT
    result = SweepResult()
    result.finished = _finish_accepted(now=now, grace=grace, limit=limit)
    released_ids, result.unstuck = _release_expired_leases(now=now, limit=limit)
    result.responses = _republish_unrouted(now=now, grace=grace, limit=limit)
    result.messages = _republish_queued(
        now=now, grace=grace, limit=limit, released_ids=released_ids
    )
    result.waves = _sweep_waves(now=now, grace=grace, limit=limit)
    result.suggestions = _republish_unsuggested(now=now, grace=grace, limit=limit)
    if result.suggestions:
        logger.info("Sweep re-published suggestions for %d case(s).", result.suggestions)
    if result.responses or result.messages or result.unstuck or result.finished or result.waves:
        logger.info(
            "Sweep re-published %d response(s), %d message(s), %d wave task(s); "
            "%d stuck message(s) released, %d accepted message(s) recorded as sent.",
            result.responses,
            result.messages,
            result.waves,
            result.unstuck,
            result.finished,
        )
    return result


def _finish_accepted(*, now: datetime, grace: timedelta, limit: int) -> int:
    """Accepted by the far end, but the sender died before its bookkeeping:
    finished here, never sent again."""
    accepted_ids = list(
        OutboundMessage.objects.filter(
            status=OutboundMessage.Status.SENDING, sent_at__lt=now - grace
        ).values_list("pk", flat=True)[:limit]
    )
    return sum(finish_sent(chunk) for chunk in chunked(accepted_ids, settings.NPS_EMAIL_BATCH_SIZE))


def _release_expired_leases(*, now: datetime, limit: int) -> tuple[list[int], int]:
    """Queue again the messages whose sender's lease ran out before the far
    end took them; returns the ids found and how many were released."""
    stuck = OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, sent_at__isnull=True, lease_expires_at__lt=now
    )
    stuck_ids = list(stuck.values_list("pk", flat=True)[:limit])
    # Conditional: a sender that finishes meanwhile keeps its result.
    released = stuck.filter(pk__in=stuck_ids).update(
        status=OutboundMessage.Status.QUEUED,
        next_attempt_at=now,
        claimed_at=None,
        lease_expires_at=None,
    )
    return stuck_ids, released


def _republish_unrouted(*, now: datetime, grace: timedelta, limit: int) -> int:
    response_ids = list(
        Response.objects.routable(now)
        .filter(created_at__lt=now - grace)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for chunk in chunked(response_ids, settings.NPS_ROUTING_BATCH_SIZE):
        task_publish(ROUTE_RESPONSES, chunk)
    return len(response_ids)


def _republish_queued(
    *, now: datetime, grace: timedelta, limit: int, released_ids: list[int]
) -> int:
    """Publish send tasks for messages queued past the grace time, and at once
    for those just released (due now, not after the grace time)."""
    message_ids = list(
        OutboundMessage.objects.filter(
            status=OutboundMessage.Status.QUEUED, next_attempt_at__lt=now - grace
        )
        .exclude(pk__in=released_ids)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    message_ids += released_ids
    for chunk in chunked(message_ids, settings.NPS_EMAIL_BATCH_SIZE):
        task_publish(SEND_MESSAGES, chunk)
    return len(message_ids)


def _sweep_waves(*, now: datetime, grace: timedelta, limit: int) -> int:
    """Re-publish the rest of each wave that made no progress for the grace
    time (its scheduler message, or the chunks not done: some message of it
    was lost, or a worker died with it). Claimed by a conditional update of the
    wave's progress time, so a wave is re-published once per grace time, and
    by one sweeper. A chunk published twice does its work once."""
    published = 0
    stalled = Wave.objects.filter(finished_at=None, progressed_at__lt=now - grace)
    for wave_id, progressed_at, scheduled_at in stalled.values_list(
        "pk", "progressed_at", "scheduled_at"
    )[:limit]:
        claimed = Wave.objects.filter(pk=wave_id, progressed_at=progressed_at).update(
            progressed_at=now
        )
        if not claimed:
            continue
        if scheduled_at is None:
            task_publish(SCHEDULE_WAVE, wave_id)
            published += 1
            continue
        pending = WaveChunk.objects.filter(wave_id=wave_id, done_at=None).order_by("number")
        for chunk_id in pending.values_list("pk", flat=True)[: limit - published]:
            task_publish(SEND_WAVE_CHUNK, chunk_id)
            published += 1
        if published >= limit:
            break
    return published


def _republish_unsuggested(*, now: datetime, grace: timedelta, limit: int) -> int:
    """Cases the active model never looked at past the grace time (the task
    published when they opened was lost, or they opened before the model):
    their suggestion task again, in routing-sized batches."""
    case_ids = unsuggested_cases(now=now, grace=grace, limit=limit)
    for chunk in chunked(case_ids, settings.NPS_ROUTING_BATCH_SIZE):
        task_publish(SUGGEST_ROOT_CAUSES, chunk)
    return len(case_ids)
