"""Rules about a customer's details that every way in applies (API, bulk, CSV
import, admin): whether details contradict a stored customer, which language
code a locale tag means, and the customer a set of contact details names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import Customer, Locale
from .phones import phone_normalize
from .time_zones import validate_time_zone

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


class ContactLookup:
    """Where contact details find a stored customer: the database, one query
    per identifier. A batch subclasses it with the rows it read at once."""

    def by_external_id(self, external_id: str) -> Customer | None:
        return Customer.objects.filter(external_id=external_id).first()

    def by_email(self, email: str) -> Customer | None:
        return Customer.objects.with_email(email).first()

    def by_phone(self, phone: str) -> Customer | None:
        return Customer.objects.with_phone(phone).first()

    def find(self, fields: Mapping[str, str | None]) -> Customer | None:
        """By external id first, then email (case-insensitive), then phone."""
        customer = None
        if fields["external_id"]:
            customer = self.by_external_id(fields["external_id"])
        if customer is None and fields["email"]:
            customer = self.by_email(fields["email"])
        if customer is None and fields["phone"]:
            customer = self.by_phone(fields["phone"])
        return customer


def contact_fields_clean(
    *,
    email=None,
    phone=None,
    name=None,
    external_id=None,
    segment=None,
    locale=None,
    time_zone=None,
) -> dict[str, str | None]:
    """The details given (None: not given), cleaned; raises ``ValidationError``
    by field when the phone is no phone number, the time zone no IANA name,
    or no identifier is given. An empty time zone is none given (one is
    then taken from the phone number, ``Customer.time_zone_infer``)."""
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
    fields["time_zone"] = (str(time_zone) if time_zone is not None else "").strip() or None
    try:
        validate_time_zone(fields["time_zone"] or "")
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from None
    if not (fields["email"] or fields["phone"] or fields["external_id"]):
        raise ValidationError({"email": IDENTIFIER_REQUIRED})
    return fields


@dataclass
class ContactMatch:
    """The customer contact details name: a stored one, with the details
    given applied in memory (``changed``: the fields to save), or a new one,
    not saved yet."""

    customer: Customer
    created: bool
    changed: list[str] = field(default_factory=list)


def contact_match(
    fields: Mapping[str, str | None], *, lookup: ContactLookup, update_existing: bool
) -> ContactMatch:
    """Which customer ``fields`` (``contact_fields_clean``) name, found through
    ``lookup``, and what would change; nothing is saved. Raises
    ``CustomerConflict`` when the details name two customers, and
    ``ValidationError`` when a new customer would have no email."""
    customer = lookup.find(fields)
    if customer is not None and customer.is_erased:
        return ContactMatch(customer, created=False)
    if customer is not None:
        customer_identity_check(
            customer=customer, email=fields["email"], external_id=fields["external_id"]
        )
        phone = fields["phone"]
        # Found otherwise, with another number: that number must be nobody's.
        # (Not found at all: nobody has it, or the phone would have found them.)
        if phone and customer.phone != phone and lookup.by_phone(phone) is not None:
            raise CustomerConflict({"phone": PHONE_CONFLICT})
    given: dict[str, str | None] = {k: v for k, v in fields.items() if v is not None}
    if customer is None:
        if not given.get("email"):
            raise ValidationError({"email": NEW_CUSTOMER_NEEDS_EMAIL})
        return ContactMatch(Customer(**given), created=True)
    if not update_existing:
        return ContactMatch(customer, created=False)
    return ContactMatch(customer, created=False, changed=_changes_apply(customer, given))


def _changes_apply(customer: Customer, given: dict[str, str | None]) -> list[str]:
    """Write the details given to ``customer`` (in memory); returns the
    fields that changed. An identifier is added, never cleared."""
    changed = [
        key
        for key, value in given.items()
        if getattr(customer, key) != value and (value or key not in _IDENTIFIERS)
    ]
    cleared = "email" in changed and customer.bounce_cleared_by(given["email"])
    for key in changed:
        setattr(customer, key, given[key])
    if customer.time_zone_infer():
        changed.append("time_zone")
    if cleared:
        customer.email_bounced_at = None
        changed.append("email_bounced_at")
    return changed


def customer_from_contact(
    *,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    external_id: str | None = None,
    segment: str | None = None,
    locale: str | None = None,
    time_zone: str | None = None,
    update_existing: bool = True,
) -> tuple[Customer, bool]:
    """The customer these contact details name, found by external id, email
    (case-insensitive) or phone, with the details given (not None) written to
    it; created when none matches (a new customer needs an email). Returns
    (customer, created). An erased customer is returned as it is: nothing is
    written back to it, nor to any stored customer without ``update_existing``
    (a caller that may not change customers only names one). Raises
    ``ValidationError`` (``CustomerConflict`` when the details name two
    customers) with per-field messages; then nothing was written."""
    fields = contact_fields_clean(
        email=email,
        phone=phone,
        name=name,
        external_id=external_id,
        segment=segment,
        locale=locale,
        time_zone=time_zone,
    )
    lookup = ContactLookup()
    match = contact_match(fields, lookup=lookup, update_existing=update_existing)
    customer = match.customer
    if match.created:
        return _contact_create(customer, fields, lookup)
    if match.changed:
        customer.full_clean()
        customer.save(update_fields=[*match.changed, "updated_at"])
    return customer, False


_IDENTIFIERS = ("email", "phone", "external_id")


def _contact_create(customer: Customer, fields, lookup: ContactLookup) -> tuple[Customer, bool]:
    customer.full_clean()
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Created concurrently by another request: use that one.
        found = lookup.find(fields)
        if found is None:
            raise
        return found, False
    return customer, True
