"""A text a customer sent us: kept once (``InboundSms``, unique per provider
message id), then read against their latest open SMS invitation.

- a STOP word (STOP, UNSUBSCRIBE, СТОП, 退订, ...) unsubscribes them, and the
  first one is confirmed by one text in their language;
- a number from 0 to 10 ("7", "10/10") before any answer records the score,
  and the follow-up question is texted back;
- any other text once they answered becomes the comment (the first one
  only; a number then is a comment too: the score stands). The answer waits
  for its comment up to NPS_SMS_COMMENT_WAIT_SECONDS before it is routed; a
  comment routes it at once, so its outcome (texted too) follows the comment;
- text before any score, from an unknown number, or with no open SMS
  invitation is kept and answered with nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from followups.invitations.emails import language_for
from followups.models import InboundSms
from followups.outbox.sms import follow_up_sms_queue, stop_sms_queue
from surveys import services
from surveys.models import Channel, Customer, Invitation, Response
from surveys.phones import phone_normalize
from surveys.sms import sms_is_stop, sms_score

logger = logging.getLogger(__name__)

BODY_MAX = 5000


def _phone(sender: str) -> str | None:
    try:
        return phone_normalize(sender)
    except ValidationError:
        return None


def _open_invitation(customer: Customer, now: datetime) -> Invitation | None:
    """Their latest SMS invitation still open (sent, not cancelled or expired)."""
    return (
        Invitation.objects.filter(
            customer=customer,
            channel=Channel.SMS,
            sent_at__isnull=False,
            cancelled_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("survey", "customer")
        .order_by("-sent_at", "-pk")
        .first()
    )


def sms_receive(
    *, provider: str, message_id: str, sender: str, body: str, now: datetime | None = None
) -> tuple[InboundSms, bool]:
    """Record one inbound text and act on it, in one transaction. Returns the
    row and whether this call recorded it (False: the provider delivered it
    before, and nothing is done again)."""
    now = now or timezone.now()
    # PostgreSQL text holds no NUL: a provider's odd byte must not lose the message.
    body = (body or "").replace("\x00", "")[:BODY_MAX]
    sender, message_id = sender.replace("\x00", ""), message_id.replace("\x00", "")
    phone = _phone(sender)
    try:
        with transaction.atomic():
            inbound = InboundSms.objects.create(
                provider=provider,
                provider_message_id=message_id[:100],
                sender=(phone or sender)[:40],
                body=body,
                received_at=now,
                outcome=InboundSms.Outcome.UNMATCHED,
            )
            _act(inbound, phone=phone, now=now)
    except IntegrityError:
        existing = InboundSms.objects.filter(
            provider=provider, provider_message_id=message_id[:100]
        ).first()
        if existing is None:
            raise
        return existing, False
    return inbound, True


def _act(inbound: InboundSms, *, phone: str | None, now: datetime) -> None:
    # Locked: a customer's texts are read one at a time, in the order their
    # posts take the lock. A comment posted while their score is still being
    # recorded waits for it, rather than finding no answer and being dropped
    # as "text before a score".
    customer = (
        Customer.objects.select_for_update().filter(phone=phone, erased_at__isnull=True).first()
        if phone
        else None
    )
    if customer is None:
        _settle(inbound, InboundSms.Outcome.UNMATCHED, note="No customer has this number.")
        return
    inbound.customer = customer
    invitation = _open_invitation(customer, now)
    inbound.invitation = invitation
    if sms_is_stop(inbound.body):
        if services.customer_unsubscribe(customer=customer):
            survey = invitation.survey if invitation is not None else None
            language = customer.locale or (survey.default_locale if survey else "") or "en"
            stop_sms_queue(customer=customer, language=language)
        _settle(inbound, InboundSms.Outcome.UNSUBSCRIBED)
        return
    if invitation is None:
        _settle(inbound, InboundSms.Outcome.UNMATCHED, note="No open SMS invitation.")
        return
    response = Response.objects.filter(invitation=invitation).first()
    if response is None:
        _first_answer(inbound, invitation, now=now)
        return
    inbound.response = response
    try:
        added = services.response_comment_add(response=response, comment=inbound.body)
    except ValidationError as exc:
        _settle(inbound, InboundSms.Outcome.IGNORED, note=" ".join(exc.messages))
        return
    if added:
        # The answer is complete: routed now rather than when the wait is over.
        services.response_settle(response=response)
        _settle(inbound, InboundSms.Outcome.COMMENT)
    else:
        _settle(inbound, InboundSms.Outcome.IGNORED, note="The answer has its comment already.")


def _comment_wait() -> timedelta | None:
    seconds = settings.NPS_SMS_COMMENT_WAIT_SECONDS
    return timedelta(seconds=seconds) if seconds > 0 else None


def _first_answer(inbound: InboundSms, invitation: Invitation, *, now: datetime) -> None:
    score = sms_score(inbound.body)
    if score is None:
        _settle(inbound, InboundSms.Outcome.IGNORED, note="Not a score from 0 to 10.")
        return
    customer, survey = invitation.customer, invitation.survey
    try:
        services.answer_acceptable_check(
            survey=survey, customer=customer, submitted_at=now, now=now
        )
        recorded = services.response_record(
            survey=survey,
            customer=customer,
            score=score,
            channel=Channel.SMS,
            submitted_at=now,
            invitation=invitation,
            locale=customer.locale,
            changeable_for=_comment_wait(),
        )
    except ValidationError as exc:
        _settle(inbound, InboundSms.Outcome.IGNORED, note=" ".join(exc.messages))
        return
    inbound.response = recorded.response
    if not recorded.created:
        # Another text (or the survey page) answered it a moment before.
        _settle(inbound, InboundSms.Outcome.IGNORED, note="The invitation was answered already.")
        return
    follow_up_sms_queue(
        invitation=invitation,
        response_id=recorded.response.pk,
        language=language_for(customer, survey),
    )
    _settle(inbound, InboundSms.Outcome.SCORE)


def _settle(inbound: InboundSms, outcome: str, *, note: str = "") -> None:
    inbound.outcome, inbound.note = outcome, note[:300]
    inbound.save(update_fields=["outcome", "note", "customer", "invitation", "response"])
    logger.info("Inbound SMS %s: %s.", inbound.pk, outcome)
