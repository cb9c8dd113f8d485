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
import math
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import ClassVar

from django.conf import settings
from django.utils import timezone

from followups.models import HttpTarget, OutboundMessage, WebhookAttempt, WebhookEndpoint
from followups.outbox.messages import email_queue
from followups.outbox.transports.base import Transport, TransportError
from followups.publish import messages_enqueue
from followups.roles import managers
from followups.webhooks.emit import body
from followups.webhooks.events import without_personal_data
from followups.webhooks.signing import signed_headers
from followups.webhooks.targets import Target, TargetRefused, TargetUnresolved, target_resolve
from nps_project.numbers import whole_number

USER_AGENT = "nps-loop-webhooks/1"
REPLY_SHOWN = 200  # characters of a refusing receiver's reply kept in the error
# What is read of a longer reply so its connection can serve the next delivery.
REPLY_DRAINED = 64 * 1024
# A kept connection the receiver closed while it was idle: the request is sent
# once more on a new connection (under the same webhook-id).
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
# How long a batch goes on with a receiver's row as it read it: reading it for
# every delivery was half a webhook's cost in the worker.
RECEIVER_READ_SECONDS = 1.0


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
    if (seconds := whole_number(value)) is not None:
        return float(seconds)
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


class HttpTargetTransport(Transport):
    """What every channel that POSTs to an ``HttpTarget`` (a webhook
    endpoint, a Slack alert) does alike: find the message's receiver, still
    active; check its address; log each attempt with its timing; note
    successes and failures; and tell the managers when a receiver is disabled."""

    model: ClassVar[type[HttpTarget]]
    receiver_field: ClassVar[str]  # the message's column naming its receiver
    gone: ClassVar[str]  # the error of a message whose receiver is disabled or deleted
    disabled_email: ClassVar[str]  # the managers' email template
    dedupe_prefix: ClassVar[str]
    admin_path: ClassVar[str]  # the receiver's admin page, "{pk}" in it

    def __init__(self) -> None:
        # The batch's receivers by id (None: gone), each with when it was read
        # (time.monotonic()).
        self.receivers: dict[int, tuple[HttpTarget | None, float]] = {}

    def receiver(self, message: OutboundMessage):
        """The message's receiver, or a permanent error when it is disabled or
        gone. Read once per batch and then at most every
        ``RECEIVER_READ_SECONDS``, and at once after the batch wrote to it (a
        success or failure noted, a disabling): a receiver disabled in the
        admin gets nothing more from a batch under way within that second."""
        pk = getattr(message, self.receiver_field)
        if not pk:
            raise TransportError(self.gone, permanent=True)
        now = time.monotonic()
        receiver, read_at = self.receivers.get(pk, (None, -math.inf))
        if now - read_at >= RECEIVER_READ_SECONDS:
            receiver = self.model.objects.filter(pk=pk).first()
            self.receivers[pk] = (receiver, now)
        if receiver is None or not receiver.is_active:
            raise TransportError(self.gone, permanent=True)
        return receiver

    def resolve(self, url: str) -> Target:
        return target_resolve(url)

    def target(self, receiver: HttpTarget) -> Target:
        """The receiver's checked address: a refused one fails the message for
        good; one that does not resolve now is a failure tried again."""
        try:
            return self.resolve(receiver.url)
        except TargetRefused as exc:
            raise TransportError(str(exc), permanent=True) from exc
        except TargetUnresolved as exc:
            self.failed(receiver)
            raise TransportError(str(exc), permanent=False) from exc

    def attempt(
        self, message: OutboundMessage, receiver: HttpTarget, post: Callable[[], Reply]
    ) -> Reply:
        """One POST (``post``), logged with its outcome and timing; what came
        back. A network error is a failure tried again."""
        started, clock = timezone.now(), time.monotonic()
        attempt = WebhookAttempt(message=message, started_at=started, duration_ms=0)
        try:
            reply = post()
        except (OSError, http.client.HTTPException) as exc:
            attempt.duration_ms = round((time.monotonic() - clock) * 1000)
            attempt.error = f"{type(exc).__name__}: {exc}"[:2000]
            attempt.save()
            self.failed(receiver)
            raise TransportError(attempt.error, permanent=False) from exc
        attempt.duration_ms = round((time.monotonic() - clock) * 1000)
        attempt.status_code = reply.status
        if not 200 <= reply.status < 300:
            attempt.error = reply.text[:REPLY_SHOWN]
        attempt.save()
        return reply

    def succeeded(self, receiver: HttpTarget) -> None:
        # Read in this batch, and again since its last write: no write when it was not failing.
        if receiver.failing_since is not None:
            self.model.objects.note_success(receiver.pk)
            self.receivers.pop(receiver.pk, None)

    def failed(self, receiver: HttpTarget) -> None:
        self.receivers.pop(receiver.pk, None)
        if self.model.objects.note_failure(receiver.pk):
            self.managers_tell(receiver.pk)

    def disable(self, receiver: HttpTarget, reason: str) -> None:
        self.receivers.pop(receiver.pk, None)
        if self.model.objects.disable(receiver.pk, reason=reason):
            self.managers_tell(receiver.pk)

    def message_seconds(self) -> float:
        return settings.NPS_WEBHOOK_CONNECT_TIMEOUT + settings.NPS_WEBHOOK_READ_TIMEOUT

    def managers_tell(self, pk: int) -> list[int]:
        """Email every manager that the receiver was disabled, and why (once
        per disabling), through the outbox."""
        receiver = self.model.objects.get(pk=pk)
        stamp = receiver.disabled_at.isoformat() if receiver.disabled_at else "now"
        context = {
            "url": str(receiver),
            "reason": receiver.disabled_reason,
            "admin_url": settings.PUBLIC_BASE_URL + self.admin_path.format(pk=pk),
        }
        ids = [
            email_queue(
                template=self.disabled_email,
                dedupe_key=f"{self.dedupe_prefix}:{pk}:disabled:{stamp}:{user.pk}",
                recipient=user.email,
                language=settings.LANGUAGE_CODE,
                context=context,
            ).pk
            for user in managers()
        ]
        messages_enqueue(message_ids=ids)
        return ids


