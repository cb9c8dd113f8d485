"""SMS surveys end to end against a local server playing Twilio: the
invitation goes out through Twilio's own library, the customer's replies
come back through the signed inbound webhook: a number records the score
(and the follow-up question is texted back), a later text becomes the
comment, STOP in any of our languages unsubscribes with one confirmation,
and a forged or repeated delivery changes nothing."""

from __future__ import annotations

import json
import time

import pytest
from twilio.request_validator import RequestValidator

from followups.invitations.emails import invitation_send
from followups.models import InboundSms, OutboundMessage, RewardGrant
from followups.outbox.transports.sms import SIGNATURE_HEADER, TIMESTAMP_HEADER, sms_signature
from surveys.models import Channel, Customer, Response
from surveys.sms import sms_follow_up_text, sms_stop_text
from tests.factories import CustomerFactory, SurveyFactory
from tests.followups.sms_provider import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    GATEWAY_SECRET,
)

pytestmark = pytest.mark.django_db

TWILIO_URL = "/sms/inbound/twilio/"
HTTP_URL = "/sms/inbound/http/"
PHONE = "+48601234567"


@pytest.fixture
def survey():
    return SurveyFactory(
        slug="sms-checkout",
        question="How likely are you to recommend Acme?",
        follow_up_question="What is the main reason for your score?",
    )


def invited(survey, django_capture_on_commit_callbacks, *, locale="en", phone="+48 601 234 567"):
    customer = CustomerFactory(phone=None, locale=locale)
    customer.phone = phone
    customer.full_clean()
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_send(survey=survey, customer=customer, channel=Channel.SMS)
    return invitation


