"""Webhook endpoints: created with a fresh secret (shown once), their URL and
events checked. (When one is disabled: ``HttpTargetQuerySet`` in the models,
the same for every receiver the outbox posts to.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

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


def fields_check(**checks: Callable[[], Any]) -> dict[str, Any]:
    """Each field's check run (a callable raising ValidationError({field:
    ...})), all of them even after one fails; what each returned, by field,
    or one ValidationError with every failed field's messages."""
    errors: dict[str, list[str]] = {}
    checked: dict[str, Any] = {}
    for field, check in checks.items():
        try:
            checked[field] = check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return checked


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
    checked = fields_check(
        url=lambda: webhook_url_check(url), events=lambda: webhook_events_check(events)
    )
    return WebhookEndpoint.objects.create(
        url=url,
        events=checked["events"],
        personal_data=personal_data,
        description=description,
        secret=secret_new(),
        created_by=created_by,
    )
