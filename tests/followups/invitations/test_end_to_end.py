"""The invitation API end to end: real PostgreSQL, real Redis, a real worker
process and a real SMTP server on 127.0.0.1; the periodic task is published to
the worker as celery beat publishes it. Nothing here runs in eager mode."""

from __future__ import annotations

import time

import pytest
import redis
from django.utils import timezone
from rest_framework.test import APIClient

from followups.invitations.scheduled import invitations_send
from followups.models import OutboundMessage
from followups.publish import SEND_DUE_INVITATIONS, task_publish
from followups.sweep import lost_work_sweep
from surveys import services
from surveys.models import ApiScope, Customer, Invitation
from tests.factories import CustomerFactory, SurveyFactory
from tests.surveys.api.conftest import make_token
from tests.worker import WorkerProcess, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

URL = "/api/v1/invitations/"
SCOPES = [ApiScope.INVITATIONS_WRITE, ApiScope.INVITATIONS_READ]


def start_worker(broker: str, smtp) -> WorkerProcess:
    return WorkerProcess(broker_url=broker, email_url=smtp.url, concurrency=2).start()


@pytest.fixture
def worker(redis_broker, smtp):
    process = start_worker(redis_broker, smtp)
    yield process
    process.stop()


@pytest.fixture
def survey():
    return SurveyFactory(slug="support", throttle_days=30)


def client(name: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_token(name, SCOPES)}")
    return api


def invite(api: APIClient, email: str, *, key: str | None = None, **fields):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = {"survey": "support", "customer": {"email": email}, **fields}
    return api.post(URL, body, format="json", **headers)


def beat() -> None:
    """What celery beat publishes every NPS_INVITATION_SEND_INTERVAL_SECONDS."""
    task_publish(SEND_DUE_INVITATIONS)


def delivered_to(smtp, email: str) -> int:
    return smtp.handler.recipients().count(email)


def settled(worker, smtp, count: int):
    """Wait until ``count`` emails were delivered and recorded as sent."""
    wait_for(
        lambda: (
            len(smtp.handler.messages) >= count
            and OutboundMessage.objects.filter(status="sent").count() >= count
        ),
        timeout=60,
        message=lambda: f"not delivered:\n{worker.output()[-3000:]}",
    )


def test_scheduled_for_later_is_sent_once_when_due_and_not_before(worker, smtp, survey):
    api = client("helpdesk")
    created = invite(api, "later@example.com", delay=3)
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "scheduled"
    beat()
    time.sleep(1)
    assert smtp.handler.messages == []

    def beat_and_delivered() -> int:
        beat()
        return delivered_to(smtp, "later@example.com")

    wait_for(beat_and_delivered, timeout=30, interval=0.5)
    settled(worker, smtp, 1)
    # More beats, and the same chunk published again, send nothing more.
    beat()
    beat()
    time.sleep(2)
    assert delivered_to(smtp, "later@example.com") == 1
    detail = api.get(f"{URL}{created.json()['id']}/").json()
    assert detail["status"] == "sent"
    assert detail["sent_at"] is not None


def test_without_a_time_it_is_sent_at_once_with_no_beat(worker, smtp, survey):
    reply = invite(client("helpdesk"), "now@example.com")
    assert reply.status_code == 201
    settled(worker, smtp, 1)
    assert delivered_to(smtp, "now@example.com") == 1
    message = smtp.handler.messages[0]
    assert "/s/" in message.get_payload()[0].get_payload(decode=True).decode()


def test_cancelled_before_it_is_due_is_never_sent(worker, smtp, survey):
    api = client("helpdesk")
    created = invite(api, "cancel@example.com", delay=1)
    assert api.delete(f"{URL}{created.json()['id']}/").status_code == 204
    time.sleep(1.5)
    beat()
    time.sleep(3)
    assert smtp.handler.messages == []
    assert Invitation.objects.with_status().get().status_value == "cancelled"


