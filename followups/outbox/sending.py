"""Sending the outbox: claim queued messages, deliver them through their
channel's transport, retry what failed for now with capped jittered backoff.

A message is claimed by a conditional update before its transport is
called, and no transaction stays open while it is: two workers never send
the same row, and a worker killed mid-send leaves a lease the sweeper ends.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from followups.models import (
    BonusGrant,
    CaseEvent,
    GrantStatus,
    MailEvent,
    OfferGrant,
    OutboundMessage,
    RewardGrant,
)
from followups.outbox import ledger, transports
from followups.outbox.bounces import MailReport, mail_reports_record
from followups.outbox.ledger import without_waiting_for_the_disk
from followups.outbox.transports import MessageCancelled, Transport, TransportError

logger = logging.getLogger(__name__)

T = TypeVar("T")


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter, capped."""
    base = settings.NPS_EMAIL_RETRY_BASE_SECONDS
    ceiling = min(settings.NPS_EMAIL_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _lease_seconds(channel: str, messages: int) -> float:
    transport = transports.transport_for(channel)
    if transport is None:
        # Held for the longest lease: it fails as soon as its batch is sent.
        return settings.NPS_EMAIL_LEASE_MAX_SECONDS
    return transport.lease_seconds(messages)


def _by_channel(pairs: Iterable[tuple[str, T]]) -> dict[str, list[T]]:
    """(channel, item) pairs grouped by channel, each group in the order given."""
    groups: dict[str, list[T]] = {}
    for channel, item in pairs:
        groups.setdefault(channel, []).append(item)
    return groups


def _claim(message_ids: Sequence[int], now: datetime) -> list[int]:
    """Take the messages that are still queued and due, so no other sender
    can, for a lease sized by their channel's transport. Rows another sender
    is claiming right now are skipped, not waited for."""
    with transaction.atomic():
        without_waiting_for_the_disk()
        # Rows are found (and locked) by id alone, and checked here: asked for
        # "queued and due" too, the planner takes the index of pending rows,
        # and a burst makes each claim of a few dozen read every queued row.
        # A locked row is its latest version, so the check sees what a
        # concurrent sender committed.
        rows = ledger.rows_locked(
            message_ids, ("id", "channel", "status", "next_attempt_at"), skip_locked=True
        )
        claimable = [
            (pk, channel)
            for pk, channel, status, next_attempt_at in rows
            if status == OutboundMessage.Status.QUEUED and next_attempt_at <= now
        ]
        for channel, ids in _by_channel((channel, pk) for pk, channel in claimable).items():
            lease = timedelta(seconds=_lease_seconds(channel, len(ids)))
            ledger.claimed_mark(ids, at=now, lease_until=now + lease)
    return [pk for pk, _ in claimable]


def _renew_lease(
    transport: Transport, message_ids: Sequence[int], claimed_at: datetime
) -> tuple[set[int], datetime]:
    """Extend the lease of the messages this sender still holds (claimed at
    ``claimed_at``, not yet sent); returns them and the new expiry. A message
    the sweeper took back meanwhile is another sender's now: not returned."""
    now = timezone.now()
    until = now + timedelta(seconds=transport.lease_seconds(len(message_ids)))
    held = OutboundMessage.objects.filter(
        pk__in=message_ids,
        status=OutboundMessage.Status.SENDING,
        claimed_at=claimed_at,
        sent_at__isnull=True,
    )
    with transaction.atomic():
        without_waiting_for_the_disk()
        ids = set(held.select_for_update().values_list("pk", flat=True))
        OutboundMessage.objects.filter(pk__in=ids).update(lease_expires_at=until)
    return ids, until


INTERNAL_CHANNELS = (OutboundMessage.Channel.WEBHOOK, OutboundMessage.Channel.SLACK)

# What a sent email changes besides its own row, by template.
GRANT_OF_TEMPLATE: dict[str, type[OfferGrant | RewardGrant | BonusGrant]] = {
    "offer": OfferGrant,
    "reward": RewardGrant,
    "bonus": BonusGrant,
}


class _Accepted:
    """The messages of a batch the far end took, recorded as taken
    (``sent_at``) NPS_EMAIL_ACCEPTED_CHUNK at a time, each with the moment it
    was taken: one short transaction per chunk, not per message. A row
    "sending" with ``sent_at`` set is never sent again, only finished (see
    ``sweep``); a worker killed before a chunk is recorded makes that chunk's
    messages go out twice (the same emails, with the same Message-IDs), as
    one killed between the far end's "250 OK" and any record would.
    Everything else waits for ``finish_sent``."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.unrecorded: dict[int, datetime] = {}

    def add(self, message_id: int) -> None:
        self.ids.append(message_id)
        self.unrecorded[message_id] = timezone.now()
        if len(self.unrecorded) >= settings.NPS_EMAIL_ACCEPTED_CHUNK:
            self.record()

    def record(self) -> None:
        if self.unrecorded:
            _mark_accepted(self.unrecorded)
            self.unrecorded = {}


def _mark_accepted(accepted_at: Mapping[int, datetime]) -> None:
    """Record that the far end took these messages ({id: when}), in one
    UPDATE, if their sender still holds them."""
    with transaction.atomic():
        without_waiting_for_the_disk()
        ledger.accepted_mark(accepted_at)


# What finish_sent reads of each accepted row.
ACCEPTED_FIELDS = (
    "id",
    "channel",
    "template",
    "response_id",
    "case_id",
    "created_by_id",
    "customer_id",
    "recipient",
    "subject",
    "sent_at",
)


def finish_sent(message_ids: Sequence[int]) -> int:
    """The bookkeeping of accepted messages, for a whole batch in one
    transaction: the row becomes "sent", an offer or reward becomes "sent" with
    it, and a case gets its "email sent" event. Safe to run twice or
    concurrently (the sweeper finishes what a killed worker left): only rows
    still "sending" are taken, under a row lock. Returns how many it finished."""
    if not message_ids:
        return 0
    with transaction.atomic():
        without_waiting_for_the_disk()
        # Found by id alone and checked here, as in ``_claim``.
        fields = (*ACCEPTED_FIELDS, "status")
        rows = (
            dict(zip(fields, row, strict=True)) for row in ledger.rows_locked(message_ids, fields)
        )
        accepted = [
            row
            for row in rows
            if row["status"] == OutboundMessage.Status.SENDING and row["sent_at"] is not None
        ]
        if not accepted:
            return 0
        ledger.sent_mark([row["id"] for row in accepted])
        for template, grant_model in GRANT_OF_TEMPLATE.items():
            # The grant was sent when its message was (one message per answer
            # and template: its dedupe key says so).
            sent_at = {
                row["response_id"]: row["sent_at"]
                for row in accepted
                if row["template"] == template and row["response_id"]
            }
            if sent_at:
                ledger.moments_set(
                    grant_model,
                    key="response",
                    field="sent_at",
                    moments=sent_at,
                    status=GrantStatus.ISSUED,
                    also={"status": GrantStatus.SENT},
                )
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case_id=row["case_id"],
                kind=CaseEvent.Kind.EMAIL_SENT,
                actor_id=row["created_by_id"],
                created_at=row["sent_at"],
                data=_sent_data(row),
            )
            for row in accepted
            # A webhook or chat alert tells another system, not the customer:
            # not on the timeline.
            if row["case_id"] and row["channel"] not in INTERNAL_CHANNELS
        )
    return len(accepted)


def _sent_data(row: Mapping) -> dict:
    """What the timeline says of a message sent (``followups.cases.timeline``).
    The case names its customer; the timeline need not repeat their address."""
    data = {
        "email_id": row["id"],
        "template": row["template"],
        "channel": row["channel"],
        "subject": row["subject"],
        "to_customer": bool(row["customer_id"]),
    }
    if not row["customer_id"]:
        data["recipient"] = row["recipient"]
    return data


def _mark_failed(message: OutboundMessage, reason: str) -> None:
    OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SENDING).update(
        status=OutboundMessage.Status.FAILED, last_error=reason[:2000]
    )
    # Log lines cannot be erased later: the row's id, never the recipient (which
    # the far end's reply often quotes, for email often inside <...>).
    logged = (
        re.sub(re.escape(message.recipient), "<recipient>", reason, flags=re.IGNORECASE)
        if message.recipient
        else reason
    )
    logger.warning(
        "%s %s (%s) failed for good: %s",
        transports.noun_for(message.channel),
        message.pk,
        message.template,
        logged,
    )


def _requeue(
    message: OutboundMessage, reason: str, retry_after: float | None = None
) -> float | None:
    """Put a temporarily failed message back, or fail it once the cap is
    reached. Returns the delay before the next attempt, or None when it gave up.
    A far end that asked to be left alone for ``retry_after`` seconds is (up
    to the backoff's cap)."""
    if message.attempts >= settings.NPS_EMAIL_MAX_ATTEMPTS:
        _mark_failed(message, f"Gave up after {message.attempts} attempts. Last error: {reason}")
        return None
    delay = retry_delay(message.attempts)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.NPS_EMAIL_RETRY_MAX_SECONDS))
    now = timezone.now()
    # A text's retry waits for the end of the customer's quiet hours too.
    next_attempt_at = message.due_at(now + timedelta(seconds=delay))
    delay = (next_attempt_at - now).total_seconds()
    OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SENDING).update(
        status=OutboundMessage.Status.QUEUED,
        next_attempt_at=next_attempt_at,
        last_error=reason[:2000],
        claimed_at=None,
        lease_expires_at=None,
    )
    return delay


