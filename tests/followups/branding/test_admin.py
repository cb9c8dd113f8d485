"""The brand and the email texts in the admin: managers edit them and are
told clearly what is wrong, preview every email in every language, and send
themselves a test through the outbox; service staff do none of it."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from followups.models import OutboundMessage
from surveys.audit import Action
from surveys.branding import EmailKind
from surveys.models import AuditEvent, Brand, EmailText
from tests.factories import manager, staff_member

pytestmark = pytest.mark.django_db

BRAND_PAGE = reverse("admin:surveys_brand_change", args=[Brand.SINGLE_ID])


def text_page(kind: str) -> str:
    return reverse("admin:surveys_emailtext_change", args=[EmailText.objects.get(kind=kind).pk])


def preview_url(kind: str, language: str) -> str:
    pk = EmailText.objects.get(kind=kind).pk
    return reverse("admin:surveys_emailtext_preview", args=[pk, language])


def test_send_url(kind: str, language: str) -> str:
    pk = EmailText.objects.get(kind=kind).pk
    return reverse("admin:surveys_emailtext_test_send", args=[pk, language])


test_send_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture
def boss(client):
    user = manager("boss", first_name="Morgan", last_name="Example")
    client.force_login(user)
    return user


def brand_form(**changes) -> dict:
    data = {
        "company_name": "Acme",
        "primary_colour": "#0969da",
        "accent_colour": "#1a7f37",
        "sender_name": "Acme care",
        "sender_address": "care@acme.example",
    }
    return {**data, **changes}


def text_form(kind: str, **changes) -> dict:
    wording = EmailText.objects.get(kind=kind)
    data = {
        EmailText.column(part, lang): getattr(wording, EmailText.column(part, lang))
        for part in ("subject", "intro", "outro")
        for lang in ("en", "pl", "ru", "zh-hans")
    }
    return {**data, **changes}


def png() -> io.BytesIO:
    upload = io.BytesIO()
    Image.new("RGB", (90, 30), (130, 80, 223)).save(upload, format="PNG")
    upload.seek(0)
    upload.name = "logo.png"
    return upload


# --- The brand -------------------------------------------------------------------


def test_the_brand_list_is_the_brand_page(client, boss):
    response = client.get(reverse("admin:surveys_brand_changelist"))

    assert response.status_code == 302 and response["Location"] == BRAND_PAGE
    assert client.get(BRAND_PAGE).status_code == 200


def test_a_manager_saves_the_brand_with_a_logo_and_it_is_audited(client, boss):
    response = client.post(BRAND_PAGE, {**brand_form(), "logo_file": png()})

    assert response.status_code == 302
    brand = Brand.current()
    assert (brand.company_name, brand.sender_address) == ("Acme", "care@acme.example")
    assert brand.logo_content_type == "image/png" and brand.has_logo
    [event] = AuditEvent.objects.filter(action=Action.BRANDING_CHANGED)
    assert event.actor_id == boss.pk and "company_name" in event.details["fields"]


def test_a_light_colour_and_a_bad_logo_are_refused_and_nothing_is_saved(client, boss):
    fake = io.BytesIO(b"GIF89a not really")
    fake.name = "logo.png"

    response = client.post(
        BRAND_PAGE,
        {
            **brand_form(primary_colour="#ffd33d", sender_address="not an address"),
            "logo_file": fake,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "4.5:1" in errors["primary_colour"][0]
    assert "PNG or JPEG" in errors["logo_file"][0]
    assert "sender_address" in errors
    assert Brand.current().company_name == ""
    assert not AuditEvent.objects.filter(action=Action.BRANDING_CHANGED).exists()


def test_removing_the_logo(client, boss):
    client.post(BRAND_PAGE, {**brand_form(), "logo_file": png()})

    client.post(BRAND_PAGE, {**brand_form(), "remove_logo": "on"})

    assert not Brand.current().has_logo


# --- Email texts -----------------------------------------------------------------


def test_each_field_shows_the_shipped_text_of_its_language_and_the_placeholders(client, boss):
    html = client.get(text_page(EmailKind.OFFER)).content.decode()

    assert 'placeholder="Przypomnienie' not in html
    assert 'placeholder="Thank you for your feedback: an offer for you"' in html
    assert 'placeholder="Dziękujemy za opinię — mamy dla Państwa ofertę"' in html
    assert "<code>{code}</code>" in html and "<code>{sender_name}</code>" in html


def test_an_unknown_placeholder_is_a_form_error_and_nothing_is_saved(client, boss):
    response = client.post(
        text_page(EmailKind.OFFER),
        text_form(EmailKind.OFFER, intro_pl="Twój {coupon}", subject="Fine {company_name}"),
    )

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["intro_pl"]
    assert "{coupon}" in error and "{code}" in error
    assert EmailText.objects.get(kind=EmailKind.OFFER).subject == ""


def test_a_manager_saves_texts_and_it_is_audited(client, boss):
    response = client.post(
        text_page(EmailKind.REWARD),
        text_form(EmailKind.REWARD, subject_ru="Спасибо, {customer_name}"),
    )

    assert response.status_code == 302
    assert EmailText.objects.get(kind=EmailKind.REWARD).subject_ru == "Спасибо, {customer_name}"
    [event] = AuditEvent.objects.filter(action=Action.BRANDING_CHANGED)
    assert event.details == {"fields": ["subject_ru"]}


# --- Preview and test send -------------------------------------------------------


@pytest.mark.parametrize("kind", EmailKind.values)
@pytest.mark.parametrize("language", ["en", "pl", "ru", "zh-hans"])
def test_every_email_previews_in_every_language(client, boss, kind, language):
    response = client.get(preview_url(kind, language))

    assert response.status_code == 200
    rendered = response.context["rendered"]
    assert rendered.subject and rendered.body_text and rendered.body_html
    assert "{" not in rendered.subject


def test_the_preview_shows_the_html_sandboxed_and_the_text_part(client, boss):
    Brand.objects.filter(pk=Brand.SINGLE_ID).update(company_name="<i>Acme</i>")
    EmailText.objects.filter(kind=EmailKind.APOLOGY).update(
        intro_pl="Przepraszamy, {customer_name}."
    )

    html = client.get(preview_url(EmailKind.APOLOGY, "pl")).content.decode()

    [srcdoc] = re.findall(r'<iframe sandbox="" [^>]*srcdoc="([^"]*)"', html)
    email_html = unescape(srcdoc)
    assert "Przepraszamy, Alex Example." in email_html
    assert "&lt;i&gt;Acme&lt;/i&gt;" in email_html  # escaped in the email itself
    assert "<pre>" in html and "Przepraszamy, Alex Example." in html


def test_a_test_send_goes_to_the_manager_through_the_outbox_and_is_audited(client, boss):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(test_send_url(EmailKind.OFFER, "ru"))

    assert response.status_code == 302
    [email] = OutboundMessage.objects.all()
    assert email.recipient == boss.email and email.language == "ru"
    assert email.template == "offer" and email.created_by == boss
    assert email.status == OutboundMessage.Status.SENT  # the outbox sent it
    assert "Alex Example" in email.body_text
    [event] = AuditEvent.objects.filter(action=Action.TEST_EMAIL_SENT)
    assert event.details == {"language": "ru", "message_id": email.pk}


def test_a_manager_without_an_address_is_told_and_nothing_is_queued(client, boss):
    boss.email = ""
    boss.save()

    response = client.post(test_send_url(EmailKind.REWARD, "en"), follow=True)

    assert "no email address" in response.content.decode()
    assert not OutboundMessage.objects.exists()


def test_a_test_send_is_a_post(client, boss):
    assert client.get(test_send_url(EmailKind.REWARD, "en")).status_code == 405
    assert not OutboundMessage.objects.exists()


def test_an_unknown_language_or_email_is_not_found(client, boss):
    pk = EmailText.objects.get(kind=EmailKind.REWARD).pk

    assert client.get(preview_url(EmailKind.REWARD, "de")).status_code == 404
    url = reverse("admin:surveys_emailtext_preview", args=[pk + 999, "en"])
    assert client.get(url).status_code == 404
    for id_like in ("\u00b2", "\u0663", "99999999999999999999"):
        url = reverse("admin:surveys_emailtext_preview", args=[id_like, "en"])
        assert client.get(url).status_code == 404, id_like


def test_service_staff_cannot_see_edit_preview_or_send(client):
    client.force_login(staff_member("sam"))

    for url in (BRAND_PAGE, text_page(EmailKind.OFFER), preview_url(EmailKind.OFFER, "en")):
        assert client.get(url).status_code == 403, url
    assert client.post(BRAND_PAGE, brand_form()).status_code == 403
    assert client.post(test_send_url(EmailKind.OFFER, "en")).status_code == 403
    assert Brand.current().company_name == ""
    assert not OutboundMessage.objects.exists()
