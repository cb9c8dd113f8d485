"""The languages a survey, offer or reward is worded in, and a text read in one of them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Locale(models.TextChoices):
    ENGLISH = "en", _("English")
    CHINESE = "zh-hans", _("Simplified Chinese")
    POLISH = "pl", _("Polish")
    RUSSIAN = "ru", _("Russian")


# The languages a survey, offer or reward is worded in besides English, its own
# wording; a text left empty in one of them falls back to English.
TRANSLATED_LOCALES = (Locale.POLISH, Locale.RUSSIAN, Locale.CHINESE)


def translated_field_name(field: str, locale: str) -> str:
    """The column holding ``field`` in ``locale``: question_pl, question_zh_hans."""
    return f"{field}_{locale.replace('-', '_')}"


def translated_text(obj: models.Model, field: str, language: str) -> str:
    """``obj.<field>`` in ``language`` (a Locale value), falling back to English."""
    if language in TRANSLATED_LOCALES:
        localized = getattr(obj, translated_field_name(field, language))
        if localized:
            return localized
    return getattr(obj, field)


def missing_locales(obj: models.Model, field: str) -> list[str]:
    """The translated languages ``obj.<field>`` has no text in."""
    return [
        locale
        for locale in TRANSLATED_LOCALES
        if not getattr(obj, translated_field_name(field, locale))
    ]
