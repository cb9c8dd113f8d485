"""``invitation_request`` and ``invitations_cancel_pending``: an invitation
stored with the time it is due, or skipped with its reason; idempotency keys
per API key; and the status every invitation shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase

from followups.invitations.requests import (
    invitation_cancel,
    invitation_request,
    invitations_cancel_pending,
)
from followups.invitations.scheduled import invitations_send
from followups.models import OutboundMessage
from surveys import services
from surveys.api_keys import api_key_create
from surveys.models import ApiScope, Invitation, Survey
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def survey():
    return SurveyFactory(slug="support", throttle_days=30, invitation_lifetime_days=10)


def api_key(name: str):
    user = UserFactory(username=name, is_superuser=True)
    return api_key_create(
        user=user, name=name, scopes=[ApiScope.INVITATIONS_WRITE], via="test"
    ).api_key


def test_a_later_invitation_is_stored_scheduled_with_its_properties(survey):
    customer = CustomerFactory()
    later = NOW + timedelta(hours=2)
    result = invitation_request(
        survey=survey, customer=customer, send_at=later, properties={"plan": "pro"}, now=NOW
    )
    invitation = Invitation.objects.get()
    assert (result.created, result.skipped, result.invitation) == (True, False, invitation)
    assert invitation.scheduled_at == later
    assert invitation.sent_at is None
    assert invitation.properties == {"plan": "pro"}
    assert invitation.expires_at == later + timedelta(days=10)
    assert invitation.status_at(NOW) == Invitation.Status.SCHEDULED


def test_an_invitation_without_a_time_is_due_now_and_published_on_commit(survey):
    with TestCase.captureOnCommitCallbacks() as callbacks:
        result = invitation_request(survey=survey, customer=CustomerFactory(), now=NOW)
    assert result.invitation.scheduled_at == NOW
    assert len(callbacks) == 1


def test_a_time_in_the_past_means_now(survey):
    result = invitation_request(
        survey=survey, customer=CustomerFactory(), send_at=NOW - timedelta(days=1), now=NOW
    )
    assert result.invitation.scheduled_at == NOW


@pytest.mark.parametrize(
    ("details", "reason"),
    [
        ({"unsubscribed_at": NOW}, Invitation.SkipReason.UNSUBSCRIBED),
        ({"email_bounced_at": NOW}, Invitation.SkipReason.BOUNCED),
    ],
)
def test_an_unreachable_customer_is_skipped_with_the_reason(survey, details, reason):
    with TestCase.captureOnCommitCallbacks() as callbacks:
        result = invitation_request(survey=survey, customer=CustomerFactory(**details), now=NOW)
    assert (result.created, result.skipped) == (True, True)
    assert result.invitation.skip_reason == reason
    assert result.invitation.status == Invitation.Status.SKIPPED
    assert callbacks == []


def test_an_erased_customer_is_skipped_as_erased(survey):
    customer = services.customer_erase(customer=CustomerFactory())
    result = invitation_request(survey=survey, customer=customer, now=NOW)
    assert result.invitation.skip_reason == Invitation.SkipReason.ERASED


def test_asked_within_the_throttle_days_is_skipped_as_throttled(survey):
    customer = CustomerFactory()
    InvitationFactory(customer=customer, created_at=NOW - timedelta(days=29))
    result = invitation_request(survey=survey, customer=customer, now=NOW)
    assert result.invitation.skip_reason == Invitation.SkipReason.THROTTLED


def test_answered_within_the_throttle_days_is_skipped_as_throttled(survey):
    customer = CustomerFactory()
    ResponseFactory(customer=customer, submitted_at=NOW - timedelta(days=2))
    result = invitation_request(survey=survey, customer=customer, now=NOW)
    assert result.invitation.skip_reason == Invitation.SkipReason.THROTTLED


def test_skipped_and_cancelled_invitations_throttle_nobody(survey):
    customer = CustomerFactory()
    first = invitation_request(
        survey=survey, customer=customer, send_at=NOW + timedelta(days=1), now=NOW
    )
    assert invitation_cancel(invitation=first.invitation, now=NOW)
    skipped = InvitationFactory(customer=customer, sent_at=None, skip_reason="bounced")
    assert skipped.created_at > NOW - timedelta(days=30)
    again = invitation_request(survey=survey, customer=customer, now=NOW)
    assert not again.skipped


def test_two_requests_for_one_customer_send_one_invitation(survey):
    customer = CustomerFactory()
    first = invitation_request(survey=survey, customer=customer, now=NOW)
    second = invitation_request(survey=survey, customer=customer, now=NOW + timedelta(seconds=1))
    assert not first.skipped
    assert second.invitation.skip_reason == Invitation.SkipReason.THROTTLED


def test_the_same_key_from_the_same_client_returns_the_stored_invitation(survey):
    key = api_key("shop")
    first = invitation_request(
        survey=survey, customer=CustomerFactory(), api_client=key, idempotency_key="o-1", now=NOW
    )
    again = invitation_request(
        survey=survey, customer=CustomerFactory(), api_client=key, idempotency_key="o-1", now=NOW
    )
    assert again.invitation == first.invitation
    assert (again.created, again.skipped) == (False, False)
    assert Invitation.objects.count() == 1


def test_the_same_key_from_two_clients_makes_two_invitations(survey):
    first = invitation_request(
        survey=survey,
        customer=CustomerFactory(),
        api_client=api_key("shop"),
        idempotency_key="o-1",
        now=NOW,
    )
    second = invitation_request(
        survey=survey,
        customer=CustomerFactory(),
        api_client=api_key("crm"),
        idempotency_key="o-1",
        now=NOW,
    )
    assert first.invitation != second.invitation
    assert second.created


def test_a_channel_invitations_are_not_sent_on_is_refused_and_nothing_is_stored(survey):
    with pytest.raises(ValidationError) as caught:
        invitation_request(survey=survey, customer=CustomerFactory(), channel="link", now=NOW)
    assert "channel" in caught.value.message_dict
    assert not Invitation.objects.exists()


def test_an_sms_invitation_of_a_customer_without_a_phone_is_stored_skipped(survey):
    request = invitation_request(
        survey=survey, customer=CustomerFactory(phone=None), channel="sms", now=NOW
    )
    assert request.skipped
    assert request.invitation.skip_reason == Invitation.SkipReason.NO_PHONE


def test_a_survey_that_is_not_active_sends_no_invitation():
    survey = SurveyFactory(status=Survey.Status.DRAFT)
    with pytest.raises(ValidationError) as caught:
        invitation_request(survey=survey, customer=CustomerFactory(), now=NOW)
    assert "survey" in caught.value.message_dict
    assert not Invitation.objects.exists()


def test_cancel_pending_cancels_only_what_is_waiting(survey):
    customer = CustomerFactory()
    other_survey = SurveyFactory(throttle_days=0)
    waiting = invitation_request(
        survey=survey, customer=customer, send_at=NOW + timedelta(days=1), now=NOW
    ).invitation
    elsewhere = invitation_request(
        survey=other_survey,
        customer=customer,
        send_at=NOW + timedelta(days=1),
        now=NOW + timedelta(seconds=1),
    ).invitation
    assert not elsewhere.skip_reason
    sent = InvitationFactory(customer=customer, survey=survey)
    assert invitations_cancel_pending(customer=customer, survey=survey, now=NOW) == 1
    assert Invitation.objects.get(pk=waiting.pk).status == Invitation.Status.CANCELLED
    assert Invitation.objects.get(pk=elsewhere.pk).cancelled_at is None
    assert Invitation.objects.get(pk=sent.pk).cancelled_at is None
    assert invitations_cancel_pending(customer=customer, now=NOW) == 1
    assert Invitation.objects.get(pk=elsewhere.pk).cancelled_at == NOW


def test_a_sent_invitation_cannot_be_cancelled(survey):
    invitation = invitation_request(survey=survey, customer=CustomerFactory(), now=NOW).invitation
    assert invitations_send(invitation_ids=[invitation.pk], now=NOW) == 1
    assert not invitation_cancel(invitation=invitation, now=NOW)
    assert Invitation.objects.get(pk=invitation.pk).status_at(NOW) == Invitation.Status.SENT


def test_erasure_skips_the_invitations_still_waiting_and_forgets_their_properties(survey):
    customer = CustomerFactory()
    invitation = invitation_request(
        survey=survey,
        customer=customer,
        send_at=NOW + timedelta(days=1),
        properties={"name": "Ann"},
        now=NOW,
    ).invitation
    services.customer_erase(customer=customer)
    invitation.refresh_from_db()
    assert invitation.skip_reason == Invitation.SkipReason.ERASED
    assert invitation.properties == {}
    assert invitations_send(invitation_ids=[invitation.pk], now=NOW + timedelta(days=2)) == 0
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"sent_at": None}, Invitation.Status.SCHEDULED),
        ({}, Invitation.Status.SENT),
        ({"reminded_at": NOW}, Invitation.Status.REMINDED),
        ({"responded_at": NOW}, Invitation.Status.ANSWERED),
        ({"expires_at": NOW - timedelta(seconds=1)}, Invitation.Status.EXPIRED),
        ({"cancelled_at": NOW, "sent_at": None}, Invitation.Status.CANCELLED),
        ({"skip_reason": "throttled", "sent_at": None}, Invitation.Status.SKIPPED),
    ],
)
def test_the_database_and_python_agree_on_the_status(changes, status):
    invitation = InvitationFactory(sent_at=NOW - timedelta(days=1), scheduled_at=NOW)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=NOW + timedelta(days=1))
    Invitation.objects.filter(pk=invitation.pk).update(**changes)
    row = Invitation.objects.with_status(now=NOW).get(pk=invitation.pk)
    assert row.status_value == status
    assert row.status_at(NOW) == status
