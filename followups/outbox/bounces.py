"""Bounces and spam complaints: what a mail server or provider reported about
an address, recorded once, and the address marked so nothing more is emailed
to it (no invitation, reminder, offer, reward or case email).

A permanent bounce marks ``Customer.email_bounced_at`` (a new address clears
it); a complaint marks ``Customer.email_complained_at`` (only a person clears
it, in the admin). A transient bounce is recorded and stops nothing: the
sending server keeps retrying it for days and reports a permanent failure
when it gives up, so soft bounces are never added up into a hard one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from followups.models import MailEvent, OutboundMessage
from followups.webhooks.emit import Event, webhook_event_emit
from surveys.models import Customer

RECORDED = "recorded"
DUPLICATE = "duplicate"
UNKNOWN = "unknown"
OUTCOMES = (RECORDED, DUPLICATE, UNKNOWN)

RAW_MAX_CHARS = 4000
CANCELLED_REASON = {
    MailEvent.Kind.BOUNCE: "Cancelled: the address bounced before it was sent.",
    MailEvent.Kind.COMPLAINT: "Cancelled: the customer reported our email as spam.",
}


@dataclass(frozen=True)
class MailReport:
    """One bounce or complaint about one address, as a provider reported it.
    ``identity`` names the report when its fields alone may not (a DSN
    without a date): two posts with the same identity are one report."""

    kind: str
    email: str
    occurred_at: datetime
    source: str
    bounce_type: str = ""
    status_code: str = ""
    diagnostic: str = ""
    message_id: str = ""
    raw: str = ""
    identity: str = ""

    @property
    def stops_mail(self) -> bool:
        return self.kind == MailEvent.Kind.COMPLAINT or (
            self.bounce_type == MailEvent.BounceType.PERMANENT
        )

    @property
    def dedupe_key(self) -> str:
        identity = self.identity or "|".join(
            (self.bounce_type, self.status_code, self.message_id, self.occurred_at.isoformat())
        )
        text = f"{self.kind}|{self.email.strip().lower()}|{identity}"
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def problem(self) -> str:
        """What the admin shows next to the mark."""
        said = " ".join(part for part in (self.status_code, self.diagnostic) if part)
        return (said or str(MailEvent.Kind(self.kind).label))[:500]


def mail_reports_record(*, reports: Sequence[MailReport]) -> list[str]:
    """Record every report, all or none (one transaction); returns each one's
    outcome, in order: recorded, duplicate (recorded before: a provider
    retried) or unknown (no customer has that address)."""
    with transaction.atomic():
        return [_record(report) for report in reports]


def _record(report: MailReport) -> str:
    message = _message_named(report.message_id)
    customer = _customer_of(report, message)
    if customer is None:
        return UNKNOWN
    event, created = MailEvent.objects.get_or_create(
        dedupe_key=report.dedupe_key,
        defaults={
            "kind": report.kind,
            "bounce_type": report.bounce_type,
            "email": report.email.strip()[:254],
            "customer": customer,
            "outbound_message": message,
            "status_code": report.status_code[:16],
            "diagnostic": report.diagnostic[:1000],
            "source": report.source,
            "raw": report.raw[:RAW_MAX_CHARS],
            "occurred_at": report.occurred_at,
        },
    )
    if not created:
        return DUPLICATE
    if report.stops_mail and _address_mark(customer, report):
        MailEvent.objects.filter(pk=event.pk).update(stopped_mail=True)
    return RECORDED


def _message_named(message_id: str) -> OutboundMessage | None:
    pk = OutboundMessage.pk_from_message_id(message_id)
    if pk is None:
        return None
    return OutboundMessage.objects.filter(pk=pk, channel=OutboundMessage.Channel.EMAIL).first()


def _customer_of(report: MailReport, message: OutboundMessage | None) -> Customer | None:
    """The customer the report is about: the one our email (named by its
    Message-ID) went to, if it went to this address; else whoever has it now."""
    if message is not None and message.recipient.lower() == report.email.strip().lower():
        if message.customer_id is None:
            return None  # an email to a member of staff, not to a customer
        return Customer.objects.filter(pk=message.customer_id, erased_at__isnull=True).first()
    return Customer.objects.with_email(report.email.strip()).first()


def _address_mark(customer: Customer, report: MailReport) -> bool:
    """Mark the customer, if their address is still the reported one (they
    may have changed it since) and not marked already; cancel the emails
    still waiting for it and report it by webhook. Returns whether it marked."""
    now = timezone.now()
    at = min(report.occurred_at, now)
    complaint = report.kind == MailEvent.Kind.COMPLAINT
    field = "email_complained_at" if complaint else "email_bounced_at"
    marked = (
        Customer.objects.with_email(report.email.strip())
        .filter(pk=customer.pk, **{f"{field}__isnull": True})
        .update(**{field: at}, email_problem=report.problem, updated_at=now)
    )
    if not marked:
        return False
    OutboundMessage.objects.filter(
        customer_id=customer.pk,
        channel=OutboundMessage.Channel.EMAIL,
        status=OutboundMessage.Status.QUEUED,
    ).filter(Q(recipient__iexact=report.email.strip())).update(
        status=OutboundMessage.Status.CANCELLED,
        last_error=CANCELLED_REASON[MailEvent.Kind(report.kind)],
    )
    customer.refresh_from_db()
    if complaint:
        name, data = "customer.complained", {"customer": customer, "complained_at": at}
    else:
        name, data = "invitation.bounced", {"customer": customer, "bounced_at": at}
    verb = name.rsplit(".", 1)[-1]
    webhook_event_emit(Event(name, f"customer:{customer.pk}:{verb}:{at:%Y%m%dT%H%M%S%f}", at, data))
    return True
