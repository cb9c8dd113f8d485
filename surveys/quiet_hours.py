"""When a customer may be texted: not in their quiet hours
(NPS_SMS_QUIET_HOURS, in their own time zone, else
NPS_SMS_DEFAULT_TIME_ZONE). Every text to a customer (the first, a retry,
one queued again by hand) is due no sooner than ``sms_allowed_at``."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from .models import Customer


def quiet_hours() -> tuple[time, time]:
    """NPS_SMS_QUIET_HOURS ("21:00-09:00") as (start, end); equal: none."""
    start, end = settings.NPS_SMS_QUIET_HOURS.split("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def _zone(customer: Customer) -> ZoneInfo:
    try:
        return ZoneInfo(customer.time_zone or settings.NPS_SMS_DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.NPS_SMS_DEFAULT_TIME_ZONE)


def sms_allowed_at(*, customer: Customer, when: datetime) -> datetime:
    """``when``, or, when that falls in the customer's quiet hours (in their
    time zone), the end of those hours: a text is held, never dropped."""
    start, end = quiet_hours()
    if start == end:
        return when
    local = when.astimezone(_zone(customer))
    clock = local.time()
    # Quiet hours across midnight (21:00-09:00) are the complement of a day span.
    quiet = start <= clock < end if start < end else clock >= start or clock < end
    if not quiet:
        return when
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    # Built in the zone (fold 0), so a daylight saving change takes the first
    # reading; but when the clocks go back and it is already the hour's second
    # pass (02:10 the second time, quiet hours ending 02:30), the first 02:30
    # has gone by: the end is the second one, never a time before ``when``.
    allowed = datetime.combine(day, end, tzinfo=local.tzinfo)
    if allowed < when:
        allowed = allowed.replace(fold=1)
    return allowed.astimezone(when.tzinfo)
