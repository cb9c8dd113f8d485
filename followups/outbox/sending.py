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
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from followups.models import (
    CaseEvent,
    GrantStatus,
    OfferGrant,
    OutboundEmail,
    RewardGrant,
)
from followups.outbox import transports

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter, capped."""
    base = settings.NPS_EMAIL_RETRY_BASE_SECONDS
    ceiling = min(settings.NPS_EMAIL_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _without_waiting_for_the_disk() -> None:
    """Let the current transaction commit without waiting for PostgreSQL to
    flush its log to disk (``SET LOCAL synchronous_commit = off``: this
    transaction only, whatever pooler sits in between). Used for the sender's
    own bookkeeping (claim, "accepted", "sent"), where waiting would cost a disk
    flush per message, more than sending it. What it risks: if PostgreSQL
    itself crashes, the last fraction of a second of that bookkeeping is
    undone, and those emails go out once more, with the same Message-ID.
    Nothing is lost: the queued rows were committed, durably, by whoever
    queued them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# A message is at most four round trips to the mail server (MAIL, RCPT, DATA,
# the end of the data), opening a connection at least three (connect and
# greeting, EHLO, STARTTLS or AUTH), each bounded by EMAIL_TIMEOUT.
SMTP_ROUND_TRIPS_PER_MESSAGE = 4


SMTP_ROUND_TRIPS_TO_OPEN = 3


LEASE_MARGIN_SECONDS = 5.0  # the sender's own bookkeeping around the messages


def email_lease_seconds(*, smtp_timeout: float, messages: int, cap: float) -> float:
    """How long a sender holds the emails it claimed before the sweeper takes
    them for lost: time to open a connection and send ``messages`` messages to
    a mail server at its slowest, at most ``cap``; but never less than opening
    and one message need, or a sender could lose an email it is still sending."""
    one_message = smtp_timeout * SMTP_ROUND_TRIPS_PER_MESSAGE
    opening = smtp_timeout * SMTP_ROUND_TRIPS_TO_OPEN
    batch = LEASE_MARGIN_SECONDS + opening + one_message * max(messages, 1)
    return max(min(batch, cap), LEASE_MARGIN_SECONDS + opening + one_message)


def email_lease_running_out(
    *, lease_expires_at: datetime, now: datetime, smtp_timeout: float
) -> bool:
    """Whether the next message might outlast the lease: then it is renewed first."""
    needed = LEASE_MARGIN_SECONDS + smtp_timeout * SMTP_ROUND_TRIPS_PER_MESSAGE
    return lease_expires_at - now < timedelta(seconds=needed)


def _lease_until(now: datetime, messages: int) -> datetime:
    seconds = email_lease_seconds(
        smtp_timeout=settings.EMAIL_TIMEOUT,
        messages=messages,
        cap=settings.NPS_EMAIL_LEASE_MAX_SECONDS,
    )
    return now + timedelta(seconds=seconds)


def _claim(email_ids: Sequence[int], now: datetime) -> list[int]:
    """Take the emails that are still queued and due, so no other sender can,
    for a lease (``email_lease_seconds``). Rows another sender is claiming
    right now are skipped, not waited for."""
    with transaction.atomic():
        _without_waiting_for_the_disk()
        claimable = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=email_ids, status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now)
            .values_list("pk", flat=True)
        )
        OutboundEmail.objects.filter(pk__in=claimable).update(
            status=OutboundEmail.Status.SENDING,
            claimed_at=now,
            lease_expires_at=_lease_until(now, len(claimable)),
            attempts=F("attempts") + 1,
        )
    return claimable


def _renew_lease(email_ids: Sequence[int], claimed_at: datetime) -> tuple[set[int], datetime]:
    """Extend the lease of the emails this sender still holds (claimed at
    ``claimed_at``, not yet sent); returns them and the new expiry. An email
    the sweeper took back meanwhile is another sender's now: not returned."""
    now = timezone.now()
    until = _lease_until(now, len(email_ids))
    held = OutboundEmail.objects.filter(
        pk__in=email_ids,
        status=OutboundEmail.Status.SENDING,
        claimed_at=claimed_at,
        sent_at__isnull=True,
    )
    with transaction.atomic():
        _without_waiting_for_the_disk()
        ids = set(held.select_for_update().values_list("pk", flat=True))
        OutboundEmail.objects.filter(pk__in=ids).update(lease_expires_at=until)
    return ids, until


# What a sent email changes besides its own row, by template.
GRANT_OF_TEMPLATE: dict[str, type[OfferGrant | RewardGrant]] = {
    "offer": OfferGrant,
    "reward": RewardGrant,
}


def _mark_accepted(email: OutboundEmail) -> None:
    """Record, at once, that the mail server took the message. A worker killed
    between the server's "250 OK" and this commit makes the email go out twice
    (with the same Message-ID); everything else waits for ``finish_sent``. A
    row "sending" with ``sent_at`` set is never sent again, only finished (see
    ``sweep``)."""
    with transaction.atomic():
        _without_waiting_for_the_disk()
        OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
            sent_at=timezone.now()
        )


