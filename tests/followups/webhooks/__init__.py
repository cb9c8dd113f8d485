"""Webhooks: a real HTTP receiver on 127.0.0.1 that verifies every delivery
with the ``standardwebhooks`` library (a verifier no one here wrote)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from followups.models import WebhookEndpoint
from followups.webhooks.endpoints import webhook_endpoint_create


class Receiver:
    """An HTTP server in a thread. ``statuses`` are answered in turn (then
    200); ``stall`` seconds are waited before answering the next request.
    HTTP/1.0 (a connection per request) unless ``keep_alive``; with
    ``drops_idle`` too, it closes each connection after answering without
    saying so, as a receiver closing idle connections does. ``connections``
    counts the TCP connections it accepted."""

    def __init__(
        self, port: int = 0, *, keep_alive: bool = False, drops_idle: bool = False
    ) -> None:
        self.port = port
        self.keep_alive = keep_alive
        self.drops_idle = drops_idle
        self.connections = 0
        self.secret: str | None = None
        self.statuses: list[int] = []
        self.stall = 0.0
        self.requests: list[dict] = []
        self.verified: list[dict] = []
        self.refused: list[str] = []
        self.server: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if self.keep_alive else "HTTP/1.0"

            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver.connections += 1

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.received(self, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def received(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = dict(handler.headers.items())
        with self.lock:
            stall, self.stall = self.stall, 0.0
            status = self.statuses.pop(0) if self.statuses else 200
        self.requests.append({"path": handler.path, "headers": headers, "body": body})
        try:
            payload = Webhook(self.secret or "").verify(body, headers)
        except WebhookVerificationError as exc:
            self.refused.append(str(exc))
        else:
            self.verified.append({"id": headers["webhook-id"], "payload": payload})
        if stall:
            time.sleep(stall)
        handler.send_response(status)
        handler.send_header("content-length", "2")
        handler.end_headers()
        handler.wfile.write(b"ok")
        if self.drops_idle:
            handler.close_connection = True

    def ids(self) -> list[str]:
        return [item["id"] for item in self.verified]

    def events(self) -> list[str]:
        return [item["payload"]["type"] for item in self.verified]


def endpoint_for(receiver: Receiver, events, *, personal_data: bool = False) -> WebhookEndpoint:
    """An endpoint posting to ``receiver``, which now verifies with its secret."""
    endpoint = webhook_endpoint_create(
        url=receiver.url, events=list(events), personal_data=personal_data
    )
    receiver.secret = endpoint.secret
    return endpoint


def payloads(endpoint: WebhookEndpoint) -> list[dict]:
    """What was queued for ``endpoint``, oldest first."""
    return [json.loads(row.body_text) for row in endpoint.deliveries.order_by("pk")]
