"""SMS texts and what they cost: GSM-7 or UCS-2, septets or UTF-16 units, and
segments as the networks cut them; what a reply means (a score, a STOP);
and a customer's time zone, checked by its IANA name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from surveys.sms import GSM7, UCS2, sms_invitation_text, sms_is_stop, sms_length, sms_score
from tests.factories import CustomerFactory, SurveyFactory


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 0),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        # Extension characters take two septets.
        ("€" * 80, GSM7, 160, 1),
        ("a" + "€" * 80, GSM7, 161, 2),
        # Never cut between its two septets: 152 + an escape pair opens part two.
        ("a" * 152 + "{" + "a" * 10, GSM7, 164, 2),
        ("a" * 152 + "{" + "a" * 152, GSM7, 306, 3),
        ("Zażółć", UCS2, 6, 1),
        ("я" * 70, UCS2, 70, 1),
        ("я" * 71, UCS2, 71, 2),
        ("я" * 134, UCS2, 134, 2),
        ("我" * 135, UCS2, 135, 3),
        # An emoji is two UTF-16 units, never cut apart.
        ("😀" * 35, UCS2, 70, 1),
        ("a" * 66 + "😀", UCS2, 68, 1),
        ("я" * 66 + "😀" + "я" * 66, UCS2, 134, 3),
    ],
)
def test_length_encoding_and_segments(text, encoding, units, segments):
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("7", 7),
        (" 7 ", 7),
        ("10/10", 10),
        ("0", 0),
        ("9!", 9),
        ("10 / 10", 10),
        # Full-width, as a Chinese keyboard types them.
        ("\N{FULLWIDTH DIGIT ONE}\N{FULLWIDTH DIGIT ZERO}", 10),
        ("\N{FULLWIDTH DIGIT SEVEN}", 7),
        ("\N{FULLWIDTH DIGIT NINE}\N{FULLWIDTH SOLIDUS}1\N{FULLWIDTH DIGIT ZERO}!", 9),
        ("\N{FULLWIDTH DIGIT NINE}。", 9),
        ("11", None),
        ("100", None),
        ("-1", None),
        ("7 because", None),
        ("seven", None),
        ("", None),
    ],
)
def test_a_reply_is_a_score_only_when_it_is_a_number_from_0_to_10(text, score):
    assert sms_score(text) == score


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop. ",
        "UNSUBSCRIBE",
        "СТОП",
        "стоп!",
        "退订",
        "REZYGNUJĘ",
        "STOPALL",
        "\N{FULLWIDTH LATIN CAPITAL LETTER S}\N{FULLWIDTH LATIN CAPITAL LETTER T}"
        "\N{FULLWIDTH LATIN CAPITAL LETTER O}\N{FULLWIDTH LATIN CAPITAL LETTER P}",
    ],
)
def test_stop_words_in_every_language(text):
    assert sms_is_stop(text)


@pytest.mark.parametrize("text", ["Stop sending me links please", "7", "stopped by", ""])
def test_other_texts_are_not_a_stop(text):
    assert not sms_is_stop(text)


@pytest.mark.django_db
def test_the_invitation_text_carries_the_question_in_the_language_and_the_link():
    survey = SurveyFactory(question="Recommend us?", question_pl="Polecisz nas?")
    text = sms_invitation_text(
        survey=survey, language="pl", link="https://x.example/s/t/", reminder=False
    )
    assert text.startswith("Polecisz nas?")
    assert "https://x.example/s/t/" in text


@pytest.mark.django_db
def test_a_customers_time_zone_must_be_an_iana_name():
    customer = CustomerFactory(time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        customer.full_clean()
    assert "time_zone" in error.value.message_dict

    customer.time_zone = " Europe/Warsaw "
    customer.full_clean()
    assert customer.time_zone == "Europe/Warsaw"


@pytest.mark.django_db
def test_the_survey_page_previews_its_sms_per_language_escaped_with_its_cost(client):
    from tests.factories import manager

    survey = SurveyFactory(question="Recommend <b>us</b>?", question_ru="Порекомендуете нас?")
    client.force_login(manager("sms-preview"))

    page = client.get(f"/admin/surveys/survey/{survey.pk}/change/").content.decode()

    assert "Recommend &lt;b&gt;us&lt;/b&gt;?" in page
    assert "<b>us</b>" not in page
    assert "GSM-7" in page
    assert "UCS-2" in page  # the Russian text
    assert "Порекомендуете нас?" in page


@pytest.mark.parametrize(
    ("language", "valid_until", "referral"),
    [
        ("en", "Valid until 30 June.", "Your referral code for friends: REF-7"),
        ("pl", "Ważny do 30 June.", "Twój kod polecający dla znajomych: REF-7"),
    ],
)
def test_the_reward_text_carries_its_code_expiry_and_referral_code_in_the_language(
    language, valid_until, referral
):
    from surveys.sms import sms_outcome_text

    text = sms_outcome_text(
        template="reward",
        language=language,
        context={
            "reward": "A free coffee",
            "code": "RW-1234",
            "expires": "30 June",
            "referral_code": "REF-7",
            "link": "",
        },
    )

    assert "RW-1234" in text
    assert valid_until in text
    assert referral in text


@pytest.mark.django_db
def test_a_bad_time_zone_is_told_in_the_customers_language():
    from django.utils import translation

    customer = CustomerFactory(time_zone="Mars/Olympus")
    with translation.override("pl"), pytest.raises(ValidationError) as error:
        customer.full_clean()
    [message] = error.value.message_dict["time_zone"]
    assert "Europe/Warsaw" in message
    assert not message.startswith("Enter a time zone")


@pytest.mark.django_db
def test_the_sms_preview_counts_the_short_link_and_shows_the_reminder_too(client, settings):
    from surveys.sms import SAMPLE_LINK_PATH, sms_invitation_text
    from tests.factories import manager

    survey = SurveyFactory(question="Recommend us?")
    client.force_login(manager("sms-preview-2"))

    page = client.get(f"/admin/surveys/survey/{survey.pk}/change/").content.decode()

    link = settings.PUBLIC_BASE_URL + SAMPLE_LINK_PATH
    assert len(SAMPLE_LINK_PATH) == len("/i/0123456789ab/")
    first = sms_invitation_text(survey=survey, language="en", link=link, reminder=False)
    reminder = sms_invitation_text(survey=survey, language="en", link=link, reminder=True)
    assert first in page and reminder in page
    assert f"<td>{sms_length(reminder).units}</td>" in page
    assert "/s/" + "x" * 43 not in page
