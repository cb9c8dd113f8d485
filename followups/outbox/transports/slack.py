"""Slack alerts over HTTP: one POST of the stored Block Kit JSON per outbox
row to the alert's incoming-webhook URL, through the same SSRF-checked,
pinned connection as webhooks (``followups.webhooks.targets``), with short
timeouts and no redirects followed. What Slack answers decides the row: 2xx
delivered; 404 and 410 (``no_service``, ``channel_is_archived``: the URL is
gone) disable the alert and tell the managers; any other 4xx but 408 and 429
fails it for good; 429 is tried again no sooner than its Retry-After; the
rest is tried again later with backoff. An alert that keeps failing is
disabled like a webhook endpoint, and the managers are told by email.
"""

from __future__ import annotations

from followups.models import ChatAlert, OutboundMessage
from followups.outbox.transports.base import TransportError
from followups.outbox.transports.webhook import (
    USER_AGENT,
    HttpTargetTransport,
    is_permanent,
    post_reply,
)

GONE = (404, 410)  # Slack: the webhook was removed, or its channel archived


class SlackTransport(HttpTargetTransport):
    """JSON POSTs to incoming webhooks, one connection per message."""

    channel = OutboundMessage.Channel.SLACK
    noun = "Slack alert"
    model = ChatAlert
    receiver_field = "chat_alert_id"
    gone = "The Slack alert is disabled or gone."
    disabled_email = "chat_alert_disabled"
    dedupe_prefix = "chat"
    admin_path = "/admin/followups/chatalert/{pk}/change/"

    def deliver(self, message: OutboundMessage) -> None:
        alert = self.receiver(message)
        target = self.target(alert)
        headers = {"content-type": "application/json; charset=utf-8", "user-agent": USER_AGENT}
        reply = self.attempt(
            message, alert, lambda: post_reply(target, message.body_text.encode(), headers)
        )
        if 200 <= reply.status < 300:
            self.succeeded(alert)
            return
        answered = f"Slack answered {reply.status} {reply.text[:80]}".strip()
        if reply.status in GONE:
            self.disable(alert, f"{answered}: the URL is gone.")
            raise TransportError(answered, permanent=True)
        self.failed(alert)
        raise TransportError(
            answered, permanent=is_permanent(reply.status), retry_after=reply.retry_after
        )
