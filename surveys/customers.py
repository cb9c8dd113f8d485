"""Rules about a customer's details that every way in applies (API, bulk, CSV
import, admin): whether details contradict a stored customer, which language
code a locale tag means, and the customer a set of contact details names."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import Customer, Locale
from .phones import phone_normalize

SUPPORTED_LOCALES = {choice.value for choice in Locale}

EXTERNAL_ID_CONFLICT = "An existing customer has this external id with a different email address."
EMAIL_CONFLICT = "An existing customer has this email address with a different external id."


def locale_normalize(value: str | None) -> str:
    """Map 'pl-PL', 'zh', 'zh_CN', 'RU' ... to a supported code, or ''."""
    if not value:
        return ""
    code = value.strip().lower().replace("_", "-")
    if code in SUPPORTED_LOCALES:
        return code
    if code.startswith("zh"):
        return Locale.CHINESE
    base = code.split("-", 1)[0]
    return base if base in SUPPORTED_LOCALES else ""


class CustomerConflict(ValidationError):
    """The details name a stored customer by one identifier and contradict its
    other one. Never resolved by overwriting: that would move a customer's
    offers and codes to whoever sent the details."""


def customer_identity_check(*, customer, email: str | None, external_id: str | None) -> None:
    """Raise ``CustomerConflict`` when ``email`` or ``external_id`` contradicts
    the stored customer's (an identifier it does not have yet is no conflict)."""
    same_email = bool(email and customer.email and customer.email.lower() == email.lower())
    if external_id and customer.external_id == external_id and email and customer.email:
        if not same_email:
            raise CustomerConflict({"external_id": EXTERNAL_ID_CONFLICT})
    elif same_email and external_id and customer.external_id:
        raise CustomerConflict({"email": EMAIL_CONFLICT})


IDENTIFIER_REQUIRED = "An email address, a phone number or an external id is required."
NEW_CUSTOMER_NEEDS_EMAIL = "A new customer needs an email address."
PHONE_CONFLICT = "Another customer has this phone number."
PHONE_TAKEN = "A customer with this phone number already exists."


def _contact_find(
    *, email: str | None, phone: str | None, external_id: str | None
) -> Customer | None:
    """By external id first, then email (case-insensitive), then phone."""
    customer = None
    if external_id:
        customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None and email:
        customer = Customer.objects.with_email(email).first()
    if customer is None and phone:
        customer = Customer.objects.with_phone(phone).first()
    return customer


def _phone_check(customer: Customer | None, phone: str | None) -> None:
    """A phone number names one customer: another's number is a conflict."""
    if not phone or (customer is not None and customer.phone == phone):
        return
    owner = Customer.objects.with_phone(phone).exclude(pk=getattr(customer, "pk", None))
    if owner.exists():
        raise CustomerConflict({"phone": PHONE_CONFLICT})


def _contact_fields(*, email, phone, name, external_id, segment, locale) -> dict[str, str | None]:
    """The details given (None: not given), cleaned; raises ``ValidationError``."""
    fields: dict[str, str | None] = {
        "email": (email or "").strip() or None,
        "external_id": (external_id or "").strip() or None,
        "name": name.strip() if name is not None else None,
        "segment": segment.strip() if segment is not None else None,
        "locale": locale_normalize(locale) if locale is not None else None,
    }
    try:
        fields["phone"] = phone_normalize(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    if not (fields["email"] or fields["phone"] or fields["external_id"]):
        raise ValidationError({"email": IDENTIFIER_REQUIRED})
    return fields


def customer_from_contact(
    *,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    external_id: str | None = None,
    segment: str | None = None,
    locale: str | None = None,
    update_existing: bool = True,
) -> tuple[Customer, bool]:
    """The customer these contact details name, found by external id, email
    (case-insensitive) or phone, with the details given (not None) written to
    it; created when none matches (a new customer needs an email). Returns
    (customer, created). An erased customer is returned as it is: nothing is
    written back to it, nor to any stored customer without ``update_existing``
    (a caller that may not change customers only names one). Raises
    ``ValidationError`` (``CustomerConflict`` when
    the details name two customers) with per-field messages; then nothing was
    written."""
    fields = _contact_fields(
        email=email, phone=phone, name=name, external_id=external_id, segment=segment, locale=locale
    )
    customer = _contact_find(
        email=fields["email"], phone=fields["phone"], external_id=fields["external_id"]
    )
    if customer is not None and customer.is_erased:
        return customer, False
    if customer is not None:
        customer_identity_check(
            customer=customer, email=fields["email"], external_id=fields["external_id"]
        )
    _phone_check(customer, fields["phone"])
    given: dict[str, str | None] = {k: v for k, v in fields.items() if v is not None}
    if customer is None:
        return _contact_create(given)
    if not update_existing:
        return customer, False
    # An identifier is added, never cleared; the other details are as given.
    changed = [
        key
        for key, value in given.items()
        if getattr(customer, key) != value and (value or key not in _IDENTIFIERS)
    ]
    if "email" in changed and customer.bounce_cleared_by(given["email"]):
        changed.append("email_bounced_at")
        given["email_bounced_at"] = None
    if changed:
        for key in changed:
            setattr(customer, key, given[key])
        customer.full_clean()
        customer.save(update_fields=[*changed, "updated_at"])
    return customer, False


_IDENTIFIERS = ("email", "phone", "external_id")


def _contact_create(fields: dict) -> tuple[Customer, bool]:
    if not fields.get("email"):
        raise ValidationError({"email": NEW_CUSTOMER_NEEDS_EMAIL})
    customer = Customer(**fields)
    customer.full_clean()
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Created concurrently by another request: use that one.
        found = _contact_find(
            email=fields["email"], phone=fields.get("phone"), external_id=fields.get("external_id")
        )
        if found is None:
            raise
        return found, False
    return customer, True
