"""The sender's bookkeeping statements (``followups.outbox.ledger``): the
statements written for PostgreSQL leave every row as the ORM's path does
(the path of other databases, forced here on PostgreSQL), and PostgreSQL
prepares them once a connection has run them a few times."""

from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from followups.models import GrantStatus, OfferGrant, OutboundMessage
from followups.outbox import ledger
from tests.factories import OfferGrantFactory, OutboundMessageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

Status = OutboundMessage.Status


@pytest.fixture(params=["statement", "orm"])
def path(request, monkeypatch):
    """Each test once with PostgreSQL's statements, once with the ORM's path."""
    if request.param == "orm":
        monkeypatch.setattr(ledger, "_postgresql", lambda: False)
    return request.param


def rows(count, **fields):
    return [OutboundMessageFactory(**fields) for _ in range(count)]


def test_locked_rows_are_the_ids_asked_for_in_key_order_with_their_values(path):
    messages = rows(4, status=Status.QUEUED)
    other = OutboundMessageFactory()
    wanted = [messages[2].pk, messages[0].pk, messages[3].pk, 999_999_999]

    with transaction.atomic():
        locked = ledger.rows_locked(wanted, ("id", "channel", "status", "next_attempt_at"))

    expected = sorted(
        (m.pk, m.channel, m.status, m.next_attempt_at) for m in messages if m.pk in wanted
    )
    assert locked == expected
    assert other.pk not in [row[0] for row in locked]
    assert all(row[3].tzinfo is not None for row in locked)  # aware, as the ORM reads them


@pytest.mark.django_db(transaction=True)
def test_rows_another_transaction_holds_are_skipped_only_when_asked(path):
    held, free = rows(2)
    database = settings.DATABASES["default"]
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"],
        dbname=connection.settings_dict["NAME"],
        autocommit=False,
    ) as other:
        other.execute(
            f"SELECT 1 FROM {OutboundMessage._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608
            [held.pk],
        )
        with transaction.atomic():
            skipped = ledger.rows_locked([held.pk, free.pk], ("id",), skip_locked=True)
        assert skipped == [(free.pk,)]
        with transaction.atomic():
            connection.cursor().execute("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises(Exception, match="lock timeout"):
                ledger.rows_locked([held.pk, free.pk], ("id",))
        other.rollback()


def test_a_claim_marks_its_rows_sending_with_a_lease_and_one_more_attempt(path):
    claimed = rows(3, attempts=1)
    untouched = OutboundMessageFactory(attempts=1)
    now = timezone.now()

    ledger.claimed_mark([m.pk for m in claimed], at=now, lease_until=now + timedelta(minutes=5))

    for message in claimed:
        message.refresh_from_db()
        assert (message.status, message.claimed_at, message.attempts) == (Status.SENDING, now, 2)
        assert message.lease_expires_at == now + timedelta(minutes=5)
    untouched.refresh_from_db()
    assert (untouched.status, untouched.claimed_at, untouched.attempts) == (Status.QUEUED, None, 1)


def test_the_accepted_mark_gives_each_row_still_sending_its_own_moment(path):
    sending = rows(3, status=Status.SENDING)
    taken_back = OutboundMessageFactory(status=Status.QUEUED)  # by the sweeper, meanwhile
    now = timezone.now()
    moments = {m.pk: now + timedelta(seconds=i) for i, m in enumerate(sending)}

    ledger.accepted_mark({**moments, taken_back.pk: now})

    for message in sending:
        message.refresh_from_db()
        assert (message.status, message.sent_at) == (Status.SENDING, moments[message.pk])
    taken_back.refresh_from_db()
    assert taken_back.sent_at is None


def test_grants_become_sent_at_their_messages_moment_only_while_issued(path):
    issued = [OfferGrantFactory() for _ in range(2)]
    redeemed = OfferGrantFactory(status=GrantStatus.REDEEMED)
    now = timezone.now()
    moments = {grant.response_id: now - timedelta(minutes=i) for i, grant in enumerate(issued)}

    ledger.moments_set(
        OfferGrant,
        key="response",
        field="sent_at",
        moments={**moments, redeemed.response_id: now},
        status=GrantStatus.ISSUED,
        also={"status": GrantStatus.SENT},
    )

    for grant in issued:
        grant.refresh_from_db()
        assert (grant.status, grant.sent_at) == (GrantStatus.SENT, moments[grant.response_id])
    redeemed.refresh_from_db()
    assert (redeemed.status, redeemed.sent_at) == (GrantStatus.REDEEMED, None)


def test_the_sent_mark_clears_the_last_error(path):
    accepted = rows(2, status=Status.SENDING, last_error="421 try later")
    other = OutboundMessageFactory(status=Status.SENDING, last_error="421 try later")

    ledger.sent_mark([m.pk for m in accepted])

    for message in accepted:
        message.refresh_from_db()
        assert (message.status, message.last_error) == (Status.SENT, "")
    other.refresh_from_db()
    assert (other.status, other.last_error) == (Status.SENDING, "421 try later")


def test_the_statements_are_prepared_once_a_connection_has_run_them():
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    assert threshold, "prepared statements are on by default (settings)"
    message = OutboundMessageFactory(status=Status.SENDING)
    for _ in range(threshold + 1):
        ledger.accepted_mark({message.pk: timezone.now()})
        with transaction.atomic():
            ledger.rows_locked([message.pk], ("id", "status"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("unnest" in sql and "sent_at" in sql for sql in prepared), prepared
    assert any(sql.startswith("SELECT") and "FOR UPDATE" in sql for sql in prepared), prepared
