"""The SMS transport against a local server playing Twilio: what the provider
answers decides the row (sent, failed for good, tried again later); a number
that is not a phone number never leaves; the console prints; and a text due
in the customer's quiet hours waits for their morning, then goes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from followups.models import OutboundMessage
from followups.outbox.sending import messages_send
from followups.outbox.sms import sms_allowed_at, sms_queue
from followups.sweep import lost_work_sweep
from tests.factories import CustomerFactory, OutboundMessageFactory
from tests.followups.sms_provider import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio

pytestmark = pytest.mark.django_db


@pytest.fixture
def twilio(settings):
    server = FakeTwilio().start()
    settings.NPS_SMS_TRANSPORT = "twilio"
    settings.NPS_SMS_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.NPS_SMS_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.NPS_SMS_TWILIO_BASE_URL = server.base_url
    settings.NPS_SMS_FROM = FROM_NUMBER
    yield server
    server.stop()


def queue_sms(recipient="+48500100200", text="Your opinion counts: reply 0-10.") -> OutboundMessage:
    return OutboundMessageFactory(
        channel=OutboundMessage.Channel.SMS, recipient=recipient, subject="", body_text=text
    )


def test_a_text_twilio_accepts_is_sent(twilio, settings):
    message = queue_sms()

    assert messages_send(message_ids=[message.pk]) == {}

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert twilio.sent == [
        {
            "To": "+48500100200",
            "From": FROM_NUMBER,
            "Body": "Your opinion counts: reply 0-10.",
            "StatusCallback": settings.PUBLIC_BASE_URL + "/sms/status/twilio/",
        }
    ]


def test_a_number_twilio_refuses_fails_for_good(twilio):
    twilio.statuses = [(400, {"code": 21211})]
    message = queue_sms()

    assert messages_send(message_ids=[message.pk]) == {}

    message.refresh_from_db()
    assert message.status == "failed"
    assert "Twilio answered 400 (error 21211)" in message.last_error


def test_twilio_down_is_tried_again_later(twilio):
    twilio.statuses = [(503, {})]
    message = queue_sms()

    retry = messages_send(message_ids=[message.pk])

    message.refresh_from_db()
    assert message.pk in retry
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.next_attempt_at > timezone.now()
    assert twilio.sent == []


def test_wrong_credentials_hold_the_texts_until_the_setting_is_fixed(twilio, settings):
    settings.NPS_SMS_TWILIO_AUTH_TOKEN = "wrong"
    message = queue_sms()

    messages_send(message_ids=[message.pk])

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 1)
    assert "Twilio answered 401" in message.last_error
    assert twilio.refused


def test_a_recipient_that_is_no_phone_number_never_leaves(twilio):
    message = queue_sms(recipient="not-a-number")

    messages_send(message_ids=[message.pk])

    message.refresh_from_db()
    assert (message.status, message.last_error) == ("failed", "Not a phone number in E.164.")
    assert twilio.sent == []


def test_the_console_prints_the_text(settings, capsys):
    settings.NPS_SMS_TRANSPORT = "console"
    message = queue_sms(text="Hello from the console")

    messages_send(message_ids=[message.pk])

    message.refresh_from_db()
    assert message.status == "sent"
    assert "SMS to +48500100200" in capsys.readouterr().out


def test_an_unknown_provider_holds_the_texts_until_it_is_fixed(settings):
    settings.NPS_SMS_TRANSPORT = "carrier-pigeon"
    message = queue_sms()

    messages_send(message_ids=[message.pk])

    message.refresh_from_db()
    assert message.status == "queued"
    assert "NPS_SMS_TRANSPORT is 'carrier-pigeon'" in message.last_error


@pytest.mark.parametrize(
    ("utc", "zone", "expected_utc"),
    [
        # 23:30 in Tokyo (UTC+9): held until 09:00 there, 00:00 UTC.
        (
            datetime(2026, 6, 1, 14, 30, tzinfo=UTC),
            "Asia/Tokyo",
            datetime(2026, 6, 2, 0, 0, tzinfo=UTC),
        ),
        # 06:00 in Warsaw (summer, UTC+2): held until 09:00 the same day.
        (
            datetime(2026, 6, 1, 4, 0, tzinfo=UTC),
            "Europe/Warsaw",
            datetime(2026, 6, 1, 7, 0, tzinfo=UTC),
        ),
        # 12:00 in New York: goes now.
        (
            datetime(2026, 6, 1, 16, 0, tzinfo=UTC),
            "America/New_York",
            datetime(2026, 6, 1, 16, 0, tzinfo=UTC),
        ),
    ],
)
def test_quiet_hours_are_the_customers_own(settings, utc, zone, expected_utc):
    settings.NPS_SMS_QUIET_HOURS = "21:00-09:00"
    customer = CustomerFactory(phone="+48500100201", time_zone=zone)

    assert sms_allowed_at(customer=customer, when=utc) == expected_utc


@pytest.mark.parametrize(
    ("utc", "expected_utc"),
    [
        # Clocks go back in Warsaw on 25 October 2026 (03:00 CEST -> 02:00 CET).
        # 01:10 CEST, the first pass: held until 02:30 CEST.
        (datetime(2026, 10, 24, 23, 10, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # 02:10 CET, the second pass: the first 02:30 is gone; held until 02:30 CET.
        (datetime(2026, 10, 25, 1, 10, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        # Clocks go forward on 28 March 2027 (02:00 CET -> 03:00 CEST): 02:30
        # does not exist that night; read as 02:30 CET, it is 03:30 CEST.
        (datetime(2027, 3, 27, 23, 0, tzinfo=UTC), datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
    ],
)
def test_quiet_hours_ending_in_an_hour_daylight_saving_repeats_or_skips(
    settings, utc, expected_utc
):
    settings.NPS_SMS_QUIET_HOURS = "21:00-02:30"
    customer = CustomerFactory(phone="+48500100201", time_zone="Europe/Warsaw")

    allowed = sms_allowed_at(customer=customer, when=utc)

    assert allowed == expected_utc
    assert allowed >= utc


def test_without_a_time_zone_the_default_one_decides(settings):
    settings.NPS_SMS_QUIET_HOURS = "21:00-09:00"
    settings.NPS_SMS_DEFAULT_TIME_ZONE = "Europe/Warsaw"
    customer = CustomerFactory(phone="+48500100202", time_zone="")
    late = datetime(2026, 1, 10, 21, 30, tzinfo=UTC)  # 22:30 in Warsaw, winter

    assert sms_allowed_at(customer=customer, when=late) == datetime(2026, 1, 11, 8, 0, tzinfo=UTC)


def test_a_text_due_in_quiet_hours_waits_and_the_sweeper_sends_it_in_the_morning(
    settings, django_capture_on_commit_callbacks, capsys
):
    settings.NPS_SMS_TRANSPORT = "console"
    settings.NPS_SMS_QUIET_HOURS = "21:00-09:00"
    customer = CustomerFactory(phone="+81312345678", time_zone="Asia/Tokyo")
    night = datetime(2026, 6, 1, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo

    with time_machine.travel(night, tick=False), django_capture_on_commit_callbacks(execute=True):
        message = sms_queue(
            template="invitation_sms",
            dedupe_key="test:quiet",
            customer=customer,
            language="en",
            text="Late text",
        )
    message.refresh_from_db()
    assert (message.status, message.next_attempt_at) == (
        "queued",
        datetime(2026, 6, 2, 0, 0, tzinfo=UTC),
    )
    assert "Late text" not in capsys.readouterr().out

    with time_machine.travel(datetime(2026, 6, 2, 0, 10, tzinfo=UTC), tick=False):
        lost_work_sweep()

    message.refresh_from_db()
    assert message.status == "sent"
    assert "Late text" in capsys.readouterr().out


TOKYO_NIGHT = datetime(2026, 6, 1, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo
TOKYO_MORNING = datetime(2026, 6, 2, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_the_morning(twilio, settings):
    settings.NPS_SMS_QUIET_HOURS = "21:00-09:00"
    twilio.statuses = [(503, {"code": 20500})]
    customer = CustomerFactory(phone="+81312345678", time_zone="Asia/Tokyo")
    message = OutboundMessageFactory(
        channel=OutboundMessage.Channel.SMS,
        recipient=customer.phone,
        customer=customer,
        subject="",
        body_text="Thanks!",
        next_attempt_at=TOKYO_NIGHT,
    )

    with time_machine.travel(TOKYO_NIGHT, tick=False):
        retry = messages_send(message_ids=[message.pk])

    message.refresh_from_db()
    assert (message.status, message.next_attempt_at) == ("queued", TOKYO_MORNING)
    assert retry == {message.pk: (TOKYO_MORNING - TOKYO_NIGHT).total_seconds()}


def test_a_text_the_admin_queues_again_at_night_waits_for_the_morning(
    twilio, settings, client, django_capture_on_commit_callbacks
):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.urls import reverse

    from tests.factories import manager

    settings.NPS_SMS_QUIET_HOURS = "21:00-09:00"
    customer = CustomerFactory(phone="+81312345678", time_zone="Asia/Tokyo")
    message = OutboundMessageFactory(
        channel=OutboundMessage.Channel.SMS,
        recipient=customer.phone,
        customer=customer,
        subject="",
        body_text="Thanks!",
        status=OutboundMessage.Status.FAILED,
        attempts=3,
    )
    client.force_login(manager("boss"))

    with (
        time_machine.travel(TOKYO_NIGHT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            reverse("admin:followups_outboundmessage_changelist"),
            {"action": "retry_now", ACTION_CHECKBOX_NAME: [message.pk]},
        )

    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (
        "queued",
        0,
        TOKYO_MORNING,
    )
    assert twilio.sent == []
