"""Messages into the outbox: rendered once, when the row is created, in the
recipient's language, so the row holds exactly what is (or will be) sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from followups.models import OutboundMessage
from followups.outbox.branding import branding_context
from surveys.models import Customer


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


def render(template: str, language: str, context: dict) -> Rendered:
    """Render ``followups/email/<template>.{subject.txt,txt,html}`` in ``language``,
    with the brand and, for a customer email, its texts as the admin words them."""
    base = f"followups/email/{template}"
    with translation.override(language):
        context = {**context, "LANGUAGE_CODE": language}
        context.update(branding_context(template, context))
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
    recipient: str,
    language: str,
    context: dict,
    customer: Customer | None = None,
    response_id: int | None = None,
    case_id: int | None = None,
    created_by=None,
) -> OutboundMessage:
    """Create the outbox row for one email to the address ``recipient``, or
    return the one that already has this dedupe key. The caller enqueues
    sending after its transaction commits."""
    existing = OutboundMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    rendered = render(template, language, context)
    email = OutboundMessage(
        dedupe_key=dedupe_key,
        template=template,
        language=language,
        channel=OutboundMessage.Channel.EMAIL,
        recipient=recipient,
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
        return OutboundMessage.objects.get(dedupe_key=dedupe_key)
    return email
