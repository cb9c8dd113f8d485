"""Transports deliver one outbox row through their channel, and say whether a
failure is permanent or worth another try.
"""

from __future__ import annotations

import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from followups.models import OutboundEmail
from surveys.links import unsubscribe_headers


def build_message(email: OutboundEmail, connection) -> EmailMultiAlternatives:
    headers = {"Message-ID": email.message_id, "Auto-Submitted": "auto-generated"}
    if email.customer is not None and not email.customer.is_erased:
        # One-click unsubscribe in the mail client, for every email to a customer.
        headers.update(unsubscribe_headers(email.customer))
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        connection=connection,
        headers=headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
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
