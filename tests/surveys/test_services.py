"""Recording answers, upserting and erasing customers."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveys import customers, services
from surveys.models import Customer, Response, Survey
from tests.factories import CustomerFactory, InvitationFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_over(settings):
    """Capture what the hand-off seam receives."""
    received = []
    settings.NPS_HANDOFF = {"response_recorded": "tests.surveys.test_services._capture"}
    _capture.sink = received
    return received


def _capture(ids):
    _capture.sink.extend(ids)


@pytest.mark.parametrize("score", [11, -1, 7.5, "ten", None, True, "3.2"])
def test_record_refuses_an_invalid_score_with_a_clear_message(score):
    with pytest.raises(ValidationError) as excinfo:
        services.response_record(survey=SurveyFactory(), customer=CustomerFactory(), score=score)
    assert excinfo.value.message_dict == {
        "score": ["The score must be a whole number from 0 to 10."]
    }
    assert not Response.objects.exists()


def test_record_accepts_a_numeric_string_score():
    recorded = services.response_record(
        survey=SurveyFactory(), customer=CustomerFactory(), score="8"
    )
    assert recorded.response.score == 8
    assert recorded.response.category == "passive"


def test_record_stores_the_answer_and_hands_it_over_after_commit(
    handed_over, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(segment="enterprise", locale="pl")
    with django_capture_on_commit_callbacks(execute=True):
        recorded = services.response_record(
            survey=SurveyFactory(), customer=customer, score=3, comment="  Slow delivery  "
        )
    response = Response.objects.get()
    assert recorded.created
    assert (response.score, response.category, response.comment) == (
        3,
        "detractor",
        "Slow delivery",
    )
    assert (response.segment, response.locale, response.routed_at) == ("enterprise", "pl", None)
    assert handed_over == [response.pk]


def test_same_idempotency_key_returns_the_same_response_and_hands_over_nothing(
    handed_over, django_capture_on_commit_callbacks
):
    survey, customer = SurveyFactory(), CustomerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.response_record(
            survey=survey, customer=customer, score=9, idempotency_key="k1"
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = services.response_record(
            survey=survey, customer=customer, score=2, idempotency_key="k1"
        )
    assert again.response.pk == first.response.pk
    assert not again.created
    assert Response.objects.get().score == 9
    assert handed_over == [first.response.pk]


def test_second_answer_to_an_invitation_changes_nothing():
    invitation = InvitationFactory()
    first = services.response_record(
        survey=invitation.survey, customer=invitation.customer, score=10, invitation=invitation
    )
    again = services.response_record(
        survey=invitation.survey, customer=invitation.customer, score=1, invitation=invitation
    )
    assert again.response.pk == first.response.pk and not again.created
    assert Response.objects.get().score == 10
    invitation.refresh_from_db()
    assert invitation.responded_at is not None


@pytest.mark.parametrize("status", [Survey.Status.DRAFT, Survey.Status.ARCHIVED])
def test_a_survey_not_running_takes_no_answers(status):
    survey = SurveyFactory(status=status, slug="closed")
    with pytest.raises(ValidationError, match="closed' is"):
        services.response_record(survey=survey, customer=CustomerFactory(), score=5)


def test_an_answer_from_the_future_is_refused():
    with pytest.raises(ValidationError, match="future"):
        services.response_record(
            survey=SurveyFactory(),
            customer=CustomerFactory(),
            score=5,
            submitted_at=timezone.now() + timedelta(days=1),
        )


def test_a_failing_hand_off_never_loses_the_answer(settings, django_capture_on_commit_callbacks):
    settings.NPS_HANDOFF = {"response_recorded": "tests.surveys.test_services._explode"}
    with django_capture_on_commit_callbacks(execute=True):
        services.response_record(survey=SurveyFactory(), customer=CustomerFactory(), score=1)
    assert Response.objects.unrouted().count() == 1


def _explode(ids):
    raise ConnectionError("broker down")


def test_upsert_matches_email_case_insensitively_and_updates_given_fields():
    existing = CustomerFactory(email="Ana@Example.com", segment="smb")
    customer, created = services.customer_upsert(
        email="ana@example.com", segment="enterprise", locale="pl-PL"
    )
    assert not created and customer.pk == existing.pk
    assert (customer.segment, customer.locale) == ("enterprise", "pl")
    assert Customer.objects.count() == 1


def test_upsert_prefers_the_external_id():
    existing = CustomerFactory(email="ada@example.com", external_id="crm-7", name="")
    CustomerFactory(email="other@example.com")
    customer, created = services.customer_upsert(
        email="ADA@example.com", external_id="crm-7", name="Ada"
    )
    assert not created and customer.pk == existing.pk
    assert customer.name == "Ada"


def test_upsert_never_moves_a_known_external_id_to_another_email():
    CustomerFactory(email="old@example.com", external_id="crm-7")
    with pytest.raises(customers.CustomerConflict) as excinfo:
        services.customer_upsert(email="new@example.com", external_id="crm-7")
    assert excinfo.value.message_dict == {"external_id": [customers.EXTERNAL_ID_CONFLICT]}
    assert Customer.objects.get(external_id="crm-7").email == "old@example.com"


def test_upsert_never_gives_a_known_email_another_external_id():
    CustomerFactory(email="ada@example.com", external_id="crm-7")
    with pytest.raises(customers.CustomerConflict) as excinfo:
        services.customer_upsert(email="ada@example.com", external_id="crm-8")
    assert excinfo.value.message_dict == {"email": [customers.EMAIL_CONFLICT]}


def test_upsert_rejects_an_invalid_email_with_a_field_error():
    with pytest.raises(ValidationError) as excinfo:
        services.customer_upsert(email="not-an-email")
    assert "email" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("given", "expected"),
    [("pl-PL", "pl"), ("zh_CN", "zh-hans"), ("zh", "zh-hans"), ("RU", "ru"), ("de", ""), ("", "")],
)
def test_locales_are_mapped_to_supported_languages(given, expected):
    assert customers.locale_normalize(given) == expected


def test_erasure_removes_personal_data_and_keeps_the_answer_for_statistics():
    customer = CustomerFactory(email="ana@example.com", name="Ana", external_id="crm-1")
    invitation = InvitationFactory(customer=customer)
    ResponseFactory(customer=customer, score=2, comment="Call me at +48 600 000 000")
    services.customer_erase(customer=customer)

    customer.refresh_from_db()
    assert (customer.email, customer.name, customer.external_id) == (None, "", None)
    assert customer.is_erased
    response = Response.objects.get()
    assert (response.score, response.category, response.comment) == (2, "detractor", "")
    invitation.refresh_from_db()
    assert invitation.is_expired()
    assert Response.objects.nps_summary().detractors == 1


def test_an_erased_customer_can_answer_no_more():
    customer = services.customer_erase(customer=CustomerFactory())
    with pytest.raises(ValidationError, match="erased"):
        services.response_record(survey=SurveyFactory(), customer=customer, score=5)


def test_a_match_finds_and_checks_a_customer_without_writing(django_assert_num_queries):
    stored = CustomerFactory(email="ada@example.com", segment="smb")

    with django_assert_num_queries(4):  # one look-up each, nothing written
        same = services.customer_match(email="ada@example.com", segment="smb")
        changed = services.customer_match(email="ada@example.com", segment="enterprise")
        kept = services.customer_match(
            email="ada@example.com", segment="enterprise", update_existing=False
        )
        new = services.customer_match(email="bob@example.com")

    assert (same.customer, same.writes) == (stored, False)
    assert (changed.changed, changed.writes) == (["segment"], True)
    assert (kept.changed, kept.writes) == ([], False)
    assert (new.customer, new.writes) == (None, True)
    assert Customer.objects.count() == 1
    stored.refresh_from_db()
    assert stored.segment == "smb"


def test_a_match_refuses_what_the_upsert_refuses_before_any_write():
    CustomerFactory(email="ada@example.com", external_id="crm-1")

    with pytest.raises(customers.CustomerConflict):
        services.customer_match(email="ada@example.com", external_id="crm-2")
    with pytest.raises(ValidationError, match="new customer needs an email"):
        services.customer_match(external_id="crm-9")


# Outside any transaction an answer with no invitation and no customer lock is
# one INSERT in autocommit (``services._response_save``); the tests above run
# inside the test's transaction, so these take the database as a request does.


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_answer_is_stored_and_handed_over_at_once(handed_over):
    from django.db import connection

    assert not connection.in_atomic_block
    recorded = services.response_record(survey=SurveyFactory(), customer=CustomerFactory(), score=9)
    assert recorded.created
    assert Response.objects.get().pk == recorded.response.pk
    assert handed_over == [recorded.response.pk]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_lost_race_returns_the_stored_answer(handed_over):
    from django.db import connection

    survey, customer = SurveyFactory(), CustomerFactory()
    stored = ResponseFactory(survey=survey, customer=customer, score=9, idempotency_key="k1")
    # The caller looked the key up before the other answer was stored: the
    # insert meets the unique key, and the stored answer is returned.
    again = services.response_record(
        survey=survey, customer=customer, score=2, idempotency_key="k1", idempotency_checked=True
    )
    assert (again.response.pk, again.created) == (stored.pk, False)
    assert Response.objects.get().score == 9
    assert handed_over == []
    assert not connection.in_atomic_block
    assert Response.objects.count() == 1  # the connection is usable after the failed insert


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_a_lost_race_keeps_the_transaction_usable(handed_over):
    from django.db import transaction

    survey, customer = SurveyFactory(), CustomerFactory()
    stored = ResponseFactory(survey=survey, customer=customer, score=9, idempotency_key="k1")
    with transaction.atomic():
        again = services.response_record(
            survey=survey,
            customer=customer,
            score=2,
            idempotency_key="k1",
            idempotency_checked=True,
        )
        other = CustomerFactory()  # a savepoint kept the transaction usable
    assert (again.response.pk, again.created) == (stored.pk, False)
    assert Customer.objects.filter(pk=other.pk).exists()
