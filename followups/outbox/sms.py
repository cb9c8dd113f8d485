"""Texts into the outbox: the invitation and its reminder, the follow-up
question after a score, the confirmation of a STOP. Each is one
``OutboundMessage`` row of the SMS channel, due no sooner than the end of
the customer's quiet hours (``surveys.quiet_hours.sms_allowed_at``)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from followups.models import OutboundMessage
from followups.outbox.transports.sms import STOP_TEMPLATE
from followups.publish import messages_enqueue
from surveys.models import Customer, Invitation
from surveys.quiet_hours import sms_allowed_at
from surveys.sms import sms_follow_up_text, sms_invitation_text, sms_stop_text


def sms_message(
    *,
    template: str,
    dedupe_key: str,
    customer: Customer,
    language: str,
    text: str,
    response_id: int | None = None,
    survey_id: int | None = None,
    quiet: bool = True,
    now: datetime,
) -> OutboundMessage:
    """One text to ``customer``'s phone, unsaved, due at ``now`` or, with
    ``quiet``, at the end of the customer's quiet hours."""
    return OutboundMessage(
        dedupe_key=dedupe_key,
        template=template,
        language=language,
        channel=OutboundMessage.Channel.SMS,
        recipient=customer.phone or "",
        customer=customer,
        response_id=response_id,
        survey_id=survey_id,
        body_text=text,
        created_at=now,
        next_attempt_at=sms_allowed_at(customer=customer, when=now) if quiet else now,
    )


def sms_queue(
    *,
    template: str,
    dedupe_key: str,
    customer: Customer,
    language: str,
    text: str,
    response_id: int | None = None,
    survey_id: int | None = None,
    quiet: bool = True,
    now: datetime | None = None,
) -> OutboundMessage:
    """Store one text to ``customer``'s phone, or return the one already
    stored under ``dedupe_key``; it is published when the transaction
    commits (one held for the quiet hours by the sweeper, once it is due).
    ``quiet=False``: an answer to a text of theirs, sent at once."""
    existing = OutboundMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    message = sms_message(
        template=template,
        dedupe_key=dedupe_key,
        customer=customer,
        language=language,
        text=text,
        response_id=response_id,
        survey_id=survey_id,
        quiet=quiet,
        now=now,
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return OutboundMessage.objects.get(dedupe_key=dedupe_key)
    sms_due_enqueue([message], now=now)
    return message


def sms_due_enqueue(messages: list[OutboundMessage], *, now: datetime) -> None:
    """Publish, once the transaction commits, the saved texts due by ``now``;
    the others wait for the end of their quiet hours, and the sweeper
    publishes them then: no broker holds a task for hours."""
    messages_enqueue(message_ids=[m.pk for m in messages if m.next_attempt_at <= now])


INVITATION_SMS_TEMPLATE = "invitation_sms"


def invitation_sms_key(invitation_id: int, *, reminder: bool) -> str:
    """The dedupe key of an invitation's text (or its reminder's)."""
    return f"invitation:{invitation_id}:sms:{'reminder' if reminder else 'first'}"


def _invitation_sms_fields(invitation: Invitation, *, language: str, reminder: bool) -> dict:
    return {
        "template": INVITATION_SMS_TEMPLATE,
        "dedupe_key": invitation_sms_key(invitation.pk, reminder=reminder),
        "customer": invitation.customer,
        "language": language,
        "text": sms_invitation_text(
            survey=invitation.survey,
            language=language,
            link=invitation.sms_url(),
            reminder=reminder,
        ),
        "survey_id": invitation.survey_id,
    }


def invitation_sms_queue(
    *, invitation: Invitation, language: str, reminder: bool, now: datetime | None = None
) -> OutboundMessage:
    """The invitation's text (or its reminder), with the link to its page."""
    fields = _invitation_sms_fields(invitation, language=language, reminder=reminder)
    return sms_queue(**fields, now=now)


def invitation_sms_message(
    *, invitation: Invitation, language: str, now: datetime
) -> OutboundMessage:
    """A new invitation's first text, unsaved: what ``invitation_sms_queue``
    stores, for a wave to store in bulk (a new invitation has no text yet)."""
    fields = _invitation_sms_fields(invitation, language=language, reminder=False)
    return sms_message(**fields, now=now)


def follow_up_sms_queue(*, invitation: Invitation, response_id: int, language: str):
    """After a score by text: thanks, and the follow-up question."""
    return sms_queue(
        template="follow_up_sms",
        dedupe_key=f"response:{response_id}:sms:follow_up",
        customer=invitation.customer,
        language=language,
        text=sms_follow_up_text(survey=invitation.survey, language=language),
        response_id=response_id,
        survey_id=invitation.survey_id,
        quiet=False,
    )


def stop_sms_queue(*, customer: Customer, language: str):
    """The one confirmation of a STOP (one per customer: a second STOP is
    not answered)."""
    return sms_queue(
        template=STOP_TEMPLATE,
        dedupe_key=f"customer:{customer.pk}:sms:stop",
        customer=customer,
        language=language,
        text=sms_stop_text(language=language),
        quiet=False,
    )


UNSUBSCRIBED_REASON = "Cancelled: the customer unsubscribed before it was sent."


def unsent_sms_cancel(*, customer_id: int) -> int:
    """A customer unsubscribed (a STOP, or an email's link): none of the texts
    still waiting for them (a reminder held for the quiet hours, a retry, a
    reward) goes out, but the confirmation of their STOP. Returns how many."""
    return (
        OutboundMessage.objects.filter(customer_id=customer_id, channel=OutboundMessage.Channel.SMS)
        .exclude(template=STOP_TEMPLATE)
        .cancel_unsent(UNSUBSCRIBED_REASON)
    )


# What providers report of a text on its way (Twilio's MessageStatus and the
# generic gateway's "status"): only a final word is recorded, the rest says
# it is still on its way.
FINAL_DELIVERY = {
    "delivered": OutboundMessage.Delivery.DELIVERED,
    "read": OutboundMessage.Delivery.DELIVERED,
    "undelivered": OutboundMessage.Delivery.UNDELIVERED,
    "failed": OutboundMessage.Delivery.FAILED,
}
ON_ITS_WAY = frozenset(
    {"accepted", "scheduled", "queued", "sending", "sent", "partially_delivered", "canceled"}
)


class UnknownDeliveryStatus(ValueError):
    """A delivery report with a status no provider sends."""


def sms_delivery_record(
    *, provider_message_id: str, status: str, error_code: str = "", now: datetime | None = None
) -> bool:
    """Record what the provider reports of the text it gave
    ``provider_message_id``: delivered, undelivered or failed, with its error
    code. Only its first final report counts (a conditional update: a report
    delivered twice, or out of order, changes nothing); a report of a text
    still on its way, or of a text we do not know, records nothing. Returns
    whether this call recorded it."""
    word = (status or "").strip().lower()
    if word in ON_ITS_WAY or not provider_message_id:
        return False
    if word not in FINAL_DELIVERY:
        raise UnknownDeliveryStatus(status)
    delivery = FINAL_DELIVERY[word]
    recorded = OutboundMessage.objects.filter(
        channel=OutboundMessage.Channel.SMS,
        provider_message_id=provider_message_id[:100],
        delivery="",
    ).update(
        delivery=delivery,
        delivery_error="" if delivery == OutboundMessage.Delivery.DELIVERED else error_code[:100],
        delivery_reported_at=now or timezone.now(),
    )
    return bool(recorded)