def _recipient_bounced(message: OutboundMessage, reason: str) -> None:
    """The mail server refused the recipient for good: recorded as a
    permanent bounce of the customer's address (if it is still the one
    refused: they may have changed it since), so nothing is emailed to it again."""
    if message.customer_id is None or not message.recipient:
        return
    mail_reports_record(
        reports=[
            MailReport(
                kind=MailEvent.Kind.BOUNCE,
                bounce_type=MailEvent.BounceType.PERMANENT,
                email=message.recipient,
                occurred_at=timezone.now(),
                source=MailEvent.Source.SMTP,
                diagnostic=reason,
                message_id=message.message_id,
                identity=f"smtp:{message.pk}",
            )
        ]
    )


def _settle_failure(message: OutboundMessage, error: TransportError, retry: dict) -> None:
    """Fail the row for good (or cancel it), or put it back and note its delay in ``retry``."""
    if isinstance(error, MessageCancelled):
        OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SENDING).update(
            status=OutboundMessage.Status.CANCELLED, last_error=error.reason[:2000], claimed_at=None
        )
        logger.info("Message %s (%s) cancelled: %s", message.pk, message.template, error.reason)
    elif error.permanent:
        # Together: a worker dying between the two must not lose the bounce.
        with transaction.atomic():
            _mark_failed(message, error.reason)
            if error.recipient_refused:
                _recipient_bounced(message, error.reason)
    elif (delay := _requeue(message, error.reason, error.retry_after)) is not None:
        retry[message.pk] = delay


