"""Transports deliver outbox rows, one per channel; this is their registry.

A new channel is one module here with a ``Transport`` subclass, registered
below (and a choice in ``OutboundMessage.Channel``): claiming, retries, the
sweeper and the admin already work for it.
"""

from __future__ import annotations

from followups.outbox.transports.base import MessageCancelled, Transport, TransportError
from followups.outbox.transports.email import EmailTransport
from followups.outbox.transports.slack import SlackTransport
from followups.outbox.transports.sms import SmsTransport
from followups.outbox.transports.webhook import WebhookTransport

__all__ = [
    "MessageCancelled",
    "Transport",
    "TransportError",
    "noun_for",
    "register",
    "transport_for",
    "unregister",
]

_TRANSPORTS: dict[str, type[Transport]] = {}


def register(transport: type[Transport]) -> type[Transport]:
    """Deliver the rows of ``transport.channel`` through ``transport`` (usable
    as a class decorator)."""
    _TRANSPORTS[transport.channel] = transport
    return transport


def unregister(channel: str) -> None:
    _TRANSPORTS.pop(channel, None)


def transport_for(channel: str) -> Transport | None:
    """A fresh transport for a batch of ``channel``'s rows, or None when no
    transport delivers that channel."""
    transport = _TRANSPORTS.get(channel)
    return transport() if transport is not None else None


def noun_for(channel: str) -> str:
    """What a message of ``channel`` is called in logs and case timelines."""
    transport = _TRANSPORTS.get(channel)
    return transport.noun if transport is not None else f"Message ({channel})"


register(EmailTransport)
register(WebhookTransport)
register(SlackTransport)
register(SmsTransport)
