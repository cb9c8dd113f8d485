"""The language a message is written in, and dates written in it."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone, translation

from surveys.models import Response


def customer_language(response: Response) -> str:
    return (
        response.customer.locale
        or response.locale
        or response.survey.default_locale
        or settings.LANGUAGE_CODE
    )


def format_when(moment: datetime, language: str) -> str:
    with translation.override(language):
        local = timezone.localtime(moment)
        return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"
