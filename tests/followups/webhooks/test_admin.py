"""The admin: adding an endpoint shows its secret once; the delivery log shows
each delivery's body, answers and timing; "send again" delivers it again
under the same webhook-id."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.urls import reverse

from followups.models import OutboundMessage, WebhookEndpoint
from followups.outbox.sending import messages_send
from surveys.models import AuditEvent
from tests.factories import UserFactory, manager
from tests.followups.webhooks import endpoint_for
from tests.followups.webhooks.test_delivery import queue_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    return client


def test_adding_an_endpoint_shows_its_secret_once(root, receiver):
    response = root.post(
        reverse("admin:followups_webhookendpoint_add"),
        {"url": receiver.url, "description": "CRM", "events": ["case.opened", "grant.issued"]},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["case.opened", "grant.issued"]
    assert endpoint.created_by.username == "root"
    assert endpoint.secret in response.content.decode()
    change = root.get(reverse("admin:followups_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in change.content.decode()


def test_the_admin_refuses_unknown_events_and_private_targets_in_production(root, settings):
    settings.NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = root.post(
        reverse("admin:followups_webhookendpoint_add"),
        {"url": "http://169.254.169.254/latest/", "events": ["case.opened"]},
    )
    assert response.status_code == 200
    assert "169.254.169.254" in response.context["adminform"].form.errors["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_body_answers_and_timing(root, receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.statuses = [503]
    message_id = queue_event(endpoint)
    messages_send(message_ids=[message_id])
    listing = root.get(reverse("admin:followups_webhookdelivery_changelist")).content.decode()
    assert "customer.unsubscribed" in listing
    assert "503" in listing
    page = root.get(reverse("admin:followups_webhookdelivery_change", args=[message_id]))
    text = page.content.decode()
    message = OutboundMessage.objects.get(pk=message_id)
    assert message.webhook_id in text
    assert json.loads(message.body_text)["type"] == "customer.unsubscribed"
    assert "The receiver answered 503." in text
    assert "<td>503</td>" in text


def test_send_again_delivers_a_failed_delivery_under_the_same_id(root, receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.statuses = [404]
    message_id = queue_event(endpoint)
    messages_send(message_ids=[message_id])
    assert OutboundMessage.objects.get(pk=message_id).status == "failed"
    with TestCase.captureOnCommitCallbacks(execute=True):
        root.post(
            reverse("admin:followups_webhookdelivery_changelist"),
            {"action": "send_again", "_selected_action": [message_id]},
        )
    message = OutboundMessage.objects.get(pk=message_id)
    assert message.status == "sent"
    assert receiver.ids() == [message.webhook_id, message.webhook_id]
    assert AuditEvent.objects.filter(action="messages.retried").count() == 1


def test_send_again_needs_its_own_permission(client, receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.statuses = [404]
    message_id = queue_event(endpoint)
    messages_send(message_ids=[message_id])
    viewer = manager("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    client.force_login(viewer)
    client.post(
        reverse("admin:followups_webhookdelivery_changelist"),
        {"action": "send_again", "_selected_action": [message_id]},
    )
    assert OutboundMessage.objects.get(pk=message_id).status == "failed"


def test_disabling_and_enabling_an_endpoint_in_the_admin_records_why_and_forgets_failures(
    root, receiver
):
    endpoint = endpoint_for(receiver, ["case.opened"])
    url = reverse("admin:followups_webhookendpoint_change", args=[endpoint.pk])
    fields = {"url": endpoint.url, "description": "", "events": ["case.opened"]}
    root.post(url, fields)  # is_active unticked
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == "Disabled in the admin by root."
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=endpoint.disabled_at)
    root.post(url, {**fields, "is_active": "on"})
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert (endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since) == (
        None,
        "",
        None,
    )
