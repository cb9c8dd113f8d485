"""The driver ("main reason") question: its statistics against hand-counted
answers, the survey page that asks it, and the rules of storing an answer."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from surveys import drivers, services, stats
from surveys.admin import DriverChoiceInline
from surveys.models import DriverChoice, Response, Survey
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def driver_survey(slug: str = "checkout"):
    survey = SurveyFactory(
        slug=slug,
        driver_question="What mattered most?",
        driver_question_pl="Co było najważniejsze?",
    )
    choices = {
        key: DriverChoice.objects.create(
            survey=survey, key=key, label=label, label_pl=label_pl, position=position
        )
        for position, (key, label, label_pl) in enumerate(
            [
                ("price", "Price", "Cena"),
                ("support", "Support", "Obsługa"),
                ("delivery", "Delivery", "Dostawa"),
                ("ease", "Ease of use", "Łatwość obsługi"),
            ]
        )
    }
    return survey, choices


def answers_with_known_counts(survey, choices):
    """By hand: price 3 detractors + 1 passive; support 1 detractor + 1
    passive + 4 promoters; delivery 2 promoters (then deactivated); ease
    none. Around them, answers that must not count: no reason given, an
    answer excluded as a test, and another survey's answer."""
    for key, scores in {
        "price": [2, 5, 6, 7],
        "support": [0, 8, 9, 9, 10, 10],
        "delivery": [9, 10],
    }.items():
        for score in scores:
            ResponseFactory(survey=survey, score=score, driver=choices[key])
    ResponseFactory(survey=survey, score=1)
    ResponseFactory(survey=survey, score=3)
    ResponseFactory(survey=survey, score=0, driver=choices["price"], exclusion_reason="test")
    other, other_choices = driver_survey("other")
    ResponseFactory(survey=other, score=10, driver=other_choices["price"])
    DriverChoice.objects.filter(pk=choices["delivery"].pk).update(active=False)


# --- Statistics -----------------------------------------------------------------


def test_driver_report_matches_the_hand_counted_answers():
    survey, choices = driver_survey()
    answers_with_known_counts(survey, choices)

    rows = {
        row.choice.key: row.summary
        for row in drivers.driver_report(survey=survey, responses=Response.objects.all())
    }

    assert list(rows) == ["price", "support", "delivery", "ease"]
    counts = {
        key: (s.chosen.detractors, s.chosen.passives, s.chosen.promoters) for key, s in rows.items()
    }
    assert counts == {
        "price": (3, 1, 0),
        "support": (1, 1, 4),
        "delivery": (0, 0, 2),
        "ease": (0, 0, 0),
    }
    answered = rows["price"].answered
    assert (answered.detractors, answered.passives, answered.promoters) == (4, 2, 6)
    # Shares of each group that answered the question: price 3 of 4
    # detractors, 1 of 2 passives, 0 of 6 promoters; support 1/4, 1/2, 4/6.
    assert rows["price"].share("detractors") == 75.0
    assert rows["price"].share("passives") == 50.0
    assert rows["price"].share("promoters") == 0.0
    assert rows["support"].share("promoters") == pytest.approx(66.667, abs=0.001)
    assert rows["delivery"].share("promoters") == pytest.approx(33.333, abs=0.001)
    # NPS of those who chose it: price (0 - 3) / 4, support (4 - 1) / 6, delivery 2/2.
    assert rows["price"].chosen.nps == -75.0
    assert rows["support"].chosen.nps == 50.0
    assert rows["delivery"].chosen.nps == 100.0
    assert rows["ease"].chosen.nps is None


def test_driver_nps_interval_is_the_adjusted_wald_interval_of_those_who_chose_it():
    survey, choices = driver_survey()
    answers_with_known_counts(survey, choices)

    rows = drivers.driver_report(survey=survey, responses=Response.objects.all())
    price = rows[0].as_dict()

    # Price: 0 promoters, 1 passive, 3 detractors. Adjusted: n = 7,
    # p = 0.75/7, d = 3.75/7: centre -42.86, margin
    # 1.96 * sqrt((0.6429 - 0.1837) / 7) = 50.20 points.
    assert price["nps"] == -75.0
    assert price["confidence_interval"]["low"] == pytest.approx(-93.06, abs=0.01)
    assert price["confidence_interval"]["high"] == pytest.approx(7.34, abs=0.01)
    assert price["count"] == 4
    assert price["share_pct"] == pytest.approx(33.33)
    # 3 of 4 detractors, Agresti-Coull: (3 + 1.92) / (4 + 3.84) = 0.6275,
    # margin 1.96 * sqrt(0.6275 * 0.3725 / 7.84) = 0.3384.
    assert price["detractors"] == {
        "count": 3,
        "of": 4,
        "share_pct": 75.0,
        "share_interval": {"low": pytest.approx(28.91, abs=0.01), "high": 96.59},
    }


def test_a_share_interval_is_none_for_an_empty_group_and_stays_within_0_and_100():
    assert stats.Rate(0, 0).confidence_interval is None
    low, high = stats.Rate(5, 5).confidence_interval
    assert 0 <= low < high == 100.0
    low, high = stats.Rate(0, 5).confidence_interval
    assert low == 0.0 < high


