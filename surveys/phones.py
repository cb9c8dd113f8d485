"""Phone numbers as every way in stores them: E.164 (``+48123456789``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_INVALID = _("Enter a phone number in international format, e.g. +48 601 234 567.")
PHONE_EXTENSION = _("Enter a phone number without an extension: a text cannot reach an extension.")


def phone_normalize(value: str | None) -> str | None:
    """``value`` in E.164, or None when it is empty. Raises ``ValidationError``
    when it is not a valid phone number with its country code.

    Valid, not only of a possible length: a digit typed twice
    (``+48 601 234 5678``) is a possible length and would be stored, and
    texted, as somebody else's number. An extension is refused rather than
    dropped: E.164 has no place for one, and ``+44 7911 123456#`` reads as
    ``+447911`` with the extension ``123456``."""
    text = (value or "").strip()
    if not text:
        return None
    # Loaded on the first number, not by every process (its metadata is a few MB).
    import phonenumbers

    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_INVALID, code="invalid") from None
    if number.extension:
        raise ValidationError(PHONE_EXTENSION, code="extension")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_INVALID, code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
