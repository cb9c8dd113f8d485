"""Celery entry points. Thin: they take ids and call services."""

from __future__ import annotations

import logging
import math
from collections import defaultdict

from celery import shared_task
from django.db import DatabaseError

from . import services

logger = logging.getLogger(__name__)

IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(
    name="followups.route_responses",
    bind=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    **IDEMPOTENT,
)
def route_responses(self, response_ids: list[int]) -> None:
    """Give each answer its case, offer or reward. Safe to run twice. A
    database error is retried; after the retries the sweeper still has it."""
    services.route_responses(response_ids)


@shared_task(name="followups.send_emails", **IDEMPOTENT)
def send_emails(email_ids: list[int]) -> None:
    """Send queued emails; schedule the ones that failed for now."""
    retry = services.emails_send(email_ids)
    by_delay: dict[int, list[int]] = defaultdict(list)
    for email_id, delay in retry.items():
        # Never before the row's next_attempt_at, or the claim would refuse it.
        by_delay[math.ceil(delay) + 1].append(email_id)
    for delay, ids in by_delay.items():
        try:
            send_emails.apply_async((ids,), countdown=delay)
        except Exception:
            logger.warning("Could not schedule a retry of %d email(s); the sweeper will.", len(ids))


@shared_task(name="followups.sweep", ignore_result=True)
def sweep() -> None:
    services.sweep()


@shared_task(name="followups.escalate_cases", ignore_result=True)
def escalate_cases() -> None:
    from .workflow import escalate_due_cases

    escalate_due_cases()


@shared_task(name="followups.send_reminders", ignore_result=True)
def send_reminders() -> None:
    from .invitations import remind_unanswered

    remind_unanswered()


@shared_task(name="followups.send_due_waves", ignore_result=True)
def send_due_waves() -> None:
    from .invitations import send_due_waves as send

    send()


@shared_task(name="followups.send_survey_wave", ignore_result=True)
def send_survey_wave(survey_id: int, segment: str = "") -> None:
    """Start a wave of an active survey (what the admin published before waves
    were rows of their own; kept so such messages still run)."""
    from surveys.models import Survey

    from .invitations import wave_start

    survey = Survey.objects.filter(pk=survey_id, status=Survey.Status.ACTIVE).first()
    if survey is not None:
        wave_start(survey=survey, segment=segment)


@shared_task(name="followups.schedule_wave", **IDEMPOTENT)
def schedule_wave(wave_id: int) -> None:
    """Split a wave into chunks of customers and publish one task per chunk."""
    from .invitations import wave_schedule

    wave_schedule(wave_id)


@shared_task(name="followups.send_wave_chunk", **IDEMPOTENT)
def send_wave_chunk(chunk_id: int) -> None:
    """Invite one chunk of a wave. Safe to run twice; if lost, the sweeper has it."""
    from .invitations import wave_chunk_send

    wave_chunk_send(chunk_id)


@shared_task(name="followups.send_weekly_digest", ignore_result=True)
def send_weekly_digest() -> None:
    from .digest import digest_send

    digest_send()