def test_an_inactive_choice_without_answers_is_left_out_of_the_report():
    survey, choices = driver_survey()
    DriverChoice.objects.filter(pk=choices["ease"].pk).update(active=False)

    rows = drivers.driver_report(survey=survey, responses=Response.objects.all())

    assert [row.choice.key for row in rows] == ["price", "support", "delivery"]


# --- Storing an answer --------------------------------------------------------------


def test_a_choice_with_answers_cannot_be_deleted_only_deactivated():
    survey, choices = driver_survey()
    ResponseFactory(survey=survey, driver=choices["price"])

    with pytest.raises(ProtectedError):
        choices["price"].delete()
    choices["ease"].delete()  # no answers: it may go


def test_the_key_of_a_choice_with_answers_cannot_change_in_the_admin():
    survey, choices = driver_survey()
    ResponseFactory(survey=survey, driver=choices["price"])
    inline = DriverChoiceInline(Survey, admin.site)
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    form_class = inline.get_formset(request).form

    def edited(choice, **changes):
        choice = DriverChoice.objects.get(pk=choice.pk)  # a form changes its instance
        fields = ("position", "key", "label", "label_pl", "label_ru", "label_zh_hans", "active")
        data = {name: getattr(choice, name) for name in fields} | changes
        return form_class(data={"survey": survey.pk, **data}, instance=choice)

    renamed = edited(choices["price"], key="pricing")
    assert not renamed.is_valid()
    assert "“price”" in renamed.errors["key"][0]
    assert edited(choices["price"], label="Prices").is_valid()  # a new wording is fine
    assert edited(choices["ease"], key="usability").is_valid()  # no answers: free to change
    assert DriverChoice.objects.get(pk=choices["price"].pk).key == "price"


def test_record_refuses_a_choice_of_another_survey_or_an_inactive_one():
    survey, choices = driver_survey()
    _other, other_choices = driver_survey("other")
    customer = CustomerFactory()

    with pytest.raises(ValidationError) as wrong_survey:
        services.response_record(
            survey=survey, customer=customer, score=5, driver=other_choices["price"]
        )
    DriverChoice.objects.filter(pk=choices["price"].pk).update(active=False)
    choices["price"].refresh_from_db()
    with pytest.raises(ValidationError) as inactive:
        services.response_record(survey=survey, customer=customer, score=5, driver=choices["price"])

    assert "driver" in wrong_survey.value.message_dict
    assert "support, delivery, ease" in inactive.value.message_dict["driver"][0]
    assert not Response.objects.exists()


def test_a_driver_is_found_by_key_then_by_id_and_anything_else_is_refused_by_name():
    survey, choices = driver_survey()

    assert services.driver_choice_find(survey=survey, value="support") == choices["support"]
    assert (
        services.driver_choice_find(survey=survey, value=str(choices["ease"].pk))
        == (choices["ease"])
    )
    assert services.driver_choice_find(survey=survey, value="") is None
    with pytest.raises(ValidationError) as refused:
        services.driver_choice_find(survey=survey, value="weather")
    assert refused.value.message_dict["driver"] == [
        "The survey 'checkout' has no active driver choice 'weather'; "
        "use one of: price, support, delivery, ease."
    ]


def test_a_survey_without_a_driver_question_says_so():
    survey = SurveyFactory(slug="plain")

    with pytest.raises(ValidationError) as refused:
        services.driver_choice_find(survey=survey, value="price")

    assert refused.value.message_dict["driver"] == ["The survey 'plain' asks no driver question."]


def test_once_the_question_is_removed_its_choices_are_neither_found_nor_stored():
    survey, choices = driver_survey()
    survey.driver_question = ""
    survey.save(update_fields=["driver_question"])
    customer = CustomerFactory()
    response = ResponseFactory(survey=survey)
    no_question = ["The survey 'checkout' asks no driver question."]

    for value in ("price", str(choices["price"].pk)):
        with pytest.raises(ValidationError) as refused:
            services.driver_choice_find(survey=survey, value=value)
        assert refused.value.message_dict["driver"] == no_question
    with pytest.raises(ValidationError) as recorded:
        services.response_record(survey=survey, customer=customer, score=5, driver=choices["price"])
    with pytest.raises(ValidationError) as later:
        services.response_driver_set(response=response, driver=choices["support"])

    assert recorded.value.message_dict["driver"] == no_question
    assert later.value.message_dict["driver"] == no_question
    assert list(survey.drivers_offered()) == []
    assert not Response.objects.filter(driver__isnull=False).exists()


def test_the_driver_is_stored_once_and_never_replaced():
    survey, choices = driver_survey()
    response = ResponseFactory(survey=survey)

    assert services.response_driver_set(response=response, driver=choices["price"]) is True
    assert services.response_driver_set(response=response, driver=choices["support"]) is False

    response.refresh_from_db()
    assert response.driver == choices["price"]


# --- The survey page ----------------------------------------------------------------


def follow_up_url(invitation):
    return reverse("surveys:follow_up", args=[invitation.token])


