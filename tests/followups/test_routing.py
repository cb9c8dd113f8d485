"""Routing: each answer gets exactly the right outcome, once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from followups.models import (
    CaseEvent,
    FollowUpCase,
    GrantStatus,
    Offer,
    OfferGrant,
    OutboundMessage,
    Reward,
    RewardGrant,
    SurveyIncentive,
)
from followups.routing import responses_route
from surveys import services as survey_services
from surveys.models import Response
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, staff_member

pytestmark = pytest.mark.django_db


def record(score, *, survey=None, customer=None, **kwargs):
    """Record an answer the way every channel does, and commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return survey_services.response_record(
            survey=survey or SurveyFactory(),
            customer=customer or CustomerFactory(),
            score=score,
            **kwargs,
        ).response


def route(ids):
    # The test transaction never commits: run on-commit work where a commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return responses_route(response_ids=ids)


@pytest.mark.parametrize(("score", "priority"), [(0, 1), (3, 1), (4, 2), (6, 2)])
def test_detractor_opens_one_case_with_priority_and_due_time_from_the_sla(score, priority):
    survey = SurveyFactory(detractor_sla_hours=8)
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False):
        response = record(score, survey=survey)
    case = FollowUpCase.objects.get()
    assert case.response == response
    assert case.priority == priority
    assert case.status == FollowUpCase.Status.NEW
    assert case.due_at == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert list(case.events.values_list("kind", flat=True)) == ["created", "email_sent"]
    assert not OfferGrant.objects.exists() and not RewardGrant.objects.exists()
    response.refresh_from_db()
    assert response.routed_at is not None


def test_apology_email_names_the_owner_and_the_due_time():
    staff_member("kasia", first_name="Kasia")
    survey = SurveyFactory(auto_assign=True, detractor_sla_hours=24)
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False):
        record(2, survey=survey, customer=CustomerFactory(email="ana@example.com", locale="en"))
    case = FollowUpCase.objects.get()
    assert case.owner.username == "kasia"
    [message] = mail.outbox
    assert message.to == ["ana@example.com"]
    assert "Kasia from our customer care team will contact you by" in message.body
    assert "March 3, 2026" in message.body
    assert f"Your case number is {case.pk}" in message.body
    email = OutboundMessage.objects.get()
    assert (email.status, email.case_id, email.template) == ("sent", case.pk, "apology")
    assert case.events.filter(kind=CaseEvent.Kind.EMAIL_SENT).count() == 1


def test_auto_assignment_is_round_robin_and_skips_people_who_are_away():
    first, second = staff_member("first"), staff_member("second")
    staff_member("away", away=True)
    survey = SurveyFactory(auto_assign=True)
    for _ in range(4):
        record(1, survey=survey)
    owners = list(FollowUpCase.objects.order_by("pk").values_list("owner__username", flat=True))
    assert owners == ["first", "second", "first", "second"]
    assert {first.pk, second.pk} == set(FollowUpCase.objects.values_list("owner", flat=True))


def test_without_auto_assignment_a_case_waits_unowned():
    staff_member("someone")
    record(5, survey=SurveyFactory(auto_assign=False))
    case = FollowUpCase.objects.get()
    assert case.owner is None
    assert "Someone from our customer care team" in mail.outbox[0].body


def test_passive_gets_the_surveys_offer_with_a_unique_code_and_expiry():
    offer = Offer.objects.create(
        name="Upgrade", description="A free upgrade", code_prefix="UP", valid_days=10
    )
    survey = SurveyFactory()
    SurveyIncentive.objects.create(survey=survey, offer=offer)
    with time_machine.travel("2026-05-01 12:00 +0000", tick=False):
        record(7, survey=survey)
        record(8, survey=survey)
    grants = list(OfferGrant.objects.all())
    assert len(grants) == 2
    assert {g.offer for g in grants} == {offer}
    assert grants[0].code != grants[1].code
    assert all(g.code.startswith("UP-") and len(g.code) == 17 for g in grants)
    assert all(g.expires_at == grants[0].created_at + timedelta(days=10) for g in grants)
    assert all(g.status == GrantStatus.SENT for g in grants)
    assert not FollowUpCase.objects.exists()
    assert {grants[0].code, grants[1].code} == {
        next(line.split()[-1] for line in m.body.splitlines() if line.startswith("Your code:"))
        for m in mail.outbox
    }


def test_passive_falls_back_to_the_default_offer():
    record(8)
    assert OfferGrant.objects.get().offer == Offer.objects.get(is_default=True)


def test_a_russian_customer_reads_the_offer_in_russian():
    offer = Offer.objects.create(
        name="Renewal",
        description="15% off your next order or renewal.",
        description_ru="Скидка 15% на следующий заказ или продление.",
    )
    survey = SurveyFactory()
    SurveyIncentive.objects.create(survey=survey, offer=offer)
    record(8, survey=survey, customer=CustomerFactory(locale="ru"))
    [message] = mail.outbox
    assert "Скидка 15% на следующий заказ или продление." in message.body
    assert "15% off your next order" not in message.body
    assert OutboundMessage.objects.get().language == "ru"


