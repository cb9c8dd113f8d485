"""Invitations asked for one at a time (the invitation API): stored with the
time they are due, or with the reason they will not be sent, and cancelled
while still waiting. ``followups.invitations.scheduled`` sends them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from followups.invitations.waves import _with_throttle
from followups.publish import SEND_INVITATIONS, tasks_publish_on_commit
from surveys.customers import CustomerConflict, customer_from_contact
from surveys.models import ApiKey, Channel, Customer, Invitation, Survey

CHANNELS = (Channel.EMAIL, Channel.SMS)
CHANNEL_NOT_SUPPORTED = (
    "Invitations are sent by email or SMS; the '{channel}' channel is not supported."
)
SURVEY_NOT_ACTIVE = "The survey '{slug}' is {status}: only an active survey sends invitations."


@dataclass(frozen=True)
class InvitationRequest:
    invitation: Invitation
    created: bool  # False: the idempotency key named a stored invitation
    skipped: bool  # it will not be sent: see ``invitation.skip_reason``


def skip_reason_for(customer: Customer, channel: str = Channel.EMAIL) -> str:
    """Why this customer may not be asked on ``channel`` now ("" when they
    may): an ``Invitation.SkipReason`` value, from ``MAIL_BLOCKS`` for email,
    ``Customer.sms_block`` for SMS."""
    return customer.sms_block if channel == Channel.SMS else customer.mail_block


def _throttled(customer: Customer, *, survey: Survey, now: datetime) -> bool:
    marks = _with_throttle(Customer.objects.filter(pk=customer.pk), survey=survey, now=now)
    return any(marks.values_list("recently_invited", "recently_answered").get())


def send_time(data: Mapping, now: datetime) -> datetime | None:
    """When the API's ``send_at`` or ``delay`` (seconds from ``now``) asks to send."""
    if data.get("delay") is not None:
        return now + timedelta(seconds=data["delay"])
    return data.get("send_at")


def due_time(send_at: datetime | None, now: datetime) -> datetime:
    """When an invitation asked for ``send_at`` is due: now, if that is past."""
    return send_at if send_at is not None and send_at > now else now


def _stored(api_client: ApiKey | None, key: str | None) -> Invitation | None:
    """The invitation stored under this idempotency key by this client: any
    key of the user it acts as (rotated keys too), as answers' keys are."""
    if not key or api_client is None:
        return None
    return (
        Invitation.objects.filter(api_client__user_id=api_client.user_id, idempotency_key=key)
        .order_by("pk")
        .first()
    )


def _request_check(*, survey: Survey, channel: str) -> None:
    if channel not in CHANNELS:
        raise ValidationError({"channel": CHANNEL_NOT_SUPPORTED.format(channel=channel)})
    if survey.status != Survey.Status.ACTIVE:
        raise ValidationError(
            {"survey": SURVEY_NOT_ACTIVE.format(slug=survey.slug, status=survey.status)}
        )
    try:
        survey.for_customers_check()
    except ValidationError as error:
        raise ValidationError({"survey": error.messages}) from None


