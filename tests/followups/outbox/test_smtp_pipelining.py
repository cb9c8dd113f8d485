"""A batch of emails over SMTP against a server that offers PIPELINING (RFC
2920) and one that does not: the same messages and outcomes either way, one
round trip per message where the server allows it."""

import smtplib
from email.header import decode_header, make_header

import pytest

from followups.models import MailEvent, OutboundMessage
from followups.outbox.messages import email_queue
from followups.outbox.sending import messages_send
from followups.outbox.transports import email as email_transport
from followups.outbox.transports.email import build_message
from followups.outbox.transports.smtp_pipeline import _data
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["pipelining", "plain"])
def server(request, smtp):
    smtp.handler.pipelining = request.param
    return smtp


def queue(to, key, name="Ana"):
    return email_queue(
        template="offer",
        dedupe_key=key,
        recipient=to,
        language="en",
        context={"customer_name": name, "score": 7, "offer": "10%", "code": "C", "expires": "-"},
        customer=CustomerFactory(email=to),
    )


def writes_counted(monkeypatch) -> list[bytes]:
    """Every write to the SMTP socket, as it goes."""
    writes: list[bytes] = []
    real_send = smtplib.SMTP.send

    def send(self, data):
        writes.append(data if isinstance(data, bytes) else data.encode())
        return real_send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", send)
    return writes


def send_all(emails):
    return messages_send(message_ids=[email.pk for email in emails])


def test_a_batch_arrives_whole_and_in_order_in_one_write_per_message_when_pipelined(
    server, monkeypatch
):
    emails = [queue(f"c{i}@example.com", f"c{i}") for i in range(5)]
    writes = writes_counted(monkeypatch)
    assert send_all(emails) == {}
    assert sorted(m["To"] for m in server.handler.messages) == sorted(e.recipient for e in emails)
    assert len({m["Message-ID"] for m in server.handler.messages}) == 5
    for email in emails:
        email.refresh_from_db()
        assert (email.status, email.last_error, email.sent_at is not None) == ("sent", "", True)
    commands = [w for w in writes if not w.startswith((b"ehlo", b"quit"))]
    if server.handler.pipelining:
        # Each write: the previous message's content, then MAIL, RCPT and DATA.
        assert len(commands) == 6
        assert commands[0].startswith(b"MAIL FROM:") and commands[0].endswith(b"DATA\r\n")
        assert all(b"\r\n.\r\nMAIL FROM:" in write for write in commands[1:-1])
        assert commands[-1].endswith(b"\r\n.\r\n") and b"MAIL FROM:" not in commands[-1]
    else:
        assert len(commands) == 4 * 5


def test_a_refused_recipient_mid_batch_fails_for_good_and_the_others_go(server):
    server.handler.refused_recipients.add("gone@example.com")
    first, refused, last = (
        queue("a@example.com", "a"),
        queue("gone@example.com", "g"),
        queue("z@example.com", "z"),
    )
    assert send_all([first, refused, last]) == {}
    assert sorted(m["To"] for m in server.handler.messages) == ["a@example.com", "z@example.com"]
    refused.refresh_from_db()
    assert refused.status == "failed"
    assert "550" in refused.last_error and "gone@example.com" in refused.last_error
    bounce = MailEvent.objects.get()
    assert (bounce.kind, bounce.bounce_type) == (MailEvent.Kind.BOUNCE, "permanent")
    assert set(OutboundMessage.objects.exclude(pk=refused.pk).values_list("status", flat=True)) == {
        "sent"
    }


def test_a_temporary_refusal_of_the_content_mid_batch_is_tried_again_later(server):
    emails = [queue(f"t{i}@example.com", f"t{i}") for i in range(3)]
    server.handler.temporary_failures_left = 1  # the first message's content: 451
    retry = send_all(emails)
    [retried] = retry
    rows = OutboundMessage.objects.filter(pk__in=[e.pk for e in emails])
    assert sorted(rows.values_list("status", flat=True)) == ["queued", "sent", "sent"]
    assert "451" in rows.get(pk=retried).last_error
    received = {m["To"] for m in server.handler.messages}
    assert received == {row.recipient for row in rows if row.status == "sent"}


def test_a_connection_lost_mid_batch_confirms_nothing_it_did_not_hear_back_about(server):
    emails = [queue(f"h{i}@example.com", f"h{i}") for i in range(4)]
    server.handler.hang_up_at_message = 2  # its content taken, no reply, closed
    retry = send_all(emails)
    rows = OutboundMessage.objects.filter(pk__in=[e.pk for e in emails])
    [sent] = rows.filter(status="sent")
    assert [m["To"] for m in server.handler.messages] == [sent.recipient]
    # The message the server hung up on and every later one: back in the queue.
    unconfirmed = rows.exclude(pk=sent.pk)
    assert set(retry) == {row.pk for row in unconfirmed}
    for row in unconfirmed:
        assert (row.status, row.sent_at) == ("queued", None)
        assert "SMTPServerDisconnected" in row.last_error


