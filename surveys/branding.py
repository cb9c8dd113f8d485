"""The company customers see and the words of its emails: what a brand's
colours and logo must be, which customer emails have editable texts, the
{placeholders} each may use, and the texts shipped when none are written."""

from __future__ import annotations

import io
import re
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Colours --------------------------------------------------------------------

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# WCAG 2.x, AA for normal text: white text on the colour must reach it.
MIN_CONTRAST = 4.5


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of white text on ``colour`` (#rrggbb), 1 to 21."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)
    return 1.05 / (luminance + 0.05)


def validate_brand_colour(value: str) -> None:
    """A colour white text can be read on: ``#`` and six hex digits, with a
    contrast of at least 4.5:1 against white."""
    if not HEX_COLOUR.fullmatch(value or ""):
        raise ValidationError(
            _("Enter a colour as # followed by six hexadecimal digits, for example #0969da."),
            code="invalid",
        )
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "White text on %(colour)s has a contrast of only %(ratio)s:1; buttons and "
                "headers need at least 4.5:1 to be readable. Choose a darker colour."
            ),
            code="low_contrast",
            params={"colour": value, "ratio": f"{ratio:.2f}"},
        )


# --- The logo -------------------------------------------------------------------

LOGO_MAX_BYTES = 256 * 1024
LOGO_MAX_SIDE = 2000
# Raster only: SVG can carry script, and most mail clients do not show it.
LOGO_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def logo_content_type(data: bytes) -> str:
    """The content type of a logo upload, once it is proven a PNG or JPEG
    image of at most 256 KB and 2000 px a side; a clear error otherwise."""
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(size)s KB; it may be at most 256 KB."),
            code="too_big",
            params={"size": (len(data) + 1023) // 1024},
        )
    # Pillow is loaded by the process that checks an upload, not by every one.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("The logo must be a PNG or JPEG image; this file is not one."), code="not_image"
        ) from None
    if kind not in LOGO_CONTENT_TYPES:
        raise ValidationError(
            _("The logo must be a PNG or JPEG image, not %(kind)s."),
            code="wrong_type",
            params={"kind": kind},
        )
    if max(width, height) > LOGO_MAX_SIDE:
        raise ValidationError(
            _("The logo is %(width)s by %(height)s pixels; it may be at most 2000 pixels a side."),
            code="too_large",
            params={"width": width, "height": height},
        )
    return LOGO_CONTENT_TYPES[kind]


# --- Email texts -----------------------------------------------------------------


class EmailKind(models.TextChoices):
    """The customer emails whose subject, opening and closing are editable."""

    INVITATION = "invitation", _("Survey invitation")
    REMINDER = "reminder", _("Survey reminder")
    OFFER = "offer", _("Offer for a passive")
    REWARD = "reward", _("Reward for a promoter")
    APOLOGY = "apology", _("Apology to a detractor")


TEXT_PARTS = ("subject", "intro", "outro")

_EVERY_EMAIL = ("company_name", "sender_name", "customer_name", "survey_name")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    EmailKind.INVITATION: (*_EVERY_EMAIL, "question", "expires"),
    EmailKind.REMINDER: (*_EVERY_EMAIL, "question", "expires"),
    EmailKind.OFFER: (*_EVERY_EMAIL, "score", "offer", "code", "expires"),
    EmailKind.REWARD: (*_EVERY_EMAIL, "score", "reward"),
    EmailKind.APOLOGY: (*_EVERY_EMAIL, "score", "case_id", "due"),
}

# Lazy: each is translated when an email is rendered, in its language.
DEFAULT_TEXTS: dict[str, dict[str, Any]] = {
    EmailKind.INVITATION: {
        "subject": "{question}",
        "intro": _("We would like to know how we are doing."),
        "outro": _("Thank you,\n{sender_name}"),
    },
    EmailKind.REMINDER: {
        "subject": _("Reminder: {question}"),
        "intro": _(
            "A few days ago we asked you one question. If you have a moment, we would still "
            "love to hear from you."
        ),
        "outro": _("Thank you,\n{sender_name}"),
    },
    EmailKind.OFFER: {
        "subject": _("Thank you for your feedback: an offer for you"),
        "intro": _(
            "Thank you for rating us {score} out of 10. We want to earn a 10 from you, so here "
            "is something just for you:"
        ),
        "outro": _("Kind regards,\n{sender_name}"),
    },
    EmailKind.REWARD: {
        "subject": _("Thank you for recommending us"),
        "intro": _(
            "Thank you for rating us {score} out of 10. Customers like you are why we do what "
            "we do, and we would like to say thank you:"
        ),
        "outro": _("With gratitude,\n{sender_name}"),
    },
    EmailKind.APOLOGY: {
        "subject": _("We are sorry, and we will make it right"),
        "intro": _(
            "Thank you for telling us how we did. A score of {score} out of 10 means we let "
            "you down, and we are sorry."
        ),
        "outro": _("Kind regards,\n{sender_name}"),
    },
}


def _fields(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(string.Formatter().parse(text))
    except ValueError:
        raise ValidationError(
            _(
                "A brace is not closed. Write a placeholder as {name}, and a brace that is "
                "meant as text as {{ or }}."
            ),
            code="unbalanced",
        ) from None


def placeholders_validate(text: str, kind: str) -> None:
    """Every {placeholder} in ``text`` is one ``kind``'s emails know, written plainly."""
    allowed = PLACEHOLDERS[kind]
    unknown = [
        "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        for _literal, field, spec, conversion in _fields(text)
        if field is not None and (field not in allowed or spec or conversion)
    ]
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s. This email can use: %(allowed)s."),
            code="unknown_placeholder",
            params={
                "unknown": ", ".join(unknown),
                "allowed": ", ".join("{" + name + "}" for name in allowed),
            },
        )


def text_fill(text: str, values: dict[str, object]) -> str:
    """``text`` with each {placeholder} replaced by its value (missing: empty),
    {{ and }} by single braces. Only plain names are filled: a text that passed
    ``placeholders_validate`` has no others; any other is left out."""
    parts = []
    for literal, field, _spec, _conversion in _fields(text):
        parts.append(literal)
        if field is not None:
            parts.append(str(values.get(field, "")))
    return "".join(parts)
