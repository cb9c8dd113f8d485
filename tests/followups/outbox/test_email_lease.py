"""A sender holds the emails it claimed for a lease sized from the SMTP
timeout and the batch: a killed sender's emails go out again within two
minutes with production defaults, and a live sender's never do."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from followups.models import OutboundMessage
from followups.outbox.sending import _claim, messages_send
from followups.outbox.transports.email import (
    EmailTransport,
    email_lease_running_out,
    email_lease_seconds,
)
from followups.sweep import lost_work_sweep
from tests.followups.outbox.test_outbox import queue_email

pytestmark = pytest.mark.django_db

LEASE = email_lease_seconds


def test_production_defaults_lease_an_email_for_at_most_75_seconds():
    assert django_settings.EMAIL_TIMEOUT == 10
    assert django_settings.NPS_EMAIL_LEASE_MAX_SECONDS == 75
    assert django_settings.NPS_SWEEP_INTERVAL_SECONDS == 30
    for batch in (1, django_settings.NPS_EMAIL_BATCH_SIZE, 1000):
        lease = LEASE(
            smtp_timeout=django_settings.EMAIL_TIMEOUT,
            messages=batch,
            cap=django_settings.NPS_EMAIL_LEASE_MAX_SECONDS,
        )
        # Lease, then at most one sweep interval: a retry within two minutes.
        assert lease == 75
        assert lease + django_settings.NPS_SWEEP_INTERVAL_SECONDS < 120


def test_the_lease_covers_opening_a_connection_and_each_message_at_the_servers_slowest():
    # 5 s margin + 3 round trips to open + 4 per message, each up to the timeout.
    assert LEASE(smtp_timeout=2, messages=1, cap=75) == 5 + 2 * 3 + 2 * 4
    assert LEASE(smtp_timeout=2, messages=5, cap=75) == 5 + 2 * 3 + 2 * 4 * 5
    assert LEASE(smtp_timeout=2, messages=25, cap=75) == 75


def test_the_cap_never_cuts_the_lease_below_what_one_message_needs():
    assert LEASE(smtp_timeout=30, messages=25, cap=75) == 5 + 30 * 3 + 30 * 4


def test_the_lease_is_renewed_when_less_than_one_message_is_left():
    now = timezone.now()
    running_out = email_lease_running_out
    assert not running_out(lease_expires_at=now + timedelta(seconds=46), now=now, smtp_timeout=10)
    assert running_out(lease_expires_at=now + timedelta(seconds=44), now=now, smtp_timeout=10)


def test_a_pipelining_sender_renews_while_six_replies_could_still_outlast_the_lease(settings):
    # Pipelined, a message's end of data is answered up to six replies after
    # the check before it (the previous end of data, MAIL, RCPT, DATA, its
    # own end of data, a RSET): the check asks for that much time, while the
    # lease itself stays as long (the sweeper's two minutes depend on it).
    settings.EMAIL_TIMEOUT = 10
    now = timezone.now()
    transport = EmailTransport()
    fifty_five_seconds_left = now + timedelta(seconds=55)
    assert not transport.lease_running_out(lease_expires_at=fifty_five_seconds_left, now=now)
    transport.pipelined = object()  # as open() leaves it on a server offering PIPELINING
    assert transport.lease_running_out(lease_expires_at=fifty_five_seconds_left, now=now)
    assert not transport.lease_running_out(lease_expires_at=now + timedelta(seconds=66), now=now)
    assert transport.lease_seconds(1) == transport.lease_seconds(25) == 75


def test_a_claim_records_its_lease_from_the_settings(settings):
    settings.EMAIL_TIMEOUT, settings.NPS_EMAIL_LEASE_MAX_SECONDS = 10, 75
    email = queue_email()
    now = timezone.now()
    _claim([email.pk], now)
    email.refresh_from_db()
    assert (email.status, email.claimed_at) == ("sending", now)
    assert email.lease_expires_at == now + timedelta(seconds=75)


def test_sweeper_takes_back_an_email_whose_lease_expired_but_not_one_still_leased(smtp, settings):
    settings.EMAIL_TIMEOUT, settings.NPS_EMAIL_LEASE_MAX_SECONDS = 10, 75
    email = queue_email()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        _claim([email.pk], start)  # the worker died right after this
        traveller.shift(timedelta(seconds=74))
        assert lost_work_sweep().unstuck == 0  # the lease still holds
        email.refresh_from_db()
        assert email.status == "sending"
        traveller.shift(timedelta(seconds=2))
        result = lost_work_sweep()
    assert result.unstuck == 1
    email.refresh_from_db()
    assert email.status == "sent"  # the sweeper re-published it; eager tasks sent it
    assert email.attempts == 2
    [message] = smtp.handler.messages
    assert message["Message-ID"] == email.message_id


class SlowBackend(EmailBackend):
    """Each message takes the mail server ``seconds`` (on a frozen clock)."""

    traveller = None
    seconds = 0.0
    during_first_send = None

    def send_messages(self, messages):
        type(self).traveller.shift(timedelta(seconds=type(self).seconds))
        if type(self).during_first_send:
            type(self).during_first_send()
            type(self).during_first_send = None
        return super().send_messages(messages)


@pytest.fixture
def slow_server(settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    settings.EMAIL_TIMEOUT, settings.NPS_EMAIL_LEASE_MAX_SECONDS = 10, 75
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        SlowBackend.traveller = traveller
        yield start
    SlowBackend.traveller = SlowBackend.during_first_send = None


def test_a_sender_renews_its_lease_while_a_long_batch_runs(slow_server, mailoutbox):
    ids = [queue_email(f"c{i}@example.com", key=f"k{i}").pk for i in range(3)]
    SlowBackend.seconds = 40  # each message near its worst case: 4 round trips of 10 s
    assert messages_send(message_ids=ids) == {}
    leases = dict(OutboundMessage.objects.values_list("pk", "lease_expires_at"))
    start = slow_server
    # 75 s at the claim; renewed for the rest before the second and third
    # messages, when less than 45 s (one message and the margin) were left.
    assert [leases[pk] - start for pk in ids] == [
        timedelta(seconds=75),
        timedelta(seconds=40 + 75),
        timedelta(seconds=80 + 75),
    ]
    assert len(mailoutbox) == 3
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_sender_does_not_send_emails_the_sweeper_took_back_from_it(slow_server, mailoutbox):
    ids = [queue_email(f"c{i}@example.com", key=f"k{i}").pk for i in range(2)]
    SlowBackend.seconds = 40

    def taken_back_and_claimed_by_another_sender():
        OutboundMessage.objects.filter(pk=ids[1]).update(claimed_at=timezone.now())

    SlowBackend.during_first_send = taken_back_and_claimed_by_another_sender
    messages_send(message_ids=ids)
    assert [m.to for m in mailoutbox] == [["c0@example.com"]]
    assert OutboundMessage.objects.get(pk=ids[1]).status == "sending"  # the other sender's
