"""Invitation emails: one customer invited now, and the email an invitation is
sent (or reminded) with.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from followups.invitations.bonus import reminder_bonus_context
from followups.models import OutboundMessage, ReminderBonusAssignment
from followups.outbox.language import customer_zone, format_when
from followups.outbox.messages import email_queue
from followups.outbox.sms import invitation_sms_queue
from followups.publish import messages_enqueue
from surveys.links import unsubscribe_url
from surveys.models import Channel, Customer, Invitation, Survey

logger = logging.getLogger(__name__)


def language_for(customer: Customer, survey: Survey) -> str:
    return customer.locale or survey.default_locale or settings.LANGUAGE_CODE


TEMPLATE = "invitation"


def _dedupe_key(invitation_id: int, *, reminder: bool) -> str:
    return f"invitation:{invitation_id}:{'reminder' if reminder else 'first'}"


def _email_context(
    *,
    survey: Survey,
    language: str,
    customer_name: str,
    score_links: list[tuple[int, str]],
    expires: str,
    unsubscribe_link: str,
    reminder: bool,
) -> dict:
    """What the invitation templates are rendered with, for one email."""
    question, _ = survey.text_for(language)
    return {
        "customer_name": customer_name,
        "question": question,
        "survey_name": survey.name,
        "score_links": score_links,
        "expires": expires,
        "unsubscribe_url": unsubscribe_link,
        "reminder": reminder,
    }


def _context_for(
    invitation: Invitation,
    *,
    reminder: bool,
    bonus: ReminderBonusAssignment | None = None,
) -> tuple[str, dict]:
    customer, survey = invitation.customer, invitation.survey
    language, zone = language_for(customer, survey), customer_zone(customer)
    context = _email_context(
        survey=survey,
        language=language,
        customer_name=customer.name,
        score_links=[(score, invitation.public_url(score)) for score in range(11)],
        expires=format_when(invitation.expires_at, language, zone),
        unsubscribe_link=unsubscribe_url(customer),
        reminder=reminder,
    )
    return language, {**context, **reminder_bonus_context(bonus, language, zone)}


def _email_for(
    invitation: Invitation,
    *,
    reminder: bool,
    bonus: ReminderBonusAssignment | None = None,
    now: datetime | None = None,
) -> OutboundMessage:
    """The invitation's first message or reminder, on its channel (a text
    due at ``now``, or at the end of the customer's quiet hours). ``bonus``:
    the reminder's arm of a bonus for non-responders (email reminders only)."""
    if invitation.channel == Channel.SMS:
        return invitation_sms_queue(
            invitation=invitation,
            language=language_for(invitation.customer, invitation.survey),
            reminder=reminder,
            now=now,
        )
    language, context = _context_for(invitation, reminder=reminder, bonus=bonus)
    return email_queue(
        template=TEMPLATE,
        dedupe_key=_dedupe_key(invitation.pk, reminder=reminder),
        recipient=invitation.customer.email,  # type: ignore[arg-type]  # NULL only once erased (check constraint)
        language=language,
        context=context,
        customer=invitation.customer,
        survey_id=invitation.survey_id,
    )


def invitation_send(
    *,
    survey: Survey,
    customer: Customer,
    reason: str = "",
    now: datetime | None = None,
    channel: str = Channel.EMAIL,
) -> Invitation:
    """Invite one customer now (a re-survey, or "send to this customer"), by
    email or by SMS."""
    blocked = customer.sms_block if channel == Channel.SMS else customer.mail_block
    if blocked:
        raise ValueError(
            "This customer unsubscribed, was erased or cannot be reached on this channel "
            "and cannot be invited."
        )
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation(survey=survey, customer=customer, channel=channel, created_at=now)
        invitation.prepare_token(now=now)
        invitation.sent_at = now
        invitation.save()
        message = _email_for(invitation, reminder=False, now=now)
        messages_enqueue(message_ids=[message.pk])
    logger.info("Invitation %s sent (%s).", invitation.pk, reason or "direct")
    return invitation
