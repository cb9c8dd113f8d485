"""Webhook deliveries belong to the department of the survey they report on,
also when no answer is behind them: a theme report carries one survey's
themes, words and NPS, and a manager of another department does not read it
in the delivery log or the outbox."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.urls import reverse

from followups.insights import themes
from followups.models import OutboundMessage
from followups.routing import responses_route
from tests.factories import ResponseFactory, SurveyFactory, department, manager
from tests.followups.insights import WEEK_1, answers_in, language
from tests.followups.webhooks import Receiver, endpoint_for

pytestmark = pytest.mark.django_db


def _theme_report(survey) -> OutboundMessage:
    endpoint_for(Receiver(port=1), ["themes.computed"])
    answers_in(survey, WEEK_1, language("en"))
    with TestCase.captureOnCommitCallbacks(execute=False):
        themes.themes_compute(survey=survey, period=WEEK_1)
    return OutboundMessage.objects.get(template="themes.computed")


def _reader(username: str, of_department):
    """A manager of ``of_department`` who may also read the delivery log
    (managers read the outbox; the log is given to whom it is needed)."""
    user = manager(username)
    user.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    of_department.members.add(user)
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


def _listed(client, user, name: str) -> set[int]:
    client.force_login(user)
    page = client.get(reverse(f"admin:followups_{name}_changelist"))
    assert page.status_code == 200
    return {row.pk for row in page.context["cl"].result_list}


def test_a_theme_report_names_its_survey():
    survey = SurveyFactory()

    assert _theme_report(survey).survey_id == survey.pk


def test_another_departments_theme_report_is_not_in_the_delivery_log_or_the_outbox(client):
    sales, delivery = department("Sales"), department("Delivery")
    report = _theme_report(SurveyFactory(department=delivery))
    reader = _reader("sales-manager", sales)

    assert report.pk not in _listed(client, reader, "webhookdelivery")
    assert report.pk not in _listed(client, reader, "outboundmessage")
    opened = client.get(reverse("admin:followups_webhookdelivery_change", args=[report.pk]))
    assert opened.status_code == 302  # "does not exist" sends back to the admin index


def test_the_departments_own_theme_report_is_in_its_delivery_log(client):
    delivery = department("Delivery")
    report = _theme_report(SurveyFactory(department=delivery))
    reader = _reader("delivery-manager", delivery)

    assert report.pk in _listed(client, reader, "webhookdelivery")


def test_answer_events_name_the_answers_survey():
    endpoint_for(Receiver(port=1), ["response.recorded", "case.opened"])
    answer = ResponseFactory(score=2)
    with TestCase.captureOnCommitCallbacks(execute=False):
        responses_route(response_ids=[answer.pk])

    sent = OutboundMessage.objects.filter(channel=OutboundMessage.Channel.WEBHOOK)
    assert {row.template for row in sent} == {"response.recorded", "case.opened"}
    assert {row.survey_id for row in sent} == {answer.survey_id}
