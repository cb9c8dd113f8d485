"""Email over SMTP: the message as the mail server gets it, and which of its
replies are worth another try.
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email

from followups.models import OutboundMessage
from followups.outbox.branding import sender_address
from followups.outbox.reply_address import from_header
from followups.outbox.transports import mime
from followups.outbox.transports.base import (
    Transport,
    TransportError,
    batch_lease_seconds,
    lease_running_out,
)
from followups.outbox.transports.smtp_pipeline import Envelope, PipelinedSession, offers_pipelining
from surveys.links import unsubscribe_headers
from surveys.models import EmployeeInvitation

# A message is at most four round trips to the mail server (MAIL, RCPT, DATA,
# the end of the data), opening a connection at least three (connect and
# greeting, EHLO, STARTTLS or AUTH), each bounded by EMAIL_TIMEOUT.
SMTP_ROUND_TRIPS_PER_MESSAGE = 4
# Pipelined, a message is answered for later: after the lease is checked
# before it, the sender still waits for the previous message's end of data,
# this one's MAIL, RCPT and DATA, its own end of data, and on a refusal a
# RSET: six replies, each bounded by EMAIL_TIMEOUT.
SMTP_ROUND_TRIPS_PIPELINED = 6
SMTP_ROUND_TRIPS_TO_OPEN = 3


def email_lease_seconds(*, smtp_timeout: float, messages: int, cap: float) -> float:
    """The lease of a batch of ``messages`` emails (``batch_lease_seconds``)."""
    return batch_lease_seconds(
        opening=smtp_timeout * SMTP_ROUND_TRIPS_TO_OPEN,
        per_message=smtp_timeout * SMTP_ROUND_TRIPS_PER_MESSAGE,
        messages=messages,
        cap=cap,
    )


def email_lease_running_out(
    *, lease_expires_at: datetime, now: datetime, smtp_timeout: float
) -> bool:
    return lease_running_out(
        lease_expires_at=lease_expires_at,
        now=now,
        per_message=smtp_timeout * SMTP_ROUND_TRIPS_PER_MESSAGE,
    )


class _OutboxEmail(EmailMultiAlternatives):
    """Django's message with its MIME boundaries chosen here, at random.

    Without one, the standard library's generator makes a boundary for each
    multipart message and compiles a regular expression to check the body
    for it: a new pattern per message, so never cached, and the largest
    single cost of building a message. A random 128-bit boundary cannot
    occur in a body written before it was drawn (the generator's check only
    guards its own boundary, a 63-bit number, against bodies quoting it)."""

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        for part in message.walk():
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(mime.boundary())
        return message


class _HeaderWriter(BytesGenerator):
    """The standard generator, writing a header that needs no folding as it
    is: the policy would pass it through ``email.header.Header`` for the same
    bytes, which was two thirds of writing a message out (a fifth of sending
    it). Anything else (long, encoded, unusual whitespace) is folded as before."""

    def _write_headers(self, msg) -> None:
        # The generator's own stream, line ending and policy (set by flatten),
        # as the method this replaces uses them.
        stream, linesep, fold = self._fp, self._NL, self.policy.fold_binary  # type: ignore[attr-defined, union-attr]
        for name, value in msg.raw_items():
            if isinstance(value, str) and mime.unfolded(name, value):
                stream.write(f"{name}: {value}{linesep}".encode("ascii"))
            else:
                stream.write(fold(name, value))
        stream.write(linesep.encode("ascii"))


def message_bytes(message: Message) -> bytes:
    """The message as it goes over SMTP (CRLF line endings), the same bytes as
    ``as_bytes(linesep="\\r\\n")`` of Django's message gives."""
    buffer = BytesIO()
    _HeaderWriter(buffer, mangle_from_=False).flatten(message, linesep="\r\n")
    return buffer.getvalue()


