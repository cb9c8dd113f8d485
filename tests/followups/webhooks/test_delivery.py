"""Deliveries to a real receiver on 127.0.0.1, each verified there by the
``standardwebhooks`` library: signed, retried while the receiver fails for
now, refused for good when it says so, and the endpoint disabled when it is
gone or keeps failing (the managers are told)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups.models import OutboundMessage, WebhookAttempt
from followups.outbox.sending import messages_send
from followups.webhooks.emit import Event, webhook_event_emit
from tests.factories import CustomerFactory, manager
from tests.followups.webhooks import Receiver, endpoint_for

pytestmark = pytest.mark.django_db


def queue_event(endpoint, key="1"):
    customer = CustomerFactory()
    [message_id] = webhook_event_emit(
        Event(
            "customer.unsubscribed",
            f"customer:{customer.pk}:{key}",
            timezone.now(),
            {"customer": customer, "unsubscribed_at": timezone.now()},
        )
    )
    assert endpoint.deliveries.filter(pk=message_id).exists()
    return message_id


def send(message_id):
    """One delivery attempt now, as a worker would make it."""
    OutboundMessage.objects.filter(pk=message_id).update(next_attempt_at=timezone.now())
    retry = messages_send(message_ids=[message_id])
    return OutboundMessage.objects.get(pk=message_id), retry


def test_a_delivery_is_signed_per_standard_webhooks_and_recorded_sent(receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    message_id = queue_event(endpoint)
    message, retry = send(message_id)
    assert retry == {}
    assert message.status == "sent"
    assert receiver.refused == []
    [delivered] = receiver.verified
    assert delivered["id"] == message.webhook_id
    assert delivered["payload"] == json.loads(message.body_text)
    request = receiver.requests[0]
    assert request["path"] == "/hooks"
    assert request["headers"]["content-type"] == "application/json"
    [attempt] = WebhookAttempt.objects.filter(message_id=message_id)
    assert attempt.status_code == 200
    assert attempt.error == ""


def test_a_signature_made_with_another_secret_is_refused_by_the_verifier(receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
    send(queue_event(endpoint))
    assert receiver.verified == []
    assert receiver.refused == ["No matching signature found"]


def test_a_receiver_failing_twice_gets_the_event_on_the_third_try_under_one_id(receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.statuses = [500, 500]
    message_id = queue_event(endpoint)
    message, retry = send(message_id)
    assert message.status == "queued"
    assert message.last_error == "The receiver answered 500."
    assert retry[message_id] > 0
    assert message.next_attempt_at > timezone.now()
    send(message_id)
    message, _ = send(message_id)
    assert message.status == "sent"
    assert message.attempts == 3
    assert receiver.ids() == [message.webhook_id] * 3
    codes = WebhookAttempt.objects.filter(message_id=message_id).order_by("started_at")
    assert [a.status_code for a in codes] == [500, 500, 200]
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None  # it works again


def test_a_receiver_down_then_up_gets_the_event(receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    port = receiver.port
    receiver.stop()
    message_id = queue_event(endpoint)
    message, retry = send(message_id)
    assert message.status == "queued"
    assert "ConnectionRefusedError" in message.last_error
    assert message_id in retry
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    back = Receiver(port=port).start()
    back.secret = endpoint.secret
    try:
        message, _ = send(message_id)
    finally:
        back.stop()
    assert message.status == "sent"
    assert back.ids() == [message.webhook_id]


@pytest.mark.parametrize("status", [408, 429, 503, 302])
def test_these_answers_are_tried_again(receiver, status):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.statuses = [status]
    message, retry = send(queue_event(endpoint))
    assert message.status == "queued"
    assert message.pk in retry
    assert len(receiver.requests) == 1  # a redirect is not followed


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_other_4xx_answers_fail_the_delivery_for_good(receiver, status):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.statuses = [status]
    message, retry = send(queue_event(endpoint))
    assert retry == {}
    assert message.status == "failed"
    assert message.last_error == f"The receiver answered {status}."
    endpoint.refresh_from_db()
    assert endpoint.is_active


def test_410_disables_the_endpoint_and_tells_the_managers(receiver):
    boss = manager("boss", email="boss@example.com")
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.statuses = [410]
    first = queue_event(endpoint, "a")
    second = queue_event(endpoint, "b")
    with TestCase.captureOnCommitCallbacks(execute=True):
        messages_send(message_ids=[first, second])
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "410" in endpoint.disabled_reason
    # One was refused with 410; the other was not even tried: the endpoint is off.
    rows = OutboundMessage.objects.filter(pk__in=[first, second])
    assert {row.status for row in rows} == {"failed"}
    assert {row.last_error for row in rows} == {
        "The receiver answered 410 Gone: it wants no more deliveries.",
        "The webhook endpoint is disabled or gone.",
    }
    assert len(receiver.requests) == 1
    [told] = [m for m in mail.outbox if m.to == [boss.email]]
    assert endpoint.url in told.subject


def test_an_endpoint_failing_for_three_days_is_disabled_and_the_managers_told(receiver):
    boss = manager("boss", email="boss@example.com")
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    start = timezone.now()
    receiver.statuses = [500] * 3
    with time_machine.travel(start, tick=True):
        send(queue_event(endpoint, "a"))
    with time_machine.travel(start + timedelta(days=2, hours=23), tick=True):
        send(queue_event(endpoint, "b"))
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.failing_since is not None
    with (
        time_machine.travel(start + timedelta(days=3, minutes=1), tick=True),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        send(queue_event(endpoint, "c"))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == "Every delivery failed for 3 days."
    [told] = [m for m in mail.outbox if m.to == [boss.email]]
    assert "was disabled: Every delivery failed for 3 days." in told.body


def test_a_success_within_three_days_starts_the_count_again(receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    start = timezone.now()
    receiver.statuses = [500, 200, 500]
    with time_machine.travel(start, tick=True):
        send(queue_event(endpoint, "a"))
    with time_machine.travel(start + timedelta(days=2), tick=True):
        send(queue_event(endpoint, "b"))
    with time_machine.travel(start + timedelta(days=3, hours=1), tick=True):
        send(queue_event(endpoint, "c"))
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.failing_since >= start + timedelta(days=3)


def test_an_endpoint_that_turns_personal_data_off_gets_retries_without_it(receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"], personal_data=True)
    receiver.statuses = [500]
    message_id = queue_event(endpoint)
    send(message_id)  # refused once, with the customer's email in the body
    assert (
        "email"
        in json.loads(OutboundMessage.objects.get(pk=message_id).body_text)["data"]["customer"]
    )
    endpoint.personal_data = False
    endpoint.save(update_fields=["personal_data"])
    message, _retry = send(message_id)
    assert message.status == "sent"
    delivered = receiver.verified[-1]["payload"]["data"]["customer"]
    assert "email" not in delivered and "name" not in delivered
    assert delivered["id"] == json.loads(message.body_text)["data"]["customer"]["id"]


def send_batch(receiver: Receiver, events: int) -> list[OutboundMessage]:
    """``events`` events queued for an endpoint at ``receiver``, sent as one batch."""
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    ids = [queue_event(endpoint, str(i)) for i in range(events)]
    assert messages_send(message_ids=ids) == {}
    return list(OutboundMessage.objects.filter(pk__in=ids))


def test_a_batch_to_a_receiver_that_keeps_connections_alive_goes_over_one_connection():
    receiver = Receiver(keep_alive=True).start()
    try:
        rows = send_batch(receiver, 5)
    finally:
        receiver.stop()
    assert receiver.connections == 1
    assert {row.status for row in rows} == {"sent"}
    assert sorted(receiver.ids()) == sorted(row.webhook_id for row in rows)
    assert receiver.refused == []


def test_a_kept_connection_the_receiver_closed_is_replaced_and_each_event_sent_once():
    receiver = Receiver(keep_alive=True, drops_idle=True).start()
    try:
        rows = send_batch(receiver, 4)
    finally:
        receiver.stop()
    assert {row.status for row in rows} == {"sent"}
    assert sorted(receiver.ids()) == sorted(row.webhook_id for row in rows)  # once each
    assert receiver.connections == 4
    attempts = WebhookAttempt.objects.filter(message__in=rows)
    assert sorted(a.status_code for a in attempts) == [200] * 4


def test_a_receiver_closing_after_each_reply_gets_a_connection_per_delivery(receiver):
    rows = send_batch(receiver, 3)  # HTTP/1.0: it closes every connection
    assert {row.status for row in rows} == {"sent"}
    assert receiver.connections == 3


def _endpoint_statements(captured, verb: str) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].startswith(verb) and '"followups_webhookendpoint"' in query["sql"]
    )


@pytest.fixture
def clock_stopped(monkeypatch):
    """The transport's clock stands still: a slow machine's batch is not read again."""
    from followups.outbox.transports import webhook

    monkeypatch.setattr(webhook.time, "monotonic", lambda: 1000.0)


def test_a_batch_reads_its_endpoint_once(receiver, clock_stopped):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    ids = [queue_event(endpoint, str(i)) for i in range(5)]

    with CaptureQueriesContext(connection) as captured:
        assert messages_send(message_ids=ids) == {}

    assert _endpoint_statements(captured, "SELECT") == 1
    assert _endpoint_statements(captured, "UPDATE") == 0  # it was not failing
    assert set(OutboundMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "sent"
    }


def test_within_a_batch_a_success_after_a_failure_clears_the_failing_mark_once(
    receiver, clock_stopped
):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.statuses = [500, 200, 200, 200]
    ids = [queue_event(endpoint, str(i)) for i in range(4)]

    with CaptureQueriesContext(connection) as captured:
        retry = messages_send(message_ids=ids)

    endpoint.refresh_from_db()
    assert endpoint.failing_since is None  # the failure's mark was read back, then cleared
    assert list(retry) == [ids[0]]
    # Read at the start, checked by the failure's note (disable it yet?), read
    # after that note and after the success's: not once per message.
    assert _endpoint_statements(captured, "SELECT") == 4
    assert _endpoint_statements(captured, "UPDATE") == 2  # marked failing, then cleared
    assert len(receiver.requests) == 4


def test_within_a_batch_an_endpoint_disabled_by_a_failure_gets_nothing_more(receiver):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    endpoint.failing_since = timezone.now() - timedelta(days=4)
    endpoint.save(update_fields=["failing_since"])
    receiver.statuses = [500, 200]
    ids = [queue_event(endpoint, str(i)) for i in range(2)]

    with TestCase.captureOnCommitCallbacks(execute=True):
        messages_send(message_ids=ids)

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert len(receiver.requests) == 1
    assert OutboundMessage.objects.get(pk=ids[1]).last_error == (
        "The webhook endpoint is disabled or gone."
    )


def test_an_endpoint_disabled_elsewhere_gets_nothing_more_from_a_batch_after_a_second(
    receiver, monkeypatch
):
    from followups.outbox.transports import webhook

    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    ids = [queue_event(endpoint, str(i)) for i in range(3)]
    clock = {"now": 1000.0}
    monkeypatch.setattr(webhook.time, "monotonic", lambda: clock["now"])
    post = webhook.WebhookTransport.post

    def post_then_disable(transport, *args, **kwargs):
        answered = post(transport, *args, **kwargs)
        # After the first delivery, a manager disables the endpoint.
        type(endpoint).objects.filter(pk=endpoint.pk).update(is_active=False)
        clock["now"] += 0.6
        return answered

    monkeypatch.setattr(webhook.WebhookTransport, "post", post_then_disable)

    messages_send(message_ids=ids)

    rows = {row.pk: row for row in OutboundMessage.objects.filter(pk__in=ids)}
    # The second went with the row read 0.6 s before; the third read it again.
    assert [rows[pk].status for pk in ids] == ["sent", "sent", "failed"]
    assert rows[ids[2]].last_error == "The webhook endpoint is disabled or gone."
    assert len(receiver.requests) == 2
