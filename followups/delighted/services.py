"""What Delighted's calls do here, each through this product's own services:
a person is a customer (``customer_from_contact``), a scheduled survey an
invitation request, deleting a person an erasure, a posted response an answer
recorded by ``response_record`` (so it is routed to a case, an offer or a
reward like every other answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, OuterRef, QuerySet, Subquery
from django.utils import timezone

from followups.invitations.requests import invitation_request, invitations_cancel_pending
from surveys import services
from surveys.customers import customer_from_contact, locale_normalize
from surveys.models import ApiKey, Channel, Customer, Invitation, Response, Survey
from surveys.phones import phone_normalize

from .shapes import id_from

UNKNOWN_IDENTIFIER = (
    "Name a person by id, email:<address> or phone_number:<number>, not '{identifier}'."
)
PHONE_TAKEN = "Another person has this phone number."
CHANNEL_UNKNOWN = "Send a survey by channel 'email' or 'sms'."
SMS_NEEDS_PHONE = "A survey by SMS needs the person's phone_number."


@dataclass(frozen=True)
class PersonWritten:
    customer: Customer
    survey_scheduled_at: datetime | None


def people() -> QuerySet[Customer]:
    """Customers as Delighted's people: with when they were last sent a
    survey, last answered one, and the next one is due (one subquery each,
    so a page costs one query whatever its size)."""
    invitations = Invitation.objects.filter(customer=OuterRef("pk")).values("customer")
    answers = Response.objects.filter(customer=OuterRef("pk")).values("customer")
    return Customer.objects.annotate(
        last_sent_at=Subquery(invitations.annotate(at=Max("sent_at")).values("at")[:1]),
        last_responded_at=Subquery(answers.annotate(at=Max("submitted_at")).values("at")[:1]),
        next_scheduled_at=Subquery(
            Invitation.objects.pending()
            .filter(customer=OuterRef("pk"))
            .values("customer")
            .annotate(at=Min("scheduled_at"))
            .values("at")[:1]
        ),
    )


def person_find(identifier: str) -> Customer | None:
    """The customer named as Delighted's ``people/<identifier>`` names a
    person: ``123``, ``email:ada@example.com`` or ``phone_number:+4860...``."""
    kind, colon, value = identifier.partition(":")
    if not colon and identifier.isdigit():
        pk = id_from(identifier)
        return None if pk is None else Customer.objects.filter(pk=pk).first()
    if kind == "email" and value:
        return Customer.objects.with_email(value.strip()).first()
    if kind == "phone_number" and value:
        try:
            phone = phone_normalize(value)
        except ValidationError as exc:
            raise ValidationError({"phone_number": exc.messages}) from None
        return Customer.objects.with_phone(phone).first() if phone else None
    raise ValidationError({"id": UNKNOWN_IDENTIFIER.format(identifier=identifier)})


def _recently_sent(survey: Survey, last_sent_at: datetime | None, now: datetime) -> bool:
    """Whether a ``last_sent_at`` from the caller (a survey sent elsewhere,
    before the move) falls within the survey's throttle days."""
    if last_sent_at is None or not survey.throttle_days:
        return False
    return last_sent_at > now - timedelta(days=survey.throttle_days)


def person_write(
    *,
    survey: Survey,
    email: str = "",
    phone_number: str = "",
    name: str | None = None,
    properties: dict,
    send: bool = True,
    delay: int | None = None,
    channel: str = "email",
    last_sent_at: datetime | None = None,
    api_key: ApiKey | None = None,
    update_existing: bool = False,
    now: datetime | None = None,
) -> PersonWritten:
    """Create or update the person, and unless ``send`` is false (or they
    were sent a survey within the throttle days, here or, by
    ``last_sent_at``, elsewhere) schedule a survey ``delay`` seconds from
    now. A stored person's details change only with ``update_existing``
    (the caller may write customers), as for answers recorded by API.
    Raises ``ValidationError``; then nothing was written."""
    survey.for_customers_check()
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise ValidationError({"channel": CHANNEL_UNKNOWN})
    now = now or timezone.now()
    with transaction.atomic():
        customer = _person_for(
            email=email,
            phone_number=phone_number,
            name=name,
            locale=locale_normalize(str(properties.get("locale") or "")) or None,
            # Like locale, a special property (Delighted's people have no such field).
            time_zone=str(properties.get("time_zone") or "") or None,
            update_existing=update_existing,
        )
        if channel == Channel.SMS and not customer.phone:
            raise ValidationError({"phone_number": SMS_NEEDS_PHONE})
        if not send or _recently_sent(survey, last_sent_at, now):
            return PersonWritten(customer, None)
        requested = invitation_request(
            survey=survey,
            customer=customer,
            channel=channel,
            send_at=now + timedelta(seconds=delay) if delay else None,
            properties=properties,
            api_client=api_key,
            now=now,
        )
    invitation = requested.invitation
    return PersonWritten(customer, None if requested.skipped else invitation.scheduled_at)


def _person_for(
    *,
    email: str,
    phone_number: str,
    name: str | None,
    locale: str | None,
    time_zone: str | None = None,
    update_existing: bool,
) -> Customer:
    identifiers = {"email": email or None, "phone": phone_number or None}
    try:
        stored = _contact_stored(**identifiers)
    except ValidationError as exc:
        raise ValidationError({"phone_number": exc.messages}) from None
    if stored is not None and email and stored.email and stored.email.lower() != email.lower():
        # Delighted names a person by email first: a phone number that is
        # another person's is a conflict, never a reason to rewrite their email.
        raise ValidationError({"phone_number": PHONE_TAKEN})
    try:
        customer, _created = customer_from_contact(
            **identifiers,
            name=name,
            locale=locale,
            time_zone=time_zone,
            update_existing=update_existing,
        )
    except ValidationError as exc:
        # Delighted's name for the phone field.
        raise type(exc)(
            {"phone_number" if key == "phone" else key: v for key, v in exc.message_dict.items()}
        ) from None
    return customer


def _contact_stored(*, email: str | None, phone: str | None) -> Customer | None:
    """The customer with this email (any case), else this phone number."""
    found = Customer.objects.with_email(email).first() if email else None
    if found is None and phone:
        normalized = phone_normalize(phone)
        found = Customer.objects.with_phone(normalized).first() if normalized else None
    return found


def person_erase(*, customer: Customer) -> None:
    """Delighted's "delete a person": this product's erasure (personal data
    removed everywhere, the anonymous scores kept for statistics)."""
    services.customer_erase(customer=customer, via="api")


def pending_cancel(*, customer: Customer, survey: Survey) -> int:
    return invitations_cancel_pending(customer=customer, survey=survey)


def response_create(
    *,
    survey: Survey,
    customer: Customer,
    score: int,
    comment: str = "",
    person_properties: dict,
    created_at: datetime | None = None,
    api_client=None,
) -> services.Recorded:
    """Record the answer through ``response_record`` (routed like any other),
    with the person's properties as the answer's."""
    return services.response_record(
        survey=survey,
        customer=customer,
        score=score,
        comment=comment,
        channel=Channel.API,
        submitted_at=created_at,
        api_client=api_client,
        properties=person_properties,
    )


def unsubscribe(*, email: str) -> Customer:
    """Stop emailing this address; someone not known yet is added,
    unsubscribed, so a later import or invitation honours it."""
    with transaction.atomic():
        customer, _created = customer_from_contact(email=email)
        services.customer_unsubscribe(customer=customer)
    return customer
