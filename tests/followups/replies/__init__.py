"""Replies as mail programs write them, for the reply tests."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from followups.models import FollowUpCase
from followups.outbox.reply_address import reply_address


def _customer_address(case_id: int | None) -> str:
    case = FollowUpCase.objects.select_related("customer").filter(pk=case_id).first()
    email = case.customer.email if case is not None else None
    return f"Customer <{email or 'customer@example.com'}>"


def reply_mime(
    case_id: int | None = None,
    *,
    text: str | None = "Thanks, that solved it.",
    html: str | None = None,
    to: str | None = None,
    message_id: str | None = None,
    attachments: tuple[tuple[str, bytes], ...] = (),
    sender: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """A reply to case ``case_id``'s reply address (or to ``to``), as bytes,
    from the case's customer (or ``sender``) with the extra ``headers``."""
    message = EmailMessage()
    message["From"] = sender or _customer_address(case_id)
    message["To"] = to or reply_address(case_id)  # type: ignore[arg-type]
    message["Subject"] = "Re: Your feedback"
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for name, data in attachments:
        maintype, subtype = ("image", "png") if name.endswith(".png") else ("application", "pdf")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()
