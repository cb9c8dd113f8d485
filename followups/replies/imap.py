"""Replies read from an IMAP mailbox (``manage.py fetch_replies``, and Celery
beat when ``NPS_REPLY_IMAP_HOST`` is set): each unread message in the folder
is handed to ``replies.services`` and then marked \\Seen.

A message is marked only after it was recorded (or found to be a duplicate,
ignored, not an email at all, or one whose reading failed), so a run that
dies midway leaves the rest unread for the next one; a message recorded just before such a death is
read again and recognised by its Message-ID. Two runs at once are safe for
the same reason.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError

from followups.models import InboundReply
from followups.replies.parsing import ReplyInvalid
from followups.replies.services import reply_receive

logger = logging.getLogger(__name__)

FETCH_LIMIT = 500  # messages per run; the next run takes the rest
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The mailbox could not be reached, logged in to, or read."""


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str
    folder: str
    use_ssl: bool
    timeout: float

    @classmethod
    def from_settings(cls) -> MailboxSettings:
        return cls(
            host=settings.NPS_REPLY_IMAP_HOST,
            port=settings.NPS_REPLY_IMAP_PORT,
            user=settings.NPS_REPLY_IMAP_USER,
            password=settings.NPS_REPLY_IMAP_PASSWORD,
            folder=settings.NPS_REPLY_IMAP_FOLDER,
            use_ssl=settings.NPS_REPLY_IMAP_SSL,
            timeout=settings.NPS_REPLY_IMAP_TIMEOUT,
        )


def _connect(mailbox: MailboxSettings) -> imaplib.IMAP4:
    try:
        if mailbox.use_ssl:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                mailbox.host,
                mailbox.port,
                ssl_context=ssl.create_default_context(),
                timeout=mailbox.timeout,
            )
        else:
            client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=mailbox.timeout)
        client.login(mailbox.user, mailbox.password)
        status, _data = client.select(_quoted(mailbox.folder))
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"IMAP {mailbox.host}:{mailbox.port}: {exc}") from exc
    if status != "OK":
        client.logout()
        raise MailboxError(f"IMAP folder {mailbox.folder!r} cannot be opened.")
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def replies_fetch(*, mailbox: MailboxSettings | None = None, limit: int = FETCH_LIMIT) -> Counter:
    """Read the unread messages of the reply mailbox; returns how many were
    recorded, duplicates, ignored, invalid, too large or failed."""
    mailbox = mailbox or MailboxSettings.from_settings()
    client = _connect(mailbox)
    counts: Counter = Counter()
    try:
        status, data = client.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise MailboxError(f"IMAP search failed: {data!r}")
        for uid in [uid.decode("ascii") for uid in (data[0] or b"").split()[:limit]]:
            counts[_one_guarded(client, uid)] += 1
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"IMAP {mailbox.host}:{mailbox.port}: {exc}") from exc
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            logger.info("IMAP logout failed; the connection is dropped.")
    return counts


def _one_guarded(client: imaplib.IMAP4, uid: str) -> str:
    """``_one``, where a message that breaks the reading of it is logged (its
    kind of error only, never its content) and counted as failed, to be marked
    read like the others: one bad message must not block every later one. A
    lost mailbox or database connection still stops the run, leaving the
    message unread for the next one."""
    try:
        return _one(client, uid)
    except (OSError, imaplib.IMAP4.error, OperationalError, InterfaceError):
        raise
    except Exception as exc:
        logger.error("IMAP message %s skipped: reading it failed (%s).", uid, type(exc).__name__)
        return "failed"


def _one(client: imaplib.IMAP4, uid: str) -> str:
    """Hand one message to the reply service; what became of it."""
    _status, data = client.uid("FETCH", uid, "(RFC822.SIZE)")
    size = SIZE.search(data[0] if data and isinstance(data[0], bytes) else b"")
    if size and int(size.group(1)) > settings.NPS_REPLY_MAX_BYTES:
        logger.warning("IMAP message %s skipped: %s bytes is too large.", uid, size.group(1))
        return "too_large"
    _status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next((part[1] for part in data if isinstance(part, tuple)), b"")
    try:
        return reply_receive(raw=raw, source=InboundReply.Source.IMAP).value
    except ReplyInvalid as exc:
        logger.warning("IMAP message %s skipped: %s", uid, exc)
        return "invalid"
