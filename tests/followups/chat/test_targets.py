"""SSRF and bad input: with production's setting, an alert whose host
resolves to the machine's own or a private network is refused when added and
when posted to; bad URLs and categories are refused with what is wrong."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from followups.chat.alerts import chat_alert_create
from followups.models import ChatAlert, OutboundMessage
from followups.outbox.sending import messages_send
from followups.routing import responses_route
from tests.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def production(settings):
    settings.NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    return settings


def resolving(monkeypatch, host: str, address: str) -> None:
    """``host`` resolves to ``address`` (the outside world's DNS, stood in for)."""

    def getaddrinfo(name, port, *args, **kwargs):
        if name == host:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return REAL_GETADDRINFO(name, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/services/x",
        "http://10.0.0.1/services/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/services/x",
    ],
)
def test_private_addresses_are_refused_when_an_alert_is_added(production, url):
    with pytest.raises(ValidationError) as refused:
        chat_alert_create(survey=SurveyFactory(), url=url)
    [message] = refused.value.message_dict["url"]
    assert "private, loopback, link-local or otherwise reserved network" in message
    assert not ChatAlert.objects.exists()


def test_a_name_rebound_to_a_private_address_after_it_was_added_is_not_posted_to(
    production, monkeypatch, slack
):
    resolving(monkeypatch, "hooks.slack.example", "93.184.215.14")
    survey = SurveyFactory()
    alert = chat_alert_create(survey=survey, url="https://hooks.slack.example/services/T/B/x")
    response = ResponseFactory(survey=survey, score=3)
    responses_route(response_ids=[response.pk])
    message = alert.deliveries.get()
    resolving(monkeypatch, "hooks.slack.example", "127.0.0.1")
    assert messages_send(message_ids=[message.pk]) == {}
    message = OutboundMessage.objects.get(pk=message.pk)
    assert message.status == "failed"
    assert "resolves to 127.0.0.1" in message.last_error
    assert slack.requests == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example/x", "Enter a valid URL."),
        ("http://user:pw@hooks.example/x", "must not hold a user name or password"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(url, message):
    with pytest.raises(ValidationError, match=message):
        chat_alert_create(survey=SurveyFactory(), url=url)


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        (["detractor", "angry"], "Unknown categories: angry. Known: detractor, passive, promoter."),
        ([], "Choose at least one category."),
    ],
)
def test_bad_categories_are_refused_with_what_is_known(categories, message):
    with pytest.raises(ValidationError) as refused:
        chat_alert_create(survey=SurveyFactory(), url="http://127.0.0.1:9/x", categories=categories)
    assert refused.value.message_dict["categories"] == [message]


def test_categories_are_kept_in_one_order():
    alert = chat_alert_create(
        survey=SurveyFactory(), url="http://127.0.0.1:9/x", categories=["promoter", "detractor"]
    )
    assert alert.categories == ["detractor", "promoter"]
    assert ChatAlert.objects.create(survey=alert.survey, url=alert.url).categories == ["detractor"]
