"""Alerts posted to a real receiver on 127.0.0.1: the JSON Slack gets (a
hostile comment arrives inert), retried while the chat fails for now,
refused for good when it says so, and the alert disabled when its URL is gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from followups.chat.alerts import chat_alert_create
from followups.models import CaseEvent, FollowUpCase, OutboundMessage, WebhookAttempt
from followups.outbox.sending import messages_send
from followups.outbox.transports.webhook import retry_after_seconds
from followups.routing import responses_route
from surveys.models import DriverChoice
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, manager, staff_member
from tests.followups.chat import texts, urls

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<!channel> <!here> <@U123ABC> <http://evil.example/login|click here> "
    "*bold* _italic_ ~struck~ `code` ```block``` & www.evil.example mail me at a@evil.example"
)


def alert_for(slack, survey, **fields):
    return chat_alert_create(survey=survey, url=slack.url, **fields)


def routed(survey, **fields):
    response = ResponseFactory(survey=survey, **fields)
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[response.pk])
    return response


def send(message_id):
    """One delivery attempt now, as a worker would make it."""
    OutboundMessage.objects.filter(pk=message_id).update(next_attempt_at=timezone.now())
    retry = messages_send(message_ids=[message_id])
    return OutboundMessage.objects.get(pk=message_id), retry


def queued(survey, slack, **fields):
    """A detractor's answer routed, and the id of its alert's outbox row (not yet sent)."""
    alert = alert_for(slack, survey)
    response = ResponseFactory(survey=survey, score=2, **fields)
    responses_route(response_ids=[response.pk])
    return alert, alert.deliveries.get(response=response).pk


def test_the_slack_message_json_from_a_local_receiver_with_a_hostile_comment_is_inert(slack):
    staff_member("agent", first_name="Casey", last_name="Owner")
    survey = SurveyFactory(name="Support <b>", auto_assign=True)
    alert_for(slack, survey)
    customer = CustomerFactory(segment="<!everyone> *gold*")
    response = routed(survey, customer=customer, score=2, comment=HOSTILE)
    case = FollowUpCase.objects.get(response=response)

    [message] = slack.messages()
    raw = slack.requests[0]["body"].decode()
    assert slack.requests[0]["headers"]["content-type"].startswith("application/json")
    # Nothing a comment says becomes a mention, a link or formatting.
    for control in ("<!channel>", "<!here>", "<!everyone>", "<@U123ABC>", "<http"):
        assert control not in raw
    assert "<" not in raw and ">" not in raw  # Slack parses nothing but <...>
    assert {text["type"] for text in texts(message)} == {"plain_text"}
    assert all(text.get("emoji") is False for text in texts(message))
    [comment] = [t["text"] for t in texts(message) if "channel" in t["text"]]
    assert comment == (
        "Comment:\n&lt;!channel&gt; &lt;!here&gt; &lt;@U123ABC&gt; "
        "&lt;http[:]//evil[.]example/login|click here&gt; *bold* _italic_ ~struck~ "
        "`code` ```block``` &amp; www[.]evil[.]example mail me at a@evil[.]example"
    )
    # The only link is the button to the case, and nothing unfurls.
    case_url = f"{settings.PUBLIC_BASE_URL}/admin/followups/followupcase/{case.pk}/change/"
    assert urls(message) == [case_url]
    assert message["unfurl_links"] is False and message["unfurl_media"] is False
    # What the channel needs to act: score, segment, owner, due time.
    shown = [t["text"] for t in texts(message)]
    assert shown[0] == "Detractor: 2/10 on Support &lt;b&gt;"
    assert message["text"] == shown[0]
    assert "Score: 2/10" in shown
    assert "Segment: &lt;!everyone&gt; *gold*" in shown
    assert "Owner: Casey Owner" in shown
    due = timezone.localtime(case.due_at)
    [due_shown] = [text for text in shown if text.startswith("Due: ")]
    assert f"{due:%Y}" in due_shown and due.tzname() in due_shown
    assert [block["type"] for block in message["blocks"]] == [
        "header",
        "section",
        "section",
        "actions",
        "context",
    ]
    row = OutboundMessage.objects.get(channel="slack")
    assert row.status == "sent"
    assert row.case_id == case.pk
    assert row.subject == "Detractor: 2/10 on Support <b>"  # for the admin, which escapes it
    assert slack.url not in row.recipient  # the URL is a secret: masked
    # A message to a channel is not contact with the customer: not on the timeline.
    sent = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.EMAIL_SENT)
    assert [event.data["email_id"] for event in sent] != [row.pk]
    assert not sent.filter(data__template="chat_alert").exists()


def test_a_long_comment_is_cut_within_block_kits_limit(slack):
    survey = SurveyFactory()
    alert_for(slack, survey)
    routed(survey, score=0, comment="<" * 5000)
    [message] = slack.messages()
    [comment] = [t["text"] for t in texts(message) if t["text"].startswith("Comment:")]
    assert len(comment) <= 3000
    assert comment.endswith("&lt;…")


def test_only_detractors_are_posted_unless_more_categories_are_chosen(slack):
    survey = SurveyFactory()
    alert_for(slack, survey)
    alert_for(slack, survey, categories=["promoter", "detractor"])
    routed(survey, score=10)
    routed(survey, score=8)
    assert len(slack.messages()) == 1
    [promoter] = slack.messages()
    [url] = urls(promoter)
    assert "/admin/surveys/response/" in url
    assert promoter["text"].startswith("Promoter: 10/10")


def test_routing_twice_posts_once_and_other_surveys_post_nothing(slack):
    survey = SurveyFactory()
    alert_for(slack, survey)
    response = routed(survey, score=1)
    routed(SurveyFactory(), score=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[response.pk])
    assert len(slack.messages()) == 1


def test_a_disabled_alert_gets_nothing(slack):
    survey = SurveyFactory()
    alert = alert_for(slack, survey)
    alert.is_active = False
    alert.save()
    routed(survey, score=1)
    assert slack.requests == []
    assert not OutboundMessage.objects.filter(channel="slack").exists()


def test_a_chat_failing_twice_gets_the_alert_on_the_third_try(slack):
    alert, message_id = queued(SurveyFactory(), slack)
    slack.replies = [(500, "internal_error", {}), (503, "", {})]
    message, retry = send(message_id)
    assert message.status == "queued"
    assert message.last_error.startswith("Slack answered 500 internal_error")
    assert retry[message_id] > 0
    send(message_id)
    message, _ = send(message_id)
    assert message.status == "sent"
    assert message.attempts == 3
    bodies = {request["body"] for request in slack.requests}
    assert len(slack.requests) == 3 and len(bodies) == 1  # the same message each time
    codes = WebhookAttempt.objects.filter(message_id=message_id).order_by("started_at")
    assert [a.status_code for a in codes] == [500, 503, 200]
    alert.refresh_from_db()
    assert alert.failing_since is None


def test_429_is_tried_again_no_sooner_than_retry_after(slack, settings):
    settings.NPS_EMAIL_RETRY_BASE_SECONDS = 1
    _, message_id = queued(SurveyFactory(), slack)
    slack.replies = [(429, "rate_limited", {"Retry-After": "120"})]
    before = timezone.now()
    message, retry = send(message_id)
    assert message.status == "queued"
    assert retry[message_id] >= 120
    assert message.next_attempt_at >= before + timedelta(seconds=120)


@pytest.mark.parametrize("status, reason", [(404, "no_service"), (410, "channel_is_archived")])
def test_a_gone_url_fails_for_good_disables_the_alert_and_tells_the_managers(slack, status, reason):
    manager("boss", email="boss@example.com")
    alert, message_id = queued(SurveyFactory(), slack)
    slack.replies = [(status, reason, {})]
    with TestCase.captureOnCommitCallbacks(execute=True):
        message, retry = send(message_id)
    assert retry == {}
    assert message.status == "failed"
    assert message.last_error == f"Slack answered {status} {reason}"
    alert.refresh_from_db()
    assert not alert.is_active
    assert reason in alert.disabled_reason
    [email] = [m for m in mail.outbox if "boss@example.com" in m.to]
    assert alert.url_masked in email.body
    assert "secret" not in email.body  # the masked URL only
    # Its own wording, not the webhook endpoint's.
    assert email.subject == f"Slack alert disabled: {alert.url_masked}"
    assert "Its channel is no longer told about new answers." in email.body
    assert "webhook endpoint" not in email.body.lower()
    assert f"/admin/followups/chatalert/{alert.pk}/change/" in email.body


@pytest.mark.parametrize("status", [400, 403])
def test_other_4xx_answers_fail_the_message_for_good(slack, status):
    alert, message_id = queued(SurveyFactory(), slack)
    slack.replies = [(status, "invalid_payload", {})]
    message, retry = send(message_id)
    assert retry == {}
    assert message.status == "failed"
    alert.refresh_from_db()
    assert alert.is_active


def test_a_chat_down_then_up_gets_the_alert(slack):
    alert, message_id = queued(SurveyFactory(), slack)
    port = slack.port
    slack.stop()
    message, retry = send(message_id)
    assert message.status == "queued"
    assert message_id in retry
    assert "ConnectionRefusedError" in message.last_error
    alert.refresh_from_db()
    assert alert.failing_since is not None
    slack.port = port
    slack.start()
    message, _ = send(message_id)
    assert message.status == "sent"
    assert len(slack.messages()) == 1


def test_an_alert_failing_for_days_is_disabled_and_the_managers_told(slack, settings):
    manager("boss", email="boss@example.com")
    alert, message_id = queued(SurveyFactory(), slack)
    type(alert).objects.filter(pk=alert.pk).update(
        failing_since=timezone.now() - timedelta(days=settings.NPS_WEBHOOK_DISABLE_AFTER_DAYS + 1)
    )
    slack.replies = [(500, "", {})]
    with TestCase.captureOnCommitCallbacks(execute=True):
        send(message_id)
    alert.refresh_from_db()
    assert not alert.is_active
    assert "failed for 3 days" in alert.disabled_reason
    assert any("boss@example.com" in m.to for m in mail.outbox)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("Tue, 01 Dec 2026 10:02:00 GMT", 120.0),
        ("Tue, 01 Dec 2026 09:00:00 GMT", 0.0),  # already past: no extra wait
        ("soon", None),
        ("", None),
        (None, None),
        ("\u00b2", None),  # a digit to str.isdigit, no number to float
        ("\u2460", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(value, seconds):
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now=now) == seconds


def test_the_alert_names_the_main_reason_in_the_sites_language(slack, settings):
    settings.LANGUAGE_CODE = "pl"
    survey = SurveyFactory(driver_question="What mattered most?")
    price = DriverChoice.objects.create(survey=survey, key="price", label="Price", label_pl="Cena")
    alert_for(slack, survey)
    routed(survey, score=2, driver=price)
    routed(survey, score=3)

    with_reason, without = slack.messages()
    shown = [t["text"] for t in texts(with_reason)]
    assert any(text.endswith(": Cena") for text in shown)
    assert not any(text.endswith(": Cena") for text in (t["text"] for t in texts(without)))
