"""Webhook endpoints: created with a fresh secret (shown once), their URL and
events checked; disabled when the receiver says it is gone or keeps failing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from followups.models import WebhookEndpoint
from followups.webhooks.events import events_check
from followups.webhooks.signing import secret_new
from followups.webhooks.targets import TargetRefused, TargetUnresolved, target_resolve


def webhook_url_check(url: str) -> None:
    """Raise ValidationError({"url": ...}) for a URL a webhook may not go to:
    not an http(s) URL, or (in production) one resolving to a private address."""
    try:
        URLValidator(schemes=["http", "https"])(url)
        target_resolve(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from exc
    except (TargetRefused, TargetUnresolved) as exc:
        raise ValidationError({"url": [str(exc)]}) from exc


def webhook_events_check(events) -> list[str]:
    try:
        return events_check(events)
    except ValueError as exc:
        raise ValidationError({"events": [str(exc)]}) from exc


def webhook_endpoint_create(
    *,
    url: str,
    events,
    personal_data: bool = False,
    description: str = "",
    created_by=None,
) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret (its only showing is the
    caller's). Raises ValidationError with per-field messages."""
    errors: dict[str, list[str]] = {}
    checked: list[str] = []
    try:
        webhook_url_check(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        checked = webhook_events_check(events)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return WebhookEndpoint.objects.create(
        url=url,
        events=checked,
        personal_data=personal_data,
        description=description,
        secret=secret_new(),
        created_by=created_by,
    )


# The rules below hold for every kind of HTTP receiver with the same four
# fields (is_active, disabled_at, disabled_reason, failing_since): webhook
# endpoints, and chat alerts (``model``).


def webhook_endpoint_disable(
    *, endpoint_id: int, reason: str, now: datetime | None = None, model=WebhookEndpoint
) -> bool:
    """Stop delivering to the endpoint. Returns whether this call disabled it
    (a concurrent failure may have first)."""
    now = now or timezone.now()
    return bool(
        model.objects.filter(pk=endpoint_id, is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=reason[:300]
        )
    )


def webhook_endpoint_succeeded(*, endpoint_id: int, model=WebhookEndpoint) -> None:
    model.objects.filter(pk=endpoint_id, failing_since__isnull=False).update(failing_since=None)


def webhook_endpoint_failed(
    *, endpoint_id: int, now: datetime | None = None, model=WebhookEndpoint
) -> bool:
    """Note a failed delivery. An endpoint that has failed every delivery for
    NPS_WEBHOOK_DISABLE_AFTER_DAYS is disabled: returns True when this call did."""
    now = now or timezone.now()
    with transaction.atomic():
        model.objects.filter(pk=endpoint_id, failing_since__isnull=True).update(failing_since=now)
        limit = now - timedelta(days=settings.NPS_WEBHOOK_DISABLE_AFTER_DAYS)
        failing_long = model.objects.filter(
            pk=endpoint_id, is_active=True, failing_since__lte=limit
        ).exists()
        if not failing_long:
            return False
        days = settings.NPS_WEBHOOK_DISABLE_AFTER_DAYS
        return webhook_endpoint_disable(
            endpoint_id=endpoint_id,
            reason=f"Every delivery failed for {days:g} days.",
            now=now,
            model=model,
        )