def twilio_post(client, settings, *, body, sid, sender=PHONE, token=AUTH_TOKEN, capture=None):
    params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": FROM_NUMBER}
    params["Body"] = body
    url = settings.PUBLIC_BASE_URL + TWILIO_URL
    signature = RequestValidator(token).compute_signature(url, params)
    if capture is None:
        return client.post(TWILIO_URL, params, HTTP_X_TWILIO_SIGNATURE=signature)
    with capture(execute=True):
        return client.post(TWILIO_URL, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_an_sms_invitation_goes_out_through_twilio_with_its_link(
    twilio, survey, django_capture_on_commit_callbacks
):
    invitation = invited(survey, django_capture_on_commit_callbacks)

    [sent] = twilio.sent
    assert sent["To"] == PHONE
    assert sent["From"] == FROM_NUMBER
    assert sent["Body"].startswith("How likely are you to recommend Acme?")
    assert invitation.sms_url() in sent["Body"]
    assert invitation.public_url() not in sent["Body"]
    assert "STOP" in sent["Body"]
    message = OutboundMessage.objects.get(channel=OutboundMessage.Channel.SMS)
    assert (message.status, message.recipient, message.customer_id) == (
        "sent",
        PHONE,
        invitation.customer_id,
    )


def test_a_reply_with_a_number_records_the_score_and_a_later_text_the_comment(
    twilio, survey, client, settings, django_capture_on_commit_callbacks
):
    invitation = invited(survey, django_capture_on_commit_callbacks)
    capture = django_capture_on_commit_callbacks

    reply = twilio_post(client, settings, body=" 10/10 ", sid="SM-score", capture=capture)

    assert reply.status_code == 200
    assert reply["Content-Type"].startswith("text/xml")
    response = Response.objects.get(invitation=invitation)
    assert (response.score, response.channel, response.comment) == (10, Channel.SMS, "")
    # The follow-up question, texted back at once.
    assert twilio.sent[-1]["Body"] == sms_follow_up_text(survey=survey, language="en")

    # The answer waits for its comment before it is routed.
    assert response.routed_at is None
    assert not OutboundMessage.objects.filter(template="reward").exists()

    reply = twilio_post(
        client, settings, body="Fast delivery, kind staff.", sid="SM-comment", capture=capture
    )

    assert reply.status_code == 200
    response.refresh_from_db()
    assert (response.score, response.comment) == (10, "Fast delivery, kind staff.")
    # The comment completes it: routed, and the reward goes by text too.
    assert response.routed_at is not None
    grant = RewardGrant.objects.get(response=response)
    reward = OutboundMessage.objects.get(template="reward")
    assert (reward.channel, reward.status, grant.status) == ("sms", "sent", "sent")
    assert grant.code in twilio.sent[-1]["Body"]
    assert not OutboundMessage.objects.filter(channel="email").exists()
    assert list(InboundSms.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "score",
        "comment",
    ]


def test_the_same_delivery_twice_is_processed_once(
    twilio, survey, client, settings, django_capture_on_commit_callbacks
):
    invitation = invited(survey, django_capture_on_commit_callbacks)
    twilio_post(client, settings, body="3", sid="SM-dup")
    twilio_post(client, settings, body="3", sid="SM-dup")
    twilio_post(client, settings, body="Too slow", sid="SM-dup-2")
    twilio_post(client, settings, body="Too slow", sid="SM-dup-2")

    assert Response.objects.filter(invitation=invitation).count() == 1
    assert InboundSms.objects.count() == 2
    assert Response.objects.get(invitation=invitation).comment == "Too slow"


def test_a_second_number_after_the_score_is_the_comment_and_the_score_stands(
    twilio, survey, client, settings, django_capture_on_commit_callbacks
):
    invitation = invited(survey, django_capture_on_commit_callbacks)
    twilio_post(client, settings, body="6", sid="SM-1")
    twilio_post(client, settings, body="8", sid="SM-2")

    response = Response.objects.get(invitation=invitation)
    assert (response.score, response.comment) == (6, "8")


@pytest.mark.parametrize(
    ("word", "locale"),
    [("STOP", "en"), ("Unsubscribe", "en"), ("СТОП", "ru"), ("退订", "zh-hans"), ("Stop.", "pl")],
)
def test_stop_in_each_language_unsubscribes_with_one_confirmation_in_theirs(
    twilio, survey, client, settings, django_capture_on_commit_callbacks, word, locale
):
    invitation = invited(survey, django_capture_on_commit_callbacks, locale=locale)
    capture = django_capture_on_commit_callbacks
    sent_before = len(twilio.sent)

    reply = twilio_post(client, settings, body=word, sid="SM-stop", capture=capture)
    twilio_post(client, settings, body=word, sid="SM-stop-again", capture=capture)

    assert reply.status_code == 200
    customer = Customer.objects.get(pk=invitation.customer_id)
    assert customer.unsubscribed_at is not None
    assert [sent["Body"] for sent in twilio.sent[sent_before:]] == [sms_stop_text(language=locale)]
    assert not Response.objects.exists()
    assert set(InboundSms.objects.values_list("outcome", flat=True)) == {"unsubscribed"}


def test_a_bad_signature_is_refused_and_records_nothing(
    twilio, survey, client, settings, django_capture_on_commit_callbacks
):
    invitation = invited(survey, django_capture_on_commit_callbacks)

    forged = twilio_post(client, settings, body="STOP", sid="SM-forged", token="not-the-token")
    unsigned = client.post(TWILIO_URL, {"MessageSid": "SM-x", "From": PHONE, "Body": "0"})

    assert (forged.status_code, unsigned.status_code) == (403, 403)
    assert forged.json()["error"]["code"] == "bad_signature"
    assert not InboundSms.objects.exists()
    assert not Response.objects.exists()
    assert Customer.objects.get(pk=invitation.customer_id).unsubscribed_at is None


def test_a_text_from_an_unknown_number_is_kept_and_answered_with_nothing(
    twilio, survey, client, settings
):
    reply = twilio_post(client, settings, body="9", sid="SM-stranger", sender="+48500999888")

    assert reply.status_code == 200
    inbound = InboundSms.objects.get()
    assert (inbound.outcome, inbound.body, inbound.customer_id) == ("unmatched", "9", None)
    assert twilio.sent == []
    assert not Response.objects.exists()


def gateway_post(client, data, *, secret=GATEWAY_SECRET, timestamp=None, direction="inbound"):
    body = json.dumps(data).encode()
    timestamp = timestamp or str(int(time.time()))
    return client.post(
        HTTP_URL,
        body,
        content_type="application/json",
        headers={
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sms_signature(
                secret=secret, direction=direction, timestamp=timestamp, body=body
            ),
        },
    )


def test_the_generic_gateway_round_trip_is_signed_both_ways(
    gateway, survey, client, django_capture_on_commit_callbacks
):
    invitation = invited(survey, django_capture_on_commit_callbacks)
    [sent] = gateway.sent
    assert (sent["to"], sent["from"]) == (PHONE, "SHOP")
    assert invitation.sms_url() in sent["text"]
    assert gateway.refused == []

    reply = gateway_post(client, {"id": "gw-1", "from": PHONE, "text": "7"})

    assert reply.status_code == 200
    assert reply.json() == {"accepted": True, "duplicate": False}
    assert Response.objects.get(invitation=invitation).score == 7
    assert gateway_post(client, {"id": "gw-1", "from": PHONE, "text": "7"}).json() == {
        "accepted": True,
        "duplicate": True,
    }


def test_the_generic_gateway_refuses_a_wrong_or_stale_signature(gateway, survey, client):
    wrong = gateway_post(client, {"id": "gw-2", "from": PHONE, "text": "STOP"}, secret="guess")
    stale = gateway_post(
        client,
        {"id": "gw-3", "from": PHONE, "text": "STOP"},
        timestamp=str(int(time.time()) - 3600),
    )

    assert (wrong.status_code, stale.status_code) == (403, 403)
    assert not InboundSms.objects.exists()


@pytest.mark.parametrize("timestamp", ["\u00b2", "\u2460", "\u0663", "-1", " 1", "1e9"])
def test_the_generic_gateway_refuses_a_timestamp_that_is_no_plain_number(
    gateway, survey, client, timestamp
):
    # "²" is a digit to str.isdigit but no number to int: a 403, not a 500.
    reply = gateway_post(client, {"id": "gw-4", "from": PHONE, "text": "STOP"}, timestamp=timestamp)

    assert reply.status_code == 403


def test_a_post_signed_for_the_gateway_cannot_be_replayed_to_our_webhook(gateway, client):
    """An outgoing post (its body, timestamp and signature) sent back to us as
    if the gateway had posted it: the direction in the signature differs."""
    replayed = gateway_post(
        client, {"id": "nps-sms-1", "from": PHONE, "text": "STOP"}, direction="outbound"
    )

    assert replayed.status_code == 403
    assert not InboundSms.objects.exists()


def test_the_generic_gateway_says_what_is_wrong_with_a_bad_body(gateway, client):
    reply = gateway_post(client, {"id": 5, "from": PHONE})

    assert reply.status_code == 400
    assert "as strings" in reply.json()["error"]["message"]
    assert not InboundSms.objects.exists()


def test_a_text_with_a_nul_byte_is_kept_without_it(twilio, survey, client, settings):
    reply = twilio_post(client, settings, body="9\x00", sid="SM-nul", sender="+48500999777")

    assert reply.status_code == 200
    assert InboundSms.objects.get().body == "9"


def test_erasing_the_customer_empties_their_texts(
    twilio, survey, client, settings, django_capture_on_commit_callbacks
):
    from surveys.services import customer_erase

    invitation = invited(survey, django_capture_on_commit_callbacks)
    twilio_post(client, settings, body="4", sid="SM-e1")
    twilio_post(client, settings, body="Call me on +48 601 234 567", sid="SM-e2")

    customer_erase(customer=invitation.customer)

    rows = list(InboundSms.objects.values_list("sender", "body", "outcome"))
    assert len(rows) == 2
    assert all(sender == "" and PHONE not in body and "601" not in body for sender, body, _ in rows)
    assert {outcome for _, _, outcome in rows} == {"score", "comment"}


def test_a_detractor_by_text_without_a_comment_is_routed_when_the_wait_is_over(
    twilio, survey, client, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    import time_machine

    from followups.models import FollowUpCase
    from followups.sweep import lost_work_sweep

    invitation = invited(survey, django_capture_on_commit_callbacks)
    twilio_post(
        client, settings, body="3", sid="SM-det", capture=django_capture_on_commit_callbacks
    )
    response = Response.objects.get(invitation=invitation)
    assert response.routed_at is None

    later = response.changeable_until + timedelta(seconds=settings.NPS_SWEEP_GRACE_SECONDS + 1)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        lost_work_sweep()

    case = FollowUpCase.objects.get(response=response)
    apology = OutboundMessage.objects.get(template="apology")
    assert (apology.channel, apology.status, apology.case_id) == ("sms", "sent", case.pk)
    assert twilio.sent[-1]["Body"].startswith("We are sorry to hear that.")


def _held_reminder(invitation, settings):
    """The invitation's reminder text, queued at 23:00 UTC and held until 09:00."""
    from datetime import UTC, datetime

    from followups.outbox.sms import invitation_sms_queue

    settings.NPS_SMS_QUIET_HOURS = "21:00-09:00"
    Customer.objects.filter(pk=invitation.customer_id).update(time_zone="UTC")
    invitation.customer.refresh_from_db()
    late = datetime.now(UTC).replace(hour=23, minute=0, second=0, microsecond=0)
    reminder = invitation_sms_queue(invitation=invitation, language="en", reminder=True, now=late)
    assert (reminder.status, reminder.next_attempt_at.hour) == ("queued", 9)
    return reminder


def test_stop_cancels_a_reminder_held_for_the_quiet_hours(
    twilio, survey, client, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from followups.outbox.sending import messages_send

    invitation = invited(survey, django_capture_on_commit_callbacks)
    reminder = _held_reminder(invitation, settings)
    sent_before = len(twilio.sent)

    twilio_post(
        client,
        settings,
        body="STOP",
        sid="SM-stop-held",
        capture=django_capture_on_commit_callbacks,
    )
    # Even once due, a sender finds nothing to send.
    OutboundMessage.objects.filter(pk=reminder.pk).update(next_attempt_at=timezone.now())
    messages_send(message_ids=[reminder.pk])

    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at) == ("cancelled", None)
    assert "unsubscribed" in reminder.last_error
    assert [sent["Body"] for sent in twilio.sent[sent_before:]] == [sms_stop_text(language="en")]


def test_a_text_queued_before_an_unsubscribe_is_refused_at_delivery(
    twilio, survey, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from followups.outbox.sending import messages_send

    invitation = invited(survey, django_capture_on_commit_callbacks)
    reminder = _held_reminder(invitation, settings)
    sent_before = len(twilio.sent)
    # Unsubscribed behind the services' back (as by a row already claimed
    # when the STOP came): the transport still refuses.
    Customer.objects.filter(pk=invitation.customer_id).update(unsubscribed_at=timezone.now())
    OutboundMessage.objects.filter(pk=reminder.pk).update(next_attempt_at=timezone.now())

    assert messages_send(message_ids=[reminder.pk]) == {}

    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at) == ("cancelled", None)
    assert "may not be texted (unsubscribed)" in reminder.last_error
    assert twilio.sent[sent_before:] == []


def test_the_outcome_of_an_answer_texted_at_night_waits_for_the_morning(
    twilio, survey, client, settings, django_capture_on_commit_callbacks
):
    from datetime import UTC, datetime

    import time_machine

    invitation = invited(survey, django_capture_on_commit_callbacks)
    Customer.objects.filter(pk=invitation.customer_id).update(time_zone="Europe/Warsaw")
    settings.NPS_SMS_QUIET_HOURS = "21:00-09:00"
    night = datetime.now(UTC).replace(hour=22, minute=30, second=0, microsecond=0)  # 23:30/00:30
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(night, tick=False):
        twilio_post(client, settings, body="10", sid="SM-night", capture=capture)
        twilio_post(client, settings, body="Great", sid="SM-night-2", capture=capture)

    reward = OutboundMessage.objects.get(template="reward")
    assert (reward.channel, reward.status) == ("sms", "queued")
    assert reward.next_attempt_at.astimezone(UTC).hour in (7, 8)  # 09:00 in Warsaw
    assert reward.next_attempt_at > night
    # The invitation and the follow-up question (an answer to their text) only.
    assert len(twilio.sent) == 2