def _written_by_a_person(email: OutboundMessage) -> bool:
    """A staff member wrote it (a case message, even once its writer's
    account is gone): the customer's mail program should treat it, and
    answer it, as any person's mail."""
    return email.created_by_id is not None or email.template == "case_message"


def _bodies(email: OutboundMessage) -> tuple[str, str]:
    """The text and HTML parts as sent: an employee survey's email gets its
    working link here, never stored (the row keeps a redacted one)."""
    invitation_id = EmployeeInvitation.id_from_outbox_key(email.dedupe_key)
    if invitation_id is None:
        return email.body_text, email.body_html
    invitation = EmployeeInvitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        raise TransportError("The employee invitation of this email is gone.", permanent=True)
    redacted, link = EmployeeInvitation.redacted_url(), invitation.public_url()
    return email.body_text.replace(redacted, link), email.body_html.replace(redacted, link)


def build_message(email: OutboundMessage, connection) -> EmailMultiAlternatives:
    headers = {"Message-ID": email.message_id}
    if not _written_by_a_person(email):
        # RFC 3834: mail programs send no out-of-office answer to it.
        headers["Auto-Submitted"] = "auto-generated"
    if email.customer is not None and not email.customer.is_erased:
        # One-click unsubscribe in the mail client, for every email to a customer.
        headers.update(unsubscribe_headers(email.customer))
    body_text, body_html = _bodies(email)
    message = _OutboxEmail(
        subject=email.subject,
        body=body_text,
        from_email=from_header(email.from_name),
        to=[email.recipient],
        reply_to=[email.reply_to] if email.reply_to else None,
        connection=connection,
        headers=headers,
    )
    if body_html:
        message.attach_alternative(body_html, "text/html")
    return message


