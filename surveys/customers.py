"""Rules about a customer's details that every way in applies (API, bulk, CSV
import, admin): whether details contradict a stored customer, and which
language code a locale tag means."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .models import Locale

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
