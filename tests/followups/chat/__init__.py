"""Slack alerts: a real HTTP server on 127.0.0.1 standing in for Slack's
incoming webhooks, keeping the JSON each alert arrived as."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SlackReceiver:
    """Answers ``replies`` in turn, each (status, body, headers); then 200 "ok"
    as Slack does."""

    def __init__(self) -> None:
        self.port = 0
        self.replies: list[tuple[int, str, dict[str, str]]] = []
        self.requests: list[dict] = []
        self.server: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/T000/B000/XXXXsecretXXXX"

    def start(self) -> SlackReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
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
        with self.lock:
            status, text, headers = self.replies.pop(0) if self.replies else (200, "ok", {})
            self.requests.append(
                {"path": handler.path, "headers": dict(handler.headers.items()), "body": body}
            )
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("content-length", str(len(text.encode())))
        handler.end_headers()
        handler.wfile.write(text.encode())

    def messages(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]


def texts(value) -> list[dict]:
    """Every text object (``{"type": "plain_text"|"mrkdwn", "text": ...}``) in a message."""
    found = []
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and "text" in value:
            found.append(value)
        for item in value.values():
            found += texts(item)
    elif isinstance(value, list):
        for item in value:
            found += texts(item)
    return found


def urls(value) -> list[str]:
    """Every ``url`` of a message (its links)."""
    found = []
    if isinstance(value, dict):
        found += [v for k, v in value.items() if k == "url"]
        for item in value.values():
            found += urls(item)
    elif isinstance(value, list):
        for item in value:
            found += urls(item)
    return found
