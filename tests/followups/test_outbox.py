"""The outbox against a real SMTP server on 127.0.0.1: claimed before sending,
sent once, retried only when it can succeed later, failed with a reason."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from followups import emails, services
from followups.models import OutboundEmail
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def queue_email(to="ana@example.com", key="k1", **context):
    return emails.email_queue(
        template="offer",
        dedupe_key=key,
        to_email=to,
        language="en",
        context={
            "customer_name": "Ana",
            "score": 7,
            "offer": "10% off",
            "code": "C-1",
            "expires": "soon",
            **context,
        },
        customer=CustomerFactory(email=to),
    )


def send_until_settled(email, *, max_rounds=20):
    """Call the sender as the retry schedule would, jumping over each delay."""
    rounds = 0
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        while rounds < max_rounds:
            rounds += 1
            retry = services.emails_send([email.pk])
            if email.pk not in retry:
                break
            traveller.shift(timedelta(seconds=retry[email.pk] + 1))
    email.refresh_from_db()
    return rounds


def test_a_queued_email_is_sent_once_with_html_and_a_stable_message_id(smtp):
    email = queue_email()
    assert services.emails_send([email.pk]) == {}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")
    [message] = smtp.handler.messages
    assert message["To"] == "ana@example.com"
    assert message["Message-ID"] == email.message_id
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    # A second delivery of the same task finds nothing to claim.
    assert services.emails_send([email.pk]) == {}
    assert len(smtp.handler.messages) == 1


def test_same_dedupe_key_makes_no_second_row():
    first = queue_email(key="response:1:offer")
    again = emails.email_queue(
        template="offer",
        dedupe_key="response:1:offer",
        to_email="x@example.com",
        language="en",
        context={},
    )
    assert again.pk == first.pk
    assert OutboundEmail.objects.count() == 1


def test_failing_twice_then_working_sends_on_the_third_attempt_once(smtp, settings):
    settings.NPS_EMAIL_MAX_ATTEMPTS = 5
    smtp.handler.temporary_failures_left = 2
    email = queue_email()
    rounds = send_until_settled(email)
    assert rounds == 3
    assert (email.status, email.attempts) == ("sent", 3)
    assert smtp.handler.attempts == 3
    assert len(smtp.handler.messages) == 1


def test_always_failing_is_marked_failed_after_the_cap_without_a_retry_storm(smtp, settings):
    settings.NPS_EMAIL_MAX_ATTEMPTS = 4
    smtp.handler.always_fail = True
    email = queue_email()
    send_until_settled(email)
    assert (email.status, email.attempts) == ("failed", 4)
    assert email.last_error.startswith("Gave up after 4 attempts")
    assert "451" in email.last_error
    assert smtp.handler.attempts == 4
    # Nothing more happens, however often the task or the sweeper comes back.
    assert services.emails_send([email.pk]) == {}
    assert services.sweep(now=timezone.now() + timedelta(days=1)).emails == 0
    assert smtp.handler.attempts == 4


def test_retries_back_off_exponentially_with_jitter_up_to_a_cap(settings):
    settings.NPS_EMAIL_RETRY_BASE_SECONDS = 30
    settings.NPS_EMAIL_RETRY_MAX_SECONDS = 600
    delays = {attempt: [services.retry_delay(attempt) for _ in range(50)] for attempt in (1, 3, 9)}
    assert all(15 <= d <= 30 for d in delays[1])
    assert all(60 <= d <= 120 for d in delays[3])
    assert all(300 <= d <= 600 for d in delays[9])
    assert len(set(delays[3])) > 1  # jittered, so retries do not arrive in lockstep


def test_a_refused_address_fails_at_once_with_the_reason(smtp):
    smtp.handler.refused_recipients.add("nobody@example.com")
    email = queue_email(to="nobody@example.com")
    assert services.emails_send([email.pk]) == {}
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 1)
    assert "550" in email.last_error and "nobody@example.com" in email.last_error
    assert smtp.handler.messages == []


def test_an_unreachable_mail_server_is_temporary(settings):
    from tests.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    email = queue_email()
    retry = services.emails_send([email.pk])
    email.refresh_from_db()
    assert email.pk in retry
    assert (email.status, email.attempts) == ("queued", 1)
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at > timezone.now()


def test_only_one_of_two_senders_claims_an_email():
    email = queue_email()
    now = timezone.now()
    assert services._claim([email.pk], now) == [email.pk]
    assert services._claim([email.pk], now) == []


def test_sweeper_releases_an_email_stuck_in_sending_after_its_worker_died(smtp, settings):
    settings.NPS_EMAIL_STUCK_SECONDS = 600
    email = queue_email()
    services._claim([email.pk], timezone.now())  # the worker died right after this
    assert services.sweep(now=timezone.now() + timedelta(seconds=60)).unstuck == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=601)):
        result = services.sweep()
    assert result.unstuck == 1
    email.refresh_from_db()
    assert email.status == "sent"  # the sweeper re-published it; eager tasks sent it
    assert len(smtp.handler.messages) == 1
