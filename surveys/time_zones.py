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


def time_zone_for_phone(phone: str | None) -> str:
    """The time zone a phone number (E.164) lies in, when its number plan
    says exactly one (a Polish or a British number; not a Russian or an
    American one, whose country spans several): else ""."""
    if not phone:
        return ""
    import phonenumbers
    from phonenumbers import timezone as phone_time_zones

    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return ""
    zones = phone_time_zones.time_zones_for_number(number)
    return zones[0] if len(zones) == 1 and zones[0] in _names() else ""
