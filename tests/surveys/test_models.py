"""Invariants of the answers' data, proven against the database itself."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from surveys.models import Customer, Invitation, Response, hash_token
from tests.factories import CustomerFactory, InvitationFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_a_score_of_11():
    response = ResponseFactory(score=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.filter(pk=response.pk).update(score=11)


def test_database_refuses_a_category_that_contradicts_the_score():
    survey, customer = SurveyFactory(), CustomerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.bulk_create(
            [Response(survey=survey, customer=customer, score=2, category="promoter")]
        )


def test_save_derives_the_category_from_the_score():
    response = ResponseFactory(score=7, category="promoter")
    response.refresh_from_db()
    assert response.category == "passive"


def test_database_refuses_a_second_response_to_one_invitation():
    invitation = InvitationFactory()
    ResponseFactory(invitation=invitation, survey=invitation.survey, customer=invitation.customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResponseFactory(
            invitation=invitation, survey=invitation.survey, customer=invitation.customer
        )


def test_database_refuses_a_duplicate_idempotency_key():
    ResponseFactory(idempotency_key="order-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ResponseFactory(idempotency_key="order-1")


def test_customer_email_is_unique_whatever_its_case():
    CustomerFactory(email="Ana@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(email="ana@example.COM")


def test_customer_email_clash_is_a_clear_validation_error():
    CustomerFactory(email="ana@example.com")
    with pytest.raises(ValidationError, match="already exists"):
        Customer(email="ANA@example.com").full_clean()


def test_only_an_erased_customer_may_lack_an_email():
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(email=None)


def test_external_id_is_unique_but_may_be_absent_on_many():
    CustomerFactory(external_id=None)
    CustomerFactory(external_id=None)
    CustomerFactory(external_id="crm-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(external_id="crm-1")


def test_invitation_token_is_long_stored_only_as_a_hash_and_found_by_it():
    invitation = InvitationFactory()
    token = invitation.token
    assert len(token) >= 32  # >= 128 bits of hex
    assert token not in {invitation.nonce, invitation.token_hash}
    assert Invitation.objects.get(token_hash=hash_token(token)) == invitation


def test_invitation_tokens_differ_and_are_bound_to_the_secret_key(settings):
    first, second = InvitationFactory(), InvitationFactory()
    assert first.token != second.token
    token = first.token
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789abcdef"
    assert Invitation.objects.get(pk=first.pk).token != token


def test_an_invitations_token_follows_its_nonce():
    invitation = InvitationFactory()
    first = invitation.token
    assert first == Invitation.token_for_nonce(invitation.nonce)
    invitation.prepare_token()  # a new nonce, as a resend makes
    assert invitation.token == Invitation.token_for_nonce(invitation.nonce) != first
    assert invitation.token_hash == hash_token(invitation.token)


def test_survey_text_falls_back_to_its_own_wording():
    survey = SurveyFactory(translations={"pl": {"question": "Czy polecisz nas?"}})
    assert survey.text_for("pl") == ("Czy polecisz nas?", survey.follow_up_question)
    assert survey.text_for("ru") == (survey.question, survey.follow_up_question)


def test_counted_excludes_test_spam_and_duplicates_from_nps():
    survey = SurveyFactory()
    ResponseFactory.create_batch(3, survey=survey, score=10)
    ResponseFactory(survey=survey, score=0)
    for reason in ("test", "spam", "duplicate"):
        ResponseFactory(survey=survey, score=0, exclusion_reason=reason)
    summary = Response.objects.filter(survey=survey).nps_summary()
    assert (summary.promoters, summary.passives, summary.detractors) == (3, 0, 1)
    assert summary.nps == pytest.approx(50.0)


def test_a_survey_cannot_be_due_to_resolve_before_it_is_due_to_contact():
    from django.core.exceptions import ValidationError

    from surveys.models import Survey

    survey = Survey(
        slug="support", name="Support", detractor_sla_hours=96, detractor_resolution_hours=72
    )
    with pytest.raises(ValidationError) as refused:
        survey.clean()
    assert "96 hours" in str(refused.value.message_dict["detractor_resolution_hours"])
    survey.detractor_resolution_hours = 96
    survey.clean()
