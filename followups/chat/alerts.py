"""Chat alerts: added with their URL and categories checked. (Disabled when
the chat says the URL is gone or it keeps failing: ``HttpTargetQuerySet`` in
the models, the same rules as webhook endpoints.)"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from followups.models import ChatAlert
from followups.webhooks.endpoints import fields_check, webhook_url_check
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
    checked = fields_check(
        url=lambda: webhook_url_check(url),
        categories=lambda: chat_alert_categories_check(categories),
    )
    return ChatAlert.objects.create(
        survey=survey,
        url=url,
        categories=checked["categories"],
        description=description,
        created_by=created_by,
    )
