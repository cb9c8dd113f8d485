"""Reminders: one more email (or text, for an SMS invitation) to each
invitation still unanswered after its survey's reminder days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from followups.invitations.bonus import reminder_bonus_assign
from followups.invitations.emails import _email_for
from followups.publish import messages_enqueue
from surveys.models import Channel, Invitation, Survey


def reminders_send(*, now: datetime | None = None, limit: int = 5000) -> int:
    """One reminder to each invitation still unanswered after its survey's
    reminder days. Claimed by a conditional update, so never twice."""
    now = now or timezone.now()
    due = (
        Invitation.objects.filter(
            responded_at__isnull=True,
            reminded_at__isnull=True,
            sent_at__isnull=False,
            expires_at__gt=now,
            survey__status=Survey.Status.ACTIVE,
            survey__reminder_after_days__gt=0,
            customer__unsubscribed_at__isnull=True,
            customer__erased_at__isnull=True,
        )
        .filter(
            # A text does not need the email address to work, and an email not the phone.
            Q(channel=Channel.SMS, customer__phone__isnull=False)
            | (
                ~Q(channel=Channel.SMS)
                & Q(customer__email_bounced_at__isnull=True)
                & Q(customer__email_complained_at__isnull=True)
            )
        )
        .select_related("survey", "customer")
        .order_by("sent_at")
    )
    reminded = 0
    for invitation in _iter_due_reminders(due, now, limit):
        with transaction.atomic():
            # Checked again in the claim: the customer may have answered (or
            # the invitation been cancelled) since it was read as due, and
            # then gets no reminder, nor the promise of a bonus.
            claimed = Invitation.objects.filter(
                pk=invitation.pk,
                reminded_at__isnull=True,
                responded_at__isnull=True,
                cancelled_at__isnull=True,
            ).update(reminded_at=now)
            if not claimed:
                continue
            # A text has no room to describe a bonus: SMS reminders stay out
            # of the comparison rather than join an arm they were not told of.
            bonus = (
                None
                if invitation.channel == Channel.SMS
                else reminder_bonus_assign(invitation=invitation, now=now)
            )
            email = _email_for(invitation, reminder=True, bonus=bonus, now=now)
            messages_enqueue(message_ids=[email.pk])
        reminded += 1
    return reminded


def _iter_due_reminders(queryset, now: datetime, limit: int) -> Iterable[Invitation]:
    count = 0
    for invitation in queryset.iterator(chunk_size=500):
        if invitation.sent_at + timedelta(days=invitation.survey.reminder_after_days) > now:
            continue
        yield invitation
        count += 1
        if count >= limit:
            return