def test_each_reason_to_skip_is_reported_and_nothing_is_sent(worker, smtp, survey):
    api = client("helpdesk")
    CustomerFactory(email="unsub@example.com", unsubscribed_at="2026-01-01T00:00:00Z")
    CustomerFactory(email="bounced@example.com", email_bounced_at="2026-01-01T00:00:00Z")
    assert invite(api, "asked@example.com", delay=600).status_code == 201
    skipped_at_once = {
        email: invite(api, email).json()["skip_reason"]
        for email in ("unsub@example.com", "bounced@example.com", "asked@example.com")
    }
    assert skipped_at_once == {
        "unsub@example.com": "unsubscribed",
        "bounced@example.com": "bounced",
        "asked@example.com": "throttled",
    }
    # Reachable when asked, not any more when due: skipped at sending time.
    erased = invite(api, "erased@example.com", delay=1).json()
    unsubscribed = invite(api, "later-unsub@example.com", delay=1).json()
    services.customer_erase(customer=Customer.objects.get(pk=erased["customer"]))
    services.customer_unsubscribe(customer=Customer.objects.get(pk=unsubscribed["customer"]))
    time.sleep(1.5)
    beat()
    wait_for(
        lambda: not Invitation.objects.pending().filter(scheduled_at__lte=timezone.now()).exists(),
        timeout=30,
        message=lambda: worker.output()[-3000:],
    )
    assert api.get(f"{URL}{erased['id']}/").json()["skip_reason"] == "erased"
    assert api.get(f"{URL}{unsubscribed['id']}/").json()["skip_reason"] == "unsubscribed"
    time.sleep(1)
    assert smtp.handler.messages == []


def test_bulk_sends_each_valid_item_once(worker, smtp, survey):
    items = [{"survey": "support", "customer": {"email": f"bulk{n}@example.com"}} for n in range(5)]
    items.append({"survey": "support", "customer": {"email": "not-an-email"}})
    reply = client("helpdesk").post(f"{URL}bulk/", {"invitations": items}, format="json")
    assert reply.status_code == 200
    assert (reply.json()["created"], reply.json()["invalid"]) == (5, 1)
    settled(worker, smtp, 5)
    beat()
    time.sleep(2)
    assert sorted(smtp.handler.recipients()) == [f"bulk{n}@example.com" for n in range(5)]


def test_the_same_key_twice_sends_once_and_two_clients_send_twice(worker, smtp, survey):
    shop, crm = client("shop"), client("crm")
    first = invite(shop, "same@example.com", key="order-1")
    again = invite(shop, "same@example.com", key="order-1")
    other = invite(crm, "other@example.com", key="order-1")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json()["id"] == first.json()["id"] != other.json()["id"]
    settled(worker, smtp, 2)
    time.sleep(1)
    assert sorted(smtp.handler.recipients()) == ["other@example.com", "same@example.com"]


def test_lost_messages_are_found_again_by_the_beat_and_the_sweeper(
    redis_broker, smtp, survey, settings
):
    """No worker runs while an invitation falls due and its sending message is
    published; the broker then loses everything. The periodic task finds the
    invitation again; and an email stored but whose message was lost (a worker
    dying between the claim and the send) is the sweeper's."""
    settings.NPS_SWEEP_GRACE_SECONDS = 0
    api = client("helpdesk")
    lost_send = invite(api, "lost-send@example.com").json()
    redis.Redis.from_url(redis_broker).flushdb()
    # The claim went through (in this process) but its email message was lost.
    claimed = invite(api, "lost-email@example.com", delay=1).json()
    time.sleep(1.2)
    assert invitations_send(invitation_ids=[claimed["id"]]) == 1
    redis.Redis.from_url(redis_broker).flushdb()
    assert OutboundMessage.objects.filter(status="queued").count() == 1

    worker = start_worker(redis_broker, smtp)
    try:
        beat()
        wait_for(
            lambda: lost_work_sweep() and len(smtp.handler.messages) >= 2,
            timeout=60,
            interval=0.5,
            message=lambda: worker.output()[-3000:],
        )
        time.sleep(2)
        lost_work_sweep()
        beat()
        time.sleep(2)
    finally:
        worker.stop()
    assert sorted(smtp.handler.recipients()) == ["lost-email@example.com", "lost-send@example.com"]
    assert Invitation.objects.get(pk=lost_send["id"]).sent_at is not None
