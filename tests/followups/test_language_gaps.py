"""Texts worded per language: who would read English for want of their own
language, counted for the survey, offer and reward admin and the wave."""

import re

import pytest
from django.utils import timezone

from followups.models import Offer, Reward, SurveyIncentive
from surveys.services import survey_language_gaps
from tests.factories import CustomerFactory, InvitationFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db

POLISH_GAP = "3 customers speak Polish; this survey has no Polish text: they will get English."
RUSSIAN_GAP = "1 customer speaks Russian; this survey has no Russian text: they will get English."


@pytest.fixture
def root(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    return client


def customers(**by_locale):
    for locale, count in by_locale.items():
        CustomerFactory.create_batch(count, locale=locale.replace("_", "-"))


def texts(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_gaps_count_reachable_customers_by_the_language_they_read():
    survey = SurveyFactory(
        question_ru="Порекомендуете ли вы нас?",
        follow_up_question_ru="Почему?",
        default_locale="pl",
    )
    customers(pl=2, ru=4, zh_hans=1, en=5)
    CustomerFactory(locale="")  # reads the survey's default language, Polish
    CustomerFactory(locale="pl", unsubscribed_at=timezone.now())
    CustomerFactory(locale="zh-hans", email_bounced_at=timezone.now())

    gaps = survey_language_gaps(survey=survey)

    assert [(gap.locale, gap.customers) for gap in gaps] == [("pl", 3), ("zh-hans", 1)]


def test_a_survey_worded_in_every_language_has_no_gap():
    survey = SurveyFactory(
        question_pl="Czy polecisz nas?",
        question_ru="Да?",
        question_zh_hans="吗",
        follow_up_question_pl="Dlaczego?",
        follow_up_question_ru="Почему?",
        follow_up_question_zh_hans="为什么",
    )
    customers(pl=1, ru=1, zh_hans=1)
    assert survey_language_gaps(survey=survey) == []


def test_a_language_with_the_question_but_not_the_follow_up_question_is_a_gap():
    survey = SurveyFactory(
        question_pl="Czy polecisz nas?",
        question_ru="Да?",
        question_zh_hans="吗",
        follow_up_question_ru="Почему?",
        follow_up_question_zh_hans="为什么",
    )
    customers(pl=2, ru=1)
    assert [(gap.locale, gap.customers) for gap in survey_language_gaps(survey=survey)] == [
        ("pl", 2)
    ]
    survey.follow_up_question = ""  # no follow-up question at all: nothing to word
    assert survey_language_gaps(survey=survey) == []


def test_the_survey_page_warns_with_the_count_per_language(root):
    survey = SurveyFactory(
        question_zh_hans="您会推荐我们吗", follow_up_question_zh_hans="主要原因是什么"
    )
    customers(pl=3, ru=1, zh_hans=2)

    page = root.get(f"/admin/surveys/survey/{survey.pk}/change/")

    assert texts(page) == f"{POLISH_GAP} {RUSSIAN_GAP}"
    assert 'name="question_pl"' in page.content.decode()


def test_saving_a_survey_warns_and_wording_the_language_ends_the_warning(root):
    survey = SurveyFactory(name="Relationship", slug="relationship")
    customers(pl=3)
    form = {
        "name": "Relationship",
        "slug": "relationship",
        "status": "active",
        "recurrence": "",
        "default_locale": "en",
        "question": survey.question,
        "follow_up_question": survey.follow_up_question,
        "throttle_days": 30,
        "reminder_after_days": 7,
        "invitation_lifetime_days": 30,
        "detractor_sla_hours": 24,
        "detractor_resolution_hours": 72,
    }
    url = f"/admin/surveys/survey/{survey.pk}/change/"
    # Every inline of the page (incentive, driver choices, reminder bonus...)
    # posted empty, as a browser would: this test is about the survey's texts.
    for prefix in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', root.get(url).content.decode()):
        for count in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS"):
            form[f"{prefix}-{count}"] = 0
        form[f"{prefix}-MAX_NUM_FORMS"] = 1000

    saved = root.post(url, form, follow=True)
    assert POLISH_GAP in texts(saved)

    half = root.post(url, {**form, "question_pl": "Czy polecisz nas znajomym?"}, follow=True)
    assert POLISH_GAP in texts(half)  # the follow-up question would still be English
    worded = root.post(
        url,
        {
            **form,
            "question_pl": "Czy polecisz nas znajomym?",
            "follow_up_question_pl": "Co jest głównym powodem Twojej oceny?",
        },
        follow=True,
    )
    assert "Polish" not in texts(worded)
    survey.refresh_from_db()
    assert survey.text_for("pl")[0] == "Czy polecisz nas znajomym?"
    assert survey.text_for("ru")[0] == survey.question


def test_the_wave_counts_only_the_customers_it_would_invite(root):
    survey = SurveyFactory(status="active", throttle_days=30)
    customers(pl=3)
    InvitationFactory(survey=survey, customer=CustomerFactory(locale="pl"))  # throttled
    url = "/admin/surveys/survey/"

    preview = root.post(url, {"action": "send_wave", "_selected_action": [survey.pk]})

    assert POLISH_GAP in texts(preview)


def test_an_offer_without_a_russian_description_warns_on_its_page(root):
    offer = Offer.objects.create(name="Renewal", description="15% off", description_pl="15% zniżki")
    customers(pl=2, ru=2)

    page = root.get(f"/admin/followups/offer/{offer.pk}/change/")

    assert texts(page) == (
        "2 customers speak Russian; this offer has no Russian text: they will get English."
    )
    assert 'name="description_ru"' in page.content.decode()


@pytest.mark.parametrize("incentive", ["offer", "reward"])
def test_customers_without_a_language_count_in_the_language_of_the_survey_giving_it(
    root, incentive
):
    model = Offer if incentive == "offer" else Reward
    given = model.objects.create(name="Renewal", description="15% off", description_ru="15%")
    polish = SurveyFactory(default_locale="pl")
    SurveyIncentive.objects.create(survey=polish, **{incentive: given})
    SurveyFactory(default_locale="ru", status="archived")  # gives the default; archived
    customers(pl=1)
    CustomerFactory.create_batch(2, locale="")  # their email follows the survey: Polish

    page = root.get(f"/admin/followups/{incentive}/{given.pk}/change/")

    assert texts(page) == (
        f"3 customers speak Polish; this {incentive} has no Polish text: they will get English."
    )


def test_customers_without_a_language_count_for_the_default_offer_of_surveys_naming_none(root):
    Offer.objects.update(is_default=False)  # the reference data's own default
    default = Offer.objects.create(name="Default", description="10% off", is_default=True)
    named = Offer.objects.create(name="Named", description="20% off")
    SurveyFactory(default_locale="zh-hans")  # names no offer: gives the default one
    SurveyIncentive.objects.create(survey=SurveyFactory(default_locale="ru"), offer=named)
    CustomerFactory.create_batch(2, locale="")

    assert default.survey_locales() == {"zh-hans"}
    assert named.survey_locales() == {"ru"}
    page = root.get(f"/admin/followups/offer/{default.pk}/change/")
    assert texts(page) == (
        "2 customers speak Simplified Chinese; this offer has no Simplified Chinese text: "
        "they will get English."
    )


def test_customers_without_a_language_of_an_english_survey_are_no_gap(root):
    offer = Offer.objects.create(name="Renewal", description="15% off")
    SurveyIncentive.objects.create(survey=SurveyFactory(default_locale="en"), offer=offer)
    CustomerFactory.create_batch(2, locale="")
    assert texts(root.get(f"/admin/followups/offer/{offer.pk}/change/")) == ""


def test_the_admin_warns_in_the_staff_members_language(root):
    survey = SurveyFactory()
    customers(pl=3)
    page = root.get(f"/admin/surveys/survey/{survey.pk}/change/", headers={"accept-language": "pl"})
    assert "Język polski: 3 klientów" in texts(page)


def test_the_wave_plan_reads_in_the_staff_members_language(root):
    survey = SurveyFactory(status="active", throttle_days=30)
    customers(pl=3)
    InvitationFactory(survey=survey, customer=CustomerFactory(locale="pl"))
    preview = root.post(
        "/admin/surveys/survey/",
        {"action": "send_wave", "_selected_action": [survey.pk]},
        headers={"accept-language": "pl"},
    )
    page = preview.content.decode()
    assert "do zaproszenia: 3; pominięto 1: pytani lub odpowiadali w ciągu 30 dni" in page
