"""Sending scheduled invitations: only the due ones, each once however often
its chunk runs, skipped when the customer cannot be emailed any more, and the
periodic task publishing what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import TestCase

from followups.invitations.requests import invitation_request
from followups.invitations.scheduled import due_invitations_publish, invitations_send
from followups.models import OutboundMessage
from surveys.models import Invitation, Survey
from tests.factories import CustomerFactory, SurveyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def survey():
    return SurveyFactory(slug="support", throttle_days=0)


def scheduled(survey, *, at=NOW + timedelta(hours=1), **customer):
    return invitation_request(
        survey=survey, customer=CustomerFactory(**customer), send_at=at, now=NOW
    ).invitation


def test_only_due_invitations_are_sent_and_each_once(survey):
    due = scheduled(survey, at=NOW + timedelta(minutes=1))
    later = scheduled(survey, at=NOW + timedelta(days=1))
    at = NOW + timedelta(minutes=2)
    with TestCase.captureOnCommitCallbacks() as published:
        assert invitations_send(invitation_ids=[due.pk, later.pk], now=at) == 1
    assert len(published) == 1  # the email's sending task, after commit
    assert invitations_send(invitation_ids=[due.pk, later.pk], now=at) == 0
    email = OutboundMessage.objects.get()
    assert email.dedupe_key == f"invitation:{due.pk}:first"
    assert email.recipient == due.customer.email
    assert Invitation.objects.get(pk=due.pk).sent_at == at
    assert Invitation.objects.get(pk=later.pk).sent_at is None


def test_a_customer_unsubscribed_or_bounced_since_is_skipped_at_sending(survey):
    unsubscribed = scheduled(survey)
    bounced = scheduled(survey)
    unsubscribed.customer.unsubscribed_at = NOW
    unsubscribed.customer.save()
    bounced.customer.email_bounced_at = NOW
    bounced.customer.save()
    at = NOW + timedelta(hours=2)
    assert invitations_send(invitation_ids=[unsubscribed.pk, bounced.pk], now=at) == 0
    assert Invitation.objects.get(pk=unsubscribed.pk).skip_reason == "unsubscribed"
    assert Invitation.objects.get(pk=bounced.pk).skip_reason == "bounced"
    assert not OutboundMessage.objects.exists()


def test_an_invitation_of_a_paused_survey_waits_until_it_is_active_again(survey):
    invitation = scheduled(survey)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.PAUSED)
    at = NOW + timedelta(hours=2)
    assert invitations_send(invitation_ids=[invitation.pk], now=at) == 0
    assert Invitation.objects.get(pk=invitation.pk).status_at(at) == "scheduled"
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.ACTIVE)
    assert invitations_send(invitation_ids=[invitation.pk], now=at) == 1


def test_a_link_sent_late_lives_its_whole_lifetime_from_when_it_is_sent(survey):
    invitation = scheduled(survey)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.PAUSED)
    # Paused for longer than an invitation lives, then active again.
    later = NOW + timedelta(days=survey.invitation_lifetime_days + 10)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.ACTIVE)
    assert invitations_send(invitation_ids=[invitation.pk], now=later) == 1
    sent = Invitation.objects.get(pk=invitation.pk)
    assert sent.expires_at == later + timedelta(days=survey.invitation_lifetime_days)
    assert sent.status_at(later + timedelta(days=1)) == "sent"


def test_the_periodic_task_publishes_the_due_ones_in_chunks(survey, settings):
    settings.NPS_INVITATION_CHUNK_SIZE = 2
    due = [scheduled(survey, at=NOW + timedelta(minutes=n)) for n in range(5)]
    scheduled(survey, at=NOW + timedelta(days=1))
    # Eager in tests: each published chunk is sent at once.
    assert due_invitations_publish(now=NOW + timedelta(hours=1)) == 5
    assert OutboundMessage.objects.count() == 5
    assert all(Invitation.objects.get(pk=i.pk).sent_at for i in due)
    assert due_invitations_publish(now=NOW + timedelta(hours=1)) == 0
