"""The sweeper: work the broker lost (unrouted answers, unsent messages, stalled
waves) found again in the database and published once more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from followups.models import (
    OutboundEmail,
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
    emails: int = 0
    unstuck: int = 0
    finished: int = 0  # accepted by the mail server, bookkeeping done by the sweep
    waves: int = 0  # wave scheduler and chunk tasks re-published


def lost_work_sweep(*, now: datetime | None = None) -> SweepResult:
    """Re-publish work that the broker may have lost: responses still unrouted
    and emails still queued past a grace time, and emails still "sending"
    past their sender's lease (a worker died mid-send: see ``followups.outbox.sending``).
    Emails the mail server had accepted when their sender died are recorded as
    sent instead, so they do not go out twice."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.NPS_SWEEP_GRACE_SECONDS)
    limit = settings.NPS_SWEEP_LIMIT
    result = SweepResult()

    # Accepted by the mail server, but the sender died before its bookkeeping:
    # finished here, never sent again.
    accepted_ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.SENDING, sent_at__lt=now - grace
        ).values_list("pk", flat=True)[:limit]
    )
    for chunk in chunked(accepted_ids, settings.NPS_EMAIL_BATCH_SIZE):
        result.finished += finish_sent(chunk)

    stuck = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, sent_at__isnull=True, lease_expires_at__lt=now
    )
    stuck_ids = list(stuck.values_list("pk", flat=True)[:limit])
    # Conditional: a sender that finishes meanwhile keeps its result.
    result.unstuck = stuck.filter(pk__in=stuck_ids).update(
        status=OutboundEmail.Status.QUEUED,
        next_attempt_at=now,
        claimed_at=None,
        lease_expires_at=None,
    )

    response_ids = list(
        Response.objects.filter(routed_at__isnull=True, created_at__lt=now - grace)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for chunk in chunked(response_ids, settings.NPS_ROUTING_BATCH_SIZE):
        task_publish(ROUTE_RESPONSES, chunk)
    result.responses = len(response_ids)

    email_ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.QUEUED, next_attempt_at__lt=now - grace
        )
        .exclude(pk__in=stuck_ids)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    # Emails just released are due at once, not after the grace time.
    email_ids += stuck_ids
    for chunk in chunked(email_ids, settings.NPS_EMAIL_BATCH_SIZE):
        task_publish(SEND_MESSAGES, chunk)
    result.emails = len(email_ids)
    result.waves = _sweep_waves(now=now, grace=grace, limit=limit)
    if result.responses or result.emails or result.unstuck or result.finished or result.waves:
        logger.info(
            "Sweep re-published %d response(s), %d email(s), %d wave task(s); "
            "%d stuck email(s) released, %d accepted email(s) recorded as sent.",
            result.responses,
            result.emails,
            result.waves,
            result.unstuck,
            result.finished,
        )
    return result


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
