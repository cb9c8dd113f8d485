"""Every customer email wears the brand and says what the admin wrote for
its language (or the shipped text, translated), escaped in HTML."""

# Polish and Russian text on purpose:
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from followups.invitations.emails import invitation_send
from followups.models import OutboundMessage
from followups.outbox.transports.email import EmailTransport
from followups.routing import responses_route
from surveys.branding import EmailKind
from surveys.models import Brand, EmailText
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, branded

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


def worded(kind: str, **texts) -> None:
    EmailText.objects.filter(kind=kind).update(**texts)


def routed_email(score: int, **customer) -> OutboundMessage:
    response = ResponseFactory(
        customer=CustomerFactory(**customer), score=score, submitted_at=timezone.now()
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[response.pk])
    return response.emails.get()


def test_an_offer_wears_the_brand_name_colours_and_signature():
    branded(
        company_name="Acme Ltd",
        primary_colour="#8250df",
        accent_colour="#953800",
        sender_name="The Acme team",
    )

    email = routed_email(8, name="Ann")

    assert "Acme Ltd" in email.body_html
    assert "#8250df" in email.body_html and "#953800" in email.body_html
    assert email.body_text.rstrip().endswith("Kind regards,\nThe Acme team")
    assert "Kind regards,<br>The Acme team" in email.body_html


def test_a_brand_never_saved_signs_as_customer_care_in_the_customers_language():
    Brand.objects.all().delete()

    email = routed_email(10, name="Ann", locale="pl")

    assert email.body_text.rstrip().endswith("Z wdzięcznością,\nDział obsługi klienta")


def test_the_text_written_for_the_customers_language_is_used():
    worded(
        EmailKind.OFFER,
        subject_pl="Oferta od {company_name}",
        intro_pl="Ocena {score}/10? Mamy coś dla {customer_name}:",
    )
    branded(company_name="Acme")

    email = routed_email(7, name="Ola", locale="pl")

    assert email.subject == "Oferta od Acme"
    assert "Ocena 7/10? Mamy coś dla Ola:" in email.body_text
    assert "Ocena 7/10? Mamy coś dla Ola:" in email.body_html


def test_a_language_left_empty_gets_the_shipped_text_in_it_not_another_languages():
    worded(EmailKind.OFFER, intro="Our own English words.", intro_pl="Nasze słowa.")

    russian = routed_email(8, name="Ivan", locale="ru")
    english = routed_email(8, name="Ann", locale="en")

    assert "Спасибо за оценку 8 из 10." in russian.body_text
    assert "Our own English words." not in russian.body_text
    assert russian.subject == "Спасибо за отзыв — у нас есть предложение для вас"
    assert "Our own English words." in english.body_text


def test_a_reminder_and_a_first_invitation_have_their_own_texts():
    worded(EmailKind.INVITATION, subject="First: {question}")
    worded(EmailKind.REMINDER, subject="Still waiting: {question}")
    survey = SurveyFactory(question="Would you recommend us?")
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation_send(survey=survey, customer=CustomerFactory())

    from followups.invitations.emails import _email_for

    reminder = _email_for(invitation=survey.invitations.get(), reminder=True)
    first = OutboundMessage.objects.get(template="invitation", dedupe_key__endswith=":first")

    assert first.subject == "First: Would you recommend us?"
    assert reminder.subject == "Still waiting: Would you recommend us?"


def test_hostile_names_are_escaped_in_html_and_kept_as_written_in_text():
    branded(company_name=HOSTILE, sender_name=HOSTILE)
    worded(EmailKind.APOLOGY, intro="{customer_name} and {company_name}: sorry.")

    email = routed_email(2, name=HOSTILE)

    assert "<script>" not in email.body_html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; and" in email.body_html
    assert f"{HOSTILE} and {HOSTILE}: sorry." in email.body_text


def test_an_email_goes_from_the_brands_sender(smtp):
    branded(sender_name="Acme, Customer Care", sender_address="care@acme.example")

    email = routed_email(9, name="Ann")  # sent through the outbox, to the SMTP server

    assert email.status == OutboundMessage.Status.SENT
    [received] = smtp.handler.messages
    assert received["From"] == '"Acme, Customer Care" <care@acme.example>'


def test_without_a_sender_the_servers_default_is_used(settings):
    settings.DEFAULT_FROM_EMAIL = "NPS <nps@example.com>"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email = routed_email(9, name="Ann")
    mail.outbox.clear()

    with EmailTransport() as transport:
        transport.deliver(email)

    assert mail.outbox[0].from_email == "NPS <nps@example.com>"


def test_a_logo_is_linked_from_the_public_address(settings):
    settings.PUBLIC_BASE_URL = "https://nps.acme.example"
    brand = Brand.current()
    brand.set_logo(b"x", "image/png")
    brand.save()

    email = routed_email(9, name="Ann")

    assert f'src="https://nps.acme.example/brand/logo/{brand.logo_digest}/"' in email.body_html
