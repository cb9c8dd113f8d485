"""A worker SIGKILLed mid-delivery, with a real worker process on real
PostgreSQL and Redis, and a real receiver verifying each delivery: every
event arrives, each under its one webhook-id (the one in flight twice, with
the same id). Nothing here runs in eager mode."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from followups.models import OutboundMessage
from followups.sweep import lost_work_sweep
from followups.webhooks.emit import Event, WebhookEmitter
from tests.factories import CustomerFactory
from tests.followups.webhooks import endpoint_for
from tests.worker import WorkerProcess, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

# Production settings, with webhook timeouts short enough (production: 5 s
# and 10 s) for the sender's lease (5 s + 4 s a message) to run out in the test.
WORKER_ENV = {
    "NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "True",
    "NPS_WEBHOOK_CONNECT_TIMEOUT": "1",
    "NPS_WEBHOOK_READ_TIMEOUT": "3",
}


def test_a_worker_killed_mid_delivery_leaves_each_event_delivered_under_one_id(
    redis_broker, smtp, receiver
):
    endpoint = endpoint_for(receiver, ["customer.unsubscribed"])
    receiver.stall = 60  # the receiver holds the first request: the worker dies meanwhile
    worker = WorkerProcess(
        broker_url=redis_broker, email_url=smtp.url, concurrency=1, **WORKER_ENV
    ).start()
    replacement = None
    try:
        emitter = WebhookEmitter()  # three events of one transaction: one task, one batch
        with transaction.atomic():
            for customer in CustomerFactory.create_batch(3):
                now = timezone.now()
                emitter.add(
                    Event(
                        "customer.unsubscribed",
                        f"customer:{customer.pk}:unsubscribed",
                        now,
                        {"customer": customer, "unsubscribed_at": now},
                    )
                )
            ids = emitter.save()
        wait_for(lambda: receiver.requests, timeout=30, interval=0.02)
        worker.kill()
        assert OutboundMessage.objects.filter(pk__in=ids, status="sending").count() == 3
        replacement = WorkerProcess(
            broker_url=redis_broker, email_url=smtp.url, **WORKER_ENV
        ).start()

        def swept_and_sent():
            lost_work_sweep()
            return OutboundMessage.objects.filter(pk__in=ids, status="sent").count() == 3

        wait_for(
            swept_and_sent,
            timeout=60,
            interval=0.5,
            message=lambda: replacement.output()[-3000:],
        )
    finally:
        worker.stop()
        if replacement is not None:
            replacement.stop()
    time.sleep(1)  # a late duplicate would show
    assert receiver.refused == []
    expected = {row.webhook_id for row in OutboundMessage.objects.filter(pk__in=ids)}
    arrived = Counter(receiver.ids())
    assert set(arrived) == expected  # every event, each under its own row's webhook-id
    # The one in flight when the worker died arrived twice, the others once.
    assert sorted(arrived.values()) == [1, 1, 2]
    assert endpoint.deliveries.count() == 3
