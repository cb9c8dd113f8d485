"""A real IMAP server for tests: Debian's dovecot (apt-get install
dovecot-imapd), started with a configuration of its own in a temporary
directory (passwd-file login, one maildir, a free port on 127.0.0.1), so a
system-wide dovecot the package may have started is never touched."""

from __future__ import annotations

import getpass
import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.smtp import free_port

USER = "replies"
PASSWORD = "imap-test-password"  # a throwaway server's login


def dovecot_path() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot",) if os.access(path, os.X_OK)), None
    )


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:
        # Dovecot will not run a mailbox as root: "nobody" owns the mail.
        mail_uid = mail_gid = 65534
        users = ""
    else:
        mail_uid, mail_gid = os.getuid(), os.getgid()
        me = getpass.getuser()
        users = f"default_internal_user = {me}\ndefault_login_user = {me}\n"
    (root / "mail").mkdir()
    os.chown(root / "mail", mail_uid, mail_gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    return f"""{users}base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


class Dovecot:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="nps-dovecot-"))
        # Dovecot's auth and mail processes run as other users: they read it.
        self.root.chmod(0o755)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Dovecot:
        config = self.root / "dovecot.conf"
        config.write_text(_config(self.root, self.port))
        binary = dovecot_path()
        assert binary is not None, "dovecot is not installed (apt-get install dovecot-imapd)"
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and config
            [binary, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"dovecot did not listen on port {self.port}: {self.log()}")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        return client

    def empty(self) -> None:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        _status, count = client.select("INBOX")
        if int(count[0] or 0):
            client.store("1:*", "+FLAGS", "(\\Deleted)")
            client.expunge()
        client.logout()

    def deliver(self, *messages: bytes) -> None:
        """Put messages in the inbox, unread, as the mail server delivers them."""
        client = self.client()
        for raw in messages:
            client.append("INBOX", "", None, raw)
        client.logout()

    def unseen(self) -> int:
        client = self.client()
        _status, data = client.uid("SEARCH", "UNSEEN")
        client.logout()
        return len((data[0] or b"").split())