def test_a_server_refusing_every_message_for_now_leaves_the_whole_batch_for_later(server):
    emails = [queue(f"s{i}@example.com", f"s{i}") for i in range(3)]
    server.handler.always_fail = True  # every DATA: 451, the connection stays
    retry = send_all(emails)
    assert set(retry) == {e.pk for e in emails}
    assert server.handler.attempts == 3


def test_a_batch_that_stops_midway_records_what_the_server_confirmed(server, monkeypatch):
    emails = [queue(f"m{i}@example.com", f"m{i}") for i in range(3)]
    real_build, built = build_message, []

    def build(email, connection):
        if len(built) == 2:
            raise KeyboardInterrupt  # the worker is told to stop before the third
        built.append(email.pk)
        return real_build(email, connection)

    monkeypatch.setattr(email_transport, "build_message", build)
    with pytest.raises(KeyboardInterrupt):
        send_all(emails)
    # Pipelined, the second message's content waits for the third's commands:
    # it never left, so it is not recorded; without pipelining it went.
    confirmed = 1 if server.handler.pipelining else 2
    taken = OutboundMessage.objects.filter(pk__in=built[:confirmed])
    assert {(row.status, row.sent_at is not None) for row in taken} == {("sent", True)}
    assert {m["To"] for m in server.handler.messages} == {row.recipient for row in taken}
    for row in OutboundMessage.objects.filter(pk__in=[e.pk for e in emails]).exclude(
        pk__in=built[:confirmed]
    ):
        # Still claimed: the sweeper queues it again once its sender is surely gone.
        assert (row.status, row.sent_at) == ("sending", None)


def test_messages_parse_back_the_same_whether_pipelined_or_not(server):
    subjects = {"pl": "Zażółć gęślą jaźń", "ru": "Спасибо за ответ", "zh": "感谢您的反馈"}
    emails = [queue(f"{lang}@example.com", lang, name=name) for lang, name in subjects.items()]
    for email in emails:
        OutboundMessage.objects.filter(pk=email.pk).update(
            subject=subjects[email.dedupe_key] + " " + "x" * 120,
            body_text=".a line starting with a dot\n" + "y" * 1200 + "\n.\n",
        )
    assert send_all(emails) == {}
    received = {message["To"]: message for message in server.handler.messages}
    for email in emails:
        email.refresh_from_db()
        message = received[email.recipient]
        subject = str(make_header(decode_header(message["Subject"])))
        assert subject.split() == email.subject.split()
        text, html = message.get_payload()
        assert text.get_content_charset() == "utf-8"
        assert unix(text.get_payload(decode=True).decode()) == email.body_text
        assert unix(html.get_payload(decode=True).decode()) == email.body_html
        assert message["List-Unsubscribe"]
        assert message["Message-ID"] == email.message_id


def unix(text: str) -> str:
    return text.replace("\r\n", "\n")


def test_content_is_dot_stuffed_and_ends_with_one_end_of_data_line():
    assert _data(b".one\r\ntwo\r\n..three") == b"..one\r\ntwo\r\n...three\r\n.\r\n"
    assert _data(b"done\r\n") == b"done\r\n.\r\n"


@pytest.mark.parametrize(
    "subject",
    [
        "Thank you",
        "Thanks  with two spaces and a trailing one ",
        "Zażółć gęślą jaźń",
        "Спасибо за ваш ответ, мы свяжемся с вами в течение двух рабочих дней",  # noqa: RUF001
        "感谢您的反馈，我们将在两个工作日内与您联系",  # noqa: RUF001
        "A plain subject long enough to need folding at seventy-eight characters, surely",
        "=?utf-8?q?looks_encoded?=",
    ],
)
@pytest.mark.parametrize("from_name", ["", "Łukasz from Support", "A " * 40])
def test_the_bytes_sent_are_what_the_email_package_writes(subject, from_name):
    from django.core.mail import get_connection

    from followups.outbox.transports.email import message_bytes

    row = queue("ola@example.com", f"b-{hash((subject, from_name))}")
    OutboundMessage.objects.filter(pk=row.pk).update(
        subject=subject,
        from_name=from_name,
        reply_to="case-1@replies.example.com",
        body_text="Ligne très longue " * 80 + "\n.\nfin\n",
    )
    row = OutboundMessage.objects.select_related("customer").get(pk=row.pk)
    connection = get_connection(backend="django.core.mail.backends.locmem.EmailBackend")
    message = build_message(row, connection).message()
    assert message_bytes(message) == message.as_bytes(linesep="\r\n")
