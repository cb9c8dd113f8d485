"""Mail that comes back: bounces and spam complaints, and customers' replies to a case."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models import Customer

from .cases import CaseEvent, FollowUpCase
from .outbox import OutboundMessage


class MailEvent(models.Model):
    """A bounce or spam complaint a mail server or provider reported. Kept for
    the admin and reports, and so a provider that posts the same report twice
    changes nothing the second time (``dedupe_key``). Erasing the customer
    deletes their rows: the address and the server's words name them."""

    class Kind(models.TextChoices):
        BOUNCE = "bounce", _("Bounce")
        COMPLAINT = "complaint", _("Spam complaint")

    class BounceType(models.TextChoices):
        PERMANENT = "permanent", _("Permanent")
        TRANSIENT = "transient", _("Transient")

    class Source(models.TextChoices):
        JSON = "json", _("JSON")
        DSN = "dsn", _("Delivery status notification")
        ARF = "arf", _("Abuse report")
        SMTP = "smtp", _("Refused while sending")

    dedupe_key = models.CharField(_("dedupe key"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    bounce_type = models.CharField(_("bounce type"), max_length=10, choices=BounceType, blank=True)
    email = models.CharField(_("address"), max_length=254)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="mail_events",
        verbose_name=_("customer"),
    )
    outbound_message = models.ForeignKey(
        OutboundMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail_events",
        verbose_name=_("email"),
        help_text=_("The email that bounced, when the report named its Message-ID."),
    )
    status_code = models.CharField(_("status code"), max_length=16, blank=True)
    diagnostic = models.CharField(_("diagnostic"), max_length=1000, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    # The machine-readable part of the report, cut short: enough to see what
    # the server said, never a whole email.
    raw = models.TextField(_("report"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    stopped_mail = models.BooleanField(
        _("stopped mail"),
        default=False,
        help_text=_("Whether this report marked the address and stopped its email."),
    )

    class Meta:
        verbose_name = _("bounce or complaint")
        verbose_name_plural = _("bounces and complaints")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.status_code or self.bounce_type} ({self.pk})"


class InboundReply(models.Model):
    """An email a customer sent to a case's reply address, as received once:
    the guard against recording a message twice (mail providers and IMAP
    deliver at least once). What the customer wrote is on the case's timeline
    (``event``); this row holds no personal data, only a digest of the
    Message-ID."""

    class Source(models.TextChoices):
        API = "api", _("Inbound webhook")
        IMAP = "imap", _("IMAP mailbox")

    message_key = models.CharField(_("Message-ID digest"), max_length=64, unique=True)
    case = models.ForeignKey(
        FollowUpCase, on_delete=models.CASCADE, related_name="replies", verbose_name=_("case")
    )
    event = models.OneToOneField(
        CaseEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reply",
        verbose_name=_("timeline entry"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer reply")
        verbose_name_plural = _("customer replies")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · case {self.case_id}"


# --- Webhooks -----------------------------------------------------------------
