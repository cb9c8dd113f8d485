"""The outbox: every message out, on any channel, is a row before it is sent."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from surveys.models import Customer, Response, Survey
from surveys.quiet_hours import sms_allowed_at

from .cases import FollowUpCase


class OutboundMessageQuerySet(models.QuerySet):
    def cancel_unsent(self, reason: str) -> int:
        """Cancel those not sent yet: queued, or claimed by a sender but not yet
        accepted by the far end. The sender records its outcome only on a row
        still "sending", so a send that fails now is never tried again (one in
        flight at this very moment may still arrive). Returns how many."""
        return self.filter(
            Q(status=OutboundMessage.Status.QUEUED)
            | Q(status=OutboundMessage.Status.SENDING, sent_at__isnull=True)
        ).update(status=OutboundMessage.Status.CANCELLED, last_error=reason, claimed_at=None)


class OutboundMessage(models.Model):
    """Every message out, on any channel, is a row before it is sent: the audit
    trail, and the guard against sending twice (``dedupe_key`` is unique, and a
    sender must claim a queued row before its channel's transport is called)."""

    class Channel(models.TextChoices):
        EMAIL = "email", pgettext_lazy("outbox channel", "Email")
        WEBHOOK = "webhook", pgettext_lazy("outbox channel", "Webhook")
        SLACK = "slack", pgettext_lazy("outbox channel", "Slack")
        SMS = "sms", pgettext_lazy("outbox channel", "SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Never to be sent (its recipient was erased first, or may no longer
        # receive it); never retried.
        CANCELLED = "cancelled", _("Cancelled")

    class Delivery(models.TextChoices):
        """A text's fate as its provider reports it, once it is final."""

        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Undelivered")
        FAILED = "failed", _("Failed")

    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    template = models.CharField(_("template"), max_length=50)
    language = models.CharField(_("language"), max_length=10)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel, default=Channel.EMAIL)
    # What the channel's transport delivers to (an email address for email);
    # each transport checks its own kind of recipient.
    recipient = models.CharField(_("to"), max_length=254)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("customer"),
    )
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("response"),
        help_text=_("The answer this email follows up, if any."),
    )
    case = models.ForeignKey(
        FollowUpCase,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # a partial index in Meta: most rows have none
        related_name="emails",
        verbose_name=_("case"),
    )
    # The survey the message is about (its answer's, case's, invitation's or
    # alert's), stored when it is queued: its department decides who reads it
    # in the admin, in one join whatever the message's kind. Empty: about no
    # survey (digests, staff notices, webhook notices).
    survey = models.ForeignKey(
        Survey,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # a partial index in Meta: most rows have none
        related_name="+",
        verbose_name=_("written by"),
        help_text=_("The person who wrote it; empty for automatic emails."),
    )
    from_name = models.CharField(
        _("sender's name"),
        max_length=200,
        blank=True,
        help_text=_("The display name on the shared sender address; empty: the sender's own."),
    )
    reply_to = models.CharField(
        _("reply to"),
        max_length=254,
        blank=True,
        help_text=_("The case's reply address: the customer's answer lands on its timeline."),
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("plain-text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    # Not indexed as such: the pending and the failed rows are (Meta).
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(
        _("claim expires at"),
        null=True,
        blank=True,
        help_text=_("A sender that has not finished by then is taken for dead."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # What the SMS provider later reports of a text it accepted (its status
    # callback): ``status`` says we handed it over, this whether it arrived.
    provider_message_id = models.CharField(
        _("provider's message id"),
        max_length=100,
        blank=True,
        help_text=_("For a text: the id its provider gave it, which its delivery reports name."),
    )
    delivery = models.CharField(
        _("delivery"),
        max_length=12,
        choices=Delivery,
        blank=True,
        help_text=_("For a text: whether its provider reported it delivered, or why not."),
    )
    delivery_error = models.CharField(
        _("delivery error code"),
        max_length=100,
        blank=True,
        help_text=_("The provider's error code for a text it could not deliver."),
    )
    delivery_reported_at = models.DateTimeField(_("delivery reported at"), null=True, blank=True)
    webhook_endpoint = models.ForeignKey(
        "WebhookEndpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # a partial index in Meta: most rows have none
        related_name="deliveries",
        verbose_name=_("webhook endpoint"),
        help_text=_("For a webhook: the endpoint it is delivered to."),
    )
    chat_alert = models.ForeignKey(
        "ChatAlert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # a partial index in Meta: most rows have none
        related_name="deliveries",
        verbose_name=_("Slack alert"),
        help_text=_("For a Slack message: the alert it is posted for."),
    )

    objects = OutboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at"]
        permissions = [("retry_outboundmessage", _("Can send failed messages again"))]
        # Every row is written four times on its way out (queued, claimed,
        # accepted, sent), and each write touches every index: only the ones
        # a query needs, and a column most rows leave empty only where set.
        indexes = [
            # The sweeper looks only at rows still to be sent.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outbox_pending",
            ),
            # The admin's list of failed messages, newest first.
            models.Index(
                fields=["-created_at"], condition=Q(status="failed"), name="outbox_failed"
            ),
            *(
                models.Index(
                    fields=[column], condition=Q(**{f"{column}__isnull": False}), name=name
                )
                for column, name in (
                    ("case", "outbox_case"),
                    ("created_by", "outbox_created_by"),
                    ("webhook_endpoint", "outbox_webhook_endpoint"),
                    ("chat_alert", "outbox_chat_alert"),
                )
            ),
            # A delivery report finds its text by the provider's id.
            models.Index(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="outbox_provider_message_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient} ({self.status})"

    def due_at(self, when: datetime) -> datetime:
        """When it may go, at ``when`` or later: a text to a customer waits
        for the end of their quiet hours (a retry and one queued again too)."""
        if self.channel == self.Channel.SMS and self.customer is not None:
            return sms_allowed_at(customer=self.customer, when=when)
        return when

    @property
    def message_id(self) -> str:
        """Stable across retries, so a receiver can drop a rare duplicate."""
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
        return f"<nps-{self.pk}@{domain}>"

    @classmethod
    def pk_from_message_id(cls, message_id: str) -> int | None:
        """The row an email's Message-ID (as ``message_id`` makes it) names,
        whatever domain it carries; None for one this product did not make."""
        match = re.fullmatch(r"\s*<?nps-(\d{1,18})@[^>\s]*>?\s*", message_id or "")
        return int(match.group(1)) if match else None

    @property
    def webhook_id(self) -> str:
        """A webhook's ``webhook-id``: stable across retries and resends, so a
        receiver can drop a rare duplicate."""
        return f"msg_nps_{self.pk}"


class ChannelManager(models.Manager):
    """The outbox rows of one channel: the manager of a channel's delivery log
    (a proxy of ``OutboundMessage``)."""

    def __init__(self, channel: str) -> None:
        super().__init__()
        self.channel = channel

    def get_queryset(self):
        return super().get_queryset().filter(channel=self.channel)