def is_permanent(exc: BaseException) -> bool:
    """True when sending again cannot succeed: the server refused for good
    (5xx) or the message itself is malformed. Connection trouble and 4xx
    replies are temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | OSError):
        return False
    return isinstance(exc, ValueError | UnicodeError | TypeError)


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{rcpt}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for rcpt, (code, msg) in exc.recipients.items()
        ]
        return "Recipient refused: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{type(exc).__name__}: {exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


def _transport_error(exc: Exception) -> TransportError:
    """What a failure to send one email means for its row."""
    if isinstance(exc, TransportError):
        return exc
    permanent = is_permanent(exc)
    return TransportError(
        describe(exc),
        permanent=permanent,
        recipient_refused=permanent and isinstance(exc, smtplib.SMTPRecipientsRefused),
    )


class EmailTransport(Transport):
    """One SMTP connection (Django's email backend) for a batch, pipelined
    (``smtp_pipeline``) when the server offers it."""

    channel = OutboundMessage.Channel.EMAIL
    noun = "Email"

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None
        self.from_email: str | None = None
        self.pipelined: PipelinedSession | None = None

    def open(self) -> None:
        # Read once a batch: a brand changed mid-batch applies from the next.
        self.from_email = sender_address()
        self.connection = connection = get_connection(fail_silently=False)
        try:
            connection.open()
            self.pipelined = self._pipelined_session(connection)
        except Exception as exc:
            # Whatever the reply, no message of the batch was refused: all wait.
            raise TransportError(describe(exc), permanent=False) from exc

    @staticmethod
    def _pipelined_session(connection: BaseEmailBackend) -> PipelinedSession | None:
        """A pipelined session on Django's SMTP backend's connection when its
        server offers PIPELINING; None for any other backend or server."""
        smtp = _smtp(connection)
        if smtp is None:
            return None
        return PipelinedSession(smtp) if offers_pipelining(smtp) else None

    def close(self) -> None:
        if self.pipelined is not None:
            # A message still waiting for its content (the batch was cut
            # short): the connection is dropped, so the server discards it,
            # rather than said goodbye to as part of it.
            self.pipelined.abandon()
            self.pipelined = None
        if self.connection is not None:
            self.connection.close()

    def _email(self, message: OutboundMessage) -> EmailMultiAlternatives:
        """The message as Django's email, from the brand's sender; raises
        TransportError when it cannot be sent at all."""
        try:
            validate_email(message.recipient)
        except ValidationError as exc:
            raise TransportError("Not an email address.", permanent=True) from exc
        email = build_message(message, self.connection)
        if self.from_email:
            # The brand's sender; an agent's "<name> via <company>" keeps its name.
            email.from_email = from_header(message.from_name, sender=self.from_email)
        return email

    def deliver(self, message: OutboundMessage) -> None:
        try:
            email = self._email(message)
            smtp = _smtp(self.connection)
            if smtp is None:
                # Another backend (a file, memory, a provider's): its own way.
                email.send()
            else:
                # What Django's SMTP backend does with the message, written here.
                envelope = _envelope(email)
                smtp.sendmail(envelope.sender, list(envelope.recipients), envelope.content)
        except TransportError:
            raise
        except Exception as exc:
            raise _transport_error(exc) from exc

    def deliver_all(
        self,
        messages: Iterable[OutboundMessage],
        ready: Callable[[OutboundMessage], bool],
    ) -> Iterator[tuple[OutboundMessage, Exception | None]]:
        session = self.pipelined
        if session is None:
            yield from super().deliver_all(messages, ready)
            return
        by_pk: dict[int, OutboundMessage] = {}
        for message in messages:
            if not ready(message):
                continue
            try:
                envelope = _envelope(self._email(message))
            except Exception as exc:
                yield message, _transport_error(exc)
                continue
            by_pk[message.pk] = message
            for pk, error in session.submit(message.pk, envelope):
                yield by_pk.pop(pk), None if error is None else _transport_error(error)
        for pk, error in session.finish():
            yield by_pk.pop(pk), None if error is None else _transport_error(error)

    def opening_seconds(self) -> float:
        return settings.EMAIL_TIMEOUT * SMTP_ROUND_TRIPS_TO_OPEN

    def message_seconds(self) -> float:
        return settings.EMAIL_TIMEOUT * SMTP_ROUND_TRIPS_PER_MESSAGE

    def lease_running_out(self, *, lease_expires_at: datetime, now: datetime) -> bool:
        # Pipelined, the lease checked before a message must still hold when
        # its end of data is answered, six replies later at the slowest (the
        # lease itself stays as long: the sweeper's two minutes depend on it).
        pipelined = self.pipelined is not None
        trips = SMTP_ROUND_TRIPS_PIPELINED if pipelined else SMTP_ROUND_TRIPS_PER_MESSAGE
        return lease_running_out(
            lease_expires_at=lease_expires_at,
            now=now,
            per_message=settings.EMAIL_TIMEOUT * trips,
        )


def _smtp(connection: BaseEmailBackend | None) -> smtplib.SMTP | None:
    """The open smtplib connection of Django's SMTP backend; None for any
    other backend."""
    smtp = getattr(connection, "connection", None)
    if not isinstance(connection, SmtpBackend) or not isinstance(smtp, smtplib.SMTP):
        return None
    return smtp


def _envelope(email: EmailMultiAlternatives) -> Envelope:
    """The email as it goes over SMTP, its addresses as Django's SMTP backend
    gives them to smtplib: written by ``mime`` when it has a shape written
    there, else by Django's message."""
    content = mime.message_bytes(email)
    if content is None:
        encoding = email.encoding or settings.DEFAULT_CHARSET
        return Envelope(
            sender=sanitize_address(email.from_email, encoding),
            recipients=tuple(sanitize_address(a, encoding) for a in email.recipients()),
            content=message_bytes(email.message()),
        )
    # Written there only in UTF-8, as ``mime.address`` sanitizes.
    return Envelope(
        sender=mime.address(email.from_email),
        recipients=tuple(mime.address(a) for a in email.recipients()),
        content=content,
    )
