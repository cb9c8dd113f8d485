"""Asking customers: invitations through the outbox, throttling, reminders and
repeating waves. (Invitations are a ``surveys`` model; emailing them needs the
outbox, so the workflow lives here.)"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from surveys.links import unsubscribe_url
from surveys.models import Channel, Customer, Invitation, Response, Survey

from . import emails
from .models import OutboundEmail
from .services import enqueue_sending, format_when

logger = logging.getLogger(__name__)


def language_for(customer: Customer, survey: Survey) -> str:
    return customer.locale or survey.default_locale or settings.LANGUAGE_CODE


def _email_for(invitation: Invitation, *, reminder: bool) -> OutboundEmail:
    customer, survey = invitation.customer, invitation.survey
    language = language_for(customer, survey)
    question, _ = survey.text_for(language)
    return emails.email_queue(
        template="invitation",
        dedupe_key=f"invitation:{invitation.pk}:{'reminder' if reminder else 'first'}",
        to_email=customer.email,
        language=language,
        context={
            "customer_name": customer.name,
            "question": question,
            "survey_name": survey.name,
            "score_links": [(score, invitation.public_url(score)) for score in range(11)],
            "expires": format_when(invitation.expires_at, language),
            "unsubscribe_url": unsubscribe_url(customer),
            "reminder": reminder,
        },
        customer=customer,
    )


def invitation_send(
    *, survey: Survey, customer: Customer, reason: str = "", now: datetime | None = None
) -> Invitation:
    """Invite one customer now (a re-survey, or "send to this customer")."""
    if not customer.is_reachable:
        raise ValueError("This customer unsubscribed or was erased and cannot be invited.")
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation(survey=survey, customer=customer, channel=Channel.EMAIL)
        invitation.prepare_token(now=now)
        invitation.sent_at = now
        invitation.save()
        email = _email_for(invitation, reminder=False)
        enqueue_sending([email.pk])
    logger.info("Invitation %s sent (%s).", invitation.pk, reason or "direct")
    return invitation


@dataclass
class WavePlan:
    """Who a wave would reach, and who it skips and why."""

    survey: Survey
    to_send: list[int] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    @property
    def summary(self) -> str:
        parts = [f"{len(self.to_send)} to invite"]
        parts += [f"{count} skipped: {reason}" for reason, count in sorted(self.skipped.items())]
        return "; ".join(parts)


def plan_wave(
    *,
    survey: Survey,
    segment: str | None = None,
    customers: QuerySet | None = None,
    limit: int | None = None,
    now: datetime | None = None,
) -> WavePlan:
    """Decide who to invite: reachable customers not asked or answering any
    survey within the survey's throttle days."""
    now = now or timezone.now()
    base = Customer.objects.all() if customers is None else customers
    if segment:
        base = base.filter(segment=segment)
    cutoff = now - timedelta(days=survey.throttle_days)
    annotated = base.annotate(
        recently_invited=Exists(
            Invitation.objects.filter(customer=OuterRef("pk"), created_at__gte=cutoff)
        ),
        recently_answered=Exists(
            Response.objects.filter(customer=OuterRef("pk"), submitted_at__gte=cutoff)
        ),
    )
    plan = WavePlan(survey=survey)
    plan.skipped["erased"] = annotated.filter(erased_at__isnull=False).count()
    plan.skipped["unsubscribed"] = annotated.filter(
        erased_at__isnull=True, unsubscribed_at__isnull=False
    ).count()
    reachable = annotated.filter(erased_at__isnull=True, unsubscribed_at__isnull=True)
    plan.skipped[f"asked or answered within {survey.throttle_days} days"] = reachable.filter(
        Q(recently_invited=True) | Q(recently_answered=True)
    ).count()
    due = reachable.filter(recently_invited=False, recently_answered=False).order_by("pk")
    ids = due.values_list("pk", flat=True)
    ids = list(ids[:limit] if limit else ids)
    if limit is not None:
        plan.skipped["over the limit"] = due.count() - len(ids)
    plan.to_send = ids
    plan.skipped = +plan.skipped  # drop the reasons nobody was skipped for
    return plan


def send_wave(
    plan: WavePlan,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> int:
    """Create the planned invitations in bulk and queue their emails. Each batch
    commits on its own; its emails are published once it has."""
    survey = plan.survey
    if survey.status != Survey.Status.ACTIVE:
        raise ValueError(
            f"The survey '{survey.slug}' is {survey.status}: only an active survey is sent."
        )
    sent = 0
    for start in range(0, len(plan.to_send), batch_size):
        chunk = plan.to_send[start : start + batch_size]
        now_ = now or timezone.now()
        with transaction.atomic():
            customers = Customer.objects.reachable().in_bulk(chunk)
            invitations = []
            for customer in customers.values():
                invitation = Invitation(survey=survey, customer=customer, channel=Channel.EMAIL)
                invitation.prepare_token(now=now_)
                invitation.sent_at = now_
                invitations.append(invitation)
            Invitation.objects.bulk_create(invitations)
            email_ids = [_email_for(i, reminder=False).pk for i in invitations]
            enqueue_sending(email_ids)
        sent += len(invitations)
        if progress:
            progress(len(invitations))
    return sent


def remind_unanswered(*, now: datetime | None = None, limit: int = 5000) -> int:
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
        .select_related("survey", "customer")
        .order_by("sent_at")
    )
    reminded = 0
    for invitation in _iter_due_reminders(due, now, limit):
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            email = _email_for(invitation, reminder=True)
            enqueue_sending([email.pk])
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


def send_due_waves(*, now: datetime | None = None) -> dict[str, int]:
    """Send each repeating survey's next wave when its interval has passed."""
    now = now or timezone.now()
    sent = {}
    for survey in Survey.objects.filter(status=Survey.Status.ACTIVE).exclude(recurrence=""):
        interval = survey.wave_interval
        if survey.last_wave_at and survey.last_wave_at + interval > now:
            continue
        # Claim the wave so that two schedulers cannot both send it.
        claimed = Survey.objects.filter(pk=survey.pk, last_wave_at=survey.last_wave_at).update(
            last_wave_at=now
        )
        if not claimed:
            continue
        plan = plan_wave(survey=survey, now=now)
        sent[survey.slug] = send_wave(plan, now=now)
        logger.info("Wave of %s: %s", survey.slug, plan.summary)
    return sent
