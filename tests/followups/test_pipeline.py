"""The loop end to end: real PostgreSQL, a real broker (Redis, and RabbitMQ
with quorum queues: each worker test runs on both), a real worker process and
a real SMTP server on 127.0.0.1. Nothing here runs in eager mode."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import pytest
from django.db import close_old_connections, connection
from django.db.models import Count

from followups.models import FollowUpCase, OfferGrant, OutboundMessage, RewardGrant
from followups.routing import responses_route
from followups.sweep import lost_work_sweep
from followups.tasks import responses_route_task
from surveys import services as survey_services
from surveys.models import Response
from tests.factories import CustomerFactory, SurveyFactory
from tests.worker import WorkerProcess, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(broker, smtp):
    process = WorkerProcess(
        broker_url=broker,
        email_url=smtp.url,
        concurrency=3,
        NPS_EMAIL_RETRY_BASE_SECONDS=0.5,
        NPS_EMAIL_RETRY_MAX_SECONDS=2,
        NPS_EMAIL_MAX_ATTEMPTS=4,
    ).start()
    yield process
    process.stop()


def outcome_counts() -> dict:
    return {
        "cases": FollowUpCase.objects.count(),
        "offers": OfferGrant.objects.count(),
        "rewards": RewardGrant.objects.count(),
        "emails_sent": OutboundMessage.objects.filter(status="sent").count(),
    }


def test_every_score_ends_with_exactly_its_outcome_and_one_delivered_email(worker, smtp):
    survey = SurveyFactory()
    customers = [CustomerFactory(email=f"score{score}@example.com") for score in range(11)]
    for score, customer in enumerate(customers):
        survey_services.response_record(survey=survey, customer=customer, score=score)

    wait_for(
        # Delivered, and the delivery recorded (the SMTP reply comes before the
        # worker records the batch as sent).
        lambda: (
            len(smtp.handler.messages) >= 11
            and OutboundMessage.objects.filter(status="sent").count() >= 11
        ),
        timeout=60,
        message=lambda: f"the loop did not finish:\n{worker.output()[-3000:]}",
    )
    assert outcome_counts() == {"cases": 7, "offers": 2, "rewards": 2, "emails_sent": 11}
    for score, customer in enumerate(customers):
        response = Response.objects.get(customer=customer)
        assert response.routed_at is not None
        assert hasattr(response, "case") == (score <= 6)
        assert hasattr(response, "offer_grant") == (score in (7, 8))
        assert hasattr(response, "reward_grant") == (score >= 9)
    assert sorted(smtp.handler.recipients()) == sorted(c.email for c in customers)
    subjects = {m["To"]: m["Subject"] for m in smtp.handler.messages}
    assert "sorry" in subjects["score0@example.com"]
    assert "offer" in subjects["score7@example.com"]
    assert "recommending" in subjects["score10@example.com"]


def test_one_routing_task_delivered_three_times_at_once_gives_one_outcome_and_one_email(
    worker, smtp
):
    survey = SurveyFactory()
    ids = [
        Response.objects.create(survey=survey, customer=CustomerFactory(), score=score).pk
        for score in (2, 7, 10)
    ]
    for _ in range(3):
        responses_route_task.delay(ids)
    wait_for(
        # Delivered, and the delivery recorded (at the end of the sender's batch).
        lambda: (
            len(smtp.handler.messages) >= 3
            and OutboundMessage.objects.filter(status="sent").count() >= 3
        ),
        timeout=60,
        message=lambda: worker.output()[-3000:],
    )
    # Give the two duplicate deliveries time to finish (and fail to double anything).
    wait_for(
        lambda: (
            "succeeded" in worker.output()
            and worker.output().count("followups.route_responses") >= 6
        ),
        timeout=30,
    )
    assert outcome_counts() == {"cases": 1, "offers": 1, "rewards": 1, "emails_sent": 3}
    assert len(smtp.handler.messages) == 3
    per_response = Response.objects.annotate(n=Count("emails")).values_list("n", flat=True)
    assert list(per_response) == [1, 1, 1]


def test_concurrent_routing_of_the_same_answers_in_three_threads_creates_each_outcome_once(
    settings,
):
    """The race itself, on PostgreSQL row locks: three routers start together."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    survey = SurveyFactory()
    ids = [
        Response.objects.create(survey=survey, customer=CustomerFactory(), score=s).pk
        for s in (0, 5, 8, 9)
    ]
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait()
            responses_route(response_ids=ids)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert FollowUpCase.objects.count() == 2
    assert OfferGrant.objects.count() == 1
    assert RewardGrant.objects.count() == 1
    assert OutboundMessage.objects.count() == 4
    assert not Response.objects.unrouted().exists()


