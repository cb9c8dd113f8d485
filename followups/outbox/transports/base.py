"""What every channel's transport is: it opens a connection for a batch,
delivers one outbox row at a time, says whether a failure is permanent, and
says how long a batch may take at worst (the sender's lease).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings

if TYPE_CHECKING:
    from followups.models import OutboundMessage

logger = logging.getLogger(__name__)

LEASE_MARGIN_SECONDS = 5.0  # the sender's own bookkeeping around the messages


class TransportError(Exception):
    """A delivery (or the connection for it) failed. ``permanent`` when trying
    again cannot succeed: the row fails at once. Otherwise it is tried again
    later, with backoff, up to the cap."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        recipient_refused: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        # The far end said when to come back (HTTP Retry-After): not sooner.
        self.retry_after = retry_after
        # The far end refused the recipient itself, for good (an email hard
        # bounce): the customer's address is marked and never tried again.
        self.recipient_refused = recipient_refused


class MessageCancelled(TransportError):
    """The message may no longer go at all (its recipient withdrew their
    consent since it was queued): the row is cancelled, never tried again."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


def batch_lease_seconds(*, opening: float, per_message: float, messages: int, cap: float) -> float:
    """How long a sender holds the rows it claimed before the sweeper takes
    them for lost: time to open a connection (``opening``) and deliver
    ``messages`` messages (``per_message`` each) at the far end's slowest, at
    most ``cap``; but never less than opening and one message need, or a
    sender could lose a message it is still delivering."""
    one = LEASE_MARGIN_SECONDS + opening + per_message
    batch = LEASE_MARGIN_SECONDS + opening + per_message * max(messages, 1)
    return max(min(batch, cap), one)


def lease_running_out(*, lease_expires_at: datetime, now: datetime, per_message: float) -> bool:
    """Whether the next message might outlast the lease: then it is renewed first."""
    return lease_expires_at - now < timedelta(seconds=LEASE_MARGIN_SECONDS + per_message)


class Transport:
    """One channel's delivery. Used as a context manager around a batch:

        with transport:
            transport.deliver(message)

    Opening raises ``TransportError`` when no message of the batch can go
    now; closing never raises (what was delivered stays delivered)."""

    channel: ClassVar[str]
    # What one of its messages is called in logs and case timelines (not translated).
    noun: ClassVar[str] = "Message"

    def open(self) -> None:
        """Connect for a batch; nothing to do for a channel without connections."""

    def close(self) -> None:
        """Let go of the batch's connection."""

    def deliver(self, message: OutboundMessage) -> None:
        """Deliver one row, or raise ``TransportError``."""
        raise NotImplementedError

    def deliver_all(
        self,
        messages: Iterable[OutboundMessage],
        ready: Callable[[OutboundMessage], bool],
    ) -> Iterator[tuple[OutboundMessage, Exception | None]]:
        """Deliver ``messages`` in order, each one ``ready`` says may go now
        (asked just before it goes), and yield each with what became of it:
        None when the far end took it, or the error. A transport that can
        have several messages on the way at once overrides this; then a
        message is yielded only once the far end answered for it, possibly
        after the next one was asked about."""
        for message in messages:
            if not ready(message):
                continue
            try:
                self.deliver(message)
            except Exception as exc:
                yield message, exc
            else:
                yield message, None

    def opening_seconds(self) -> float:
        """The longest opening a connection may take."""
        return 0.0

    def message_seconds(self) -> float:
        """The longest one delivery may take."""
        raise NotImplementedError

    def lease_seconds(self, messages: int) -> float:
        return batch_lease_seconds(
            opening=self.opening_seconds(),
            per_message=self.message_seconds(),
            messages=messages,
            cap=settings.NPS_EMAIL_LEASE_MAX_SECONDS,
        )

    def lease_running_out(self, *, lease_expires_at: datetime, now: datetime) -> bool:
        return lease_running_out(
            lease_expires_at=lease_expires_at, now=now, per_message=self.message_seconds()
        )

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.close()
        except Exception:
            logger.debug("Closing the %s connection failed.", self.channel, exc_info=True)
