"""Customers' replies posted as raw MIME to /api/v1/mail/inbound/, as a mail
provider's inbound webhook does: the reply lands on its case's timeline with
the quoted text stripped, the owner is told, a case waiting on the customer
is back in progress; anything without a valid reply address goes nowhere
and the answer does not say so."""

# ruff: noqa: RUF001 - replies in Russian and Chinese, as customers write them

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from followups.models import CaseEvent, FollowUpCase, InboundReply, OutboundMessage
from followups.outbox.reply_address import reply_address
from surveys.models import ApiScope
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
def owner():
    return staff_member("owner", first_name="Olga", last_name="Nowak", email="olga@shop.example")


@pytest.fixture
def case(owner):
    case = open_case(owner=owner)
    FollowUpCase.objects.filter(pk=case.pk).update(status=Status.WAITING)
    return case


def post(client, body: bytes, content_type="message/rfc822"):
    with TestCase.captureOnCommitCallbacks(execute=False):
        return client.generic("POST", URL, body, content_type=content_type)


def replies(case) -> list[CaseEvent]:
    return list(case.events.filter(kind=CaseEvent.Kind.CUSTOMER_REPLIED))


def test_a_reply_lands_on_the_timeline_without_quote_or_attachment(provider, case):
    raw = reply_mime(
        case.pk,
        text="The new parcel arrived, thank you!\n\nOn Mon, Nov 30, 2026 at 9:12 AM Olga "
        "Nowak <nps@example.com> wrote:\n> Your parcel is on its way.",
        html="<p>The new parcel arrived, thank you!</p><blockquote>Your parcel</blockquote>",
        attachments=(("receipt.pdf", b"%PDF-1.4 secret"),),
    )
    answer = post(provider, raw)
    assert (answer.status_code, answer.json()) == (202, {"accepted": True})
    [event] = replies(case)
    from followups.cases.timeline import event_line  # the line is worded when read

    assert event_line(event) == (
        "The new parcel arrived, thank you!\n\nAttachments (not kept): receipt.pdf"
    )
    assert (event.actor, event.data["attachments"]) == (None, ["receipt.pdf"])
    assert InboundReply.objects.get().event == event


def test_a_reply_moves_a_case_waiting_on_the_customer_back_in_progress(provider, case, owner):
    post(provider, reply_mime(case.pk))
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    change = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert (change.data["previous"], change.data["status"]) == (Status.WAITING, Status.IN_PROGRESS)


def test_the_owner_is_emailed_a_link_to_the_case_without_the_customers_words(provider, case, owner):
    post(provider, reply_mime(case.pk, text="My phone number is 555 0100."))
    [notice] = OutboundMessage.objects.filter(template="case_reply")
    assert (notice.recipient, notice.case_id) == (owner.email, case.pk)
    assert f"/admin/followups/followupcase/{case.pk}/change/" in notice.body_text
    assert "in progress again" in notice.body_text
    assert "555 0100" not in notice.body_text + notice.body_html


def test_a_reply_to_an_unowned_case_tells_the_managers(provider):
    boss = manager(email="boss@shop.example")
    case = open_case()
    post(provider, reply_mime(case.pk))
    [notice] = OutboundMessage.objects.filter(template="case_reply")
    assert notice.recipient == boss.email
    assert "Nobody owns the case" in notice.body_text


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_reply_to_a_finished_case_is_recorded_and_told_but_reopens_nothing(
    provider, case, status
):
    FollowUpCase.objects.filter(pk=case.pk).update(status=status)
    post(provider, reply_mime(case.pk, text="One more thing."))
    case.refresh_from_db()
    assert case.status == status
    assert [event.message for event in replies(case)] == ["One more thing."]
    [notice] = OutboundMessage.objects.filter(template="case_reply")
    assert "stays so" in notice.body_text


def test_an_html_only_reply_is_read_as_text(provider, case):
    html = (
        "<html><head><style>p{color:red}</style></head><body><div>Still broken &amp; "
        "<b>late</b>.</div><div>Call me.</div><div class='gmail_quote'>On Mon, Olga wrote:"
        "<blockquote>Your parcel is on its way.</blockquote></div></body></html>"
    )
    post(provider, reply_mime(case.pk, text=None, html=html))
    assert [event.message for event in replies(case)] == ["Still broken & late.\nCall me."]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        (
            "Works now.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Olga Nowak <\nnps@example.com> "
            "wrote:\n> Did it help?",
            "Works now.",
        ),
        (
            "Działa, dziękuję.\n\nW dniu 1.12.2026 o 10:00, Olga Nowak pisze:\n> Czy pomogło?",
            "Działa, dziękuję.",
        ),
        (
            "Dzień dobry,\nnadal czekam.\n\npon., 1 gru 2026 o 10:00 Olga Nowak "
            "<nps@example.com> napisał(a):\n> Czy pomogło?",
            "Dzień dobry,\nnadal czekam.",
        ),
        (
            "Спасибо, всё работает.\n\n1 дек. 2026 г., в 10:00, Olga Nowak "
            "<nps@example.com> написал(а):\n> Помогло?",
            "Спасибо, всё работает.",
        ),
        (
            "谢谢，已经解决了。\n\n在 2026年12月1日 10:00，Olga Nowak <nps@example.com> 写道：\n"
            "> 有帮助吗？",
            "谢谢，已经解决了。",
        ),
        (
            "Fine.\n\n-----Original Message-----\nFrom: NPS\nSent: Tuesday\n\nDid it help?",
            "Fine.",
        ),
        (
            "Dobrze.\n________________________________\nOd: NPS <nps@example.com>\n"
            "Wysłano: wtorek\nDo: Jan\nTemat: Re\n\nCzy pomogło?",
            "Dobrze.",
        ),
        (
            "Хорошо.\n\nОт: NPS <nps@example.com>\nОтправлено: 1 декабря 2026 г.\n\nПомогло?",
            "Хорошо.",
        ),
        (
            "好的。\n\n发件人: NPS <nps@example.com>\n发送时间: 2026年12月1日\n\n有帮助吗？",
            "好的。",
        ),
        ("All good.\n\n-- \nJan Kowalski\nACME sp. z o.o.", "All good."),
    ],
    ids=[
        "en-wrapped",
        "pl-thunderbird",
        "pl-gmail",
        "ru-gmail",
        "zh-gmail",
        "en-outlook",
        "pl-outlook",
        "ru-outlook",
        "zh-outlook",
        "signature",
    ],
)
def test_quoted_text_is_stripped_in_each_language(provider, case, written, kept):
    post(provider, reply_mime(case.pk, text=written))
    assert [event.message for event in replies(case)] == [kept]