def finish_sent(email_ids: Sequence[int]) -> int:
    """The bookkeeping of accepted emails, for a whole batch in one transaction:
    the row becomes "sent", an offer or reward becomes "sent" with it, and a
    case gets its "email sent" event. Safe to run twice or concurrently (the
    sweeper finishes what a killed worker left): only rows still "sending"
    are taken, under a row lock. Returns how many it finished."""
    if not email_ids:
        return 0
    with transaction.atomic():
        _without_waiting_for_the_disk()
        accepted = list(
            OutboundEmail.objects.select_for_update()
            .filter(pk__in=email_ids, status=OutboundEmail.Status.SENDING, sent_at__isnull=False)
            .order_by("pk")  # one lock order for the sender and the sweeper
            .values(
                "pk",
                "template",
                "response_id",
                "case_id",
                "created_by_id",
                "customer_id",
                "to_email",
                "subject",
                "sent_at",
            )
        )
        if not accepted:
            return 0
        OutboundEmail.objects.filter(pk__in=[row["pk"] for row in accepted]).update(
            status=OutboundEmail.Status.SENT, last_error=""
        )
        for template, grant_model in GRANT_OF_TEMPLATE.items():
            response_ids = [
                row["response_id"]
                for row in accepted
                if row["template"] == template and row["response_id"]
            ]
            if response_ids:
                # The grant was sent when its email was.
                sent_at = OutboundEmail.objects.filter(
                    response_id=OuterRef("response_id"),
                    template=template,
                    status=OutboundEmail.Status.SENT,
                ).values("sent_at")[:1]
                grant_model.objects.filter(
                    response_id__in=response_ids, status=GrantStatus.ISSUED
                ).update(status=GrantStatus.SENT, sent_at=Subquery(sent_at))
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case_id=row["case_id"],
                kind=CaseEvent.Kind.EMAIL_SENT,
                actor_id=row["created_by_id"],
                created_at=row["sent_at"],  # type: ignore[misc]  # set when accepted
                message=_email_sent_message(row),
                data={"email_id": row["pk"], "template": row["template"]},
            )
            for row in accepted
            if row["case_id"]
        )
    return len(accepted)


def _email_sent_message(row: Mapping) -> str:
    # The case names its customer; the timeline need not repeat their address.
    recipient = "the customer" if row["customer_id"] else row["to_email"]
    return f"Email sent to {recipient}: {row['subject']}"


def _mark_failed(email: OutboundEmail, reason: str) -> None:
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.FAILED, last_error=reason[:2000]
    )
    # Log lines cannot be erased later: the row's id, never the address (which
    # the mail server's reply often quotes).
    # Replies echo it in any case, often inside <...>.
    logged = (
        re.sub(re.escape(email.to_email), "<recipient>", reason, flags=re.IGNORECASE)
        if email.to_email
        else reason
    )
    logger.warning("Email %s (%s) failed for good: %s", email.pk, email.template, logged)


def _requeue(email: OutboundEmail, reason: str) -> float | None:
    """Put a temporarily failed email back, or fail it once the cap is reached.
    Returns the delay before the next attempt, or None when it gave up."""
    if email.attempts >= settings.NPS_EMAIL_MAX_ATTEMPTS:
        _mark_failed(email, f"Gave up after {email.attempts} attempts. Last error: {reason}")
        return None
    delay = retry_delay(email.attempts)
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.QUEUED,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=reason[:2000],
        claimed_at=None,
        lease_expires_at=None,
    )
    return delay


def messages_send(*, message_ids: Sequence[int]) -> dict[int, float]:
    """Send a batch of queued emails over one SMTP connection.

    Each accepted message is recorded at once (``_mark_accepted``); the rest
    of the bookkeeping is done for the whole batch at the end
    (``finish_sent``). Returns {email id: delay in seconds} for those to try
    again later.
    """
    claimed_at = timezone.now()
    claimed = _claim(message_ids, claimed_at)
    if not claimed:
        return {}
    batch = OutboundEmail.objects.select_related("customer").in_bulk(claimed)
    lease_expires_at = _lease_until(claimed_at, len(claimed))
    retry: dict[int, float] = {}
    smtp = get_connection(fail_silently=False)
    try:
        smtp.open()
    except Exception as exc:
        for email in batch.values():
            if (delay := _requeue(email, transports.describe(exc))) is not None:
                retry[email.pk] = delay
        return retry
    accepted: list[int] = []
    try:
        emails_left = list(batch.values())
        while emails_left:
            email = emails_left[0]
            if email_lease_running_out(
                lease_expires_at=lease_expires_at,
                now=timezone.now(),
                smtp_timeout=settings.EMAIL_TIMEOUT,
            ):
                held, lease_expires_at = _renew_lease([e.pk for e in emails_left], claimed_at)
                emails_left = [e for e in emails_left if e.pk in held]
                continue
            del emails_left[0]
            try:
                transports.build_message(email, smtp).send()
            except Exception as exc:
                reason = transports.describe(exc)
                if transports.is_permanent(exc):
                    _mark_failed(email, reason)
                elif (delay := _requeue(email, reason)) is not None:
                    retry[email.pk] = delay
            else:
                _mark_accepted(email)
                accepted.append(email.pk)
    finally:
        try:
            smtp.close()
        except Exception:
            logger.debug("Closing the SMTP connection failed.", exc_info=True)
        # Also after an error mid-batch: what the server took is recorded as sent.
        finish_sent(accepted)
    return retry
