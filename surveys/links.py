"""Signed links put in customer emails: unsubscribing.

A link carries the customer's random ``unsubscribe_key`` signed with
SECRET_KEY: it cannot be guessed or altered, never expires, and says nothing
about the customer (an id would count the customers and name the next one).

Links sent before carried the signed id (``signing.dumps({"c": id})``). They
still work: they sit in inboxes and in List-Unsubscribe headers, opting out
must keep working for every email ever sent (RFC 8058, CAN-SPAM), and their
signature still proves which customer they were made for. None is made any more.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse

from .models import Customer

UNSUBSCRIBE_SALT = "surveys.unsubscribe.key"
LEGACY_UNSUBSCRIBE_SALT = "surveys.unsubscribe"


def _signer() -> signing.Signer:
    return signing.Signer(salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(customer: Customer) -> str:
    return _signer().sign(customer.unsubscribe_key)


# What ``reverse`` leaves as it is in a path segment: a signed key (base64url
# and the signer's colon) always is.
_PATH_SAFE = re.compile(r"[A-Za-z0-9_:-]+")
_MARKER = "0marker0"


@functools.lru_cache(maxsize=16)
def _unsubscribe_path_around(script_prefix: str, urlconf: str) -> tuple[str, str] | None:
    """The unsubscribe path's text before and after its token, reversed once
    per script prefix and URLconf (``reverse`` for each email cost as much CPU
    as writing the email). None if the path does not carry the token as given."""
    before, mark, after = reverse("surveys:unsubscribe", args=[_MARKER]).partition(_MARKER)
    return (before, after) if mark else None


def unsubscribe_path(customer: Customer) -> str:
    token = unsubscribe_token(customer)
    around = _PATH_SAFE.fullmatch(token) and _unsubscribe_path_around(
        get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    )
    if not around:
        return reverse("surveys:unsubscribe", args=[token])
    before, after = around
    return before + token + after


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
        key = _signer().unsign(signed)
    except signing.BadSignature:
        return _customer_for_legacy_token(signed)
    return Customer.objects.filter(unsubscribe_key=key).first()


def _customer_for_legacy_token(signed: str) -> Customer | None:
    try:
        payload = signing.loads(signed, salt=LEGACY_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    customer_id = payload.get("c") if isinstance(payload, dict) else None
    if not isinstance(customer_id, int) or isinstance(customer_id, bool):
        return None
    return Customer.objects.filter(pk=customer_id).first()
