"""Webhook endpoints, the HTTP receivers they share with chat alerts, and their deliveries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Self

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .outbox import ChannelManager, OutboundMessage


class HttpTargetQuerySet(models.QuerySet):
    """The rules about one receiver the outbox posts to over HTTP: whether it
    still gets deliveries, and when its failures disable it. Conditional
    updates, so concurrent deliveries agree on one outcome."""

    def active(self) -> Self:
        return self.filter(is_active=True)

    def disable(self, pk: int, *, reason: str, now: datetime | None = None) -> bool:
        """Stop delivering to the receiver. Returns whether this call disabled
        it (a concurrent failure may have first)."""
        return bool(
            self.filter(pk=pk, is_active=True).update(
                is_active=False, disabled_at=now or timezone.now(), disabled_reason=reason[:300]
            )
        )

    def note_success(self, pk: int) -> None:
        self.filter(pk=pk, failing_since__isnull=False).update(failing_since=None)

    def note_failure(self, pk: int, *, now: datetime | None = None) -> bool:
        """Note a failed delivery. A receiver that has failed every delivery
        for NPS_WEBHOOK_DISABLE_AFTER_DAYS is disabled: True when this call did."""
        now = now or timezone.now()
        days = settings.NPS_WEBHOOK_DISABLE_AFTER_DAYS
        with transaction.atomic():
            self.filter(pk=pk, failing_since__isnull=True).update(failing_since=now)
            limit = now - timedelta(days=days)
            if not self.filter(pk=pk, is_active=True, failing_since__lte=limit).exists():
                return False
            return self.disable(pk, reason=f"Every delivery failed for {days:g} days.", now=now)


class HttpTarget(models.Model):
    """A receiver the outbox posts to over HTTP (a webhook endpoint, a Slack
    alert): its URL, and whether it still gets deliveries (disabled by hand,
    by a receiver that says it is gone, or after failing for days)."""

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    failing_since = models.DateTimeField(
        _("failing since"),
        null=True,
        blank=True,
        help_text=_("The first failed delivery since the last successful one."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = HttpTargetQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def active_set(self, active: bool, *, by: str) -> None:
        """Enabled or disabled by hand (unsaved): enabled again, its failures so
        far no longer count."""
        if active:
            self.disabled_at, self.disabled_reason, self.failing_since = None, "", None
        else:
            self.disabled_at = timezone.now()
            self.disabled_reason = f"Disabled in the admin by {by}."
        self.is_active = active


class WebhookEndpoint(HttpTarget):
    """A receiver of signed events (Standard Webhooks): where they go, which
    ones it wants, the secret they are signed with, and whether it still gets
    them. Each event it wants becomes one outbox row per endpoint."""

    events = models.JSONField(
        _("events"), default=list, help_text=_("The names of the events it receives.")
    )
    # Needed in clear to sign; shown once, when the endpoint is created.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    personal_data = models.BooleanField(
        _("receives personal data"),
        default=False,
        help_text=_("Customers' email addresses, names and comments are sent only if set."),
    )

    class Meta(HttpTarget.Meta):
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.is_active and event in self.events


class WebhookDelivery(OutboundMessage):
    """The outbox's webhook rows, as the admin's delivery log shows them."""

    objects = ChannelManager(OutboundMessage.Channel.WEBHOOK)  # type: ignore[misc,assignment]  # narrower, on purpose

    class Meta:
        proxy = True
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        permissions = [("resend_webhookdelivery", _("Can send webhook deliveries again"))]


class WebhookAttempt(models.Model):
    """One HTTP request of a webhook delivery, and what came of it."""

    message = models.ForeignKey(
        OutboundMessage,
        on_delete=models.CASCADE,
        related_name="webhook_attempts",
        verbose_name=_("message"),
    )
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.started_at:%Y-%m-%d %H:%M:%S}: {self.status_code}"


# --- Chat alerts (Slack incoming webhooks) -------------------------------------
