"""The outbox's emails as they go over SMTP, written here as bytes: exactly what
Django's message and the standard library's generator write, without building
either, for the shapes the outbox sends; None for any other shape.

What is written here: a text part, with or without one HTML alternative, in
UTF-8, to one recipient, with a Message-ID of its own and no attachments.
Each part is encoded once (UTF-8, CRLF line endings; quoted-printable where
Django would, for a line too long for SMTP). A header that is plain ASCII is
written as it is (or, one word too long for its line, on the next line, as
the folding puts it); any other header value (encoded words, a long subject,
a non-ASCII display name or address) is encoded and folded by Django and the
email package, and the result kept, since such values repeat (a language's
subject, a brand's sender). Any other shape (attachments, copies, another
charset) returns None and goes through Django's message as before. The
tests compare the bytes with Django's for every email kind, language and
header shape the product writes."""

from __future__ import annotations

import re
import secrets
from email.policy import compat32
from email.utils import formatdate
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
    utf8_charset_qp,
)

CHARSET = "utf-8"
CRLF = "\r\n"
MAX_HEADER_LINE = 78  # the compat32 policy's max_line_length
# What the standard folding leaves exactly as it is: one line of plain ASCII
# that fits, with no whitespace it might rewrite and nothing encoded.
_UNFOLDED_VALUE = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
# One word of plain ASCII: too long for its line, the folding cannot split it.
_ONE_WORD = re.compile(r"[\x21-\x7e]+")
# An address ``sanitize_address`` gives back unchanged: a dot-atom of common
# characters (none that needs quoting) at an ASCII host name (labels short
# enough for the IDNA codec to pass them through).
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
)
# Headers Django's message places itself even when given as extra headers.
_PLACED_HEADERS = {"from", "to", "cc", "reply-to", "date"}
_FOLDING = compat32.clone(linesep=CRLF)
BOUNDARY_PREFIX = "===============nps"
BOUNDARY_LENGTH = len(BOUNDARY_PREFIX) + 32 + 2


def boundary() -> str:
    """A random MIME boundary of BOUNDARY_LENGTH characters (see ``email._OutboxEmail``)."""
    return f"{BOUNDARY_PREFIX}{secrets.token_hex(16)}=="


def unfolded(name: str, value: str) -> bool:
    """Whether the standard folding writes the header ``name: value`` as it is."""
    return (
        len(name) + 2 + len(value) <= MAX_HEADER_LINE
        and "=?" not in value
        and _UNFOLDED_VALUE.fullmatch(value) is not None
    )


def header_line(name: str, value: str) -> str:
    """The header ``name: value`` as Django stores it in its message and the
    standard generator writes it, CRLF included. Raises Django's
    ``BadHeaderError`` for a value with a line break, as Django does."""
    if unfolded(name, value):
        # Django stores such a value as it is (a subject too: no folding needed).
        return f"{name}: {value}{CRLF}"
    if (
        len(name) + 2 + len(value) > MAX_HEADER_LINE
        and name.lower() != "subject"
        and "=?" not in value
        and _ONE_WORD.fullmatch(value)
    ):
        # No place to fold it: the generator leaves the header's first line
        # empty and puts the word alone on the next (Django stores an ASCII
        # value other than a subject as it is).
        return f"{name}: {CRLF} {value}{CRLF}"
    return _folded(name, value)


@lru_cache(maxsize=1024)
def _folded(name: str, value: str) -> str:
    """What Django and the email package make of any other header: encoded
    words, folding. Kept, since these values repeat (a language's subject, a
    brand's sender)."""
    stored = forbid_multi_line_headers(name, value, CHARSET)[1]
    return _FOLDING.fold_binary(name, stored).decode("ascii")


def plain_address(value: str) -> bool:
    """Whether ``value`` is a bare address of the commonest form (a dot-atom
    of letters, digits and ``_%+-`` at an ASCII host name): one that address
    parsers give back as it is."""
    return _PLAIN_ADDRESS.fullmatch(value) is not None


def address(value: str) -> str:
    """``sanitize_address(value, "utf-8")``: the address as the mail server
    gets it in MAIL FROM or RCPT TO."""
    if plain_address(value):
        return value
    return _sanitized(value)


@lru_cache(maxsize=1024)
def _sanitized(value: str) -> str:
    return sanitize_address(value, CHARSET)


