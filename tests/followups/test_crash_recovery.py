"""A worker SIGKILLed mid-work, on real PostgreSQL and Redis with a real worker
process: a new worker and the sweeper finish the work exactly once. Nothing
here runs in eager mode."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from followups.invitations.waves import wave_start
from followups.models import OutboundMessage
from followups.outbox.messages import email_queue
from followups.outbox.transports.email import email_lease_seconds
from followups.publish import messages_enqueue
from followups.sweep import lost_work_sweep
from surveys.models import Customer, Invitation, Wave
from tests.factories import SurveyFactory
from tests.worker import WorkerProcess, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def sweep_until(done, *, timeout: float, every: float = 0.5):
    """Run the sweeper as celery beat would (more often), until ``done()``."""

    def swept_and_done():
        lost_work_sweep()
        return done()

    return wait_for(swept_and_done, timeout=timeout, interval=every)


def test_a_wave_whose_worker_is_killed_midway_completes_exactly_once(redis_broker, settings):
    n, chunk_size = 20_000, 500
    settings.NPS_SWEEP_GRACE_SECONDS = 3
    survey = SurveyFactory()
    Customer.objects.bulk_create(
        [Customer(email=f"w{i}@example.com", name=f"W {i}", locale="en") for i in range(n)],
        batch_size=5000,
    )

    def wave_worker() -> WorkerProcess:
        # Only the queue waves run on: the emails stay queued rows, counted below.
        return WorkerProcess(
            broker_url=redis_broker,
            email_url="dummymail://",
            queues="default",
            NPS_WAVE_CHUNK_SIZE=chunk_size,
        ).start()

    first = wave_worker()
    replacement = None
    try:
        settings.NPS_WAVE_CHUNK_SIZE = chunk_size
        wave = wave_start(survey=survey)
        wait_for(
            lambda: Wave.objects.get(pk=wave.pk).chunks_done >= 5,
            timeout=60,
            interval=0.05,
            message=lambda: first.output()[-3000:],
        )
        first.kill()
        killed_at = Wave.objects.get(pk=wave.pk)
        assert 0 < killed_at.chunks_done < killed_at.chunk_count == n // chunk_size

        replacement = wave_worker()
        # The chunks the killed worker held are lost with it (Redis keeps
        # them unacknowledged for hours): the sweeper publishes them again.
        sweep_until(
            lambda: Wave.objects.get(pk=wave.pk).finished_at is not None,
            timeout=90,
        )
    finally:
        first.stop()
        if replacement is not None:
            replacement.stop()
    wave.refresh_from_db()
    assert (wave.chunks_done, wave.invited) == (wave.chunk_count, n)
    invited = Invitation.objects.values("customer").annotate(k=Count("pk"))
    assert invited.count() == n
    assert not invited.filter(k__gt=1).exists()
    emailed = OutboundMessage.objects.values("customer").annotate(k=Count("pk"))
    assert emailed.count() == n
    assert not emailed.filter(k__gt=1).exists()


def test_a_sender_killed_mid_send_has_its_emails_sent_again_once_its_lease_expires(
    redis_broker, smtp
):
    """With production settings but EMAIL_TIMEOUT=2 (production: 10), so that
    the lease, derived from it exactly as in production
    (``email_lease_seconds``: 5 s + 3 x 2 s to connect + 4 x 2 s per message,
    27 s for this batch of two, against 75 s with production's timeout), runs
    out within the test. Production's own figure is checked in
    ``test_email_lease.py``."""
    timeout = 2
    worker = WorkerProcess(
        broker_url=redis_broker, email_url=smtp.url, concurrency=1, EMAIL_TIMEOUT=timeout
    ).start()
    replacement = None
    rows = [
        email_queue(
            template="offer",
            dedupe_key=f"lease-{i}",
            recipient=f"lease{i}@example.com",
            language="en",
            context={"customer_name": "A", "offer": "10%", "code": "C", "expires": "soon"},
        )
        for i in range(2)
    ]
    smtp.handler.stall_after_accepting = 60  # the server takes the first message, then stalls
    try:
        messages_enqueue(message_ids=[row.pk for row in rows])
        wait_for(lambda: smtp.handler.messages, timeout=30, interval=0.02)
        worker.kill()
        killed_at = timezone.now()
        smtp.handler.stall_after_accepting = 0
        claimed = list(OutboundMessage.objects.order_by("pk"))
        assert {row.status for row in claimed} == {"sending"}
        [lease_expires_at] = {row.lease_expires_at for row in claimed}
        lease = email_lease_seconds(smtp_timeout=timeout, messages=2, cap=75)
        assert lease == 27
        assert (lease_expires_at - claimed[0].claimed_at).total_seconds() == lease

        replacement = WorkerProcess(broker_url=redis_broker, email_url=smtp.url).start()
        released = []

        def swept():
            if lost_work_sweep().unstuck:
                released.append(timezone.now())
            return released

        wait_for(swept, timeout=lease + 30, interval=0.5)
        # Not before the lease expired, and by the first sweep after it (this
        # test sweeps every 0.5 s; beat, every 30 s); the lease began before the kill.
        assert lease_expires_at < released[0] <= lease_expires_at + timedelta(seconds=5)
        assert (released[0] - killed_at).total_seconds() <= lease + 5
        wait_for(
            lambda: OutboundMessage.objects.filter(status="sent").count() == 2,
            timeout=30,
            message=lambda: replacement.output()[-3000:],
        )
    finally:
        worker.stop()
        if replacement is not None:
            replacement.stop()
    time.sleep(1)  # a late duplicate would show
    by_id: dict[str, int] = {}
    for message in smtp.handler.messages:
        by_id[message["Message-ID"]] = by_id.get(message["Message-ID"], 0) + 1
    expected = {row.message_id for row in rows}
    assert set(by_id) == expected  # every email arrived, each under its own row's Message-ID
    # The one the killed worker was sending went out twice, the other once.
    assert sorted(by_id.values()) == [1, 2]
