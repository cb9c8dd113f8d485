"""Webhooks over HTTP: one signed POST per outbox row (Standard Webhooks), to
the address checked for the endpoint's host (``followups.webhooks.targets``),
with short timeouts and no redirects followed. A batch keeps one connection
per receiver alive (HTTP/1.1 keep-alive) for as long as the receiver does. What the receiver answers
decides the row: 2xx delivered; 410 disables the endpoint; any other 4xx but
408 and 429 fails it for good; the rest is tried again later. An endpoint
that keeps failing is disabled, and the managers are told by email.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.utils import timezone

from followups.models import OutboundMessage, WebhookAttempt, WebhookEndpoint
from followups.outbox.messages import email_queue
from followups.outbox.transports.base import Transport, TransportError
from followups.publish import messages_enqueue
from followups.roles import managers
from followups.webhooks.emit import body
from followups.webhooks.endpoints import (
    webhook_endpoint_disable,
    webhook_endpoint_failed,
    webhook_endpoint_succeeded,
)
from followups.webhooks.events import without_personal_data
from followups.webhooks.signing import signed_headers
from followups.webhooks.targets import Target, TargetRefused, TargetUnresolved, target_resolve

USER_AGENT = "nps-loop-webhooks/1"
REPLY_SHOWN = 200  # characters of a refusing receiver's reply kept in the error
# What is read of a longer reply so its connection can serve the next delivery.
REPLY_DRAINED = 64 * 1024
# A kept connection the receiver closed while it was idle: the request is sent
# once more on a new connection (under the same webhook-id).
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def _connected(address: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection that sends at once (``TCP_NODELAY``, as urllib3 sets):
    http.client writes a request's headers and body in two writes, and on a
    kept-alive connection Nagle's algorithm holds the body back until the
    receiver acknowledges the headers, which it delays by up to 40 ms."""
    sock = socket.create_connection((address, port), timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP to the checked address, whatever the name resolves to by now."""

    def __init__(self, target: Target, *, connect: float, read: float) -> None:
        super().__init__(target.host, target.port, timeout=connect)
        self.address, self.read_timeout = target.address, read

    def connect(self) -> None:
        self.sock = _connected(self.address, self.port, self.timeout)
        self.sock.settimeout(self.read_timeout)


class _PinnedTLSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; the certificate is checked for the host name."""

    def __init__(self, target: Target, *, connect: float, read: float) -> None:
        super().__init__(
            target.host, target.port, timeout=connect, context=ssl.create_default_context()
        )
        self.address, self.read_timeout = target.address, read

    def connect(self) -> None:
        sock = _connected(self.address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        self.sock.settimeout(self.read_timeout)


@dataclass(frozen=True)
class Reply:
    status: int
    text: str  # its start
    retry_after: float | None  # seconds the receiver asked to be left alone


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """An HTTP ``Retry-After`` (seconds, or a date) as seconds from ``now``;
    None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)


def connection_open(target: Target) -> http.client.HTTPConnection:
    """A connection to ``target``'s checked address (it connects on first use)."""
    kind = _PinnedTLSConnection if target.scheme == "https" else _PinnedConnection
    return kind(
        target,
        connect=settings.NPS_WEBHOOK_CONNECT_TIMEOUT,
        read=settings.NPS_WEBHOOK_READ_TIMEOUT,
    )


def exchange(
    connection: http.client.HTTPConnection, target: Target, body: bytes, headers: dict[str, str]
) -> tuple[int, str, bool]:
    """POST ``body`` over ``connection``: the status, the start of the reply,
    and whether the connection may carry the next request (the receiver keeps
    it alive and the reply was read to its end). Closes it otherwise."""
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        reply = connection.getresponse()
        shown = reply.read(REPLY_SHOWN).decode(errors="replace")
        if not reply.isclosed():
            reply.read(REPLY_DRAINED)
    except BaseException:
        connection.close()
        raise
    reusable = reply.isclosed() and not reply.will_close
    if not reusable:
        connection.close()
    return reply.status, shown, reusable


def post_reply(target: Target, body: bytes, headers: dict[str, str]) -> Reply:
    """POST ``body`` to ``target`` on a connection of its own; what came back,
    with the receiver's ``Retry-After``."""
    connection = connection_open(target)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        reply = connection.getresponse()
        return Reply(
            status=reply.status,
            text=reply.read(REPLY_SHOWN).decode(errors="replace"),
            retry_after=retry_after_seconds(reply.getheader("retry-after"), now=timezone.now()),
        )
    finally:
        connection.close()


def is_permanent(status: int) -> bool:
    """A refusal that sending again cannot change."""
    return 400 <= status < 500 and status not in (408, 429)


def _pool_key(target: Target) -> tuple[str, str, int, str]:
    return target.scheme, target.host, target.port, target.address


class WebhookTransport(Transport):
    """Signed HTTP POSTs; a batch's deliveries to one receiver share a
    kept-alive connection, and its endpoints' addresses are resolved once."""

    channel = OutboundMessage.Channel.WEBHOOK
    noun = "Webhook"

    def __init__(self) -> None:
        self.connections: dict[tuple[str, str, int, str], http.client.HTTPConnection] = {}
        self.targets: dict[str, Target] = {}

    def close(self) -> None:
        connections, self.connections = self.connections, {}
        for connection in connections.values():
            connection.close()

    def post(self, target: Target, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """POST ``body`` to ``target`` over the batch's connection to it (or a
        new one); the status and the start of the reply."""
        key = _pool_key(target)
        kept = self.connections.pop(key, None)
        if kept is not None:
            try:
                return self._exchange(key, kept, target, body, headers)
            except STALE:
                pass  # closed by the receiver while idle: once more, on a new connection
        return self._exchange(key, connection_open(target), target, body, headers)

    def _exchange(self, key, connection, target, body, headers) -> tuple[int, str]:
        status, shown, reusable = exchange(connection, target, body, headers)
        if reusable:
            self.connections[key] = connection
        return status, shown

    def _target(self, url: str) -> Target:
        """The checked address of ``url``, resolved once per batch."""
        if url not in self.targets:
            self.targets[url] = target_resolve(url)
        return self.targets[url]

    def deliver(self, message: OutboundMessage) -> None:
        endpoint = (
            WebhookEndpoint.objects.filter(pk=message.webhook_endpoint_id).first()
            if message.webhook_endpoint_id
            else None
        )
        if endpoint is None or not endpoint.is_active:
            raise TransportError("The webhook endpoint is disabled or gone.", permanent=True)
        try:
            target = self._target(endpoint.url)
        except TargetRefused as exc:
            raise TransportError(str(exc), permanent=True) from exc
        except TargetUnresolved as exc:
            self._failed(endpoint)
            raise TransportError(str(exc), permanent=False) from exc
        status = self._attempt(message, endpoint, target)
        if 200 <= status < 300:
            if endpoint.failing_since is not None:  # read just now: no write when it was not
                webhook_endpoint_succeeded(endpoint_id=endpoint.pk)
            return
        if status == 410:
            reason = "The receiver answered 410 Gone: it wants no more deliveries."
            if webhook_endpoint_disable(endpoint_id=endpoint.pk, reason=reason):
                managers_tell(endpoint.pk)
            raise TransportError(reason, permanent=True)
        self._failed(endpoint)
        raise TransportError(f"The receiver answered {status}.", permanent=is_permanent(status))

    def _attempt(self, message: OutboundMessage, endpoint: WebhookEndpoint, target: Target) -> int:
        """One signed POST, logged with its outcome and timing; its status."""
        sent_at = int(time.time())
        content = _content_for(endpoint, message.body_text)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **signed_headers(
                secret=endpoint.secret,
                webhook_id=message.webhook_id,
                timestamp=sent_at,
                body=content,
            ),
        }
        started, clock = timezone.now(), time.monotonic()
        attempt = WebhookAttempt(message=message, started_at=started, duration_ms=0)
        try:
            status, reply = self.post(target, content.encode(), headers)
        except (OSError, http.client.HTTPException) as exc:
            attempt.duration_ms = round((time.monotonic() - clock) * 1000)
            attempt.error = f"{type(exc).__name__}: {exc}"[:2000]
            attempt.save()
            self._failed(endpoint)
            raise TransportError(attempt.error, permanent=False) from exc
        attempt.duration_ms = round((time.monotonic() - clock) * 1000)
        attempt.status_code = status
        if not 200 <= status < 300:
            attempt.error = reply[:REPLY_SHOWN]
        attempt.save()
        return status

    def _failed(self, endpoint: WebhookEndpoint) -> None:
        if webhook_endpoint_failed(endpoint_id=endpoint.pk):
            managers_tell(endpoint.pk)

    def message_seconds(self) -> float:
        return settings.NPS_WEBHOOK_CONNECT_TIMEOUT + settings.NPS_WEBHOOK_READ_TIMEOUT


def managers_tell(endpoint_id: int) -> list[int]:
    """Email every manager that the endpoint was disabled, and why (once per
    disabling), through the outbox."""
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    stamp = endpoint.disabled_at.isoformat() if endpoint.disabled_at else "now"
    ids = [
        email_queue(
            template="webhook_disabled",
            dedupe_key=f"webhook:{endpoint.pk}:disabled:{stamp}:{user.pk}",
            recipient=user.email,
            language=settings.LANGUAGE_CODE,
            context={
                "url": endpoint.url,
                "reason": endpoint.disabled_reason,
                "admin_url": (
                    f"{settings.PUBLIC_BASE_URL}/admin/followups/webhookendpoint/"
                    f"{endpoint.pk}/change/"
                ),
            },
        ).pk
        for user in managers()
    ]
    messages_enqueue(message_ids=ids)
    return ids


def _content_for(endpoint: WebhookEndpoint, stored: str) -> str:
    """The body as this endpoint may receive it now: the event was stored with
    personal data if the endpoint wanted it then, and an endpoint that has
    since turned personal data off gets a retry (or "send again") without."""
    if endpoint.personal_data:
        return stored
    return body(without_personal_data(json.loads(stored)))
