"""Survey and unsubscribe links are keys to a customer's answer and their
mailing status: their secret part never reaches a log line, whichever logger
(Django's request and server loggers, the root handlers, gunicorn's access
log) writes it."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from gunicorn.config import Config

from nps_project import log_redaction
from surveys import links
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler_output():
    """Everything the handlers configured by LOGGING write, as one string."""
    streams = {}
    for name in ("", "django.server"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler) and handler.get_name():
                streams[handler] = handler.setStream(io.StringIO())
    assert streams, "LOGGING configures no stream handler"
    yield lambda: "".join(handler.stream.getvalue() for handler in streams)
    for handler, stream in streams.items():
        handler.setStream(stream)


def secrets_of(customer, invitation) -> list[str]:
    signed = links.unsubscribe_path(customer).strip("/").split("/")[-1]
    return [invitation.token, signed]


def test_requests_for_survey_and_unsubscribe_links_log_no_token(client, caplog, handler_output):
    invitation = InvitationFactory()
    customer = invitation.customer
    bad_token = "bad-token-0123456789abcdef"
    caplog.set_level(logging.INFO)

    assert client.get(reverse("surveys:answer", args=[invitation.token])).status_code == 200
    assert client.get(reverse("surveys:answer", args=[bad_token])).status_code == 404
    assert client.get(reverse("surveys:follow_up", args=[bad_token])).status_code == 404
    assert client.get(links.unsubscribe_path(customer)).status_code == 200
    assert client.get(links.unsubscribe_path(customer) + "x/").status_code == 404
    assert client.get(reverse("surveys:unsubscribe", args=["forged:sig"])).status_code == 404

    written = handler_output() + caplog.text
    assert "Not Found: /s/" in written, "the 404s were logged, with the path redacted"
    for secret in [*secrets_of(customer, invitation), bad_token, "forged:sig"]:
        assert secret not in written


def test_the_development_server_log_line_has_no_token(handler_output):
    invitation = InvitationFactory()
    customer = invitation.customer
    server = logging.getLogger("django.server")

    # What runserver's request handler logs for every request.
    for path in (
        reverse("surveys:answer", args=[invitation.token]),
        links.unsubscribe_path(customer),
    ):
        server.info('"%s" %s %s', f"GET {path} HTTP/1.1", "200", "1234", extra={"status_code": 200})

    written = handler_output()
    assert written.count('"GET /') == 2
    for secret in secrets_of(customer, invitation):
        assert secret not in written


def test_an_absolute_link_in_a_message_is_redacted_but_other_paths_are_kept():
    text = (
        "sent https://nps.example.com/s/AbC_123-xyz/more/ and /u/eyJjIjo1fQ:1sX:abc/ "
        "from /api/v1/surveys/support/nps/ and /static/s/x.css"
    )

    assert log_redaction.redact(text) == (
        "sent https://nps.example.com/s/[redacted]/more/ and /u/[redacted]/ "
        "from /api/v1/surveys/support/nps/ and /static/s/x.css"
    )


def test_gunicorn_access_log_has_no_token():
    invitation = InvitationFactory()
    path = reverse("surveys:answer", args=[invitation.token])
    referer = "https://nps.example.com" + links.unsubscribe_path(invitation.customer)
    config = Config()
    config.set("accesslog", "-")
    config.set("logger_class", "nps_project.log_redaction.GunicornLogger")
    logger = config.logger_class(config)
    stream = io.StringIO()
    logger.access_log.handlers[0].setStream(stream)
    request = SimpleNamespace(
        method="GET", path=path, query="", uri=path, version=(1, 1), headers=[]
    )
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    environ = {
        "REMOTE_ADDR": "203.0.113.9",
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "RAW_URI": path,
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "MailScanner/1.0",
    }

    logger.access(response, request, environ, timedelta(milliseconds=5))

    line = stream.getvalue()
    assert "GET /s/[redacted]/ HTTP/1.1" in line
    assert "/u/[redacted]/" in line
    for secret in secrets_of(invitation.customer, invitation):
        assert secret not in line


def test_gunicorn_in_the_image_and_compose_uses_the_redacting_logger():
    import json

    import yaml

    from tests.nps_project.test_compose import (
        COMPOSE_FILE,
        argv,
        dockerfile_instructions,
        option_value,
    )

    web = argv(yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]["command"])
    cmd = json.loads([rest for kw, rest in dockerfile_instructions() if kw == "CMD"][-1])

    for command in (web, cmd):
        assert option_value(command, "--logger-class") == "nps_project.log_redaction.GunicornLogger"
