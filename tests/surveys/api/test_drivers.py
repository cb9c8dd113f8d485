"""The driver question over the API: answers name a choice by key, a wrong
one is a clear 400, surveys list their choices, answers and the driver
report read them back."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.models import DriverChoice, Response, Survey
from tests.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses/"


@pytest.fixture
def choices():
    survey = SurveyFactory(
        slug="checkout", driver_question="What mattered most?", driver_question_pl="Co?"
    )
    return {
        key: DriverChoice.objects.create(
            survey=survey, key=key, label=key.title(), label_pl=f"{key} (pl)", position=n
        )
        for n, key in enumerate(["price", "support", "delivery"])
    }


def answer(**overrides) -> dict:
    return {
        "survey": "checkout",
        "customer": {"email": "ada@example.com"},
        "score": 3,
        **overrides,
    }


def test_an_answer_names_its_driver_by_key_and_reads_it_back(api, choices):
    reply = api.post(URL, answer(driver="support"), format="json")

    assert reply.status_code == 201, reply.json()
    assert reply.json()["driver"] == "support"
    assert Response.objects.get().driver == choices["support"]
    assert api.get(f"{URL}{reply.json()['id']}/").json()["driver"] == "support"


def test_a_driver_id_is_accepted_too(api, choices):
    reply = api.post(URL, answer(driver=choices["delivery"].pk), format="json")

    assert reply.status_code == 201, reply.json()
    assert Response.objects.get().driver == choices["delivery"]


def test_an_unknown_driver_is_a_400_naming_the_keys_and_records_nothing(api, choices):
    reply = api.post(URL, answer(driver="weather"), format="json")

    assert reply.status_code == 400
    assert reply.json()["error"]["fields"] == {
        "driver": [
            "The survey 'checkout' has no active driver choice 'weather'; "
            "use one of: price, support, delivery."
        ]
    }
    assert not Response.objects.exists()


def test_an_inactive_driver_is_refused(api, choices):
    DriverChoice.objects.filter(pk=choices["price"].pk).update(active=False)

    reply = api.post(URL, answer(driver="price"), format="json")

    assert reply.status_code == 400
    assert "use one of: support, delivery." in reply.json()["error"]["fields"]["driver"][0]


@pytest.mark.parametrize("value", ["\u00b2", "1\u00b2", "\u2460", "\u0663", "99999999999999999999"])
def test_a_driver_that_only_looks_like_an_id_is_a_400_naming_the_keys(api, choices, value):
    # "²" is a digit to str.isdigit but no number to int; "٣" is a number to
    # int but names no id: both are refused like any unknown key.
    reply = api.post(URL, answer(driver=value), format="json")

    assert reply.status_code == 400, reply.json()
    assert "use one of: price, support, delivery." in reply.json()["error"]["fields"]["driver"][0]
    assert not Response.objects.exists()


DRIVER_TEXT = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=12),
    st.sampled_from(["price", " price ", "\u00b2", "\u0663", "0", "-1"]),
)


def test_any_driver_text_is_stored_as_the_choice_it_names_or_refused_with_a_400(api, choices):
    by_key = {key: choice.pk for key, choice in choices.items()}
    emails = (f"p{n}@example.com" for n in itertools.count())

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(value=DRIVER_TEXT)
    def check(value):
        before = Response.objects.count()
        single = api.post(
            URL, answer(driver=value, customer={"email": next(emails)}), format="json"
        )
        bulk = api.post(
            f"{URL}bulk/",
            {"responses": [answer(driver=value, customer={"email": next(emails)})]},
            format="json",
        )

        named = by_key.get(value.strip()) or next(
            (pk for pk in by_key.values() if str(pk) == value.strip()), None
        )
        assert bulk.status_code == 200, bulk.json()
        [result] = bulk.json()["results"]
        if named is None and value.strip():
            assert single.status_code == 400, single.json()
            assert "driver" in single.json()["error"]["fields"]
            assert result["status"] == "invalid"
            assert Response.objects.count() == before
        else:
            assert single.status_code == 201, single.json()
            assert result["status"] == "created", result
            stored = Response.objects.filter(pk__in=[single.json()["id"], result["id"]])
            assert {row.driver_id for row in stored} == {named}

    check()


def test_once_the_driver_question_is_removed_no_choice_is_accepted_or_listed(api, choices):
    Survey.objects.filter(slug="checkout").update(driver_question="")
    no_question = ["The survey 'checkout' asks no driver question."]

    single = api.post(URL, answer(driver="price"), format="json")
    by_id = api.post(URL, answer(driver=choices["price"].pk), format="json")
    bulk = api.post(f"{URL}bulk/", {"responses": [answer(driver="support")]}, format="json")

    assert (single.status_code, by_id.status_code) == (400, 400)
    assert single.json()["error"]["fields"] == {"driver": no_question}
    assert by_id.json()["error"]["fields"] == {"driver": no_question}
    [result] = bulk.json()["results"]
    assert (result["status"], result["errors"]) == ("invalid", {"driver": no_question})
    assert not Response.objects.exists()
    assert api.get("/api/v1/surveys/checkout/").json()["drivers"] == []
    # An answer without a driver is still taken.
    assert api.post(URL, answer(), format="json").status_code == 201


def test_bulk_answers_take_a_driver_each_and_a_wrong_one_fails_only_its_item(api, choices):
    reply = api.post(
        f"{URL}bulk/",
        {
            "responses": [
                answer(driver="price", customer={"email": "a@example.com"}),
                answer(driver="nope", customer={"email": "b@example.com"}),
                answer(customer={"email": "c@example.com"}),
            ]
        },
        format="json",
    )

    assert reply.status_code == 200, reply.json()
    results = reply.json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid", "created"]
    assert "driver" in results[1]["errors"]
    stored = dict(Response.objects.values_list("customer__email", "driver__key"))
    assert stored == {"a@example.com": "price", "c@example.com": None}


def test_a_survey_lists_its_driver_question_and_choices(api, choices):
    DriverChoice.objects.filter(pk=choices["delivery"].pk).update(active=False)

    survey = api.get("/api/v1/surveys/checkout/").json()

    assert survey["driver_question"] == "What mattered most?"
    assert survey["translations"]["pl"]["driver_question"] == "Co?"
    assert survey["drivers"] == [
        {
            "key": "price",
            "label": "Price",
            "translations": {"pl": "price (pl)"},
            "position": 0,
            "active": True,
        },
        {
            "key": "support",
            "label": "Support",
            "translations": {"pl": "support (pl)"},
            "position": 1,
            "active": True,
        },
        {
            "key": "delivery",
            "label": "Delivery",
            "translations": {"pl": "delivery (pl)"},
            "position": 2,
            "active": False,
        },
    ]


def test_the_driver_report_counts_each_choice_by_category_with_its_nps(api, choices):
    survey = choices["price"].survey
    for score, key in [(2, "price"), (4, "price"), (9, "price"), (10, "support"), (7, "support")]:
        ResponseFactory(survey=survey, score=score, driver=choices[key])
    ResponseFactory(survey=survey, score=0)  # no reason given: not in the report

    reply = api.get("/api/v1/surveys/checkout/drivers/")

    assert reply.status_code == 200, reply.json()
    report = reply.json()
    assert report["answered"] == 5
    price, support, delivery = report["drivers"]
    assert (price["key"], price["count"], price["nps"]) == ("price", 3, pytest.approx(-33.33))
    assert price["detractors"]["count"] == 2 and price["detractors"]["of"] == 2
    assert price["detractors"]["share_pct"] == 100.0
    assert price["promoters"]["share_pct"] == 50.0
    assert support["passives"] == {
        "count": 1,
        "of": 1,
        "share_pct": 100.0,
        "share_interval": support["passives"]["share_interval"],
    }
    assert support["nps"] == 50.0
    assert support["confidence_interval"]["method"] == "adjusted-wald"
    assert (delivery["count"], delivery["nps"]) == (0, None)


def test_the_driver_report_of_an_unknown_survey_is_a_404(api, choices):
    assert api.get("/api/v1/surveys/nope/drivers/").status_code == 404


def test_the_driver_report_takes_the_nps_reports_filters(api, choices):
    reply = api.get("/api/v1/surveys/checkout/drivers/?from=2025-13-01")

    assert reply.status_code == 400
