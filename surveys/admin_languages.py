"""Texts worded per language in the admin: a fieldset per language, and the
warning when customers of a language a text lacks would read English."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import TRANSLATED_LOCALES, Locale, translated_field_name
from .services import LanguageGap

FALLBACK_NOTE = _("Optional: left empty, customers who read this language get the English text.")


def language_fieldsets(*fields: str) -> tuple:
    """One fieldset per translated language holding ``fields`` in it."""
    return tuple(
        (
            capfirst(Locale(locale).label),
            {
                "fields": tuple(translated_field_name(field, locale) for field in fields),
                "description": FALLBACK_NOTE,
            },
        )
        for locale in TRANSLATED_LOCALES
    )


def survey_gap_message(count: int) -> str:
    return ngettext(
        "%(count)d customer speaks %(language)s; this survey has no %(language)s text: "
        "they will get English.",
        "%(count)d customers speak %(language)s; this survey has no %(language)s text: "
        "they will get English.",
        count,
    )


def language_gaps_warn(
    request: HttpRequest, gaps: Iterable[LanguageGap], wording: Callable[[int], str]
) -> None:
    """A warning per language: ``wording(count)`` filled with the count and the
    language's name ("12 customers speak Polish; this survey has no ...")."""
    for gap in gaps:
        message = wording(gap.customers) % {
            "count": gap.customers,
            "language": Locale(gap.locale).label,
        }
        messages.warning(request, message)
