"""The outbox: render an email into a row, and deliver rows over SMTP.

Rendering happens once, when the row is created, in the recipient's language:
the row then holds exactly what was (or will be) sent. Delivery is in
``services.emails_send``; this module only knows how to build a message and
whether an error is worth retrying.
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from surveys.links import unsubscribe_headers
from surveys.models import Customer

from .models import OutboundEmail


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


def render(template: str, language: str, context: dict) -> Rendered:
    """Render ``followups/email/<template>.{subject.txt,txt,html}`` in ``language``."""
    base = f"followups/email/{template}"
    with translation.override(language):
        context = {**context, "LANGUAGE_CODE": language}
        subject = render_to_string(f"{base}.subject.txt", context)
        body_text = render_to_string(f"{base}.txt", context)
        body_html = render_to_string(f"{base}.html", context)
    return normalized(subject, body_text, body_html)


def normalized(subject: str, body_text: str, body_html: str) -> Rendered:
    """An email as it is stored: the subject on one line and at most 255
    characters, the text part ending in one newline, the HTML trimmed. (Also
    for emails assembled from a rendering, so they come out the same.)"""
    return Rendered(
        subject=" ".join(subject.split())[:255],
        body_text=body_text.strip() + "\n",
        body_html=body_html.strip(),
    )


def email_queue(
    *,
    template: str,
    dedupe_key: str,
    to_email: str,
    language: str,
    context: dict,
    customer: Customer | None = None,
    response_id: int | None = None,
    case_id: int | None = None,
    created_by=None,
) -> OutboundEmail:
    """Create the outbox row for one email, or return the one that already has
    this dedupe key. The caller enqueues sending after its transaction commits."""
    existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    rendered = render(template, language, context)
    email = OutboundEmail(
        dedupe_key=dedupe_key,
        template=template,
        language=language,
        to_email=to_email,
        customer=customer,
        response_id=response_id,
        case_id=case_id,
        created_by=created_by,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
    )
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        return OutboundEmail.objects.get(dedupe_key=dedupe_key)
    return email


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
