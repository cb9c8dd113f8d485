"""Slack alerts: a survey's answers of chosen categories posted to a chat, and deliveries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import Survey

from .outbox import ChannelManager, OutboundMessage
from .webhooks import HttpTarget


def detractors_only() -> list[str]:
    return ["detractor"]


def url_masked(url: str) -> str:
    """An incoming-webhook URL as lists and pages show it: its host and the
    last four characters; the rest is the secret that lets anyone post."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…{url[-4:]}" if rest else "…"


class ChatAlert(HttpTarget):
    """A chat channel told about one survey's answers of chosen categories
    (detractors unless said otherwise), through the incoming-webhook URL of
    Slack or of a chat that takes Slack's messages. Each alert is one outbox
    row, delivered and retried like a webhook."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="chat_alerts", verbose_name=_("survey")
    )
    # Anyone holding the URL can post to the channel: shown masked once saved.
    url = models.URLField(_("incoming-webhook URL"), max_length=2000)
    categories = models.JSONField(
        _("categories"),
        default=detractors_only,
        help_text=_("The categories of answers that are posted."),
    )

    class Meta(HttpTarget.Meta):
        verbose_name = _("Slack alert")
        verbose_name_plural = _("Slack alerts")

    def __str__(self) -> str:
        return self.url_masked

    @property
    def url_masked(self) -> str:
        return url_masked(self.url)

    def wants(self, category: str) -> bool:
        return self.is_active and category in self.categories


class ChatAlertDelivery(OutboundMessage):
    """The outbox's Slack rows, as the admin's delivery log shows them."""

    objects = ChannelManager(OutboundMessage.Channel.SLACK)  # type: ignore[misc,assignment]  # narrower, on purpose

    class Meta:
        proxy = True
        verbose_name = _("Slack alert delivery")
        verbose_name_plural = _("Slack alert deliveries")
        permissions = [("resend_chatalertdelivery", _("Can send Slack alert deliveries again"))]
