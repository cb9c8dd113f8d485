"""The language a message is written in, and dates written in it."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import formats, timezone, translation

from surveys.models import Customer, Response


def customer_language(response: Response) -> str:
    return (
        response.customer.locale
        or response.locale
        or response.survey.default_locale
        or settings.LANGUAGE_CODE
    )


def customer_zone(customer: Customer) -> tzinfo | None:
    """The customer's own time zone (``Customer.time_zone``), for the dates a
    message tells them ("answer by", "valid until"): a deadline read in
    another zone's hours is missed by those hours. None (the server's zone)
    when they have none, or one this system no longer knows."""
    if not customer.time_zone:
        return None
    try:
        return ZoneInfo(customer.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_when(moment: datetime, language: str, zone: tzinfo | None = None) -> str:
    """``moment`` written in ``language``, in ``zone`` (else the server's),
    with the zone's abbreviation, so that the reader knows whose hours."""
    with translation.override(language):
        local = timezone.localtime(moment, zone)
        return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


class DatesWritten:
    """``format_when``, each distinct (moment, language, zone) written once:
    the answers of a routing batch share its moment, so their grants share
    an expiry and their cases a deadline."""

    def __init__(self) -> None:
        self.texts: dict[tuple, str] = {}

    def __call__(self, moment: datetime, language: str, zone: tzinfo | None = None) -> str:
        key = (moment, language, zone)
        if key not in self.texts:
            self.texts[key] = format_when(moment, language, zone)
        return self.texts[key]