def test_broker_down_at_commit_loses_nothing_and_the_sweeper_routes_it_later(
    worker, smtp, celery_conf, broker
):
    from tests.smtp import free_port

    survey, customer = SurveyFactory(), CustomerFactory(email="late@example.com")
    # The same kind of broker, where nothing listens.
    celery_conf(broker_url=urlsplit(broker)._replace(netloc=f"127.0.0.1:{free_port()}").geturl())
    slept = []
    with pytest.MonkeyPatch.context() as patch:
        # kombu's reconnect loop sleeps between attempts; count, don't wait.
        patch.setattr("kombu.utils.functional.sleep", slept.append)
        recorded = survey_services.response_record(survey=survey, customer=customer, score=3)
    assert recorded.created  # the customer got an answer, not an error
    assert sum(slept) < 0.5  # ... at once: not after a reconnect back-off
    assert Response.objects.unrouted().get() == recorded.response

    celery_conf(broker_url=broker)  # the broker is back
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.NPS_SWEEP_GRACE_SECONDS", 0)
        assert lost_work_sweep().responses == 1
    wait_for(
        lambda: smtp.handler.recipients() == ["late@example.com"],
        timeout=60,
        message=lambda: worker.output()[-3000:],
    )
    assert FollowUpCase.objects.filter(response=recorded.response).count() == 1
    assert not Response.objects.unrouted().exists()


def test_mail_server_failing_twice_is_retried_by_the_worker_and_delivers_once(worker, smtp):
    smtp.handler.temporary_failures_left = 2
    survey_services.response_record(
        survey=SurveyFactory(), customer=CustomerFactory(email="retry@example.com"), score=9
    )
    wait_for(lambda: smtp.handler.messages, timeout=60, message=lambda: worker.output()[-3000:])
    email = OutboundMessage.objects.get()
    wait_for(lambda: OutboundMessage.objects.get().status == "sent", timeout=10)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 3)
    assert smtp.handler.attempts == 3
    assert len(smtp.handler.messages) == 1


def _record_single_answers(survey, count: int, prefix: str) -> list[int]:
    """Single submissions, each its own transaction and hand-off, as the
    survey page and the single-answer API make them."""
    return [
        survey_services.response_record(
            survey=survey,
            customer=CustomerFactory(email=f"{prefix}{i}@example.com"),
            score=(0, 7, 10)[i % 3],
        ).response.pk
        for i in range(count)
    ]


def test_a_burst_of_single_answers_is_routed_by_far_fewer_runs_than_answers(worker, smtp):
    survey = SurveyFactory()
    ids = _record_single_answers(survey, 30, "burst")
    wait_for(
        lambda: OutboundMessage.objects.filter(status="sent").count() == 30,
        timeout=60,
        message=lambda: worker.output()[-3000:],
    )
    assert len(smtp.handler.messages) == 30
    assert not Response.objects.filter(pk__in=ids, routed_at=None).exists()
    assert outcome_counts() == {"cases": 10, "offers": 10, "rewards": 10, "emails_sent": 30}
    log = worker.output()
    runs = log.count("followups.route_recent_responses[")
    # One "received" and one "succeeded" line per run.
    assert 1 <= runs // 2 <= 10, log[-3000:]
    assert "followups.route_responses[" not in log  # no task of its own per answer


def test_answers_whose_run_a_restarted_broker_lost_are_routed_by_the_next_run(
    worker, smtp, settings, monkeypatch
):
    """The broker took the run's message and lost it (restarted empty): the
    answers it stood for, and those recorded while it was pending, are routed
    by the next answer's run, within seconds, not left to the sweeper."""
    from followups import publish

    survey = SurveyFactory()
    real_publish = publish.task_publish
    lost_runs = []

    def lost_by_the_broker(name, *args, countdown=None):
        lost_runs.append(name)  # taken, then gone with a restart: never delivered

    monkeypatch.setattr(publish, "task_publish", lost_by_the_broker)
    lost = _record_single_answers(survey, 3, "lost")
    assert lost_runs == [publish.ROUTE_RECENT]  # one run for the three
    monkeypatch.setattr(publish, "task_publish", real_publish)
    # the lost run would have started
    time.sleep(publish.countdown_for_broker(settings.NPS_ROUTING_COALESCE_SECONDS))
    [after] = _record_single_answers(survey, 1, "after")
    wait_for(
        lambda: OutboundMessage.objects.filter(status="sent").count() == 4,
        timeout=30,
        message=lambda: worker.output()[-3000:],
    )
    assert not Response.objects.filter(pk__in=[*lost, after], routed_at=None).exists()
    assert sorted(smtp.handler.recipients()) == sorted(
        [f"lost{i}@example.com" for i in range(3)] + ["after0@example.com"]
    )
