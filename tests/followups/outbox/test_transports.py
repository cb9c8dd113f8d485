"""A channel is one transport: a second one, registered here for the test (an
SMS that records what it delivers), is claimed, delivered, retried with capped
backoff, failed for good, swept and retried from the admin by the outbox as it
is, with no change to the sender."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from followups.models import OutboundMessage
from followups.outbox import transports
from followups.outbox.sending import _claim, messages_send
from followups.outbox.transports import Transport, TransportError
from followups.sweep import lost_work_sweep
from surveys.audit import Action
from surveys.models import AuditEvent
from tests.factories import OutboundMessageFactory, manager

pytestmark = pytest.mark.django_db


class RecordingSms(Transport):
    """Delivers nothing: records each message, or raises the failures it was
    given, one per delivery, first."""

    channel = "sms"
    noun = "SMS"
    delivered: list[tuple[str, str]] = []
    failures: list[TransportError] = []
    connections: list[str] = []
    during_delivery = None

    def open(self) -> None:
        self.connections.append("open")

    def close(self) -> None:
        self.connections.append("closed")

    def deliver(self, message: OutboundMessage) -> None:
        if type(self).during_delivery:
            type(self).during_delivery()
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append((message.recipient, message.body_text))

    def message_seconds(self) -> float:
        return 2.0


@pytest.fixture
def sms():
    RecordingSms.delivered, RecordingSms.failures, RecordingSms.connections = [], [], []
    RecordingSms.during_delivery = None
    real = transports._TRANSPORTS.get(RecordingSms.channel)
    transports.register(RecordingSms)
    yield RecordingSms
    transports.unregister(RecordingSms.channel)
    if real is not None:  # the product's own SMS transport, back for the next tests
        transports.register(real)


def queue_sms(**fields) -> OutboundMessage:
    defaults = {"recipient": "+48500100200", "body_text": "Thanks! Your code: C-1\n"}
    return OutboundMessageFactory(channel="sms", subject="", body_html="", **{**defaults, **fields})


def test_a_queued_sms_is_claimed_and_delivered_through_its_transport(sms):
    message = queue_sms()
    assert messages_send(message_ids=[message.pk]) == {}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.sent_at is not None
    assert sms.delivered == [("+48500100200", "Thanks! Your code: C-1\n")]
    assert sms.connections == ["open", "closed"]
    # A second delivery of the same task finds nothing to claim.
    assert messages_send(message_ids=[message.pk]) == {}
    assert len(sms.delivered) == 1


def test_one_batch_goes_out_through_each_channels_own_transport(sms, smtp):
    email = OutboundMessageFactory(recipient="ana@example.com")
    text = queue_sms()
    assert messages_send(message_ids=[email.pk, text.pk]) == {}
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert sms.delivered == [("+48500100200", "Thanks! Your code: C-1\n")]
    [mail] = smtp.handler.messages
    assert mail["To"] == "ana@example.com"


def test_the_lease_of_an_sms_claim_is_sized_by_its_transport(sms, settings):
    settings.NPS_EMAIL_LEASE_MAX_SECONDS = 75
    message = queue_sms()
    now = timezone.now()
    _claim([message.pk], now)
    message.refresh_from_db()
    # 5 s margin, nothing to open, 2 s for the one message.
    assert message.lease_expires_at == now + timedelta(seconds=7)


def test_a_slow_sms_batch_renews_its_lease_and_delivers_every_message(sms, settings):
    settings.NPS_EMAIL_LEASE_MAX_SECONDS = 75
    ids = [queue_sms(recipient=f"+4850010020{i}").pk for i in range(3)]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        sms.during_delivery = lambda: traveller.shift(timedelta(seconds=4))
        assert messages_send(message_ids=ids) == {}
    delivered = [to for to, _ in sms.delivered]
    assert sorted(delivered) == [f"+4850010020{i}" for i in range(3)]
    leases = dict(OutboundMessage.objects.values_list("recipient", "lease_expires_at"))
    # 11 s at the claim (5 s + 2 s a message); 3 s were left before the third
    # message, less than it may take: renewed for it alone (5 s + 2 s).
    assert [leases[to] - start for to in delivered] == [
        timedelta(seconds=11),
        timedelta(seconds=11),
        timedelta(seconds=8 + 7),
    ]
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_transient_failure_requeues_with_backoff_and_gives_up_at_the_cap(sms, settings):
    settings.NPS_EMAIL_MAX_ATTEMPTS = 3
    settings.NPS_EMAIL_RETRY_BASE_SECONDS, settings.NPS_EMAIL_RETRY_MAX_SECONDS = 30, 45
    sms.failures = [TransportError("Gateway busy", permanent=False) for _ in range(3)]
    message = queue_sms()
    delays = []
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            retry = messages_send(message_ids=[message.pk])
            message.refresh_from_db()
            if message.pk not in retry:
                break
            delays.append(retry[message.pk])
            assert (message.status, message.last_error) == ("queued", "Gateway busy")
            assert message.next_attempt_at == timezone.now() + timedelta(seconds=retry[message.pk])
            # Not due yet: nothing is claimed before the delay is over.
            assert messages_send(message_ids=[message.pk]) == {}
            traveller.shift(timedelta(seconds=retry[message.pk] + 1))
    # Jittered between half and all of 30 s, then of 60 s capped at 45 s.
    assert 15 <= delays[0] <= 30
    assert 22.5 <= delays[1] <= 45
    assert (message.status, message.attempts) == ("failed", 3)
    assert message.last_error == "Gave up after 3 attempts. Last error: Gateway busy"
    assert sms.delivered == []


def test_a_permanent_failure_fails_the_row_at_once(sms, caplog):
    sms.failures = [TransportError("Number +48500100200 does not exist", permanent=True)]
    message = queue_sms()
    assert messages_send(message_ids=[message.pk]) == {}
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error == "Number +48500100200 does not exist"
    # The log names the row, never the recipient.
    [line] = [r.getMessage() for r in caplog.records if "failed for good" in r.getMessage()]
    reason = "Number <recipient> does not exist"
    assert line == f"SMS {message.pk} ({message.template}) failed for good: {reason}"


def test_a_transport_that_cannot_open_puts_the_whole_batch_back(sms):
    class Unreachable(RecordingSms):
        def open(self) -> None:
            raise TransportError("Gateway unreachable", permanent=False)

    transports.register(Unreachable)
    first, second = queue_sms(), queue_sms()
    retry = messages_send(message_ids=[first.pk, second.pk])
    assert set(retry) == {first.pk, second.pk}
    assert set(OutboundMessage.objects.values_list("status", "last_error")) == {
        ("queued", "Gateway unreachable")
    }


def test_a_row_of_a_channel_without_a_transport_fails_and_says_why():
    # SMS has its transport now: a channel nothing delivers, as a row from a
    # newer version read by an older worker would be.
    message = OutboundMessageFactory(channel="fax", recipient="+48500100200", body_text="Hi")
    assert messages_send(message_ids=[message.pk]) == {}
    message.refresh_from_db()
    assert message.status == "failed"
    assert message.last_error == "No transport delivers the 'fax' channel."


def test_the_sweeper_takes_back_an_sms_whose_lease_expired_and_publishes_it_again(sms):
    message = queue_sms()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        _claim([message.pk], start)  # the worker died right after this
        traveller.shift(timedelta(seconds=6))
        assert lost_work_sweep().unstuck == 0  # the 7 s lease still holds
        traveller.shift(timedelta(seconds=2))
        result = lost_work_sweep()
    assert (result.unstuck, result.messages) == (1, 1)
    message.refresh_from_db()
    # Re-published, and (tasks run eagerly here) delivered on its second attempt.
    assert (message.status, message.attempts) == ("sent", 2)
    assert sms.delivered == [("+48500100200", "Thanks! Your code: C-1\n")]


def test_the_admin_retries_a_failed_sms(sms, client, django_capture_on_commit_callbacks):
    boss = manager("boss")
    client.force_login(boss)
    message = queue_sms(status=OutboundMessage.Status.FAILED, attempts=3, last_error="Busy")
    changelist = reverse("admin:followups_outboundmessage_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(changelist, {"action": "retry_now", ACTION_CHECKBOX_NAME: [message.pk]})

    assert reply.status_code == 302
    message.refresh_from_db()
    # Queued again with its attempts reset, published, and delivered.
    assert (message.status, message.attempts) == ("sent", 1)
    assert sms.delivered == [("+48500100200", "Thanks! Your code: C-1\n")]
    [event] = AuditEvent.objects.filter(action=Action.MESSAGES_RETRIED)
    assert (event.object_type, event.object_ids) == ("followups.outboundmessage", [message.pk])


def test_the_admin_lists_and_filters_messages_by_channel(sms, client):
    client.force_login(manager("boss"))
    queue_sms(recipient="+48500999888")
    OutboundMessageFactory(recipient="ana@example.com")
    changelist = reverse("admin:followups_outboundmessage_changelist")

    page = client.get(changelist, {"channel__exact": "sms"}).content.decode()

    assert "+48500999888" in page
    assert "ana@example.com" not in page