def test_the_same_message_delivered_twice_is_recorded_once(provider, case):
    raw = reply_mime(case.pk, message_id="<once@customer.example>")
    assert post(provider, raw).status_code == 202
    assert post(provider, raw).status_code == 202
    assert len(replies(case)) == 1
    assert OutboundMessage.objects.filter(template="case_reply").count() == 1


@pytest.mark.parametrize("flaw", ["forged", "other-case", "expired", "unknown-case", "none"])
def test_a_reply_without_a_valid_address_goes_nowhere_and_the_answer_does_not_say(
    provider, case, flaw, caplog
):
    good = reply_address(case.pk)
    local, _, domain = good.partition("@")
    addresses = {
        "forged": local[:-4] + "aaaa@" + domain,
        "other-case": good.replace(f"+{local.split('+')[1].split('-')[0]}-", "+zz-"),
        "expired": reply_address(case.pk, now=timezone.now() - timedelta(days=400)),
        "unknown-case": reply_address(case.pk + 1000),
        "none": "support@example.com",
    }
    with caplog.at_level(logging.INFO):
        answer = post(provider, reply_mime(to=addresses[flaw], text="Secret words 7731."))
    assert (answer.status_code, answer.json()) == (202, {"accepted": True})
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.CUSTOMER_REPLIED).exists()
    assert not InboundReply.objects.exists()
    assert not OutboundMessage.objects.filter(template="case_reply").exists()
    assert "ignored" in caplog.text
    assert "7731" not in caplog.text
    assert "customer@example.com" not in caplog.text


def test_a_key_without_the_scope_is_refused_and_nothing_is_recorded(case):
    bounces_only = client_with(make_token("bounces", [ApiScope.MAIL_EVENTS]))
    answer = post(bounces_only, reply_mime(case.pk))
    assert answer.status_code == 403
    assert "mail:replies" in answer.json()["error"]["message"]
    assert post(client_with(None), reply_mime(case.pk)).status_code == 401
    assert replies(case) == []


def test_an_oversized_message_is_refused_with_413_and_nothing_is_recorded(provider, case, settings):
    settings.NPS_REPLY_MAX_BYTES = 2 * 1024 * 1024
    big = reply_mime(case.pk, attachments=(("scan.pdf", b"x" * (3 * 1024 * 1024)),))
    answer = post(provider, big)
    assert answer.status_code == 413
    assert "at most 2 MB" in answer.json()["error"]["message"]
    assert replies(case) == []


@pytest.mark.parametrize("body", [b"", b"   \r\n", b"no headers here, only words"])
def test_a_body_that_is_no_email_is_a_clear_400(provider, case, body):
    answer = post(provider, body)
    assert answer.status_code == 400
    assert "email" in answer.json()["error"]["fields"]
    assert replies(case) == []


def test_a_form_post_with_the_message_in_its_email_field_is_recorded(provider, case):
    raw = reply_mime(to="someone@example.com", text="Through the form.")
    with TestCase.captureOnCommitCallbacks(execute=False):
        answer = provider.post(
            URL, {"email": raw.decode(), "recipient": reply_address(case.pk)}, format="multipart"
        )
    assert answer.status_code == 202
    assert [event.message for event in replies(case)] == ["Through the form."]


def test_a_form_post_without_a_message_names_the_field(provider):
    answer = provider.post(URL, {"subject": "hello"}, format="multipart")
    assert answer.status_code == 400
    assert "'email'" in answer.json()["error"]["message"]


def test_the_reply_is_shown_escaped_on_the_case_page(provider, case, client):
    post(provider, reply_mime(case.pk, text="<script>alert(1)</script> & <b>bold</b>"))
    client.force_login(manager())
    page = client.get(f"/admin/followups/followupcase/{case.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page


def test_erasing_the_customer_empties_their_replies(provider, case):
    post(provider, reply_mime(case.pk, text="Call me on 555 0100.", attachments=(("a.pdf", b"x"),)))
    customer_erase(customer=case.customer, actor=manager())
    [event] = replies(case)
    assert "555 0100" not in event.message
    assert event.data["attachments"] == []
