"""Celery entry points. Thin: each takes ids, calls one service of a part, and
keeps its registered name (messages already queued under it still run)."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from followups.cases.workflow import due_cases_escalate
from followups.incentives.redemption import grants_expire
from followups.insights.suggestions import cases_suggest, root_cause_model_train
from followups.insights.themes import due_themes_compute, survey_themes_compute
from followups.invitations.employees import employee_reminders_send
from followups.invitations.reminders import reminders_send
from followups.invitations.scheduled import due_invitations_publish, invitations_send
from followups.invitations.waves import (
    due_waves_start,
    survey_wave_start,
    wave_chunk_send,
    wave_schedule,
)
from followups.outbox.sending import messages_send
from followups.publish import SEND_MESSAGES, task_publish
from followups.replies.imap import MailboxError, replies_fetch
from followups.reporting.digest import digest_send
from followups.routing import recent_responses_route, responses_route
from followups.sweep import lost_work_sweep

logger = logging.getLogger(__name__)

IDEMPOTENT: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
}
# Routing retries a database error with backoff; after the retries the sweeper
# still has the answers.
ROUTING: dict[str, Any] = {
    "bind": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    **IDEMPOTENT,
}


@shared_task(name="followups.route_responses", **ROUTING)
def responses_route_task(self, response_ids: list[int]) -> None:
    """Give each answer its case, offer or reward. Safe to run twice. A
    database error is retried; after the retries the sweeper still has it."""
    responses_route(response_ids=response_ids)


@shared_task(name="followups.route_recent_responses", **ROUTING)
def recent_responses_route_task(self, published_at: float) -> None:
    """The coalesced run of single answers (``publish.routing_run_request``):
    route every routable answer recorded from the sweeper's grace time before
    this run was published on. Safe to run twice or concurrently."""
    grace = settings.NPS_SWEEP_GRACE_SECONDS
    since = datetime.fromtimestamp(published_at - grace, tz=UTC)
    recent_responses_route(since=since)


@shared_task(name="followups.send_emails", **IDEMPOTENT)
def messages_send_task(email_ids: list[int]) -> None:
    """Send queued messages; schedule the ones that failed for now."""
    by_delay: dict[int, list[int]] = defaultdict(list)
    for message_id, delay in messages_send(message_ids=email_ids).items():
        # Never before the row's next_attempt_at, or the claim would refuse it.
        by_delay[math.ceil(delay) + 1].append(message_id)
    for delay, ids in by_delay.items():
        try:
            task_publish(SEND_MESSAGES, ids, countdown=delay)
        except Exception:
            logger.warning(
                "Could not schedule a retry of %d message(s); the sweeper will.", len(ids)
            )


@shared_task(name="followups.sweep", ignore_result=True)
def lost_work_sweep_task() -> None:
    lost_work_sweep()


@shared_task(name="followups.escalate_cases", ignore_result=True)
def cases_escalate_task() -> None:
    due_cases_escalate()


@shared_task(name="followups.send_reminders", ignore_result=True)
def reminders_send_task() -> None:
    reminders_send()
    employee_reminders_send()


@shared_task(name="followups.send_due_waves", ignore_result=True)
def due_waves_start_task() -> None:
    due_waves_start()


@shared_task(name="followups.send_survey_wave", ignore_result=True)
def survey_wave_start_task(survey_id: int, segment: str = "") -> None:
    """Start a wave of an active survey (what the admin published before waves
    were rows of their own; kept so such messages still run)."""
    survey_wave_start(survey_id=survey_id, segment=segment)


@shared_task(name="followups.schedule_wave", **IDEMPOTENT)
def wave_schedule_task(wave_id: int) -> None:
    """Split a wave into chunks of customers and publish one task per chunk."""
    wave_schedule(wave_id=wave_id)


@shared_task(name="followups.send_wave_chunk", **IDEMPOTENT)
def wave_chunk_send_task(chunk_id: int) -> None:
    """Invite one chunk of a wave. Safe to run twice; if lost, the sweeper has it."""
    wave_chunk_send(chunk_id=chunk_id)


@shared_task(name="followups.send_due_invitations", ignore_result=True)
def due_invitations_publish_task() -> None:
    """Publish the invitations due now, in chunks (periodic)."""
    due_invitations_publish()


@shared_task(name="followups.send_invitations", **IDEMPOTENT)
def invitations_send_task(invitation_ids: list[int]) -> None:
    """Send these invitations if still due. Safe to run twice; if lost, the
    periodic task publishes them again."""
    invitations_send(invitation_ids=invitation_ids)


@shared_task(name="followups.send_weekly_digest", ignore_result=True)
def digest_send_task() -> None:
    digest_send()


@shared_task(name="followups.expire_grants", ignore_result=True)
def grants_expire_task() -> None:
    """Mark offer and reward codes past their date expired (in chunks)."""
    grants_expire()


@shared_task(name="followups.fetch_replies", ignore_result=True)
def replies_fetch_task() -> None:
    """Read customers' replies from the IMAP mailbox (periodic, when
    NPS_REPLY_IMAP_HOST is set). An unreachable mailbox is logged and tried
    again at the next run: nothing is marked read before it is recorded."""
    try:
        replies_fetch()
    except MailboxError as exc:
        logger.warning("Replies not fetched: %s", exc)


@shared_task(name="followups.suggest_root_causes", **IDEMPOTENT)
def cases_suggest_task(case_ids: list[int]) -> None:
    """Suggest root causes for new cases. Safe to run twice; if lost, the sweeper has it."""
    cases_suggest(case_ids=case_ids)


# A training cross-validates a small grid on at most
# NPS_SUGGESTION_MAX_TRAINING_CASES cases: minutes at most (bench/results/
# quality.md), far past the default limits made for tasks that touch a few
# rows. It holds no row locks meanwhile (it reads its examples, fits, then
# stores the model). An attempt that fails or is killed makes the next wait
# longer (suggestions.root_cause_model_train), so beat does not retry it hourly.
TRAINING_SOFT_TIME_LIMIT = 30 * 60


@shared_task(
    name="followups.train_root_causes",
    ignore_result=True,
    soft_time_limit=TRAINING_SOFT_TIME_LIMIT,
    time_limit=TRAINING_SOFT_TIME_LIMIT + 60,
)
def root_cause_model_train_task() -> None:
    """Retrain the root-cause model when enough new labels exist (periodic)."""
    root_cause_model_train()


@shared_task(name="followups.compute_themes", ignore_result=True)
def themes_compute_task() -> None:
    """Publish one theme computation per survey whose closed period is not
    done yet (daily; a run that finds them done publishes nothing)."""
    due_themes_compute()


# One survey's period: at most NPS_THEMES_MAX_CLUSTERED comments clustered
# (k-means for each number of themes), the rest assigned by nearest centroid.
THEMES_SOFT_TIME_LIMIT = 10 * 60


@shared_task(
    name="followups.compute_survey_themes",
    soft_time_limit=THEMES_SOFT_TIME_LIMIT,
    time_limit=THEMES_SOFT_TIME_LIMIT + 60,
    **IDEMPOTENT,
)
def survey_themes_compute_task(survey_id: int, period_name: str) -> None:
    """One survey's themes of one period. Safe to run twice (a computed
    period is left alone); if lost, the next daily run publishes it again."""
    survey_themes_compute(survey_id=survey_id, period_name=period_name)
