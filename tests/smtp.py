"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), with switchable faults."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RecordingHandler:
    """Accepts mail and records it; can refuse some recipients for good
    (550) or answer "try again later" (451) to the next N messages."""

    messages: list[Message] = field(default_factory=list)
    attempts: int = 0
    temporary_failures_left: int = 0
    always_fail: bool = False
    # Seconds to wait, after taking a message, before saying so: a sender
    # killed meanwhile has delivered a message it never saw accepted.
    stall_after_accepting: float = 0.0
    refused_recipients: set[str] = field(default_factory=set)
    # Whether EHLO offers PIPELINING (RFC 2920), as Postfix and most servers do.
    pipelining: bool = True
    # Close the connection without a reply when the content of the Nth
    # message (counted from 1, every attempt) ends: taken, never confirmed.
    hang_up_at_message: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.attempts == self.hang_up_at_message:
                server.transport.close()
                return "421 4.4.2 Gone"  # never reaches the client: the connection is closed
            if self.always_fail:
                return "451 4.3.0 Mail server temporarily unavailable"
            if self.temporary_failures_left > 0:
                self.temporary_failures_left -= 1
                return "451 4.3.0 Try again later"
            self.messages.append(message_from_bytes(envelope.content))
            stall = self.stall_after_accepting
        if stall:
            await asyncio.sleep(stall)
        return "250 Message accepted"

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.attempts = 0
            self.temporary_failures_left = 0
            self.always_fail = False
            self.stall_after_accepting = 0.0
            self.refused_recipients.clear()
            self.pipelining = True
            self.hang_up_at_message = 0

    def recipients(self) -> list[str]:
        with self.lock:
            return [m["To"] for m in self.messages]


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
