"""What the soak stands on (bench.infra): a sink in its own process that
counts what smtplib sends it, a backlog count that agrees with the full one,
and the autovacuum stand-in that vacuums a table past autovacuum's threshold
when the server does not."""

from __future__ import annotations

import os
import smtplib
import time
from email.message import EmailMessage

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from bench import infra
from followups.models import OutboundMessage
from surveys.models import Response
from tests.factories import ResponseFactory

pytestmark = pytest.mark.postgres


def _send(url_port: int, recipients: list[str]) -> None:
    message = EmailMessage()
    message["From"] = "loop@example.com"
    message["To"] = ", ".join(recipients)
    message["Subject"] = "Thank you"
    message.set_content("A line.\r\n.\r\nA line after a lone dot.\r\n")
    with smtplib.SMTP("127.0.0.1", url_port, timeout=10) as client:
        client.send_message(message)
        client.send_message(message, to_addrs=recipients[:1])


def test_the_sink_process_counts_every_recipient_and_notes_the_last():
    with infra.SmtpSinkProcess() as sink:
        assert sink.pid is not None and sink.pid != os.getpid()
        before = time.perf_counter()
        _send(sink.port, ["a@example.com", "b@example.com"])
        assert sink.count == 3  # two recipients, then one
        assert before < sink.last_at <= time.perf_counter()
        sink.reset()
        assert (sink.count, sink.last_at) == (0, 0.0)
        _send(sink.port, ["c@example.com"])
        assert sink.count == 2
    assert not sink.process.is_alive()


@pytest.mark.django_db
def test_the_backlog_counted_by_the_partial_indexes_agrees_with_the_full_count():
    routed, _, _ = ResponseFactory.create_batch(3)
    Response.objects.filter(pk=routed.pk).update(routed_at=timezone.now())
    statuses = OutboundMessage.Status
    for number, status in enumerate(
        [statuses.QUEUED, statuses.QUEUED, statuses.SENDING, statuses.SENT, statuses.FAILED]
    ):
        OutboundMessage.objects.create(
            dedupe_key=f"backlog:{number}",
            template="thanks",
            recipient=f"c{number}@example.com",
            subject="s",
            body_text="t",
            body_html="<p>h</p>",
            status=status,
        )

    backlog, progress = infra.loop_backlog(), infra.loop_progress()

    assert backlog == {"unrouted": 2, "unsent": 3, "failed": 1}
    assert backlog["unsent"] == progress["queued"] + progress["sending"]
    assert backlog["unrouted"] == progress["unrouted"]


def _dead_rows(url: str, table: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table]
        ).fetchone()
        return row[0] if row else 0


@pytest.mark.django_db(transaction=True)
def test_the_autovacuum_stand_in_vacuums_a_table_past_the_threshold():
    database_url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
        **{key: connection.settings_dict[key] or "" for key in ("USER", "HOST", "PORT", "NAME")}
    )
    url = infra.psycopg_url(database_url)
    table = "bench_stand_in_probe"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {table} (id int) WITH (autovacuum_enabled = false)")
        conn.execute(f"INSERT INTO {table} SELECT generate_series(1, 1000)")
        # 600 dead of 400 live: past 50 + 20% of the live rows.
        conn.execute(f"DELETE FROM {table} WHERE id > 400")  # noqa: S608 (a constant name)
        conn.execute("SELECT pg_stat_force_next_flush()")
    try:
        deadline = time.monotonic() + 10
        while _dead_rows(url, table) < 600 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _dead_rows(url, table) == 600

        # always: whatever this server's own setting.
        with infra.AutovacuumStandIn(database_url, naptime=0.05, always=True) as stand_in:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(
                run[1:3] == ("VACUUM", table) for run in stand_in.runs
            ):
                stand_in.check()
                time.sleep(0.05)

        assert ("VACUUM", table) in [run[1:3] for run in stand_in.runs]
        assert stand_in.summary().startswith("stand-in")
        deadline = time.monotonic() + 10
        while _dead_rows(url, table) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _dead_rows(url, table) == 0
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
