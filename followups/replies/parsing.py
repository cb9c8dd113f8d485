"""What a customer wrote in a reply: the message parsed with the standard
library's ``email`` package, its text part (else its HTML as text), without
the quoted email it answers, a signature, or attachments (only their names).

Quoted text is recognised in the forms mail programs write it in English,
Polish, Russian and Chinese: lines starting with ">", an attribution line
("On ... wrote:", "W dniu ... pisze:", "... написал(а):", "... 写道:"), an
Outlook header block ("-----Original Message-----", or "From:" followed by
"Sent:"/"Date:"/"To:" in any of the four languages), and everything after them.
"""

# ruff: noqa: RUF001, RUF002 - the forms of Russian and Chinese mail programs, as they write them

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.errors import MessageError
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser

MAX_TEXT = 10_000
# Quoted text is looked for in the first 2 * MAX_TEXT characters, and in the
# first MAX_LINE characters of each line: attribution lines are short, and a
# hostile message's 10 MB line must not cost the regexes seconds.
MAX_LINE = 500
# Deeper multipart nesting than any mail program writes; the parser is
# recursive, and a message nested a thousand times deep exhausts the stack.
MAX_DEPTH = 50

# An attribution line: the whole line (or two joined, as clients wrap it).
ATTRIBUTION = re.compile(
    r"""^\s*(?:
        On\s.+\swrote:
      | W\sdniu\s.+\s(?:pisze|napisał\(a\)|napisał|napisała):
      | .+\s(?:napisał\(a\)|napisał|napisała|pisze):
      | .+\s(?:написал\(а\)|написал|написала|пишет):
      | .+写道\s*[:：]
      | [^<\n]{0,200}\d{1,2}:\d{2}[^<\n]{0,200}<[^<>\s]{1,254}@[^<>\s]{1,254}>\s*[:：]
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:Original\sMessage|Forwarded\smessage|Wiadomość\soryginalna|"
    r"Oryginalna\swiadomość|Исходное\sсообщение|Пересылаемое\sсообщение|原始邮件|"
    r"原始郵件|转发的邮件)\s*-{2,}|-{6,}\s*原始邮件\s*-{6,}|_{10,})\s*$",
    re.VERBOSE | re.IGNORECASE,
)
HEADER_FROM = re.compile(r"^\s*\*?(?:From|Od|От|发件人|寄件者)\*?\s*[:：]", re.IGNORECASE)
HEADER_NEXT = re.compile(
    r"^\s*\*?(?:Sent|Date|To|Subject|Wysłano|Data|Do|Temat|Отправлено|Дата|Кому|Тема|"
    r"发送时间|日期|收件人|主题|時間|收件者)\*?\s*[:：]",
    re.IGNORECASE,
)
SIGNATURE = re.compile(r"^--\s?$")
MOBILE_FOOTER = re.compile(
    r"^\s*(?:Sent\sfrom\smy\s|Get\sOutlook\sfor\s|Wysłane\sz\s|Wysłano\sz\s|"
    r"Отправлено\sс\s|Отправлено\sиз\s|发自我的|从我的.+发送)",
    re.VERBOSE | re.IGNORECASE,
)


class ReplyInvalid(ValueError):
    """Not an email message at all."""


@dataclass(frozen=True)
class ReplyContent:
    message_key: str  # SHA-256 of the Message-ID (of the whole message without one)
    sender: str
    text: str
    attachments: list[str]


def message_parse(raw: bytes) -> EmailMessage:
    if not raw.strip():
        raise ReplyInvalid("The message is empty.")
    if _nesting(raw) > MAX_DEPTH:
        raise ReplyInvalid(f"The message nests more than {MAX_DEPTH} multipart parts deep.")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        # Parts are read (and their headers parsed) lazily: read them all here.
        for _part in message.walk():
            pass
    except (RecursionError, MessageError, LookupError, ValueError) as exc:
        raise ReplyInvalid(f"The message cannot be read: {type(exc).__name__}.") from None
    if not isinstance(message, EmailMessage) or not (message.keys() and message.get_payload()):
        raise ReplyInvalid("This is not an email message: it has no headers or no body.")
    return message


def _nesting(raw: bytes) -> int:
    """An upper bound of the multipart nesting: how many multipart headers
    the message has (each part nested in another needs one)."""
    return len(re.findall(rb"(?im)^content-type:[ \t]*multipart/", raw))


AUTOMATIC_SENDER = re.compile(r"^(?:mailer-daemon|postmaster)@", re.IGNORECASE)
BULK_PRECEDENCE = frozenset({"bulk", "junk", "auto_reply", "list"})


def automatic_reason(message: EmailMessage) -> str | None:
    """Why the message was written by a machine (an out-of-office answer, a
    bounce, a mailing list), or None for a person's mail (RFC 3834)."""
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return "Auto-Submitted"
    if str(message.get("Precedence", "")).strip().lower() in BULK_PRECEDENCE:
        return "Precedence"
    for header in ("X-Autoreply", "X-Autorespond"):
        if header in message:
            return header
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    if "Return-Path" in message and str(message["Return-Path"]).strip() in ("<>", ""):
        return "an empty Return-Path"
    if AUTOMATIC_SENDER.match(parseaddr(str(message.get("From", "")))[1]):
        return "a mailer daemon sender"
    return None


def message_key(message: EmailMessage, raw: bytes) -> str:
    message_id = " ".join(str(message.get("Message-ID", "")).split())
    return hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()


def reply_content(message: EmailMessage, raw: bytes) -> ReplyContent:
    return ReplyContent(
        message_key=message_key(message, raw),
        sender=parseaddr(str(message.get("From", "")))[1],
        text=quotes_strip(_body_text(message))[:MAX_TEXT],
        attachments=_attachment_names(message),
    )


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return _content(part)
    part = message.get_body(preferencelist=("html",))
    return html_to_text(_content(part)) if part is not None else ""


def _content(part) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    return content if isinstance(content, str) else ""


def _attachment_names(message: EmailMessage) -> list[str]:
    names = []
    for part in message.walk():
        if part.is_multipart() or part is message:
            continue
        name = part.get_filename()
        if name or part.get_content_disposition() == "attachment":
            names.append(" ".join((name or part.get_content_type()).split())[:200])
    return names


class _TextExtractor(HTMLParser):
    """HTML to plain text: block elements end lines, quoted blocks and
    non-content elements are left out."""

    SKIPPED = frozenset({"blockquote", "style", "script", "head", "title"})
    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (line.strip() for line in "".join(extractor.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _wrapped_attribution(lines: list[str], index: int) -> bool:
    """An attribution line wrapped over this line and the next (which is not
    one on its own)."""
    if index + 1 >= len(lines) or not lines[index].strip():
        return False
    following = lines[index + 1]
    joined = f"{lines[index]} {following}"
    return bool(ATTRIBUTION.match(joined)) and not ATTRIBUTION.match(following)


def _quote_start(lines: list[str]) -> int:
    """The index of the first line of the quoted part (len(lines) if none)."""
    for index, line in enumerate(lines):
        if ATTRIBUTION.match(line) or _wrapped_attribution(lines, index):
            return index
        if SEPARATOR.match(line) or SIGNATURE.match(line) or MOBILE_FOOTER.match(line):
            return index
        if HEADER_FROM.match(line) and any(
            HEADER_NEXT.match(n) for n in lines[index + 1 : index + 4]
        ):
            return index
    return len(lines)


def quotes_strip(text: str) -> str:
    """The reply without what it quotes, its signature and trailing blank lines."""
    text = text[: 2 * MAX_TEXT]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = lines[: _quote_start([line[:MAX_LINE] for line in lines])]
    kept = [line.rstrip() for line in lines if not line.lstrip().startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
