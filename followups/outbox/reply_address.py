"""A case's reply address, and who an email is from.

Every email staff send from a case goes out from the shared sender with a
reply address of its own: ``<local>+<token>@<domain>`` (plus-addressing: one
mailbox receives every case's replies). The token names the case and the day
the address was given, and carries an HMAC of both under ``SECRET_KEY`` (its
fallbacks too, so rotating the key keeps old addresses working): it cannot be
guessed or changed, and nothing needs storing to check it. It is lower case
and alphanumeric with dashes, as mail systems may fold the case of a local part.
"""

from __future__ import annotations

import base64
import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, getaddresses, parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from surveys.models import Brand

KEY_SALT = "followups.reply-address"
MAC_LENGTH = 26  # base32 characters: 130 bits
TOKEN = re.compile(rf"([0-9a-z]{{1,13}})-([0-9a-z]{{1,7}})-([a-z2-7]{{{MAC_LENGTH}}})")
# Where a reply's envelope or header may name the address it was sent to.
ADDRESS_HEADERS = (
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "X-Envelope-To",
    "To",
    "Cc",
    "Resent-To",
)


class Verdict(enum.Enum):
    VALID = "valid"
    NONE = "none"  # no reply address at all
    FORGED = "forged"  # a token whose signature does not hold
    EXPIRED = "expired"  # signed, but older than NPS_REPLY_MAX_AGE_DAYS


@dataclass(frozen=True)
class ReplyTarget:
    verdict: Verdict
    case_id: int | None = None


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def _day(moment: datetime) -> int:
    return int(moment.timestamp() // 86400)


def _mac(case_id: int, day: int, secret: str) -> str:
    digest = salted_hmac(KEY_SALT, f"{case_id}:{day}", secret=secret, algorithm="sha256").digest()
    return base64.b32encode(digest).decode("ascii").lower()[:MAC_LENGTH]


def reply_domain() -> str:
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return settings.NPS_REPLY_DOMAIN or sender.rpartition("@")[2] or "localhost"


def reply_token(case_id: int, *, now: datetime | None = None) -> str:
    day = _day(now or timezone.now())
    return f"{_base36(case_id)}-{_base36(day)}-{_mac(case_id, day, settings.SECRET_KEY)}"


def reply_address(case_id: int, *, now: datetime | None = None) -> str:
    """The address a reply to an email about case ``case_id`` goes to."""
    return f"{settings.NPS_REPLY_LOCAL_PART}+{reply_token(case_id, now=now)}@{reply_domain()}"


def token_check(token: str, *, now: datetime | None = None) -> ReplyTarget:
    """Which case ``token`` names, if its signature holds and it is not too old."""
    match = TOKEN.fullmatch(token.strip().lower())
    if match is None:
        return ReplyTarget(Verdict.FORGED)
    case_id, day = int(match.group(1), 36), int(match.group(2), 36)
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(_mac(case_id, day, s), match.group(3)) for s in secrets):
        return ReplyTarget(Verdict.FORGED)
    given = datetime.fromtimestamp(day * 86400, tz=UTC)
    if (now or timezone.now()) - given > timedelta(days=settings.NPS_REPLY_MAX_AGE_DAYS + 1):
        return ReplyTarget(Verdict.EXPIRED, case_id)
    return ReplyTarget(Verdict.VALID, case_id)


def reply_target(
    message: EmailMessage, *, extra: tuple[str, ...] = (), now: datetime | None = None
) -> ReplyTarget:
    """The case a received ``message`` replies to: the first reply address
    (``<local>+<token>@...``) its envelope headers, recipients or ``extra``
    addresses (an inbound webhook's own recipient field) name. Any domain is
    accepted: the signature is what counts."""
    values = [str(value) for name in ADDRESS_HEADERS for value in message.get_all(name, [])]
    prefix = settings.NPS_REPLY_LOCAL_PART.lower() + "+"
    verdict = ReplyTarget(Verdict.NONE)
    for _name, address in getaddresses([*extra, *values]):
        local = address.rpartition("@")[0].lower()
        if not local.startswith(prefix):
            continue
        verdict = token_check(local[len(prefix) :], now=now)
        if verdict.verdict is Verdict.VALID:
            return verdict
    return verdict


def sender_name(person: str) -> str:
    """ "<person> via <company>": the company is the brand's company name, else
    the display name of ``DEFAULT_FROM_EMAIL`` (else its domain). Translated in
    the active language."""
    company, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    company = Brand.current().company_name or company or address.rpartition("@")[2]
    return _("%(person)s via %(company)s") % {"person": person, "company": company}


def from_header(from_name: str, *, sender: str | None = None) -> str:
    """The From header of an email: the shared ``sender`` (the brand's, else
    ``DEFAULT_FROM_EMAIL``), under ``from_name`` if set."""
    sender = sender or settings.DEFAULT_FROM_EMAIL
    if not from_name:
        return sender
    return formataddr((from_name, parseaddr(sender)[1]))
