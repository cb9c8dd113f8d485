"""The README's receiving example, exactly as printed there, verifies a real
signed delivery, and refuses one signed with another secret."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from followups.models import OutboundMessage, WebhookEndpoint
from followups.outbox.sending import messages_send
from followups.webhooks.emit import Event, webhook_event_emit
from followups.webhooks.endpoints import webhook_endpoint_create
from followups.webhooks.signing import secret_new
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_example() -> str:
    """The first Python block of the README's "Webhooks" section."""
    section = README.read_text().split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "the README's Webhooks section has no Python example"
    return found.group(1)


def test_the_readme_example_is_ten_lines_of_code():
    lines = (line.strip() for line in readme_example().splitlines())
    code = [line for line in lines if line and not line.startswith("#")]
    assert len(code) == 10


class ExampleReceiver:
    """An HTTP server whose every answer is the README's ``receive``."""

    def __init__(self, receive) -> None:
        owner = self
        self.receive = receive

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                status = owner.receive(body, self.headers)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def example(monkeypatch):
    """The README's block run as a receiver of a new endpoint: its secret in
    ``NPS_WEBHOOK_SECRET``, what it hands over recorded in ``handled``."""
    endpoint = webhook_endpoint_create(
        url="http://127.0.0.1:9/hooks", events=["customer.unsubscribed"]
    )
    monkeypatch.setenv("NPS_WEBHOOK_SECRET", endpoint.secret)
    handled: list[tuple] = []
    namespace = {"handle": lambda *args: handled.append(args)}
    exec(compile(readme_example(), str(README), "exec"), namespace)  # noqa: S102 - our README
    receiver = ExampleReceiver(namespace["receive"])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
    endpoint.refresh_from_db()
    yield endpoint, handled
    receiver.stop()


def deliver(endpoint) -> OutboundMessage:
    customer = CustomerFactory()
    [message_id] = webhook_event_emit(
        Event(
            "customer.unsubscribed",
            f"customer:{customer.pk}",
            timezone.now(),
            {"customer": customer, "unsubscribed_at": timezone.now()},
        )
    )
    messages_send(message_ids=[message_id])
    return OutboundMessage.objects.get(pk=message_id)


def test_the_readme_example_verifies_a_real_delivery_and_hands_it_over(example):
    endpoint, handled = example
    message = deliver(endpoint)
    assert message.status == OutboundMessage.Status.SENT
    assert message.webhook_attempts.get().status_code == 204
    [(webhook_id, kind, data)] = handled
    assert webhook_id == message.webhook_id
    assert kind == "customer.unsubscribed"
    assert data == json.loads(message.body_text)["data"]


def test_the_readme_example_refuses_a_delivery_signed_with_another_secret(example):
    endpoint, handled = example
    endpoint.secret = secret_new()  # the receiver still has the old one
    endpoint.save()
    message = deliver(endpoint)
    assert handled == []
    assert message.status == OutboundMessage.Status.FAILED
    assert message.last_error == "The receiver answered 400."
