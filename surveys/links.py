"""Signed links put in customer emails: unsubscribing, without any stored state.

A link carries the customer's id signed with SECRET_KEY, so it cannot be
guessed or altered, never expires, and needs no table.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Customer

UNSUBSCRIBE_SALT = "surveys.unsubscribe"


def unsubscribe_token(customer: Customer) -> str:
    return signing.dumps({"c": customer.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_path(customer: Customer) -> str:
    return reverse("surveys:unsubscribe", args=[unsubscribe_token(customer)])


def unsubscribe_url(customer: Customer) -> str:
    """The absolute unsubscribe link for ``customer``, for any email to them."""
    return settings.PUBLIC_BASE_URL + unsubscribe_path(customer)


def unsubscribe_headers(customer: Customer) -> dict[str, str]:
    """Headers for every email to ``customer``: mail clients show an unsubscribe
    button and POST to the link in one click (RFC 2369, RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(customer)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def customer_for_unsubscribe_token(signed: str) -> Customer | None:
    """The customer a link was made for, or None when the signature is wrong or
    the customer no longer exists."""
    try:
        payload = signing.loads(signed, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    customer_id = payload.get("c") if isinstance(payload, dict) else None
    if not isinstance(customer_id, int) or isinstance(customer_id, bool):
        return None
    return Customer.objects.filter(pk=customer_id).first()
