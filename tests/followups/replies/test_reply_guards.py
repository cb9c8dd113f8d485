"""What must not become a customer's reply, and what must not break the
reading of replies: a reply to an erased customer's case, machine-written
mail (out-of-office answers, bounces), a reply from another address (recorded
but moving nothing), hostile messages (nested a thousand deep, or one huge
line for the quote search), and how providers post the message."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from followups.cases.timeline import event_line
from followups.cases.workflow import case_reply_record
from followups.models import CaseEvent, FollowUpCase, InboundReply, OutboundMessage
from followups.outbox.reply_address import reply_address
from followups.replies.parsing import quotes_strip
from surveys.models import ApiScope, Customer
from surveys.services import customer_erase
from tests.factories import manager, staff_member
from tests.followups.cases import open_case
from tests.followups.replies import reply_mime
from tests.surveys.api.conftest import client_with, make_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/mail/inbound/"
Status = FollowUpCase.Status


@pytest.fixture
def provider(db):
    return client_with(make_token("inbound-mail", [ApiScope.MAIL_REPLIES]))


@pytest.fixture
def case():
    case = open_case(owner=staff_member("owner", email="owner@shop.example"))
    FollowUpCase.objects.filter(pk=case.pk).update(status=Status.WAITING)
    return case


def post(client, body: bytes):
    with TestCase.captureOnCommitCallbacks(execute=False):
        return client.generic("POST", URL, body, content_type="message/rfc822")


def form_post(client, data):
    with TestCase.captureOnCommitCallbacks(execute=False):
        return client.post(URL, data, format="multipart")


def replies(case) -> list[CaseEvent]:
    return list(case.events.filter(kind=CaseEvent.Kind.CUSTOMER_REPLIED))


def nested_mime(case_id: int, depth: int) -> bytes:
    head = f"From: customer@example.com\r\nTo: {reply_address(case_id)}\r\n".encode()
    parts = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n)
        for n in range(depth)
    )
    return head + parts + b"Content-Type: text/plain\r\n\r\nDeep.\r\n"


# --- Erased customers ---------------------------------------------------------


def test_a_reply_to_an_erased_customers_case_is_not_recorded(provider, case, caplog):
    customer_erase(customer=case.customer, actor=manager())
    with caplog.at_level(logging.WARNING, logger="followups.replies.services"):
        answer = post(provider, reply_mime(case.pk, sender="x@example.com", text="I am back."))
    assert answer.status_code == 202
    assert replies(case) == []
    assert not OutboundMessage.objects.filter(template="case_reply").exists()
    assert "the customer was erased" in caplog.text


def test_a_customer_erased_while_the_reply_waits_for_the_lock_is_not_recorded(case):
    loaded = FollowUpCase.objects.select_related("customer").get(pk=case.pk)
    Customer.objects.filter(pk=case.customer_id).update(erased_at="2026-12-01T10:00Z", email=None)
    with TestCase.captureOnCommitCallbacks(execute=False):
        event = case_reply_record(case=loaded, text="Hi", attachments=[], source="api")
    assert (event, replies(case)) == (None, [])


# --- Machine-written mail -----------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated; type=vacation"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"Return-Path": "<>"},
    ],
)
def test_an_automatic_answer_is_not_a_reply_and_moves_nothing(provider, case, headers, caplog):
    with caplog.at_level(logging.INFO, logger="followups.replies.services"):
        answer = post(provider, reply_mime(case.pk, text="I am out of office.", headers=headers))
    assert answer.status_code == 202
    assert replies(case) == []
    case.refresh_from_db()
    assert case.status == Status.WAITING
    assert not OutboundMessage.objects.filter(template="case_reply").exists()
    assert "sent automatically" in caplog.text


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.com", "postmaster@example.com"])
def test_a_bounce_from_a_mailer_daemon_is_not_a_reply(provider, case, sender):
    post(provider, reply_mime(case.pk, sender=sender, text="Delivery failed."))
    assert replies(case) == []


def test_a_delivery_report_is_not_a_reply(provider, case):
    report = reply_mime(case.pk, text="Delivery failed.").replace(
        b"Content-Type: text/plain", b'Content-Type: multipart/report; boundary="r"', 1
    )
    report = report.replace(b"Delivery failed.", b"--r\nContent-Type: text/plain\n\nFailed.\n--r--")
    post(provider, report)
    assert replies(case) == []


def test_auto_submitted_no_is_a_persons_reply(provider, case):
    post(provider, reply_mime(case.pk, text="Written by me.", headers={"Auto-Submitted": "no"}))
    assert [event.message for event in replies(case)] == ["Written by me."]


# --- The sender ---------------------------------------------------------------


def test_a_reply_from_the_customers_address_in_other_case_is_theirs(provider, case):
    sender = case.customer.email.upper()
    post(provider, reply_mime(case.pk, sender=f"Customer <{sender}>"))
    [event] = replies(case)
    assert event.data["from_customer"] is True
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_a_reply_from_another_address_is_marked_and_moves_nothing(provider, case):
    post(provider, reply_mime(case.pk, sender="someone.else@elsewhere.example", text="Hello."))
    [event] = replies(case)
    assert event.data["from_customer"] is False
    assert "someone.else" not in str(event.data) + event.message
    assert event_line(event) == "(Sent from another address than the customer's.)\n\nHello."
    case.refresh_from_db()
    assert case.status == Status.WAITING
    [notice] = OutboundMessage.objects.filter(template="case_reply")
    assert "from another address" in notice.body_text
    assert "in progress again" not in notice.body_text


# --- Who is told --------------------------------------------------------------


def test_an_owner_without_an_email_address_leaves_the_telling_to_the_managers(provider):
    boss = manager(email="boss@shop.example")
    case = open_case(owner=staff_member("mute", email=""))
    post(provider, reply_mime(case.pk))
    [notice] = OutboundMessage.objects.filter(template="case_reply")
    assert notice.recipient == boss.email
    assert "has no email address" in notice.body_text
    assert "Nobody owns" not in notice.body_text


# --- Hostile messages ---------------------------------------------------------


def test_a_message_nested_a_thousand_deep_is_a_clear_400(provider, case):
    answer = post(provider, nested_mime(case.pk, 1200))
    assert answer.status_code == 400
    assert "nests" in answer.json()["error"]["fields"]["email"][0]
    assert replies(case) == []


def test_a_huge_line_of_times_is_kept_as_text_not_searched_in_full():
    hostile = "1:11 " * 2_000_000  # 10 MB on one line, the endpoint's limit
    text = quotes_strip(f"Thanks.\n{hostile}\nOn Mon, Olga wrote:\n> quoted")
    assert text.startswith("Thanks.\n1:11 1:11")
    assert "quoted" not in text and len(text) <= 20_000


def test_only_the_start_of_a_long_line_is_taken_for_an_attribution():
    long_line = "x" * 600 + " 10:00 <nps@example.com>:"
    assert quotes_strip(f"Hello.\n{long_line}") == f"Hello.\n{long_line}"
    short = "On 1 Dec 2026 10:00 Olga <nps@example.com>:"
    assert quotes_strip(f"Hello.\n{short}\n> quoted") == "Hello."


# --- How providers post -------------------------------------------------------


def test_mailguns_body_mime_field_is_read(provider, case):
    raw = reply_mime(to="someone@example.com", text="Through Mailgun.", sender=None)
    answer = form_post(provider, {"body-mime": raw.decode(), "recipient": reply_address(case.pk)})
    assert answer.status_code == 202
    assert [event.message for event in replies(case)] == ["Through Mailgun."]


def test_an_uploaded_message_is_taken_before_a_text_field_and_keeps_its_8_bit_bytes(provider, case):
    raw = (
        f"From: {case.customer.email}\r\nTo: {reply_address(case.pk)}\r\n"
        "Message-ID: <latin2@customer.example>\r\nSubject: Re\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-2\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + "Zażółć gęślą jaźń.\r\n".encode("iso-8859-2")
    answer = form_post(
        provider,
        {
            "email": raw.decode("utf-8", errors="replace"),
            "raw": SimpleUploadedFile("reply.eml", raw, content_type="message/rfc822"),
        },
    )
    assert answer.status_code == 202
    assert [event.message for event in replies(case)] == ["Zażółć gęślą jaźń."]
    assert InboundReply.objects.count() == 1
