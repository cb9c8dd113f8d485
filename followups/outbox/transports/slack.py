"""Slack alerts over HTTP: one POST of the stored Block Kit JSON per outbox
row to the alert's incoming-webhook URL, through the same SSRF-checked,
pinned connection as webhooks (``followups.webhooks.targets``), with short
timeouts and no redirects followed. What Slack answers decides the row: 2xx
delivered; 404 and 410 (``no_service``, ``channel_is_archived``: the URL is
gone) disable the alert and tell the managers; any other 4xx but 408 and 429
fails it for good; 429 is tried again no sooner than its Retry-After; the
rest is tried again later with backoff. An alert that keeps failing is
disabled like a webhook endpoint.
"""

from __future__ import annotations

import http.client
import time

from django.conf import settings
from django.utils import timezone

from followups.chat.alerts import chat_alert_disable, chat_alert_failed, chat_alert_succeeded
from followups.models import ChatAlert, OutboundMessage, WebhookAttempt
from followups.outbox.messages import email_queue
from followups.outbox.transports.base import Transport, TransportError
from followups.outbox.transports.webhook import (
    REPLY_SHOWN,
    USER_AGENT,
    Reply,
    is_permanent,
    post_reply,
)
from followups.publish import messages_enqueue
from followups.roles import managers
from followups.webhooks.targets import Target, TargetRefused, TargetUnresolved, target_resolve

GONE = (404, 410)  # Slack: the webhook was removed, or its channel archived


class SlackTransport(Transport):
    """JSON POSTs to incoming webhooks, one connection per message."""

    channel = OutboundMessage.Channel.SLACK
    noun = "Slack alert"

    def deliver(self, message: OutboundMessage) -> None:
        alert = (
            ChatAlert.objects.filter(pk=message.chat_alert_id).first()
            if message.chat_alert_id
            else None
        )
        if alert is None or not alert.is_active:
            raise TransportError("The Slack alert is disabled or gone.", permanent=True)
        try:
            target = target_resolve(alert.url)
        except TargetRefused as exc:
            raise TransportError(str(exc), permanent=True) from exc
        except TargetUnresolved as exc:
            self._failed(alert)
            raise TransportError(str(exc), permanent=False) from exc
        reply = self._attempt(message, alert, target)
        if 200 <= reply.status < 300:
            chat_alert_succeeded(alert_id=alert.pk)
            return
        answered = f"Slack answered {reply.status} {reply.text[:80]}".strip()
        if reply.status in GONE:
            if chat_alert_disable(alert_id=alert.pk, reason=f"{answered}: the URL is gone."):
                managers_tell(alert.pk)
            raise TransportError(answered, permanent=True)
        self._failed(alert)
        raise TransportError(
            answered, permanent=is_permanent(reply.status), retry_after=reply.retry_after
        )

    def _attempt(self, message: OutboundMessage, alert: ChatAlert, target: Target) -> Reply:
        """One POST, logged with its outcome and timing; what came back."""
        headers = {"content-type": "application/json; charset=utf-8", "user-agent": USER_AGENT}
        started, clock = timezone.now(), time.monotonic()
        attempt = WebhookAttempt(message=message, started_at=started, duration_ms=0)
        try:
            reply = post_reply(target, message.body_text.encode(), headers)
        except (OSError, http.client.HTTPException) as exc:
            attempt.duration_ms = round((time.monotonic() - clock) * 1000)
            attempt.error = f"{type(exc).__name__}: {exc}"[:2000]
            attempt.save()
            self._failed(alert)
            raise TransportError(attempt.error, permanent=False) from exc
        attempt.duration_ms = round((time.monotonic() - clock) * 1000)
        attempt.status_code = reply.status
        if not 200 <= reply.status < 300:
            attempt.error = reply.text[:REPLY_SHOWN]
        attempt.save()
        return reply

    def _failed(self, alert: ChatAlert) -> None:
        if chat_alert_failed(alert_id=alert.pk):
            managers_tell(alert.pk)

    def message_seconds(self) -> float:
        return settings.NPS_WEBHOOK_CONNECT_TIMEOUT + settings.NPS_WEBHOOK_READ_TIMEOUT


def managers_tell(alert_id: int) -> list[int]:
    """Email every manager that the alert was disabled, and why (once per
    disabling), through the outbox. The URL is shown masked: it is a secret."""
    alert = ChatAlert.objects.get(pk=alert_id)
    stamp = alert.disabled_at.isoformat() if alert.disabled_at else "now"
    ids = [
        email_queue(
            template="webhook_disabled",
            dedupe_key=f"chat:{alert.pk}:disabled:{stamp}:{user.pk}",
            recipient=user.email,
            language=settings.LANGUAGE_CODE,
            context={
                "url": alert.url_masked,
                "reason": alert.disabled_reason,
                "admin_url": (
                    f"{settings.PUBLIC_BASE_URL}/admin/followups/chatalert/{alert.pk}/change/"
                ),
            },
        ).pk
        for user in managers()
    ]
    messages_enqueue(message_ids=ids)
    return ids
