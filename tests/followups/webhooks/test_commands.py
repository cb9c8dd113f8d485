"""manage.py webhook_add prints the secret once; webhook_list never does."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from standardwebhooks.webhooks import Webhook

from followups.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_webhook_add_creates_the_endpoint_and_prints_its_secret_once():
    out = run(
        "webhook_add",
        "http://127.0.0.1:9/in",
        "--events",
        "case.opened, case.resolved",
        "--personal-data",
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["case.opened", "case.resolved"]
    assert endpoint.personal_data
    assert endpoint.is_active
    assert f"Signing secret (shown only now; keep it): {endpoint.secret}" in out
    assert endpoint.secret.startswith("whsec_")
    Webhook(endpoint.secret)  # a secret the library takes
    assert len(endpoint.secret) >= len("whsec_") + 32


def test_webhook_add_refuses_unknown_events_and_bad_urls_and_adds_nothing():
    with pytest.raises(CommandError, match=r"events: Unknown event\(s\): case.gone"):
        run("webhook_add", "http://127.0.0.1:9/in", "--events", "case.gone")
    with pytest.raises(CommandError, match="url: Enter a valid URL"):
        run("webhook_add", "not a url", "--events", "case.opened")
    assert not WebhookEndpoint.objects.exists()


def test_webhook_list_shows_endpoints_and_their_state_but_never_a_secret():
    assert "No webhook endpoints" in run("webhook_list")
    run("webhook_add", "http://127.0.0.1:9/in", "--events", "grant.issued")
    endpoint = WebhookEndpoint.objects.get()
    out = run("webhook_list")
    assert f"{endpoint.pk}  http://127.0.0.1:9/in  [active]" in out
    assert "events: grant.issued" in out
    assert "deliveries: 0 sent, 0 pending, 0 failed" in out
    assert endpoint.secret not in out
