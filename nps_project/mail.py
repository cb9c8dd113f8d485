"""Email to files for development: one ``.eml`` file per message in
``EMAIL_FILE_PATH`` (``var/mail/``), each a message a mail client opens as
it is. Django's file backend writes every message of a connection into one
file, and the outbox sends a batch over one connection."""

from __future__ import annotations

import os
import secrets
from datetime import datetime

from django.core.mail.backends.filebased import EmailBackend


class OneFilePerMessageBackend(EmailBackend):
    def open(self) -> bool:
        return False  # nothing to open: each message gets its own file as it is written

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            with open(self._new_path(), "xb") as stream:
                stream.write(message.message().as_bytes())
            sent += 1
        return sent

    def _new_path(self) -> str:
        # Sorts by time; the random part keeps messages of one microsecond apart.
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")  # noqa: DTZ005 - a local file name
        return os.path.join(self.file_path, f"{stamp}-{secrets.token_hex(4)}.eml")
