"""The outbox against a real SMTP server on 127.0.0.1: claimed before sending,
sent once, retried only when it can succeed later, failed with a reason."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from followups.models import OutboundMessage
from followups.outbox.messages import email_queue
from followups.outbox.sending import _claim, _mark_accepted, messages_send, retry_delay
from followups.outbox.transports.email import build_message
from followups.routing import responses_route
from followups.sweep import lost_work_sweep
from tests.factories import CustomerFactory, OutboundMessageFactory, manager

pytestmark = pytest.mark.django_db


def queue_email(to="ana@example.com", key="k1", **context):
    return email_queue(
        template="offer",
        dedupe_key=key,
        recipient=to,
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
            retry = messages_send(message_ids=[email.pk])
            if email.pk not in retry:
                break
            traveller.shift(timedelta(seconds=retry[email.pk] + 1))
    email.refresh_from_db()
    return rounds


def test_a_queued_email_is_sent_once_with_html_and_a_stable_message_id(smtp):
    email = queue_email()
    assert messages_send(message_ids=[email.pk]) == {}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")
    [message] = smtp.handler.messages
    assert message["To"] == "ana@example.com"
    assert message["Message-ID"] == email.message_id
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    # A second delivery of the same task finds nothing to claim.
    assert messages_send(message_ids=[email.pk]) == {}
    assert len(smtp.handler.messages) == 1


def test_same_dedupe_key_makes_no_second_row():
    first = queue_email(key="response:1:offer")
    again = email_queue(
        template="offer",
        dedupe_key="response:1:offer",
        recipient="x@example.com",
        language="en",
        context={},
    )
    assert again.pk == first.pk
    assert OutboundMessage.objects.count() == 1


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
    assert messages_send(message_ids=[email.pk]) == {}
    assert lost_work_sweep(now=timezone.now() + timedelta(days=1)).messages == 0
    assert smtp.handler.attempts == 4


def test_retries_back_off_exponentially_with_jitter_up_to_a_cap(settings):
    settings.NPS_EMAIL_RETRY_BASE_SECONDS = 30
    settings.NPS_EMAIL_RETRY_MAX_SECONDS = 600
    delays = {attempt: [retry_delay(attempt) for _ in range(50)] for attempt in (1, 3, 9)}
    assert all(15 <= d <= 30 for d in delays[1])
    assert all(60 <= d <= 120 for d in delays[3])
    assert all(300 <= d <= 600 for d in delays[9])
    assert len(set(delays[3])) > 1  # jittered, so retries do not arrive in lockstep


def test_a_refused_address_fails_at_once_with_the_reason(smtp):
    smtp.handler.refused_recipients.add("nobody@example.com")
    email = queue_email(to="nobody@example.com")
    assert messages_send(message_ids=[email.pk]) == {}
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 1)
    assert "550" in email.last_error and "nobody@example.com" in email.last_error
    assert smtp.handler.messages == []


def test_an_unreachable_mail_server_is_temporary(settings):
    from tests.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    email = queue_email()
    retry = messages_send(message_ids=[email.pk])
    email.refresh_from_db()
    assert email.pk in retry
    assert (email.status, email.attempts) == ("queued", 1)
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at > timezone.now()


def test_only_one_of_two_senders_claims_an_email():
    email = queue_email()
    now = timezone.now()
    assert _claim([email.pk], now) == [email.pk]
    assert _claim([email.pk], now) == []


def test_an_email_the_server_took_before_its_worker_died_is_recorded_not_sent_again(smtp, settings):
    from followups.models import CaseEvent, OfferGrant
    from tests.factories import ResponseFactory, staff_member

    settings.NPS_SWEEP_GRACE_SECONDS = 30
    staff_member("ola")
    passive, detractor = ResponseFactory(score=7), ResponseFactory(score=2)
    responses_route(response_ids=[passive.pk, detractor.pk])  # on-commit publishing never runs
    ids = list(OutboundMessage.objects.values_list("pk", flat=True))
    assert len(ids) == 2
    now = timezone.now()
    assert sorted(_claim(ids, now)) == sorted(ids)
    _mark_accepted({pk: timezone.now() for pk in ids})
    # The worker died here: the server has both messages, the bookkeeping is undone.
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sending"}

    assert lost_work_sweep(now=now + timedelta(seconds=10)).finished == 0  # within the grace
    result = lost_work_sweep(now=now + timedelta(seconds=31))
    assert (result.finished, result.unstuck, result.messages) == (2, 0, 0)
    assert smtp.handler.messages == []  # recorded, never sent again
    offer_email = OutboundMessage.objects.get(response=passive)
    assert (offer_email.status, offer_email.last_error) == ("sent", "")
    grant = OfferGrant.objects.get(response=passive)
    assert (grant.status, grant.sent_at) == ("sent", offer_email.sent_at)
    case_email = OutboundMessage.objects.get(response=detractor)
    [event] = CaseEvent.objects.filter(kind=CaseEvent.Kind.EMAIL_SENT)
    assert (event.case_id, event.data["email_id"], event.created_at) == (
        case_email.case_id,
        case_email.pk,
        case_email.sent_at,
    )
    # Sweeping again finds nothing left to finish.
    assert lost_work_sweep(now=now + timedelta(seconds=61)).finished == 0
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.EMAIL_SENT).count() == 1


def test_each_message_has_its_own_random_boundary_and_parses_back_into_its_parts():
    import email

    from django.core.mail import get_connection

    first, second = queue_email(key="b1"), queue_email(to="bo@example.com", key="b2")
    built = [
        build_message(row, get_connection(backend="django.core.mail.backends.locmem.EmailBackend"))
        for row in (first, second)
    ]
    boundaries = [message.message().get_boundary() for message in built]
    assert all(b.startswith("===============nps") and len(b) == 52 for b in boundaries)
    assert boundaries[0] != boundaries[1]
    parsed = email.message_from_bytes(built[0].message().as_bytes())
    assert [part.get_content_type() for part in parsed.get_payload()] == [
        "text/plain",
        "text/html",
    ]
    assert parsed.get_payload()[0].get_payload(decode=True).decode() == first.body_text


def test_what_the_server_took_is_recorded_in_chunks_each_at_its_own_time(
    smtp, settings, monkeypatch
):
    from followups.outbox import sending

    settings.NPS_EMAIL_ACCEPTED_CHUNK = 2
    emails = [queue_email(to=f"c{i}@example.com", key=f"c{i}") for i in range(5)]
    recorded = []

    def mark(accepted_at):
        recorded.append(dict(accepted_at))
        real_mark(accepted_at)

    real_mark = sending._mark_accepted
    monkeypatch.setattr(sending, "_mark_accepted", mark)
    assert messages_send(message_ids=[email.pk for email in emails]) == {}

    assert [len(chunk) for chunk in recorded] == [2, 2, 1]  # the last by the batch's end
    taken = {pk: at for chunk in recorded for pk, at in chunk.items()}
    assert len(smtp.handler.messages) == 5
    for email in emails:
        email.refresh_from_db()
        assert (email.status, email.sent_at) == ("sent", taken[email.pk])
    assert len(set(taken.values())) == 5  # each message's own moment, not its chunk's


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sender_commits_without_waiting_for_the_disk_only_in_its_own_transactions(smtp):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    email = queue_email()
    with CaptureQueriesContext(connection) as queries:
        assert messages_send(message_ids=[email.pk]) == {}
    statements = [query["sql"] for query in queries.captured_queries]
    writes = [i for i, sql in enumerate(statements) if sql.startswith("UPDATE")]
    relaxed = [i for i, sql in enumerate(statements) if "synchronous_commit" in sql]
    assert {statements[i] for i in relaxed} == {
        "SELECT set_config('synchronous_commit', 'off', true)"
    }
    # The claim, the "accepted" mark and the "sent" mark: each in a transaction
    # that first relaxes its own commit (``is_local``), never the session's.
    assert len(writes) == 3
    for previous, write in zip([-1, *writes], writes, strict=False):
        assert any(previous < i < write for i in relaxed), statements[previous + 1 : write + 1]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    email.refresh_from_db()
    assert email.status == "sent"


@pytest.mark.parametrize(
    ("template", "written_by_a_person", "auto_submitted"),
    [
        ("case_message", True, None),
        ("case_message", False, None),  # its writer's account is gone
        ("case_reply", False, "auto-generated"),
    ],
)
def test_only_automatic_emails_say_they_were_sent_automatically(
    template, written_by_a_person, auto_submitted
):
    from django.core.mail import get_connection

    row = OutboundMessageFactory(
        template=template, created_by=manager() if written_by_a_person else None
    )
    built = build_message(
        row, get_connection(backend="django.core.mail.backends.locmem.EmailBackend")
    )
    assert built.message().get("Auto-Submitted") == auto_submitted


@pytest.mark.postgres
def test_the_accepted_mark_finds_its_rows_by_id_even_when_statistics_lag_a_burst():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(prefix, count, **fields):
        return OutboundMessage.objects.bulk_create(
            OutboundMessage(
                **fields,
                dedupe_key=f"{prefix}-{index}",
                template="offer",
                recipient="ann@example.com",
                subject="S",
                body_text="B",
            )
            for index in range(count)
        )

    # What the statistics know: a quiet outbox, everything sent.
    rows("before", 500, status=OutboundMessage.Status.SENT, sent_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE followups_outboundmessage")
    burst = rows("burst", 2000)  # queued: all in the pending rows' index
    held = [email.pk for email in burst[:10]]
    OutboundMessage.objects.filter(pk__in=held).update(status=OutboundMessage.Status.SENDING)

    with CaptureQueriesContext(connection) as queries:
        _mark_accepted(dict.fromkeys(held, timezone.now()))

    [update] = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    as_written = update.replace(
        'lower("followups_outboundmessage"."status")', '"followups_outboundmessage"."status"'
    )
    assert as_written != update

    def plan(sql):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())

    # The status compared as written takes the pending rows' index: every
    # queued row read for ten. As sent, the primary key alone.
    assert "outbox_pending" in plan(as_written)
    assert "outbox_pending" not in plan(update)
    assert "followups_outboundemail_pkey" in plan(update)
    assert set(
        OutboundMessage.objects.filter(
            dedupe_key__startswith="burst", sent_at__isnull=False
        ).values_list("pk", flat=True)
    ) == set(held)
