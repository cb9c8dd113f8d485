"""Texts customers send us, as their SMS provider delivered them, once."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models import Customer, Invitation, Response


class InboundSms(models.Model):
    """A text message a customer sent us, as the SMS provider delivered it,
    once: the provider's message id is unique (providers deliver at least
    once), and the row keeps what was written whatever became of it."""

    class Provider(models.TextChoices):
        TWILIO = "twilio", "Twilio"
        HTTP = "http", _("HTTP gateway")

    class Outcome(models.TextChoices):
        SCORE = "score", _("Score recorded")
        COMMENT = "comment", _("Comment recorded")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        UNMATCHED = "unmatched", _("No customer or open SMS invitation")
        IGNORED = "ignored", _("Kept, nothing to do")

    provider = models.CharField(_("provider"), max_length=10, choices=Provider)
    provider_message_id = models.CharField(_("provider's message id"), max_length=100)
    sender = models.CharField(_("from"), max_length=40, blank=True)
    body = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome)
    note = models.CharField(_("note"), max_length=300, blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_sms",
        verbose_name=_("customer"),
    )
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_sms",
        verbose_name=_("invitation"),
    )
    response = models.ForeignKey(
        Response,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_sms",
        verbose_name=_("response"),
    )

    class Meta:
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS messages")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"], name="inbound_sms_once_per_provider_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.provider_message_id} ({self.outcome})"
