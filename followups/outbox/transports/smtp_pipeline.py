"""A batch of emails over one SMTP connection with command pipelining (RFC
2920): one round trip per message instead of smtplib's four.

For each message the commands MAIL, RCPT and DATA go in one write, and the
message's content with its end of data goes in the same write as the next
message's commands. Replies come back in the order the commands went, one
each, so each is matched to its command by position. A message counts as
taken only on the "250" after its end of data: a connection lost before
that leaves it, and every message after it, unconfirmed (sent again later).
"""

from __future__ import annotations

import functools
import re
import smtplib
from dataclasses import dataclass

from followups.outbox.transports import mime

# A line of the content starting with a dot gets a second one (RFC 5321 4.5.2).
_LEADING_DOT = re.compile(rb"(?m)^\.")
CRLF = b"\r\n"
# Replies a MAIL or RCPT command may get when it was taken.
MAIL_OK = (250,)
RCPT_OK = (250, 251)
DATA_GO_AHEAD = 354
DATA_TAKEN = 250
CLOSING = 421  # the server is closing the connection


@dataclass(frozen=True)
class Envelope:
    """One message as it goes over SMTP: addresses as the server gets them
    (already sanitized) and the content with CRLF line endings."""

    sender: str
    recipients: tuple[str, ...]
    content: bytes


Outcome = tuple[int, Exception | None]


def quoted(address: str) -> str:
    """``smtplib.quoteaddr(address)``: a plain address in angle brackets
    without parsing it (the parsing was a tenth of sending's CPU); any other
    (a sender with a display name, the same for a whole batch) parsed once."""
    if mime.plain_address(address):
        return f"<{address}>"
    return _parsed_and_quoted(address)


@functools.lru_cache(maxsize=256)
def _parsed_and_quoted(address: str) -> str:
    return smtplib.quoteaddr(address)


def offers_pipelining(connection: smtplib.SMTP) -> bool:
    """Whether the server said PIPELINING in its EHLO reply (greeting it
    first if nobody has)."""
    connection.ehlo_or_helo_if_needed()
    return bool(connection.does_esmtp and connection.has_extn("pipelining"))


def _data(content: bytes) -> bytes:
    """The content as it goes after DATA: dot-stuffed, ending in CRLF, then
    the end-of-data line."""
    stuffed = _LEADING_DOT.sub(b"..", content)
    if not stuffed.endswith(CRLF):
        stuffed += CRLF
    return stuffed + b"." + CRLF


class PipelinedSession:
    """Sends envelopes over an open, greeted ``smtplib.SMTP`` connection whose
    server offers PIPELINING. ``submit`` and ``finish`` return what became of
    the messages answered for during the call, as (key, None) for a message
    taken and (key, error) for one that was not; the error is one of
    smtplib's exceptions, as ``SMTP.sendmail`` would have raised it. Every
    key submitted comes back exactly once, by the end of ``finish``."""

    def __init__(self, connection: smtplib.SMTP) -> None:
        self.connection = connection
        self.size_option = connection.has_extn("size")
        # The message whose DATA the server accepted (354) and whose
        # content goes with the next write: its key and bytes.
        self.in_data: tuple[int, bytes] | None = None
        self.lost: smtplib.SMTPServerDisconnected | None = None

    def submit(self, key: int, envelope: Envelope) -> list[Outcome]:
        """Send the previous message's content and this one's commands in
        one write, then read their replies."""
        if self.lost is not None:
            return [(key, self.lost)]
        data = _data(envelope.content)
        previous = self.in_data
        awaiting = [previous[0]] if previous else []
        awaiting.append(key)
        outcomes: list[Outcome] = []
        try:
            self.connection.send(
                (previous[1] if previous else b"") + self._commands(envelope, data)
            )
            self.in_data = None
            if previous:
                outcomes.append(self._end_of_data(previous[0]))
                awaiting.pop(0)
            outcome = self._envelope_replies(key, envelope, data)
            if outcome is not None:
                outcomes.append(outcome)
            awaiting.pop(0)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException) as exc:
            outcomes += self._lose(exc, awaiting)
        return outcomes

    def finish(self) -> list[Outcome]:
        """Send the last message's content and read its reply."""
        if self.in_data is None:
            return []
        key, data = self.in_data
        self.in_data = None
        if self.lost is not None:
            return [(key, self.lost)]
        try:
            self.connection.send(data)
            return [self._end_of_data(key)]
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException) as exc:
            return self._lose(exc, [key])

    def abandon(self) -> None:
        """Drop the connection if a message waits for its content: never
        confirmed, so it is sent again later; the server discards it."""
        if self.in_data is not None:
            self.in_data = None
            self.connection.close()

    def _commands(self, envelope: Envelope, data: bytes) -> bytes:
        options = f" SIZE={len(data)}" if self.size_option else ""
        lines = [f"MAIL FROM:{quoted(envelope.sender)}{options}"]
        lines += [f"RCPT TO:{quoted(rcpt)}" for rcpt in envelope.recipients]
        lines.append("DATA")
        # Addresses were sanitized (IDNA, encoded names) before: ASCII here.
        return ("\r\n".join(lines) + "\r\n").encode("ascii")

    def _reply(self) -> tuple[int, bytes]:
        code, text = self.connection.getreply()
        if code == CLOSING:
            self.connection.close()
            raise smtplib.SMTPServerDisconnected(f"{code} {text.decode(errors='replace')}")
        return code, text

    def _envelope_replies(self, key: int, envelope: Envelope, data: bytes) -> Outcome | None:
        """Read the replies to MAIL, each RCPT and DATA. None when the server
        waits for the content (it goes with the next write); otherwise the
        message's outcome, the transaction reset for the next one."""
        error: Exception | None = None
        code, text = self._reply()
        if code not in MAIL_OK:
            error = smtplib.SMTPSenderRefused(code, text, envelope.sender)
        refused = {}
        for rcpt in envelope.recipients:
            code, text = self._reply()
            if code not in RCPT_OK:
                refused[rcpt] = (code, text)
        if error is None and len(refused) == len(envelope.recipients):
            error = smtplib.SMTPRecipientsRefused(refused)
        code, text = self._reply()
        if code == DATA_GO_AHEAD and error is None:
            self.in_data = (key, data)
            return None
        if code == DATA_GO_AHEAD:
            # Accepted DATA with no one to deliver to (RFC 2920 3.1 says it
            # must not): end it with no content, and nothing is delivered.
            self.connection.send(b"." + CRLF)
            self._reply()
        elif error is None:
            error = smtplib.SMTPDataError(code, text)
        self._reset()
        return key, error

    def _end_of_data(self, key: int) -> Outcome:
        code, text = self._reply()
        if code == DATA_TAKEN:
            return key, None
        # The server ends the transaction itself after the end of data.
        return key, smtplib.SMTPDataError(code, text)

    def _reset(self) -> None:
        """RSET after a refused transaction, as smtplib does (one round trip,
        only on this rare path)."""
        self.connection.putcmd("rset")
        self._reply()

    def _lose(self, exc: smtplib.SMTPException, keys: list[int]) -> list[Outcome]:
        """The connection is gone (or its replies can no longer be matched to
        commands: smtplib closes it then): the messages it was carrying were
        not confirmed, nor will any later one be. Temporary for each."""
        self.connection.close()
        lost = (
            exc
            if isinstance(exc, smtplib.SMTPServerDisconnected)
            else smtplib.SMTPServerDisconnected(f"Connection closed after a bad reply: {exc}")
        )
        self.lost = lost
        self.in_data = None
        return [(key, lost) for key in keys]