class WebhookTransport(HttpTargetTransport):
    """Signed HTTP POSTs; a batch's deliveries to one receiver share a
    kept-alive connection, and its endpoints' addresses are resolved once."""

    channel = OutboundMessage.Channel.WEBHOOK
    noun = "Webhook"
    model = WebhookEndpoint
    receiver_field = "webhook_endpoint_id"
    gone = "The webhook endpoint is disabled or gone."
    disabled_email = "webhook_disabled"
    dedupe_prefix = "webhook"
    admin_path = "/admin/followups/webhookendpoint/{pk}/change/"

    def __init__(self) -> None:
        super().__init__()
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

    def resolve(self, url: str) -> Target:
        """The checked address of ``url``, resolved once per batch."""
        if url not in self.targets:
            self.targets[url] = target_resolve(url)
        return self.targets[url]

    def deliver(self, message: OutboundMessage) -> None:
        endpoint = self.receiver(message)
        target = self.target(endpoint)
        content = _content_for(endpoint, message.body_text)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **signed_headers(
                secret=endpoint.secret,
                webhook_id=message.webhook_id,
                timestamp=int(time.time()),
                body=content,
            ),
        }

        def post() -> Reply:
            return Reply(*self.post(target, content.encode(), headers), retry_after=None)

        status = self.attempt(message, endpoint, post).status
        if 200 <= status < 300:
            self.succeeded(endpoint)
            return
        if status == 410:
            reason = "The receiver answered 410 Gone: it wants no more deliveries."
            self.disable(endpoint, reason)
            raise TransportError(reason, permanent=True)
        self.failed(endpoint)
        raise TransportError(f"The receiver answered {status}.", permanent=is_permanent(status))


def _content_for(endpoint: WebhookEndpoint, stored: str) -> str:
    """The body as this endpoint may receive it now: the event was stored with
    personal data if the endpoint wanted it then, and an endpoint that has
    since turned personal data off gets a retry (or "send again") without."""
    if endpoint.personal_data:
        return stored
    return body(without_personal_data(json.loads(stored)))
