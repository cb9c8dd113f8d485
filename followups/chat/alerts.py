"""Chat alerts: added with their URL and categories checked; disabled when
the chat says the URL is gone or it keeps failing (the same rules as webhook
endpoints, ``followups.webhooks.endpoints``)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from followups.models import ChatAlert
from followups.webhooks.endpoints import (
    webhook_endpoint_disable,
    webhook_endpoint_failed,
    webhook_endpoint_succeeded,
    webhook_url_check,
)
from surveys.models import Response, Survey

CATEGORIES = [value for value, _label in Response.Category.choices]


def chat_alert_categories_check(categories) -> list[str]:
    """The categories given, checked, in the order detractor, passive,
    promoter; ValidationError({"categories": ...}) naming the unknown ones."""
    wanted = {str(name).strip() for name in categories or () if str(name).strip()}
    unknown = sorted(wanted - set(CATEGORIES))
    if unknown:
        raise ValidationError(
            {
                "categories": [
                    _("Unknown categories: %(unknown)s. Known: %(known)s.")
                    % {"unknown": ", ".join(unknown), "known": ", ".join(CATEGORIES)}
                ]
            }
        )
    if not wanted:
        raise ValidationError({"categories": [_("Choose at least one category.")]})
    return [name for name in CATEGORIES if name in wanted]


def chat_alert_create(
    *,
    survey: Survey,
    url: str,
    categories=("detractor",),
    description: str = "",
    created_by=None,
) -> ChatAlert:
    """A new active alert. Raises ValidationError with per-field messages: a
    URL that is not http(s), or (in production) reaches a private network."""
    errors: dict[str, list[str]] = {}
    checked: list[str] = []
    try:
        webhook_url_check(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        checked = chat_alert_categories_check(categories)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return ChatAlert.objects.create(
        survey=survey,
        url=url,
        categories=checked,
        description=description,
        created_by=created_by,
    )


def chat_alert_disable(*, alert_id: int, reason: str, now: datetime | None = None) -> bool:
    """Stop posting the alert; whether this call disabled it."""
    return webhook_endpoint_disable(endpoint_id=alert_id, reason=reason, now=now, model=ChatAlert)


def chat_alert_succeeded(*, alert_id: int) -> None:
    webhook_endpoint_succeeded(endpoint_id=alert_id, model=ChatAlert)


def chat_alert_failed(*, alert_id: int, now: datetime | None = None) -> bool:
    """Note a failed delivery; True when this call disabled the alert for
    failing every delivery for NPS_WEBHOOK_DISABLE_AFTER_DAYS."""
    return webhook_endpoint_failed(endpoint_id=alert_id, now=now, model=ChatAlert)
