"""The admin: managers add a survey's Slack alert (its URL is a secret:
masked once saved, and only ever replaced), send a test message, and read
the delivery log; service staff do not see alerts at all."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import TestCase
from django.urls import reverse

from followups.chat.alerts import chat_alert_create
from followups.models import ChatAlert, OutboundMessage
from followups.outbox.sending import messages_send
from followups.routing import responses_route
from tests.factories import ResponseFactory, SurveyFactory, manager, staff_member
from tests.followups.chat import texts, urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client):
    client.force_login(manager("boss"))
    return client


def test_a_manager_adds_an_alert_and_its_url_is_never_shown_again(boss, slack):
    survey = SurveyFactory()
    added = boss.post(
        reverse("admin:followups_chatalert_add"),
        {
            "survey": survey.pk,
            "url": slack.url,
            "description": "#support",
            "categories": ["detractor"],
        },
        follow=True,
    )
    assert added.status_code == 200
    alert = ChatAlert.objects.get()
    assert (alert.url, alert.categories, alert.created_by.username) == (
        slack.url,
        ["detractor"],
        "boss",
    )
    secret = "XXXXsecretXXXX"
    listing = boss.get(reverse("admin:followups_chatalert_changelist")).content.decode()
    change = boss.get(reverse("admin:followups_chatalert_change", args=[alert.pk])).content.decode()
    for page in (added.content.decode(), listing, change):
        assert secret not in page
    assert alert.url_masked in listing
    assert alert.url_masked in change


def test_saving_without_a_new_url_keeps_it_and_a_new_one_replaces_it(boss, slack):
    alert = chat_alert_create(survey=SurveyFactory(), url=slack.url)
    change = reverse("admin:followups_chatalert_change", args=[alert.pk])
    form = {"survey": alert.survey_id, "url": "", "categories": ["detractor", "passive"]}
    assert boss.post(change, {**form, "is_active": "on"}).status_code == 302
    alert.refresh_from_db()
    assert (alert.url, alert.categories) == (slack.url, ["detractor", "passive"])
    new_url = f"http://127.0.0.1:{slack.port}/services/T/B/other"
    assert boss.post(change, {**form, "url": new_url, "is_active": "on"}).status_code == 302
    alert.refresh_from_db()
    assert alert.url == new_url


def test_the_admin_refuses_private_targets_in_production_and_no_categories(boss, settings):
    settings.NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = boss.post(
        reverse("admin:followups_chatalert_add"),
        {"survey": SurveyFactory().pk, "url": "http://169.254.169.254/latest/", "categories": []},
    )
    errors = response.context["adminform"].form.errors
    assert "169.254.169.254" in errors["url"][0]
    assert errors["categories"]
    assert not ChatAlert.objects.exists()


def test_a_test_message_reaches_the_channel(boss, slack):
    alert = chat_alert_create(survey=SurveyFactory(name="Onboarding"), url=slack.url)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = boss.post(
            reverse("admin:followups_chatalert_changelist"),
            {"action": "send_test_message", ACTION_CHECKBOX_NAME: [alert.pk]},
            follow=True,
        )
    assert "1 test message queued" in response.content.decode()
    [message] = slack.messages()
    assert message["text"] == "Test message: alerts for Onboarding will arrive here"
    assert {text["type"] for text in texts(message)} == {"plain_text"}
    assert urls(message)[0].endswith(f"/admin/followups/chatalert/{alert.pk}/change/")
    row = OutboundMessage.objects.get(channel="slack")
    assert (row.status, row.created_by.username) == ("sent", "boss")


def test_the_delivery_log_shows_answers_and_sends_again(boss, slack):
    survey = SurveyFactory()
    alert = chat_alert_create(survey=survey, url=slack.url)
    responses_route(response_ids=[ResponseFactory(survey=survey, score=0).pk])
    delivery = alert.deliveries.get()
    slack.replies = [(400, "invalid_blocks", {})]
    messages_send(message_ids=[delivery.pk])
    listing = boss.get(reverse("admin:followups_chatalertdelivery_changelist")).content.decode()
    assert "invalid_blocks" in listing
    assert alert.url_masked in listing
    assert "XXXXsecretXXXX" not in listing
    page = boss.get(reverse("admin:followups_chatalertdelivery_change", args=[delivery.pk]))
    assert "invalid_blocks" in page.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        boss.post(
            reverse("admin:followups_chatalertdelivery_changelist"),
            {"action": "send_again", ACTION_CHECKBOX_NAME: [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(slack.requests) == 2


def test_service_staff_do_not_see_alerts_or_their_deliveries(client, slack):
    chat_alert_create(survey=SurveyFactory(), url=slack.url)
    client.force_login(staff_member("agent"))
    assert client.get(reverse("admin:followups_chatalert_changelist")).status_code == 403
    assert client.get(reverse("admin:followups_chatalertdelivery_changelist")).status_code == 403
    added = client.post(
        reverse("admin:followups_chatalert_add"),
        {"survey": SurveyFactory().pk, "url": slack.url, "categories": ["detractor"]},
    )
    assert added.status_code == 403
    assert ChatAlert.objects.count() == 1