def _writable(email: EmailMultiAlternatives) -> bool:
    """Whether ``email`` has the shape written here (see the module's docstring)."""
    names = {name.lower() for name in email.extra_headers}
    alternatives = email.alternatives
    return (
        (email.encoding or settings.DEFAULT_CHARSET) == CHARSET
        and email.content_subtype == "plain"
        and getattr(email, "alternative_subtype", None) == "alternative"
        and isinstance(email.body, str)
        and bool(email.body)
        and isinstance(email.subject, str)
        and isinstance(email.from_email, str)
        and len(email.to) == 1
        and not (email.cc or email.bcc or email.attachments)
        and all(isinstance(value, str) for value in (*email.to, *email.reply_to))
        and (
            not alternatives
            or (
                len(alternatives) == 1
                and alternatives[0][1] == "text/html"
                and isinstance(alternatives[0][0], str)
            )
        )
        and "message-id" in names
        and not names & _PLACED_HEADERS
    )


def _part(subtype: str, text: str) -> tuple[str, bytes] | None:
    """A text part's headers and its body as the generator writes them, or
    None when it cannot be encoded at all."""
    try:
        body = text.encode(CHARSET)
    except UnicodeError:
        return None
    if _long_lines(text, body):
        # As Django sends a line too long for SMTP: quoted-printable.
        body = utf8_charset_qp.body_encode(body).encode("ascii")
        encoding = "quoted-printable"
    else:
        encoding = "7bit" if body.isascii() else "8bit"
    # The generator ends every line (CRLF, CR or LF) with CRLF.
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    body = body.replace(b"\n", b"\r\n")
    headers = (
        f'Content-Type: text/{subtype}; charset="{CHARSET}"{CRLF}'
        f"MIME-Version: 1.0{CRLF}"
        f"Content-Transfer-Encoding: {encoding}{CRLF}"
    )
    return headers, body


def _long_lines(text: str, body: bytes) -> bool:
    """Django's test for a line over RFC 5322's limit (``SafeMIMEText``), on
    its splitting of lines. That breaks at more characters than the bytes'
    splitting does, so it finds nothing where the bytes have no line too long."""
    limit = RFC5322_EMAIL_LINE_LENGTH_LIMIT
    if len(body) <= limit or max(map(len, body.splitlines())) <= limit:
        return False
    return any(len(line.encode(errors="surrogateescape")) > limit for line in text.splitlines())


def _headers(email: EmailMultiAlternatives) -> str:
    """The message's own headers, in the order Django's ``message()`` sets them."""
    lines = [
        header_line("Subject", str(email.subject)),
        header_line("From", email.from_email),
        header_line("To", ", ".join(email.to)),
    ]
    if email.reply_to:
        lines.append(header_line("Reply-To", ", ".join(email.reply_to)))
    lines.append(header_line("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
    lines += [header_line(name, str(value)) for name, value in email.extra_headers.items()]
    return "".join(lines)


def message_bytes(email: EmailMultiAlternatives) -> bytes | None:
    """``email`` as Django's SMTP backend would send it (``message().as_bytes``
    with CRLF line endings, the boundary drawn as ``_OutboxEmail`` draws it),
    or None when it is not of a shape written here."""
    if not _writable(email):
        return None
    # Both strings (``_writable``): str() only says so to the type checker.
    text = _part("plain", str(email.body))
    html = _part("html", str(email.alternatives[0][0])) if email.alternatives else None
    if text is None or (html is None and email.alternatives):
        return None
    headers = _headers(email)
    if html is None:
        text_headers, text_body = text
        return (text_headers + headers + CRLF).encode("ascii") + text_body
    return _alternatives(headers, text, html)


def _alternatives(headers: str, text: tuple[str, bytes], html: tuple[str, bytes]) -> bytes:
    """A multipart/alternative message of a text and an HTML part."""
    mark = boundary()
    if len(mark) == BOUNDARY_LENGTH:
        # The standard folding of a boundary this long: the line split after ";".
        content_type = f'Content-Type: multipart/alternative;{CRLF} boundary="{mark}"{CRLF}'
    else:
        content_type = header_line("Content-Type", f'multipart/alternative; boundary="{mark}"')
    head = f"{content_type}MIME-Version: 1.0{CRLF}{headers}{CRLF}"
    return b"".join(
        (
            f"{head}--{mark}{CRLF}{text[0]}{CRLF}".encode("ascii"),
            text[1],
            f"{CRLF}--{mark}{CRLF}{html[0]}{CRLF}".encode("ascii"),
            html[1],
            f"{CRLF}--{mark}--{CRLF}".encode("ascii"),
        )
    )
