"""SMS invitations' reminders: one more text, to the phone, whatever became of
the customer's email address; none to a customer who texted STOP."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from followups.invitations.reminders import reminders_send
from followups.models import OutboundMessage
from surveys.models import Channel, Invitation
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
    assert invitation.sms_url() in message.body_text


def test_a_customer_who_texted_stop_gets_no_reminder(survey):
    sms_invitation(survey, unsubscribed_at=timezone.now())

    assert reminders_send() == 0
    assert not OutboundMessage.objects.exists()


def test_the_short_link_is_short_and_leads_to_the_survey_page(survey, client, settings):
    invitation = sms_invitation(survey)
    code = invitation.short_code

    assert invitation.sms_url() == f"{settings.PUBLIC_BASE_URL}/i/{code}/"
    assert len(code) == 12 and set(code) <= set("0123456789abcdefghjkmnpqrstvwxyz")
    # Only its hash is stored.
    assert invitation.short_code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(Invitation.objects.filter(pk=invitation.pk).values().get())

    reply = client.get(f"/i/{code}/")
    assert reply.status_code == 302
    assert reply["Location"] == invitation.get_absolute_url()
    assert reply["Cache-Control"] == "no-store"
    # Typed in capitals, it still works.
    assert client.get(f"/i/{code.upper()}/")["Location"] == invitation.get_absolute_url()
    assert client.get(reply["Location"]).status_code == 200


def test_a_short_code_copied_by_hand_with_o_for_0_and_l_or_i_for_1_still_leads_to_its_page(
    survey, client
):
    customer = CustomerFactory(phone="+48601234502")
    # One code in two holds a 0 or a 1; find one that does.
    invitation = next(
        invitation
        for invitation in (
            InvitationFactory(survey=survey, customer=customer, channel=Channel.SMS)
            for _ in range(60)
        )
        if {"0", "1"} & set(invitation.short_code)
    )
    code = invitation.short_code

    for misread in (
        code.replace("0", "o").replace("1", "l"),
        code.replace("0", "O").replace("1", "I").upper(),
    ):
        reply = client.get(f"/i/{misread}/")
        assert (reply.status_code, reply["Location"]) == (302, invitation.get_absolute_url())


def test_two_invitations_get_different_short_codes(survey):
    customer = CustomerFactory(phone="+48601234501")
    codes = {
        InvitationFactory(survey=survey, customer=customer, channel=Channel.SMS).short_code
        for _ in range(20)
    }
    assert len(codes) == 20


@pytest.mark.parametrize("code", ["0123456789ab", "ABCDEFGHJKMN", "short", "x" * 300])
def test_an_unknown_short_code_gets_the_bad_link_page(client, code):
    reply = client.get(f"/i/{code}/")

    assert reply.status_code == 404
    assert reply.templates[0].name == "surveys/not_found.html"


def test_the_short_link_of_an_erased_customer_leads_nowhere(survey, client):
    from surveys.services import customer_erase

    invitation = sms_invitation(survey)
    code = invitation.short_code
    customer_erase(customer=invitation.customer)

    assert client.get(f"/i/{code}/").status_code == 404


def test_an_email_invitation_has_no_short_link(survey):
    invitation = InvitationFactory(survey=survey, channel=Channel.EMAIL)

    assert invitation.short_code_hash is None
    assert invitation.sms_url() == invitation.public_url()


def test_the_sms_reminder_carries_the_short_link_within_one_segment(survey, settings):
    from surveys.sms import sms_length

    settings.NPS_SMS_QUIET_HOURS = "00:00-00:00"
    invitation = sms_invitation(survey)
    reminders_send()

    text = OutboundMessage.objects.get().body_text
    assert invitation.sms_url() in text
    assert "/s/" not in text
    assert sms_length(text).segments == 1
