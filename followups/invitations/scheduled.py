"""Sending the invitations asked for through the API when they are due.

A periodic task reads the ids of due invitations and publishes them in chunks;
each chunk task claims the rows still due with row locks that skip locked
rows, and in one transaction marks them sent (or skipped, when the customer
cannot be emailed any more) and stores their emails in the outbox. So a chunk
published twice, or run by two workers at once, sends each invitation once; a
worker that dies before the commit leaves the rows due for the next run; and
an email stored but never published is the sweeper's (``followups.sweep``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from followups.invitations.emails import language_for
from followups.invitations.requests import skip_reason_for
from followups.invitations.waves import _WaveEmails
from followups.models import OutboundMessage
from followups.outbox.sms import invitation_sms_queue
from followups.publish import SEND_INVITATIONS, chunked, messages_enqueue, task_publish
from surveys.models import Channel, Invitation, Survey

logger = logging.getLogger(__name__)


def due_invitations_publish(*, now: datetime | None = None) -> int:
    """Publish a sending task per chunk of the invitations due at ``now`` (at
    most NPS_INVITATION_SEND_LIMIT per run; the next run takes the rest).
    Returns how many invitations were published."""
    now = now or timezone.now()
    due_ids = list(
        Invitation.objects.due(now)
        .filter(survey__status=Survey.Status.ACTIVE)
        .order_by("scheduled_at")
        .values_list("pk", flat=True)[: settings.NPS_INVITATION_SEND_LIMIT]
    )
    for chunk in chunked(due_ids, settings.NPS_INVITATION_CHUNK_SIZE):
        task_publish(SEND_INVITATIONS, chunk)
    return len(due_ids)


def invitations_send(*, invitation_ids: list[int], now: datetime | None = None) -> int:
    """Send those of these invitations that are due and not taken by another
    worker: mark them sent and queue their emails (published on commit), or
    mark them skipped when their customer unsubscribed, was erased or bounced
    since. Returns how many were sent."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = list(
            Invitation.objects.due(now)
            .filter(pk__in=invitation_ids, survey__status=Survey.Status.ACTIVE)
            .select_related("survey", "customer")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        to_send = _skip_unreachable(claimed)
        for invitation in to_send:
            # The link lives its survey's lifetime from now, when it is sent,
            # not from when it was asked for (a survey paused for weeks, or
            # workers down, would otherwise send links already dead).
            invitation.sent_at = now
            invitation.expires_at = now + timedelta(days=invitation.survey.invitation_lifetime_days)
        Invitation.objects.bulk_update(to_send, ["sent_at", "expires_at"])
        message_ids = _emails_store(to_send, now=now)
        messages_enqueue(message_ids=message_ids)
    if to_send:
        logger.info("%d scheduled invitation(s) sent.", len(to_send))
    return len(to_send)


def _skip_unreachable(invitations: list[Invitation]) -> list[Invitation]:
    """Mark skipped the invitations whose customer may not be emailed any
    more; returns the others."""
    by_reason: dict[str, list[int]] = defaultdict(list)
    reachable = []
    for invitation in invitations:
        reason = skip_reason_for(invitation.customer, invitation.channel)
        if reason:
            by_reason[reason].append(invitation.pk)
        else:
            reachable.append(invitation)
    for reason, ids in by_reason.items():
        Invitation.objects.filter(pk__in=ids).update(skip_reason=reason)
    return reachable


def _emails_store(invitations: list[Invitation], *, now: datetime) -> list[int]:
    """Store the first email (or text) of each invitation (emails rendered as
    a wave renders them, once per language); one already stored under its
    dedupe key is kept. Returns the ids of the emails."""
    renderers: dict[int, _WaveEmails] = {}
    emails = []
    for invitation in invitations:
        if invitation.channel == Channel.SMS:
            # Published by sms_queue itself (or held for the quiet hours).
            language = language_for(invitation.customer, invitation.survey)
            invitation_sms_queue(invitation=invitation, language=language, reminder=False, now=now)
            continue
        survey = invitation.survey
        renderer = renderers.setdefault(survey.pk, _WaveEmails(survey))
        emails.append(renderer.email(invitation, now))
    if not emails:
        return []
    OutboundMessage.objects.bulk_create(emails, ignore_conflicts=True)
    keys = [email.dedupe_key for email in emails]
    return list(
        OutboundMessage.objects.filter(
            dedupe_key__in=keys, status=OutboundMessage.Status.QUEUED
        ).values_list("pk", flat=True)
    )
