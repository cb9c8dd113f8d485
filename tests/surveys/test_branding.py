"""The brand's rules (colours white text can be read on, a logo that is
really a small PNG or JPEG), the email texts' placeholders, and the brand on
the survey pages: its logo and colours served safely, its name escaped."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from surveys.branding import (
    EmailKind,
    contrast_with_white,
    logo_content_type,
    placeholders_validate,
    text_fill,
    validate_brand_colour,
)
from surveys.models import Brand, EmailText
from tests.factories import InvitationFactory, branded

pytestmark = pytest.mark.django_db


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (9, 105, 218)).save(buffer, format=kind)
    return buffer.getvalue()


# --- Colours -------------------------------------------------------------------


def test_the_contrast_ratio_is_wcags():
    assert contrast_with_white("#000000") == pytest.approx(21)
    assert contrast_with_white("#ffffff") == pytest.approx(1)
    assert contrast_with_white("#0969da") == pytest.approx(5.2, abs=0.1)


@pytest.mark.parametrize("colour", ["#0969da", "#1A7F37", "#000000"])
def test_a_dark_enough_colour_is_accepted(colour):
    validate_brand_colour(colour)


@pytest.mark.parametrize("colour", ["0969da", "#0969d", "#0969dz", "blue", "", "#0969da;"])
def test_a_colour_that_is_not_six_hex_digits_is_refused_with_the_form_to_use(colour):
    with pytest.raises(ValidationError) as error:
        validate_brand_colour(colour)

    assert "#0969da" in error.value.messages[0]


def test_a_light_colour_is_refused_with_its_contrast_and_the_ratio_needed():
    with pytest.raises(ValidationError) as error:
        validate_brand_colour("#ffd33d")

    message = error.value.messages[0]
    assert "#ffd33d" in message and "1.4" in message and "4.5:1" in message


def test_the_brand_names_the_colour_field_that_is_too_light():
    brand = Brand(primary_colour="#eeeeee", accent_colour="#1a7f37")

    with pytest.raises(ValidationError) as error:
        brand.full_clean()

    assert set(error.value.message_dict) == {"primary_colour"}


# --- The logo ------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_a_png_or_jpeg_logo_is_accepted_as_what_it_is(kind, content_type):
    assert logo_content_type(image_bytes(kind)) == content_type


def test_a_gif_logo_is_refused_by_name():
    with pytest.raises(ValidationError, match="not GIF"):
        logo_content_type(image_bytes("GIF"))


@pytest.mark.parametrize(
    "data",
    [b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", b"", b"\x89PNG"],
)
def test_a_file_that_is_no_image_is_refused(data):
    with pytest.raises(ValidationError, match="PNG or JPEG"):
        logo_content_type(data)


def test_a_logo_over_256_kb_is_refused_with_its_size():
    with pytest.raises(ValidationError, match="257 KB"):
        logo_content_type(b"\x89PNG" + b"0" * (256 * 1024))


def test_a_logo_over_2000_pixels_a_side_is_refused_with_its_size():
    with pytest.raises(ValidationError, match="2400 by 10"):
        logo_content_type(image_bytes("PNG", (2400, 10)))


# --- Placeholders ----------------------------------------------------------------


def test_known_placeholders_and_doubled_braces_pass():
    placeholders_validate("Hi {customer_name}, {{not a placeholder}} {score}/10", "offer")


def test_an_unknown_placeholder_is_named_with_those_allowed():
    with pytest.raises(ValidationError) as error:
        placeholders_validate("Your {coupon} is {code}", EmailKind.OFFER)

    message = error.value.messages[0]
    assert "{coupon}" in message
    assert "{code}" in message and "{sender_name}" in message  # the allowed list


@pytest.mark.parametrize(
    "text", ["{score:>5}", "{customer_name!r}", "{customer_name.__class__}", "{0}", "{}"]
)
def test_formats_attributes_and_positions_are_no_placeholders(text):
    with pytest.raises(ValidationError, match="Unknown placeholder"):
        placeholders_validate(text, EmailKind.OFFER)


@pytest.mark.parametrize("text", ["Hello {customer_name", "Hello }"])
def test_an_unclosed_brace_is_explained(text):
    with pytest.raises(ValidationError, match="brace"):
        placeholders_validate(text, EmailKind.OFFER)


def test_a_placeholder_of_another_email_is_unknown_in_this_one():
    with pytest.raises(ValidationError, match=r"\{code\}"):
        placeholders_validate("{code}", EmailKind.APOLOGY)


def test_filling_replaces_placeholders_and_undoubles_braces():
    filled = text_fill(
        "{{x}} {customer_name} scored {score}.", {"customer_name": "Ann", "score": 8}
    )

    assert filled == "{x} Ann scored 8."


def test_an_email_text_names_each_field_with_an_unknown_placeholder():
    wording = EmailText.objects.get(kind=EmailKind.REWARD)
    wording.intro_pl = "Kod: {code}"
    wording.subject_ru = "{nonsense}"
    wording.outro = "Thanks, {sender_name}"

    with pytest.raises(ValidationError) as error:
        wording.full_clean()

    assert set(error.value.message_dict) == {"intro_pl", "subject_ru"}


def test_an_empty_text_is_the_shipped_default_in_the_language_asked():
    from django.utils import translation

    wording = EmailText.objects.get(kind=EmailKind.REMINDER)
    with translation.override("pl"):
        assert wording.text("subject", "pl") == "Przypomnienie: {question}"
    wording.subject_pl = "Czekamy: {question}"
    assert wording.text("subject", "pl") == "Czekamy: {question}"
    assert wording.text("subject", "en") == "Reminder: {question}"


# --- Served to the survey pages --------------------------------------------------


def test_the_logo_is_served_as_its_type_never_sniffed_and_cached_by_its_digest(client):
    brand = Brand.current()
    brand.set_logo(image_bytes("PNG"), "image/png")
    brand.save()

    response = client.get(reverse("surveys:brand_logo", args=[brand.logo_digest]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "immutable" in response["Cache-Control"]
    assert response.content == image_bytes("PNG")


def test_an_old_or_made_up_logo_address_is_not_found(client):
    brand = Brand.current()
    brand.set_logo(image_bytes("PNG"), "image/png")
    brand.save()

    assert client.get(reverse("surveys:brand_logo", args=["0" * 16])).status_code == 404
    brand.set_logo(b"", "")
    brand.save()
    assert client.get(reverse("surveys:brand_logo", args=["0" * 16])).status_code == 404


def test_the_survey_page_links_the_brand_colours_and_shows_the_name_escaped(client):
    brand = branded(company_name="<b>Acme</b> & Sons", primary_colour="#8250df")
    invitation = InvitationFactory()

    html = client.get(invitation.get_absolute_url()).content.decode()

    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; Sons" in html
    assert "<b>Acme" not in html
    style_url = reverse("surveys:brand_style", args=[brand.style_version])
    assert style_url in html
    css = client.get(style_url)
    assert css["Content-Type"].startswith("text/css")
    assert "--accent: #8250df" in css.content.decode()


def test_the_survey_page_shows_the_logo_instead_of_the_name(client):
    brand = branded(company_name="Acme")
    brand.set_logo(image_bytes("PNG"), "image/png")
    brand.save()

    html = client.get(InvitationFactory().get_absolute_url()).content.decode()

    assert reverse("surveys:brand_logo", args=[brand.logo_digest]) in html
    assert 'alt="Acme"' in html


def test_new_colours_get_a_new_stylesheet_address():
    before = Brand.current().style_version

    assert branded(primary_colour="#8250df").style_version != before