def test_a_customer_of_a_language_the_offer_lacks_reads_it_in_english():
    offer = Offer.objects.create(
        name="Renewal",
        description="15% off your next order or renewal.",
        description_ru="Скидка 15% на следующий заказ или продление.",
    )
    survey = SurveyFactory()
    SurveyIncentive.objects.create(survey=survey, offer=offer)
    record(7, survey=survey, customer=CustomerFactory(locale="pl"))
    [message] = mail.outbox
    assert "15% off your next order or renewal." in message.body
    assert "Скидка" not in message.body


def test_a_chinese_customer_reads_the_default_reward_in_chinese():
    record(10, customer=CustomerFactory(locale="zh-hans"))
    [message] = mail.outbox
    assert "500 积分，在您兑换此代码时添加。" in message.body  # noqa: RUF001 - Chinese comma


def test_promoter_gets_a_reward_and_a_thank_you_without_code_when_it_has_none():
    note = Reward.objects.create(name="Note", kind=Reward.Kind.THANK_YOU, description="Our thanks")
    survey = SurveyFactory()
    SurveyIncentive.objects.create(survey=survey, reward=note)
    record(10, survey=survey)
    grant = RewardGrant.objects.get()
    assert (grant.reward, grant.code) == (note, None)
    assert "Your code" not in mail.outbox[0].body
    assert "Our thanks" in mail.outbox[0].body


def test_grants_name_the_survey_of_their_answer():
    survey = SurveyFactory()
    passive, promoter = record(8, survey=survey), record(10, survey=survey)
    assert OfferGrant.objects.get(response=passive).survey == survey
    assert RewardGrant.objects.get(response=promoter).survey == survey


def test_promoter_reward_with_a_code_falls_back_to_the_default():
    record(9)
    grant = RewardGrant.objects.get()
    assert grant.reward == Reward.objects.get(is_default=True)
    assert grant.code.startswith("VIP-")
    assert grant.code in mail.outbox[0].body


def test_unsubscribed_detractor_still_gets_a_case_but_no_email():
    customer = CustomerFactory(unsubscribed_at=timezone.now())
    record(0, customer=customer)
    assert FollowUpCase.objects.filter(customer=customer).exists()
    assert not OutboundMessage.objects.exists()
    assert mail.outbox == []


def test_excluded_and_erased_answers_are_not_routed():
    spam = ResponseFactory(score=1, exclusion_reason="spam")
    erased = ResponseFactory(score=9)
    survey_services.customer_erase(customer=erased.customer)
    result = route([spam.pk, erased.pk])
    assert result.skipped == [spam.pk, erased.pk]
    assert not FollowUpCase.objects.exists() and not RewardGrant.objects.exists()
    assert Response.objects.unrouted().count() == 0


def test_routing_twice_creates_no_second_outcome_or_email():
    response = record(2)
    again = route([response.pk, response.pk])
    assert again.skipped == [response.pk, response.pk]
    assert FollowUpCase.objects.count() == 1
    assert OutboundMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_without_any_offer_the_answer_waits_unrouted_until_one_exists():
    Offer.objects.all().delete()
    response = record(7)
    assert Response.objects.unrouted().get() == response
    Offer.objects.create(name="Back", description="10% off", is_default=True)
    route([response.pk])
    assert OfferGrant.objects.get().response == response


def test_a_batch_routes_every_category_and_publishes_its_emails_once():
    survey = SurveyFactory()
    ids = [ResponseFactory(survey=survey, score=s).pk for s in range(11)]
    result = route(ids)
    assert sorted(result.routed) == sorted(ids)
    assert FollowUpCase.objects.count() == 7
    assert OfferGrant.objects.count() == 2
    assert RewardGrant.objects.count() == 2
    assert OutboundMessage.objects.filter(status="sent").count() == 11
    assert len(mail.outbox) == 11


def test_the_run_for_single_answers_routes_every_recent_unrouted_answer_in_batches(settings):
    from followups.routing import recent_responses_route

    settings.NPS_ROUTING_BATCH_SIZE = 2
    since = timezone.now()
    old = ResponseFactory(score=9)
    Response.objects.filter(pk=old.pk).update(created_at=since - timedelta(seconds=1))
    survey = SurveyFactory()
    recent = [ResponseFactory(survey=survey, score=s).pk for s in (1, 7, 8, 9, 10)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = recent_responses_route(since=since)
    assert result.routed == recent
    assert len(result.email_ids) == 5 and len(mail.outbox) == 5
    # Older answers are the sweeper's.
    assert list(Response.objects.unrouted().values_list("pk", flat=True)) == [old.pk]
    # A second run finds nothing left to do.
    assert recent_responses_route(since=since).routed == []


def test_the_run_for_single_answers_stops_at_the_sweep_limit(settings):
    from followups.routing import recent_responses_route

    settings.NPS_ROUTING_BATCH_SIZE = 2
    settings.NPS_SWEEP_LIMIT = 3
    since = timezone.now()
    ids = [ResponseFactory(score=9).pk for _ in range(5)]
    assert recent_responses_route(since=since).routed == ids[:4]  # whole batches
    assert recent_responses_route(since=since).routed == ids[4:]


def test_a_single_answer_is_routed_by_the_run_its_hand_off_publishes():
    response = record(10)
    assert response.routed_at is None  # the object recorded; the database says:
    assert Response.objects.get(pk=response.pk).routed_at is not None
    assert RewardGrant.objects.get().response_id == response.pk
