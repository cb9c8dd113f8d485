"""The Delighted-compatible API, driven by Delighted's official Python client
(4.2) against a live server: code written for Delighted works by changing
the base URL and the key."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.utils import timezone

from followups.models import FollowUpCase, OfferGrant, RewardGrant, SurveyIncentive
from surveys.models import ApiScope, Customer, DriverChoice, Invitation, Response
from tests.factories import (
    CustomerFactory,
    OfferFactory,
    ResponseFactory,
    RewardFactory,
    SurveyFactory,
)
from tests.surveys.api.conftest import make_token

with warnings.catch_warnings():
    # The package warns, on import, that Delighted is sunset: why we exist.
    warnings.simplefilter("ignore", FutureWarning)
    import delighted
    from delighted.errors import (
        AuthenticationError,
        GeneralAPIError,
        ResourceValidationError,
        TooManyRequestsError,
    )

pytestmark = pytest.mark.django_db(transaction=True)

ALL_SCOPES = [
    ApiScope.INGEST,
    ApiScope.REPORTS_READ,
    ApiScope.CUSTOMERS_READ,
    ApiScope.CUSTOMERS_WRITE,
    ApiScope.CUSTOMERS_ERASE,
    ApiScope.INVITATIONS_WRITE,
]


@pytest.fixture
def survey(settings):
    settings.NPS_DELIGHTED_SURVEY = "delighted"
    return SurveyFactory(slug="delighted", throttle_days=30)


@pytest.fixture
def base_url(live_server):
    return f"{live_server.url}/api/delighted/v1/"


@pytest.fixture
def client(base_url, survey):
    return delighted.Client(api_key=make_token("migrated", ALL_SCOPES), api_base_url=base_url)


def test_person_created_gets_a_survey_scheduled_after_the_delay(client, survey):
    before = int(timezone.now().timestamp())

    person = delighted.Person.create(
        client=client,
        email="Ada@Example.com",
        name="Ada Lovelace",
        phone_number="+48 601 234 567",
        delay=3600,
        properties={"Plan": "Pro", "locale": "pl"},
    )

    customer = Customer.objects.get(pk=int(person.id))
    assert (person.email, person.name, person.phone_number) == (
        "Ada@Example.com",
        "Ada Lovelace",
        "+48601234567",
    )
    assert before + 3600 <= person.survey_scheduled_at <= before + 3600 + 60
    assert customer.locale == "pl"
    invitation = Invitation.objects.get(customer=customer, survey=survey)
    assert int(invitation.scheduled_at.timestamp()) == person.survey_scheduled_at
    assert invitation.properties == {"Plan": "Pro", "locale": "pl"}
    assert invitation.sent_at is None


def test_person_sent_again_is_updated_not_duplicated_and_send_false_schedules_nothing(client):
    first = delighted.Person.create(client=client, email="grace@example.com", send=False)
    again = delighted.Person.create(
        client=client, email="GRACE@example.com", name="Grace Hopper", send=False
    )

    assert again.id == first.id
    assert again.survey_scheduled_at is None
    assert Customer.objects.get(pk=int(first.id)).name == "Grace Hopper"
    assert not Invitation.objects.exists()


def test_person_found_by_phone_number(client):
    ada = CustomerFactory(email="ada@example.com", phone="+48601234567")

    person = delighted.Person.create(client=client, phone_number="+48601234567", send=False)

    assert person.id == str(ada.pk)


def test_last_sent_at_within_the_throttle_days_schedules_no_survey(client):
    yesterday = timezone.now() - timedelta(days=1)

    person = delighted.Person.create(
        client=client, email="ada@example.com", last_sent_at=int(yesterday.timestamp())
    )

    assert person.survey_scheduled_at is None
    assert not Invitation.objects.exists()


def test_the_sms_channel_invites_the_person_by_text_to_their_phone(client):
    person = delighted.Person.create(
        client=client,
        email="ada@example.com",
        phone_number="+48 601 234 567",
        channel="sms",
        properties={"time_zone": "Europe/London"},
    )

    invitation = Invitation.objects.get()
    assert (invitation.channel, invitation.customer.phone) == ("sms", "+48601234567")
    assert invitation.customer.time_zone == "Europe/London"
    assert person.survey_scheduled_at is not None


def test_the_sms_channel_without_a_phone_number_is_a_422_and_creates_nobody(client):
    with pytest.raises(ResourceValidationError) as refused:
        delighted.Person.create(client=client, email="ada@example.com", channel="sms")

    assert refused.value.response.status_code == 422
    assert "phone_number" in refused.value.response.body
    assert not Customer.objects.exists()


def test_an_unknown_channel_is_a_422_and_creates_nobody(client):
    with pytest.raises(ResourceValidationError) as refused:
        delighted.Person.create(client=client, email="ada@example.com", channel="fax")

    assert refused.value.response.status_code == 422
    assert not Customer.objects.exists()


def test_paging_through_people_follows_the_link_header(client):
    emails = [f"person{n}@example.com" for n in range(7)]
    for email in emails:
        CustomerFactory(email=email)

    pages = delighted.Person.list(client=client, per_page=3)
    seen = [person.email for person in pages.auto_paging_iter()]

    assert seen == emails
    assert pages.iteration_count == 3


def test_people_list_shows_last_sent_and_last_answer(client, survey):
    ada = CustomerFactory(email="ada@example.com")
    answer = ResponseFactory(survey=survey, customer=ada, score=9)

    (person,) = delighted.Person.list(client=client).auto_paging_iter()

    assert person.id == str(ada.pk)
    assert person.last_responded_at == int(answer.submitted_at.timestamp())
    assert person.created_at == int(ada.created_at.timestamp())


@pytest.mark.parametrize("identifier", ["id", "email", "phone_number"])
def test_deleting_a_person_erases_them(client, survey, identifier):
    ada = CustomerFactory(email="ada@example.com", name="Ada", phone="+48601234567")
    ResponseFactory(survey=survey, customer=ada, score=3, comment="Ada was kept waiting")
    value = {"id": ada.pk, "email": "ada@example.com", "phone_number": "+48601234567"}

    reply = delighted.Person.delete(client=client, **{identifier: value[identifier]})

    assert reply == {"ok": True}
    ada.refresh_from_db()
    assert ada.is_erased and ada.email is None and ada.phone is None and ada.name == ""
    assert Response.objects.get(customer=ada).comment == ""


def test_deleting_an_unknown_person_is_a_404(client):
    with pytest.raises(GeneralAPIError) as refused:
        delighted.Person.delete(client=client, email="nobody@example.com")

    assert refused.value.response.status_code == 404


def test_pending_survey_requests_are_cancelled(client, survey):
    person = delighted.Person.create(client=client, email="ada@example.com", delay=86400)

    reply = delighted.SurveyRequest.delete_pending(client=client, person_email="ada@example.com")

    assert reply == {"ok": True}
    invitation = Invitation.objects.get(customer_id=int(person.id))
    assert invitation.cancelled_at is not None and invitation.sent_at is None


def test_pending_requests_of_another_departments_survey_are_not_cancelled(base_url, survey):
    """As with the native DELETE /invitations/<id>/: a key whose user works for
    another department cannot reach the survey, so nothing is cancelled."""
    from django.contrib.auth import get_user_model

    from tests.factories import InvitationFactory, department

    survey.department = department("Hidden")
    survey.save(update_fields=["department"])
    waiting = InvitationFactory(
        survey=survey,
        customer=CustomerFactory(email="ada@example.com"),
        sent_at=None,
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    secret = make_token("other-department", [ApiScope.INVITATIONS_WRITE])
    department("Mine", get_user_model().objects.get(username="other-department"))

    reply = requests.delete(
        f"{base_url}people/ada@example.com/survey_requests/pending",
        params={"trend": "delighted"},
        auth=(secret, ""),
        timeout=10,
    )

    assert reply.status_code == 422, reply.text
    assert "delighted" in reply.text
    waiting.refresh_from_db()
    assert waiting.cancelled_at is None


def test_posted_response_is_recorded_and_routed_like_any_answer(client, survey):
    ada = CustomerFactory(email="ada@example.com")
    answered_at = datetime(2026, 11, 20, 14, 3, tzinfo=UTC)

    posted = delighted.SurveyResponse.create(
        client=client,
        person=str(ada.pk),
        score=2,
        comment="Late again",
        person_properties={"Order": "51023"},
        created_at=int(answered_at.timestamp()),
    )

    answer = Response.objects.get(pk=int(posted.id))
    assert (answer.score, answer.comment, answer.customer, answer.survey) == (
        2,
        "Late again",
        ada,
        survey,
    )
    assert answer.submitted_at == answered_at
    assert answer.properties == {"Order": "51023"}
    assert posted.person == str(ada.pk) and posted.created_at == int(answered_at.timestamp())
    assert FollowUpCase.objects.filter(response=answer).exists()


@pytest.mark.parametrize("score", [11, -1, "ten"])
def test_invalid_score_is_a_422_and_records_nothing(client, score):
    ada = CustomerFactory(email="ada@example.com")

    with pytest.raises(ResourceValidationError) as refused:
        delighted.SurveyResponse.create(client=client, person=str(ada.pk), score=score)

    body = refused.value.response.body
    assert refused.value.response.status_code == 422
    assert '"field":"score"' in body.replace(" ", "")
    assert not Response.objects.exists()


def test_survey_responses_are_listed_filtered_and_expanded(client, survey):
    ada = CustomerFactory(email="ada@example.com")
    grace = CustomerFactory(email="grace@example.com")
    now = timezone.now()
    old = ResponseFactory(
        survey=survey, customer=ada, score=9, submitted_at=now - timedelta(days=9)
    )
    new = ResponseFactory(survey=survey, customer=grace, score=4, submitted_at=now)
    ResponseFactory(customer=ada, score=10)  # another survey

    everything = delighted.SurveyResponse.all(client=client)
    newest_first = delighted.SurveyResponse.all(client=client, order="desc", per_page=1)
    recent = delighted.SurveyResponse.all(client=client, since=now - timedelta(days=1))
    adas = delighted.SurveyResponse.all(client=client, person_email="ADA@example.com")
    expanded = delighted.SurveyResponse.all(client=client, expand=["person"], person_id=grace.pk)

    assert [r.id for r in everything] == [str(old.pk), str(new.pk)]
    assert [r.id for r in newest_first] == [str(new.pk)]
    assert [r.id for r in recent] == [str(new.pk)]
    assert [r.id for r in adas] == [str(old.pk)]
    (answer,) = expanded
    assert isinstance(answer.person, delighted.Person)
    assert answer.person.email == "grace@example.com"
    assert answer.score == 4 and answer.survey_type == "nps"


def test_one_survey_response_is_retrieved(client, survey):
    answer = ResponseFactory(survey=survey, score=8, comment="Fine")

    got = delighted.SurveyResponse.retrieve(str(answer.pk), client=client)

    assert (got.id, got.score, got.comment) == (str(answer.pk), 8, "Fine")


def test_the_driver_answer_is_listed_as_delighteds_additional_answers(client, survey):
    survey.driver_question = "What mattered most?"
    survey.save()
    choice = DriverChoice.objects.create(survey=survey, key="support", label="Support")
    chose = ResponseFactory(survey=survey, score=9, driver=choice)
    ResponseFactory(survey=survey, score=8)

    with_driver, without = delighted.SurveyResponse.all(client=client)
    got = delighted.SurveyResponse.retrieve(str(chose.pk), client=client)

    expected = [
        {
            "id": f"driver-{chose.pk}",
            "value": {
                "free_response": None,
                "scale": None,
                "select_one": {"id": "support", "text": "Support"},
                "select_many": None,
            },
            "question": {
                "id": f"enum_driver_{survey.pk}",
                "type": "select_one",
                "text": "What mattered most?",
            },
        }
    ]
    assert with_driver.additional_answers == expected
    assert got.additional_answers == expected
    assert without.additional_answers == []


def test_the_driver_answer_is_worded_in_the_language_the_customer_was_asked_in(client, survey):
    survey.driver_question = "What mattered most?"
    survey.driver_question_pl = "Co było najważniejsze?"
    survey.default_locale = "pl"
    survey.save()
    choice = DriverChoice.objects.create(
        survey=survey, key="support", label="Support", label_pl="Obsługa"
    )
    polish = ResponseFactory(survey=survey, score=9, driver=choice, locale="pl")
    # The survey has no Russian wording: asked in English, listed in English.
    russian = ResponseFactory(survey=survey, score=8, driver=choice, locale="ru")
    # An answer of no recorded language: the survey's default one.
    unknown = ResponseFactory(survey=survey, score=7, driver=choice, locale="")

    listed = {r.id: r.additional_answers for r in delighted.SurveyResponse.all(client=client)}
    retrieved = delighted.SurveyResponse.retrieve(str(polish.pk), client=client)

    def worded(answers: list[dict]) -> tuple[str, str]:
        (answer,) = answers
        return answer["value"]["select_one"]["text"], answer["question"]["text"]

    assert worded(listed[str(polish.pk)]) == ("Obsługa", "Co było najważniejsze?")
    assert worded(retrieved.additional_answers) == ("Obsługa", "Co było najważniejsze?")
    assert worded(listed[str(russian.pk)]) == ("Support", "What mattered most?")
    assert worded(listed[str(unknown.pk)]) == ("Obsługa", "Co było najważniejsze?")
    assert {answers[0]["value"]["select_one"]["id"] for answers in listed.values()} == {"support"}


def test_metrics_count_the_period_with_our_interval_added(client, survey):
    now = timezone.now()
    for score in (10, 9, 9, 7, 3):
        ResponseFactory(survey=survey, score=score, submitted_at=now - timedelta(hours=1))
    ResponseFactory(survey=survey, score=0, submitted_at=now - timedelta(days=40))

    metrics = delighted.Metrics.retrieve(client=client, since=now - timedelta(days=30))

    assert metrics.response_count == 5
    assert (metrics.promoter_count, metrics.passive_count, metrics.detractor_count) == (3, 1, 1)
    assert metrics.nps == 40
    assert metrics.promoter_percent == 60.0 and metrics.detractor_percent == 20.0
    assert metrics.confidence_interval["low"] < 40 < metrics.confidence_interval["high"]
    assert metrics.sample_too_small is True


def test_trend_names_another_survey(client):
    other = SurveyFactory(slug="support")
    ResponseFactory(survey=other, score=10)

    metrics = delighted.Metrics.retrieve(client=client, trend="support")

    assert (metrics.response_count, metrics.nps) == (1, 100)


def test_without_a_survey_set_the_error_says_what_to_set(base_url, settings, survey):
    settings.NPS_DELIGHTED_SURVEY = ""
    client = delighted.Client(api_key=make_token("nosurvey", ALL_SCOPES), api_base_url=base_url)

    with pytest.raises(ResourceValidationError) as refused:
        delighted.Metrics.retrieve(client=client)

    assert "NPS_DELIGHTED_SURVEY" in refused.value.response.body


def test_unsubscribes_are_recorded_and_listed_and_bounces_listed(client):
    bounced = CustomerFactory(email="gone@example.com", email_bounced_at=timezone.now())

    reply = delighted.Unsubscribe.create(client=client, person_email="ada@example.com")
    unsubscribes = delighted.Unsubscribe.all(client=client)
    bounces = delighted.Bounce.all(client=client)

    assert reply == {"ok": True}
    ada = Customer.objects.get(email="ada@example.com")
    assert ada.unsubscribed_at is not None
    assert [(u.person_id, u.email) for u in unsubscribes] == [(str(ada.pk), "ada@example.com")]
    assert unsubscribes[0].unsubscribed_at == int(ada.unsubscribed_at.timestamp())
    assert [(b.person_id, b.email) for b in bounces] == [(str(bounced.pk), "gone@example.com")]


def test_wrong_key_is_a_401(base_url, survey):
    client = delighted.Client(api_key="nps_not-a-key", api_base_url=base_url)

    with pytest.raises(AuthenticationError) as refused:
        delighted.Metrics.retrieve(client=client)

    assert refused.value.response.status_code == 401
    assert '"status":401' in refused.value.response.body.replace(" ", "")


def test_key_with_the_trailing_colon_of_curl_works_and_json_paths_too(base_url, survey):
    key = make_token("curl", ALL_SCOPES)

    reply = requests.get(f"{base_url}metrics.json", auth=(key, ""), timeout=10)

    assert reply.status_code == 200 and reply.json()["response_count"] == 0


def test_one_survey_response_is_retrieved_by_its_json_path_too(base_url, survey):
    # survey_responses/<id>.json was read as the id "<id>.json": a 404.
    answer = ResponseFactory(survey=survey, score=8)
    key = make_token("curl", ALL_SCOPES)

    reply = requests.get(f"{base_url}survey_responses/{answer.pk}.json", auth=(key, ""), timeout=10)

    assert reply.status_code == 200 and reply.json()["id"] == str(answer.pk)


def test_key_without_the_scope_is_refused(base_url, survey):
    client = delighted.Client(api_key=make_token("reader", "read"), api_base_url=base_url)

    with pytest.raises(GeneralAPIError) as refused:
        delighted.Person.create(client=client, email="ada@example.com")

    assert refused.value.response.status_code == 403
    assert not Customer.objects.exists()


def test_too_many_requests_is_a_429_with_retry_after(client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "read": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    delighted.Metrics.retrieve(client=client)
    delighted.Metrics.retrieve(client=client)

    with pytest.raises(TooManyRequestsError) as refused:
        delighted.Metrics.retrieve(client=client)

    assert refused.value.response.status_code == 429
    # The rate counts a sliding minute estimated from two fixed ones
    # (nps_project.throttling): the wait can reach into the next minute.
    assert 0 < refused.value.retry_after <= 120


def test_key_that_may_only_invite_changes_no_stored_details_and_reads_none(base_url, survey):
    CustomerFactory(email="ada@example.com", name="Ada Lovelace", phone="+48601234567")
    inviter = delighted.Client(
        api_key=make_token("inviter", [ApiScope.INVITATIONS_WRITE]), api_base_url=base_url
    )

    person = delighted.Person.create(client=inviter, email="ada@example.com", name="Someone")

    assert Customer.objects.get(email="ada@example.com").name == "Ada Lovelace"
    assert (person.name, person.phone_number) == ("Someone", None)
    assert person.survey_scheduled_at is not None
    # With a phone number of its own: it gets back what it sent, never the stored one.
    again = delighted.Person.create(
        client=inviter, email="ada@example.com", phone_number="+48 600 000 001"
    )
    assert again.phone_number == "+48600000001"
    assert Customer.objects.get(email="ada@example.com").phone == "+48601234567"


def test_phone_number_taken_by_another_person_is_a_422_on_phone_number(client):
    CustomerFactory(email="grace@example.com", phone="+48601234567")

    with pytest.raises(ResourceValidationError) as refused:
        delighted.Person.create(client=client, email="ada@example.com", phone_number="+48601234567")

    assert '"field":"phone_number"' in refused.value.response.body.replace(" ", "")
    assert not Customer.objects.filter(email="ada@example.com").exists()


def test_posting_a_response_by_person_id_needs_customers_read_too(base_url, survey):
    ada = CustomerFactory(email="ada@example.com")
    ingester = delighted.Client(api_key=make_token("ingester", "ingest"), api_base_url=base_url)

    with pytest.raises(GeneralAPIError) as refused:
        delighted.SurveyResponse.create(client=ingester, person=str(ada.pk), score=9)

    assert refused.value.response.status_code == 403
    assert "customers:read" in refused.value.response.body
    assert not Response.objects.exists()


def test_expanding_people_needs_customers_read_too(base_url, survey):
    ResponseFactory(survey=survey, score=9)
    reader = delighted.Client(
        api_key=make_token("reports", [ApiScope.REPORTS_READ]), api_base_url=base_url
    )

    assert len(delighted.SurveyResponse.all(client=reader)) == 1
    with pytest.raises(GeneralAPIError) as refused:
        delighted.SurveyResponse.all(client=reader, expand=["person"])

    assert refused.value.response.status_code == 403


def test_form_encoded_people_as_in_delighteds_curl_examples(base_url, survey):
    key = make_token("curl-form", ALL_SCOPES)

    reply = requests.post(
        f"{base_url}people.json",
        auth=(key, ""),
        data={"email": "ada@example.com", "properties[Plan]": "Pro", "send": "false"},
        timeout=10,
    )

    assert reply.status_code == 200, reply.text
    assert reply.json()["properties"] == {"Plan": "Pro"}
    assert reply.json()["survey_scheduled_at"] is None
    assert Customer.objects.filter(email="ada@example.com").exists()


@pytest.mark.parametrize(("score", "grants"), [(8, OfferGrant), (10, RewardGrant)])
def test_posted_passive_gets_its_offer_and_promoter_its_reward(client, survey, score, grants):
    SurveyIncentive.objects.create(survey=survey, offer=OfferFactory(), reward=RewardFactory())
    ada = CustomerFactory(email="ada@example.com")

    posted = delighted.SurveyResponse.create(client=client, person=str(ada.pk), score=score)

    assert grants.objects.filter(response_id=int(posted.id)).exists()
    assert not FollowUpCase.objects.exists()


def test_metrics_nps_is_rounded_half_away_from_zero(client, survey):
    # 3 promoters, 1 passive, 4 detractors of 8: NPS -12.5.
    for score in (10, 9, 9, 8, 0, 1, 2, 3):
        ResponseFactory(survey=survey, score=score)

    metrics = delighted.Metrics.retrieve(client=client)

    assert (metrics.nps, metrics.nps_exact) == (-13, -12.5)