def invitation_request(
    *,
    survey: Survey,
    customer: Customer,
    channel: str = Channel.EMAIL,
    send_at: datetime | None = None,
    properties: dict | None = None,
    api_client: ApiKey | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> InvitationRequest:
    """Store an invitation of ``customer`` to ``survey``, due at ``send_at``
    (now when None or past), or, when the customer may not be asked (erased,
    unsubscribed, bounced, or asked or answering within the survey's throttle
    days), a skipped one with its reason. One due now is sent as soon as the
    transaction commits; a later one by the periodic task. An idempotency key
    is ``api_client``'s own: a key it used before returns that invitation,
    whatever else is asked. Raises ``ValidationError`` for a channel we cannot
    send on or a survey that is not active; then nothing was written."""
    key = (idempotency_key or "").strip() or None
    stored = _stored(api_client, key)
    if stored is not None:
        return InvitationRequest(stored, created=False, skipped=bool(stored.skip_reason))
    _request_check(survey=survey, channel=channel)
    now = now or timezone.now()
    due = due_time(send_at, now)
    try:
        with transaction.atomic():
            invitation = _invitation_store(
                survey=survey,
                customer=customer,
                channel=channel,
                due=due,
                properties=properties,
                api_client=api_client,
                key=key,
                now=now,
            )
    except IntegrityError:
        # The same key, sent concurrently: the other request stored it.
        stored = _stored(api_client, key)
        if stored is None:
            raise
        return InvitationRequest(stored, created=False, skipped=bool(stored.skip_reason))
    return InvitationRequest(invitation, created=True, skipped=bool(invitation.skip_reason))


def _invitation_store(
    *,
    survey: Survey,
    customer: Customer,
    channel: str,
    due: datetime,
    properties: dict | None,
    api_client: ApiKey | None,
    key: str | None,
    now: datetime,
) -> Invitation:
    # The customer's row lock orders concurrent requests for them, so the
    # throttle sees the invitation the other one stored.
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    reason = skip_reason_for(locked, channel)
    if not reason and _throttled(locked, survey=survey, now=now):
        reason = Invitation.SkipReason.THROTTLED
    invitation = Invitation(
        survey=survey,
        customer=locked,
        channel=channel,
        created_at=now,
        scheduled_at=due,
        skip_reason=reason,
        properties=properties or {},
        api_client=api_client,
        idempotency_key=key,
    )
    invitation.prepare_token(now=due)
    with transaction.atomic():
        invitation.save()
    if not reason and due <= now:
        tasks_publish_on_commit(
            SEND_INVITATIONS, [([invitation.pk],)], what="invitation sending task"
        )
    return invitation


def invitations_cancel_pending(
    *, customer: Customer, survey: Survey | None = None, now: datetime | None = None
) -> int:
    """Cancel the customer's invitations not sent yet (of ``survey`` only, when
    given). Returns how many. One being sent right now is left to its sender."""
    pending = Invitation.objects.pending().filter(customer=customer)
    if survey is not None:
        pending = pending.filter(survey=survey)
    return pending.update(cancelled_at=now or timezone.now())


def invitation_cancel(*, invitation: Invitation, now: datetime | None = None) -> bool:
    """Cancel one invitation if it is still waiting to be sent; False when it
    was sent, cancelled or skipped already (a conditional update: a sender
    that claimed it first wins)."""
    cancelled = (
        Invitation.objects.pending()
        .filter(pk=invitation.pk)
        .update(cancelled_at=now or timezone.now())
    )
    return bool(cancelled)


UNKNOWN_SURVEY = "No survey with the slug '{slug}'."
_CONTACT_DETAILS = ("email", "phone", "name", "external_id", "segment", "locale", "time_zone")


def _prefixed(error: ValidationError, prefix: str) -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        return {prefix: list(error.messages)}
    return {
        prefix if field == "__all__" else f"{prefix}.{field}": messages
        for field, messages in error.message_dict.items()
    }


def _contact_customer(details: Mapping, *, update_existing: bool) -> Customer:
    try:
        customer, _created = customer_from_contact(
            **{name: details.get(name) for name in _CONTACT_DETAILS},
            update_existing=update_existing,
        )
    except CustomerConflict as exc:
        raise CustomerConflict(_prefixed(exc, "customer")) from exc
    except ValidationError as exc:
        raise ValidationError(_prefixed(exc, "customer")) from exc
    return customer


def invitation_ask(
    *,
    data: Mapping,
    api_client: ApiKey | None = None,
    idempotency_key: str | None = None,
    update_customers: bool = False,
    now: datetime | None = None,
) -> InvitationRequest:
    """One invitation as the API reads it (``InvitationInSerializer``): the
    survey by slug, the customer by contact details (created when unknown;
    a stored one's details change only with ``update_customers``), ``delay``
    or ``send_at``, then ``invitation_request``. A key ``api_client`` used
    before returns its invitation before anything else is looked at. Raises
    ``ValidationError`` with field paths (``customer.email`` ...); then
    nothing was written."""
    stored = _stored(api_client, (idempotency_key or "").strip() or None)
    if stored is not None:
        return InvitationRequest(stored, created=False, skipped=bool(stored.skip_reason))
    slug = data["survey"]
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        raise ValidationError({"survey": UNKNOWN_SURVEY.format(slug=slug)})
    now = now or timezone.now()
    send_at = send_time(data, now)
    with transaction.atomic():
        # One transaction: a refused invitation leaves no new or changed customer.
        _request_check(survey=survey, channel=data.get("channel") or Channel.EMAIL)
        return invitation_request(
            survey=survey,
            customer=_contact_customer(data["customer"], update_existing=update_customers),
            channel=data.get("channel") or Channel.EMAIL,
            send_at=send_at,
            properties=data.get("properties"),
            api_client=api_client,
            idempotency_key=idempotency_key,
            now=now,
        )
