"""The reply address every email from a case carries, and the name it is
sent under: signed, so it cannot be guessed, changed or kept for ever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from followups.cases import workflow
from followups.outbox.messages import email_queue
from followups.outbox.reply_address import (
    Verdict,
    reply_address,
    reply_token,
    token_check,
)
from followups.outbox.sending import messages_send
from nps_project.log_redaction import redact
from tests.factories import staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db


def test_a_token_names_its_case_whatever_the_letter_case():
    token = reply_token(4711)
    assert token_check(token).case_id == 4711
    assert token_check(token.upper()).verdict is Verdict.VALID


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: "1" + token,  # another case, same signature
        lambda token: token[:-1] + ("a" if token[-1] != "a" else "b"),  # a changed signature
        lambda token: token.rsplit("-", 1)[0],  # no signature
        lambda token: "../../etc",
    ],
)
def test_a_changed_or_made_up_token_is_forged(tamper):
    assert token_check(tamper(reply_token(4711))).verdict is Verdict.FORGED


def test_a_token_older_than_the_limit_has_expired(settings):
    settings.NPS_REPLY_MAX_AGE_DAYS = 30
    old = reply_token(4711, now=timezone.now() - timedelta(days=32))
    assert token_check(old).verdict is Verdict.EXPIRED
    assert token_check(reply_token(4711, now=timezone.now() - timedelta(days=29))).case_id == 4711


def test_a_token_signed_under_another_secret_is_forged_unless_it_is_a_fallback(settings):
    token = reply_token(4711)
    signed_under = settings.SECRET_KEY
    settings.SECRET_KEY = "another-test-key-" + "x" * 40
    assert token_check(token).verdict is Verdict.FORGED
    settings.SECRET_KEY_FALLBACKS = [signed_under]
    assert token_check(token).verdict is Verdict.VALID


def test_the_address_uses_the_reply_domain_else_the_senders(settings):
    settings.DEFAULT_FROM_EMAIL = "Acme Support <support@acme.example>"
    assert reply_address(7).startswith("replies+7-")
    assert reply_address(7).endswith("@acme.example")
    settings.NPS_REPLY_DOMAIN = "in.acme.example"
    settings.NPS_REPLY_LOCAL_PART = "case"
    assert reply_address(7).startswith("case+7-")
    assert reply_address(7).endswith("@in.acme.example")


def test_a_reply_address_never_reaches_a_log_line():
    line = f"Delivered to {reply_address(7)} at noon"
    assert redact(line) == "Delivered to replies+[redacted]@example.com at noon"


def test_a_staff_email_goes_out_under_the_agents_name_with_the_cases_reply_address(smtp, settings):
    settings.DEFAULT_FROM_EMAIL = "Acme Support <support@acme.example>"
    owner = staff_member("owner", first_name="Olga", last_name="Nowak")
    case = open_case(owner=owner, locale="pl")
    with TestCase.captureOnCommitCallbacks(execute=False):
        email = workflow.case_email_customer(
            case=case, actor=owner, subject="Paczka", body="Już wysłana.", draft_id="d1"
        )
    messages_send(message_ids=[email.pk])
    [sent] = smtp.handler.messages
    assert sent["From"] == "Olga Nowak przez Acme Support <support@acme.example>"
    assert sent["Reply-To"] == email.reply_to
    assert token_check(email.reply_to.split("+")[1].split("@")[0]).case_id == case.pk
    assert email.reply_to.endswith("@acme.example")


def test_automatic_emails_keep_the_shared_sender(smtp, settings):
    settings.DEFAULT_FROM_EMAIL = "Acme Support <support@acme.example>"
    case = open_case()
    email = email_queue(
        template="case_reply",
        dedupe_key="k",
        recipient="boss@acme.example",
        language="en",
        context={"case_id": case.pk, "url": "http://x"},
    )
    messages_send(message_ids=[email.pk])
    [sent] = smtp.handler.messages
    assert sent["From"] == "Acme Support <support@acme.example>"
    assert sent["Reply-To"] is None
