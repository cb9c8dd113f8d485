"""Erasing a customer removes their comment from the Slack alerts about
them, and an alert not posted yet is never posted."""

from __future__ import annotations

import json

import pytest
from django.test import TestCase

from followups.chat.alerts import chat_alert_create
from followups.outbox.sending import messages_send
from followups.routing import responses_route
from surveys.services import customer_erase
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_erasure_scrubs_sent_alerts_and_cancels_unsent_ones(slack):
    survey = SurveyFactory()
    alert = chat_alert_create(survey=survey, url=slack.url)
    customer = CustomerFactory(name="Pat Example")
    sent = ResponseFactory(survey=survey, customer=customer, score=1, comment="My secret story")
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[sent.pk])
    unsent = ResponseFactory(survey=survey, customer=customer, score=2, comment="Another story")
    responses_route(response_ids=[unsent.pk])  # queued, not yet posted
    customer_erase(customer=customer)
    rows = {row.response_id: row for row in alert.deliveries.all()}
    assert rows[sent.pk].status == "sent"
    assert rows[unsent.pk].status == "cancelled"
    for row in rows.values():
        assert json.loads(row.body_text) == {"text": "[erased]"}
    assert messages_send(message_ids=[rows[unsent.pk].pk]) == {}
    assert len(slack.requests) == 1
