"""Reading a bounce or complaint as mail servers write it: an RFC 3464
delivery status notification (multipart/report; report-type=delivery-status)
or an RFC 5965 abuse report (report-type=feedback-report), parsed with the
standard library's email package into ``MailReport``s.

A DSN names each recipient in its own block: ``Action: failed`` with a 5.x.x
``Status`` is a permanent bounce, with a 4.x.x one (or ``Action: delayed``) a
transient one; delivered, relayed and expanded recipients are no bounce. The
returned original message (message/rfc822 or text/rfc822-headers) carries our
Message-ID, which names the email that bounced.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import re
from datetime import UTC, datetime
from email.message import Message
from email.parser import HeaderParser
from email.utils import parsedate_to_datetime

from django.utils import timezone

from followups.models import MailEvent
from followups.outbox.bounces import MailReport

REPORT_TYPES = ("delivery-status", "feedback-report")
# A report quotes our email (small) at most: anything larger is no report of ours.
MAX_REPORT_BYTES = 1024 * 1024
NOT_A_REPORT = (
    "The body is not a bounce or complaint report: expected a multipart/report "
    "message with report-type=delivery-status (RFC 3464) or feedback-report (RFC 5965)."
)
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}$")


class ReportInvalid(ValueError):
    """The message cannot be read as a report; the text says why."""


def reports_from_message(raw: bytes, content_type: str = "") -> tuple[list[MailReport], int]:
    """The bounces and complaints a report message holds, and how many of its
    recipients it names that are no bounce (delivered, relayed). ``raw`` is the
    whole message; or, with ``content_type`` a multipart/report type, only
    its body (as an HTTP POST carries it). ReportInvalid when it is no report."""
    if content_type.lower().startswith("multipart/"):
        raw = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + raw
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    report = _report_part(message)
    if report is None:
        raise ReportInvalid(NOT_A_REPORT)
    identity = hashlib.sha256(raw).hexdigest()
    if _param(report, "report-type") == "feedback-report":
        return _complaints(report, message, identity), 0
    return _bounces(report, message, identity)


def _param(part: Message, name: str) -> str:
    value = part.get_param(name, "")
    return value.lower() if isinstance(value, str) else ""


def _parts(part: Message) -> list[Message]:
    """The parts of a multipart (or the one message a message/* part holds)."""
    payload = part.get_payload()
    return (
        [item for item in payload if isinstance(item, Message)] if isinstance(payload, list) else []
    )


def _report_part(message: Message) -> Message | None:
    """The multipart/report part: the message itself, or one forwarded inside it."""
    for part in message.walk():
        if (
            part.get_content_type() == "multipart/report"
            and _param(part, "report-type") in REPORT_TYPES
        ):
            return part
    return None


def _subparts(report: Message, content_type: str) -> list[Message]:
    return [part for part in _parts(report) if part.get_content_type() == content_type]


def _field_blocks(part: Message) -> list[Message]:
    """The header blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return _parts(part)
    text = payload if isinstance(payload, str) else ""
    return [HeaderParser().parsestr(block.strip() + "\n") for block in re.split(r"\n\s*\n", text)]


def _original_headers(report: Message) -> Message | None:
    for part in _parts(report):
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/rfc822-headers"):
            inner = _parts(part)
            return inner[0] if inner else None
        if kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            if not isinstance(text, bytes):
                return None
            return HeaderParser().parsestr(text.decode("utf-8", "replace"))
    return None


def _address(value: str | None) -> str:
    """The address of a recipient field ("rfc822; a@b.example" or "<a@b.example>")."""
    if not value:
        return ""
    address = value.split(";", 1)[-1].strip().strip("<>").strip()
    return address if _ADDRESS.match(address) else ""


def _when(*values: str | None) -> datetime:
    for value in values:
        if value:
            try:
                parsed = parsedate_to_datetime(value.strip())
            except (TypeError, ValueError, IndexError):
                continue
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed
    return timezone.now()


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def _bounces(report: Message, message: Message, identity: str) -> tuple[list[MailReport], int]:
    status_parts = _subparts(report, "message/delivery-status")
    if not status_parts:
        raise ReportInvalid("The report has no message/delivery-status part.")
    blocks = _field_blocks(status_parts[0])
    if len(blocks) < 2:
        raise ReportInvalid("The delivery status names no recipient (no per-recipient fields).")
    per_message, recipients = blocks[0], blocks[1:]
    original = _original_headers(report)
    message_id = _one_line(original.get("Message-ID")) if original is not None else ""
    raw = str(status_parts[0].as_string())
    found, not_bounces = [], 0
    for index, fields in enumerate(recipients, start=1):
        bounce = _recipient_bounce(fields, index)
        if bounce is None:
            not_bounces += 1
            continue
        address, bounce_type, status = bounce
        found.append(
            MailReport(
                kind=MailEvent.Kind.BOUNCE,
                email=address,
                bounce_type=bounce_type,
                status_code=status,
                diagnostic=_one_line(fields.get("Diagnostic-Code")).split(";", 1)[-1].strip(),
                occurred_at=_when(
                    fields.get("Last-Attempt-Date"),
                    per_message.get("Arrival-Date"),
                    message.get("Date"),
                ),
                source=MailEvent.Source.DSN,
                message_id=message_id,
                raw=raw,
                identity=f"{identity}:{index}",
            )
        )
    return found, not_bounces


def _recipient_bounce(fields: Message, index: int) -> tuple[str, str, str] | None:
    """(address, bounce type, status) of one recipient's block; None when it
    reports no failure. ReportInvalid when the block cannot be read."""
    action = _one_line(fields.get("Action")).lower()
    if action not in ("failed", "delayed"):
        if action in ("delivered", "relayed", "expanded"):
            return None
        raise ReportInvalid(f"Recipient {index}: unknown or missing Action {action!r}.")
    address = _address(fields.get("Final-Recipient")) or _address(fields.get("Original-Recipient"))
    if not address:
        raise ReportInvalid(f"Recipient {index}: no Final-Recipient address.")
    status = _one_line(fields.get("Status")).split(" ", 1)[0]
    match = _STATUS.match(status)
    if not match:
        raise ReportInvalid(
            f"Recipient {index}: Status {status!r} is not a class.subject.detail code."
        )
    permanent = action == "failed" and match.group(1) == "5"
    bounce_type = MailEvent.BounceType.PERMANENT if permanent else MailEvent.BounceType.TRANSIENT
    return address, bounce_type, status


def _complaints(report: Message, message: Message, identity: str) -> list[MailReport]:
    parts = _subparts(report, "message/feedback-report")
    if not parts:
        raise ReportInvalid("The report has no message/feedback-report part.")
    fields = _field_blocks(parts[0])[0]
    feedback_type = _one_line(fields.get("Feedback-Type")).lower()
    if not feedback_type:
        raise ReportInvalid("The feedback report has no Feedback-Type.")
    if feedback_type == "not-spam":
        return []
    original = _original_headers(report)
    address = _address(fields.get("Original-Rcpt-To"))
    if not address and original is not None:
        address = _address(email.utils.parseaddr(original.get("To", ""))[1])
    if not address:
        raise ReportInvalid(
            "The feedback report names no recipient (Original-Rcpt-To, or To of the original)."
        )
    return [
        MailReport(
            kind=MailEvent.Kind.COMPLAINT,
            email=address,
            status_code="",
            diagnostic=f"Feedback-Type: {feedback_type}",
            occurred_at=_when(fields.get("Arrival-Date"), message.get("Date")),
            source=MailEvent.Source.ARF,
            message_id=_one_line(original.get("Message-ID")) if original is not None else "",
            raw=str(parts[0].as_string()),
            identity=identity,
        )
    ]
