"""SMS providers played on 127.0.0.1: a server speaking Twilio's Messages API
(``POST /2010-04-01/Accounts/{sid}/Messages.json``, HTTP Basic with the
account's SID and token, a form in, the message resource as JSON out) and a
generic gateway that checks our HMAC signature. Each records what it took,
and answers the statuses it was given, in turn, before 201/200."""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from followups.outbox.transports.sms import SIGNATURE_HEADER, TIMESTAMP_HEADER, sms_signature

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
FROM_NUMBER = "+15005550006"
GATEWAY_SECRET = "gateway-secret-for-tests"
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


class _Server:
    def __init__(self) -> None:
        self.statuses: list[tuple[int, dict]] = []
        self.sent: list[dict] = []  # what was accepted
        self.refused: list[str] = []
        self.server: ThreadingHTTPServer | None = None
        self.port = 0
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status, payload = provider.handle(self.path, dict(self.headers.items()), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def next_status(self, ok: int) -> tuple[int, dict]:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else (ok, {})

    def handle(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        raise NotImplementedError


class FakeTwilio(_Server):
    """Twilio's Messages API, as much of it as sending a text needs."""

    def handle(self, path, headers, body):
        match = MESSAGES_PATH.match(path)
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if not match or match["sid"] != ACCOUNT_SID or headers.get("Authorization") != expected:
            self.refused.append(path)
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        status, error = self.next_status(201)
        if status >= 300:
            return status, {
                "code": error.get("code", 30001),
                "message": "refused",
                "status": status,
            }
        form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
        sid = f"SM{len(self.sent):032d}"
        self.sent.append(form)
        return 201, {
            "sid": sid,
            "account_sid": ACCOUNT_SID,
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
        }


class FakeGateway(_Server):
    """A generic HTTP gateway that takes only posts signed with the shared secret."""

    def handle(self, path, headers, body):
        timestamp = headers.get(TIMESTAMP_HEADER, "")
        expected = sms_signature(
            secret=GATEWAY_SECRET, direction="outbound", timestamp=timestamp, body=body
        )
        if headers.get(SIGNATURE_HEADER) != expected:
            self.refused.append(path)
            return 401, {"error": "bad signature"}
        status, _ = self.next_status(200)
        if status < 300:
            self.sent.append(json.loads(body))
        return status, {"accepted": status < 300}


# Fixtures: a test module takes them by importing them by name.
@pytest.fixture
def twilio(settings):
    """Texts go to a local server speaking Twilio's Messages API."""
    server = FakeTwilio().start()
    settings.NPS_SMS_TRANSPORT = "twilio"
    settings.NPS_SMS_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.NPS_SMS_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.NPS_SMS_TWILIO_BASE_URL = server.base_url
    settings.NPS_SMS_FROM = FROM_NUMBER
    settings.NPS_SMS_QUIET_HOURS = "00:00-00:00"  # none: the test may run at any hour
    yield server
    server.stop()


@pytest.fixture
def gateway(settings):
    """Texts go to a local generic HTTP gateway, signed."""
    server = FakeGateway().start()
    settings.NPS_SMS_TRANSPORT = "http"
    settings.NPS_SMS_HTTP_URL = server.base_url + "/send"
    settings.NPS_SMS_HTTP_SECRET = GATEWAY_SECRET
    settings.NPS_SMS_FROM = "SHOP"
    settings.NPS_SMS_QUIET_HOURS = "00:00-00:00"
    yield server
    server.stop()
