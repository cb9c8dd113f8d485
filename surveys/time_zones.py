"""Customers' time zones, by IANA name (``Europe/Warsaw``)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TIME_ZONE_INVALID = _("Enter a time zone by its IANA name, e.g. Europe/Warsaw.")


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    """A field validator: ``value`` names an IANA time zone (empty: none)."""
    if value and value not in _names():
        raise ValidationError(TIME_ZONE_INVALID, code="invalid")
