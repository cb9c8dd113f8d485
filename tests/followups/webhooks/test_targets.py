"""SSRF: with production's setting, endpoints whose host resolves to the
machine's own or a private network are refused, when added and when
delivered to (the resolved address is checked, and the one connected to)."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from followups.models import OutboundMessage
from followups.outbox.sending import messages_send
from followups.webhooks.emit import Event, webhook_event_emit
from followups.webhooks.endpoints import webhook_endpoint_create
from tests.factories import CustomerFactory
from tests.followups.webhooks import endpoint_for

pytestmark = pytest.mark.django_db

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def production(settings):
    settings.NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    return settings


def resolving(monkeypatch, host: str, address: str) -> None:
    """``host`` resolves to ``address`` (the outside world's DNS, stood in for)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def getaddrinfo(name, port, *args, **kwargs):
        if name == host:
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return REAL_GETADDRINFO(name, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://10.0.0.1/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://[2002:7f00:1::]/hooks",  # 6to4 of 127.0.0.1
        "http://[2002:a00:1::]/hooks",  # 6to4 of 10.0.0.1
        "http://0.0.0.0/hooks",
        "http://224.0.0.1/hooks",
    ],
)
def test_private_addresses_are_refused_when_an_endpoint_is_added(production, url):
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(url=url, events=["case.opened"])
    [message] = refused.value.message_dict["url"]
    assert "private, loopback, link-local or otherwise reserved network" in message


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"])
def test_a_name_resolving_to_a_private_address_is_refused(production, monkeypatch, address):
    resolving(monkeypatch, "hooks.example.com", address)
    with pytest.raises(ValidationError, match=address):
        webhook_endpoint_create(url="https://hooks.example.com/in", events=["case.opened"])


def test_a_name_rebound_to_a_private_address_after_it_was_added_is_not_delivered_to(
    production, monkeypatch, receiver
):
    resolving(monkeypatch, "hooks.example.com", "93.184.215.14")
    endpoint = webhook_endpoint_create(
        url="http://hooks.example.com/in", events=["customer.erased"]
    )
    [message_id] = webhook_event_emit(
        Event(
            "customer.erased",
            "customer:1:erased",
            timezone.now(),
            {"customer": {"id": 1}, "erased_at": timezone.now()},
        )
    )
    resolving(monkeypatch, "hooks.example.com", "127.0.0.1")
    assert messages_send(message_ids=[message_id]) == {}
    message = OutboundMessage.objects.get(pk=message_id)
    assert message.status == "failed"
    assert "resolves to 127.0.0.1" in message.last_error
    assert endpoint.deliveries.count() == 1
    assert receiver.requests == []


def test_the_delivery_connects_to_the_address_checked_and_names_the_host(monkeypatch, receiver):
    """Allowed private targets (as in tests), so the checked address can be the receiver's."""
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    endpoint.url = f"http://hooks.example.test:{receiver.port}/in?x=1"
    endpoint.save()
    resolving(monkeypatch, "hooks.example.test", "127.0.0.1")
    customer = CustomerFactory()
    [message_id] = webhook_event_emit(
        Event(
            "customer.unsubscribed",
            f"customer:{customer.pk}:unsubscribed",
            timezone.now(),
            {"customer": customer, "unsubscribed_at": timezone.now()},
        )
    )
    messages_send(message_ids=[message_id])
    [request] = receiver.requests
    assert request["headers"]["Host"] == f"hooks.example.test:{receiver.port}"
    assert request["path"] == "/in?x=1"
    assert receiver.ids() == [OutboundMessage.objects.get(pk=message_id).webhook_id]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/x", "Enter a valid URL."),
        ("http://user:pw@example.com/x", "must not hold a user name or password"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(url, message):
    with pytest.raises(ValidationError, match=message):
        webhook_endpoint_create(url=url, events=["case.opened"])


def test_unknown_events_are_refused_with_the_known_ones_named():
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(url="http://127.0.0.1:9/x", events=["case.opened", "case.lost"])
    [message] = refused.value.message_dict["events"]
    assert message.startswith("Unknown event(s): case.lost. Known: response.recorded,")