def test_after_the_score_the_page_asks_the_driver_question_in_the_customers_language(client):
    survey, _choices = driver_survey()
    invitation = InvitationFactory(survey=survey, customer=CustomerFactory(locale="pl"))
    client.post(invitation.get_absolute_url(), {"score": "4"})

    page = client.get(follow_up_url(invitation))

    html = page.content.decode()
    assert "Co było najważniejsze?" in html
    for label in ("Cena", "Obsługa", "Dostawa", "Łatwość obsługi"):
        assert label in html
    assert html.count('type="radio" name="driver"') == 4
    assert 'value="price"' in html


def test_the_chosen_reason_and_the_comment_are_saved_together(client):
    survey, choices = driver_survey()
    invitation = InvitationFactory(survey=survey)
    client.post(invitation.get_absolute_url(), {"score": "4"})

    reply = client.post(follow_up_url(invitation), {"driver": "support", "comment": "Slow"})

    assert reply.status_code == 303
    response = Response.objects.get()
    assert (response.driver, response.comment) == (choices["support"], "Slow")


def test_a_reason_alone_is_saved_and_the_comment_may_still_follow(client):
    survey, choices = driver_survey()
    invitation = InvitationFactory(survey=survey)
    client.post(invitation.get_absolute_url(), {"score": "9"})
    client.post(follow_up_url(invitation), {"driver": "ease", "comment": ""})

    page = client.get(invitation.get_absolute_url())

    response = Response.objects.get()
    assert response.driver == choices["ease"]
    html = page.content.decode()
    assert 'name="comment"' in html
    assert 'name="driver"' not in html  # asked once


def test_a_reason_not_offered_is_refused_with_a_message_and_nothing_is_saved(client):
    survey, _choices = driver_survey()
    other, _ = driver_survey("other")
    DriverChoice.objects.create(survey=other, key="weather", label="Weather")
    invitation = InvitationFactory(survey=survey)
    client.post(invitation.get_absolute_url(), {"score": "4"})

    page = client.post(follow_up_url(invitation), {"driver": "weather", "comment": "Hm"})

    assert page.status_code == 200
    assert "Please choose one of the reasons listed, or none." in page.content.decode()
    response = Response.objects.get()
    assert (response.driver, response.comment) == (None, "")


def test_a_reason_deactivated_while_the_page_was_open_is_refused_and_the_comment_kept(client):
    survey, choices = driver_survey()
    invitation = InvitationFactory(survey=survey)
    client.post(invitation.get_absolute_url(), {"score": "4"})
    page = client.get(follow_up_url(invitation))
    assert 'value="price"' in page.content.decode()
    DriverChoice.objects.filter(pk=choices["price"].pk).update(active=False)

    page = client.post(follow_up_url(invitation), {"driver": "price", "comment": "Too dear"})

    html = page.content.decode()
    assert "Please choose one of the reasons listed, or none." in html
    assert "Too dear" in html  # the customer's text is not lost
    assert Response.objects.get().driver is None


def test_a_reason_sent_after_the_question_was_removed_is_dropped_and_the_comment_saved(client):
    survey, _choices = driver_survey()
    invitation = InvitationFactory(survey=survey)
    client.post(invitation.get_absolute_url(), {"score": "4"})
    assert 'value="price"' in client.get(follow_up_url(invitation)).content.decode()
    survey.driver_question = ""
    survey.save(update_fields=["driver_question"])

    page = client.post(follow_up_url(invitation), {"driver": "price", "comment": "Too dear"})

    assert page.status_code == 303
    response = Response.objects.get()
    assert (response.driver, response.comment) == (None, "Too dear")


def test_the_one_click_score_page_asks_the_driver_question_below_the_score(client, settings):
    settings.NPS_ANSWER_CHANGE_SECONDS = 600
    survey, choices = driver_survey()
    invitation = InvitationFactory(survey=survey)
    invitation.sent_at = invitation.sent_at.replace(year=invitation.sent_at.year - 1)
    invitation.save(update_fields=["sent_at"])
    recorded = client.post(
        reverse("surveys:record", args=[invitation.token]),
        {"score": "10"},
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
    )
    assert recorded.status_code == 200, recorded.content

    page = client.get(invitation.get_absolute_url())

    html = page.content.decode()
    assert "What mattered most?" in html
    assert html.count('name="driver"') == 4
    client.post(follow_up_url(invitation), {"driver": "delivery", "from": "answer"})
    assert Response.objects.get().driver == choices["delivery"]


def test_a_survey_without_a_driver_question_shows_no_reasons(client):
    invitation = InvitationFactory()
    client.post(invitation.get_absolute_url(), {"score": "4"})

    page = client.get(follow_up_url(invitation))

    assert 'name="driver"' not in page.content.decode()


def test_the_email_links_page_holds_the_driver_question_for_its_script_to_show(client):
    survey, _choices = driver_survey()
    invitation = InvitationFactory(survey=survey)

    page = client.get(f"{invitation.get_absolute_url()}?score=9")

    html = page.content.decode()
    more = html[html.index("data-more") :]
    assert more.startswith("data-more hidden>")
    assert more.count('name="driver"') == 4
    assert not Response.objects.exists()