def _as_transport_error(exc: Exception) -> TransportError:
    if isinstance(exc, TransportError):
        return exc
    # A transport should say what its failures mean; one it did not foresee
    # is taken for temporary, so the cap (not a bug) ends the row's retries.
    logger.error("A transport raised %s, not a TransportError.", type(exc).__name__, exc_info=exc)
    return TransportError(f"{type(exc).__name__}: {exc}", permanent=False)


def _deliver_each(
    transport: Transport,
    messages: list[OutboundMessage],
    claimed_at: datetime,
    *,
    accepted: _Accepted,
    retry: dict[int, float],
) -> None:
    """Deliver the claimed ``messages`` through an open ``transport``, renewing
    the lease of those not yet answered for when the next one might outlast
    it. The ids the far end took go into ``accepted`` as they go (recorded in
    chunks there, and by the caller even if this is interrupted); delays of
    those to try again later go into ``retry``."""
    lease_expires_at = claimed_at + timedelta(seconds=transport.lease_seconds(len(messages)))
    # Not answered for yet, in order: the one about to go, those after it,
    # and any the transport has sent but not heard back about.
    unsettled = {message.pk: message for message in messages}
    held = set(unsettled)

    def ready(message: OutboundMessage) -> bool:
        nonlocal held, lease_expires_at
        if message.pk in held and transport.lease_running_out(
            lease_expires_at=lease_expires_at, now=timezone.now()
        ):
            # Not checked again before this message: a transport with nothing
            # to open gets a lease exactly as long as "running out" allows.
            held, lease_expires_at = _renew_lease(transport, list(unsettled), claimed_at)
        if message.pk not in held:
            # The sweeper took it back: another sender's now.
            unsettled.pop(message.pk, None)
            return False
        return True

    for message, error in transport.deliver_all(messages, ready):
        unsettled.pop(message.pk, None)
        if error is None:
            accepted.add(message.pk)
        else:
            _settle_failure(message, _as_transport_error(error), retry)


def _channel_send(
    channel: str, messages: list[OutboundMessage], claimed_at: datetime, retry: dict[int, float]
) -> None:
    """Deliver one channel's claimed messages over one connection of its transport."""
    transport = transports.transport_for(channel)
    if transport is None:
        for message in messages:
            _mark_failed(message, f"No transport delivers the {channel!r} channel.")
        return
    accepted = _Accepted()
    try:
        with transport:
            _deliver_each(transport, messages, claimed_at, accepted=accepted, retry=retry)
    except TransportError as error:
        # Only opening raises here (each delivery's failure is settled on its
        # row): no message of the batch went, each waits or fails.
        for message in messages:
            _settle_failure(message, error, retry)
    finally:
        # Also after an error mid-batch: what the far end took is recorded as sent.
        accepted.record()
        finish_sent(accepted.ids)


def messages_send(*, message_ids: Sequence[int]) -> dict[int, float]:
    """Send a batch of queued messages, of any channel, over one connection
    per channel.

    Accepted messages are recorded in chunks as they go (``_Accepted``); the rest
    of the bookkeeping is done for each channel's part of the batch at the
    end (``finish_sent``). Returns {message id: delay in seconds} for those to
    try again later.
    """
    claimed_at = timezone.now()
    claimed = _claim(message_ids, claimed_at)
    if not claimed:
        return {}
    # Oldest first, as they were queued (the model orders newest first).
    batch = OutboundMessage.objects.select_related("customer").order_by("pk").in_bulk(claimed)
    retry: dict[int, float] = {}
    for channel, messages in _by_channel((m.channel, m) for m in batch.values()).items():
        _channel_send(channel, messages, claimed_at, retry)
    return retry
