"""SMS invitations' reminders: one more text, to the phone, whatever became of
the customer's email address; none to a customer who texted STOP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from followups.invitations.reminders import reminders_send
from followups.models import OutboundMessage
from surveys.models import Channel
from tests.factories import CustomerFactory, InvitationFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return SurveyFactory(slug="sms-reminders", reminder_after_days=7, question="Recommend us?")


def sms_invitation(survey, **customer):
    return InvitationFactory(
        survey=survey,
        customer=CustomerFactory(phone="+48601234500", **customer),
        channel=Channel.SMS,
        sent_at=timezone.now() - timedelta(days=8),
    )


def test_an_unanswered_sms_invitation_is_reminded_by_one_text(survey, settings):
    settings.NPS_SMS_QUIET_HOURS = "00:00-00:00"
    invitation = sms_invitation(survey, email_bounced_at=timezone.now())

    assert reminders_send() == 1
    assert reminders_send() == 0

    message = OutboundMessage.objects.get()
    assert (message.channel, message.recipient, message.template) == (
        "sms",
        "+48601234500",
        "invitation_sms",
    )
    assert message.body_text.startswith("Reminder: Recommend us?")
    assert invitation.public_url() in message.body_text


def test_a_customer_who_texted_stop_gets_no_reminder(survey):
    sms_invitation(survey, unsubscribed_at=timezone.now())

    assert reminders_send() == 0
    assert not OutboundMessage.objects.exists()
