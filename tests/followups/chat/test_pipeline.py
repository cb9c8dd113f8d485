"""Alerts end to end: a recorded answer, real PostgreSQL and a real broker
(Redis, and RabbitMQ with quorum queues), a real worker process with
production settings, and the local stand-in for Slack. Nothing here runs in
eager mode."""

from __future__ import annotations

import pytest

from followups.chat.alerts import chat_alert_create
from followups.models import FollowUpCase, OutboundMessage
from surveys import services as survey_services
from tests.factories import CustomerFactory, SurveyFactory
from tests.followups.chat import texts, urls
from tests.worker import WorkerProcess, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def test_a_detractors_answer_reaches_the_channel_inert_and_a_500_is_retried(broker, smtp, slack):
    survey = SurveyFactory()
    chat_alert_create(survey=survey, url=slack.url)
    slack.replies = [(500, "internal_error", {})]
    worker = WorkerProcess(
        broker_url=broker,
        email_url=smtp.url,
        concurrency=1,
        NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS="True",  # the stand-in listens on 127.0.0.1
        NPS_EMAIL_RETRY_BASE_SECONDS=0.5,
        NPS_EMAIL_RETRY_MAX_SECONDS=1,
    ).start()
    try:
        customer = CustomerFactory(segment="smb")
        recorded = survey_services.response_record(
            survey=survey,
            customer=customer,
            score=1,
            comment="<!channel> *now* <http://x.example|y>",
        )
        wait_for(
            lambda: OutboundMessage.objects.filter(channel="slack", status="sent").exists(),
            timeout=60,
            message=lambda: f"no alert delivered:\n{worker.output()[-3000:]}",
        )
    finally:
        worker.stop()
    case = FollowUpCase.objects.get(response=recorded.response)
    assert len(slack.requests) == 2  # refused once with 500, then taken
    first, second = slack.messages()
    assert first == second
    raw = slack.requests[1]["body"].decode()
    assert "<" not in raw
    assert "&lt;!channel&gt; *now* &lt;http[:]//x[.]example|y&gt;" in raw
    assert {text["type"] for text in texts(second)} == {"plain_text"}
    [link] = urls(second)
    assert link.endswith(f"/admin/followups/followupcase/{case.pk}/change/")
    row = OutboundMessage.objects.get(channel="slack")
    assert row.attempts == 2
