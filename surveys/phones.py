"""Phone numbers as every way in stores them: E.164 (``+48123456789``)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError

PHONE_INVALID = "Enter a phone number in international format, e.g. +48 601 234 567."


def phone_normalize(value: str | None) -> str | None:
    """``value`` in E.164, or None when it is empty. Raises ``ValidationError``
    when it is not a possible phone number with its country code."""
    text = (value or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_INVALID, code="invalid") from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(PHONE_INVALID, code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
