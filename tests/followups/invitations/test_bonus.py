"""A bonus for non-responders: reminders split into arms with and without it,
the incentive described in the customer's language, and the one grant an
answer within the window earns."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test import Client, TestCase
from django.utils import timezone

from followups.invitations.reminders import reminders_send
from followups.models import (
    BonusArm,
    BonusGrant,
    GrantStatus,
    OfferGrant,
    OutboundMessage,
    ReminderBonus,
    ReminderBonusAssignment,
    RewardGrant,
)
from followups.routing import responses_route
from surveys import services
from surveys.models import ApiScope, Invitation, Response
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    OfferFactory,
    RewardFactory,
    SurveyFactory,
    manager,
)
from tests.followups.webhooks import Receiver, endpoint_for, payloads
from tests.surveys.api.conftest import client_with, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    # The reference data's default offer and reward let routing grant passives and promoters.
    return SurveyFactory(slug="checkout", reminder_after_days=7, invitation_lifetime_days=60)


def bonus_for(survey, *, share=100, window_days=3, **incentive) -> ReminderBonus:
    if not incentive:
        incentive = {
            "reward": RewardFactory(
                description="500 loyalty points",
                description_pl="500 punktów lojalnościowych",
                code_prefix="BON",
            )
        }
    return ReminderBonus.objects.create(
        survey=survey, share_percent=share, window_days=window_days, **incentive
    )


def invited(survey, **customer) -> Invitation:
    return InvitationFactory(
        survey=survey,
        customer=CustomerFactory(**customer),
        sent_at=timezone.now() - timedelta(days=8),
    )


def remind() -> int:
    with TestCase.captureOnCommitCallbacks(execute=False):
        return reminders_send()


def answer(invitation: Invitation, score: int = 9) -> Response:
    response = services.response_record(
        survey=invitation.survey,
        customer=invitation.customer,
        score=score,
        channel="email",
        invitation=invitation,
    ).response
    responses_route(response_ids=[response.pk])
    return response


@pytest.mark.parametrize(
    "incentive",
    [{}, {"offer": "offer", "reward": "reward"}],
    ids=["neither", "both"],
)
def test_a_bonus_promises_an_offer_or_a_reward_one_of_them(survey, incentive):
    catalogue = {"offer": OfferFactory(), "reward": RewardFactory()}
    bonus = ReminderBonus(survey=survey, **{k: catalogue[v] for k, v in incentive.items()})
    with pytest.raises(ValidationError, match="Choose an offer or a reward"):
        bonus.full_clean()
    with pytest.raises(IntegrityError):
        bonus.save()


def test_every_reminder_falls_in_the_arm_with_the_bonus_at_a_share_of_100(survey):
    bonus_for(survey, share=100)
    invitations = [invited(survey) for _ in range(5)]
    assert remind() == 5
    arms = ReminderBonusAssignment.objects.values_list("invitation_id", "arm")
    assert dict(arms) == {i.pk: BonusArm.WITH for i in invitations}


def test_no_reminder_carries_the_bonus_at_a_share_of_0_but_each_is_counted(survey):
    bonus_for(survey, share=0)
    invited(survey)
    remind()
    assignment = ReminderBonusAssignment.objects.get()
    assert (assignment.arm, assignment.offer, assignment.reward) == (BonusArm.WITHOUT, None, None)
    assert "loyalty" not in OutboundMessage.objects.get(template="invitation").body_text


def test_a_half_share_puts_reminders_in_both_arms(survey):
    bonus_for(survey, share=50)
    for _ in range(60):
        invited(survey)
    remind()
    counts = {
        arm: ReminderBonusAssignment.objects.filter(arm=arm).count()
        for arm in (BonusArm.WITH, BonusArm.WITHOUT)
    }
    # 60 fair coins: both sides empty has a chance of 2 in 2**60.
    assert counts[BonusArm.WITH] > 0 and counts[BonusArm.WITHOUT] > 0
    assert sum(counts.values()) == 60


def test_a_survey_without_an_active_bonus_sends_the_usual_reminder_and_records_nothing(survey):
    bonus_for(survey, share=100).__class__.objects.update(is_active=False)
    invited(survey)
    assert remind() == 1
    assert not ReminderBonusAssignment.objects.exists()


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("pl", "500 punktów lojalnościowych"), ("ru", "500 loyalty points"), ("en", "500 loyalty")],
)
def test_the_reminder_describes_the_incentive_in_the_customers_language(survey, locale, expected):
    bonus_for(survey)
    invited(survey, locale=locale)
    remind()
    email = OutboundMessage.objects.get(template="invitation")
    assert email.language == locale
    assert expected in email.body_text and expected in email.body_html
    assignment = ReminderBonusAssignment.objects.get()
    assert assignment.window_ends_at == assignment.reminded_at + timedelta(days=3)


def test_the_reminder_dates_the_bonus_and_the_link_in_the_customers_time_zone(survey):
    # A deadline read in the server's hours (UTC) is missed by those hours in
    # Tokyo: the customer reads it in their own zone, which the email names.
    bonus_for(survey)
    with time_machine.travel("2026-06-01 20:00:00+00:00", tick=False):
        invited(survey, locale="en", time_zone="Asia/Tokyo")
        remind()
    email = OutboundMessage.objects.get(template="invitation")
    assignment = ReminderBonusAssignment.objects.get()
    in_tokyo = timezone.localtime(assignment.window_ends_at, ZoneInfo("Asia/Tokyo"))

    assert in_tokyo.day == 5  # 2026-06-04 20:00 UTC is the 5th in Tokyo
    bonus_line = next(line for line in email.body_text.splitlines() if "Answer by" in line)
    assert "June 5, 2026, 5 a.m. (JST)" in bonus_line
    assert "(UTC)" not in email.body_text


def test_the_bonus_grant_dates_its_code_in_the_customers_time_zone(survey):
    bonus_for(survey)
    invitation = invited(survey, locale="en", time_zone="America/New_York")
    remind()
    answer(invitation, score=9)

    grant = BonusGrant.objects.get()
    email = OutboundMessage.objects.get(template="bonus")
    local = timezone.localtime(grant.expires_at, ZoneInfo("America/New_York"))
    assert f"({local.tzname()})" in email.body_text
    assert "(UTC)" not in email.body_text


def test_the_window_never_outlasts_the_link(survey):
    bonus_for(survey, window_days=30)
    invitation = invited(survey)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=2)
    )
    remind()
    assignment = ReminderBonusAssignment.objects.get()
    assert assignment.window_ends_at == Invitation.objects.get().expires_at


def test_an_answer_within_the_window_earns_the_bonus_once_with_its_email(survey):
    bonus_for(survey)
    invitation = invited(survey, locale="pl")
    remind()
    response = answer(invitation, score=9)
    responses_route(response_ids=[response.pk])  # routed again: nothing more

    grant = BonusGrant.objects.get()
    assert (grant.response, grant.customer, grant.survey) == (response, invitation.customer, survey)
    assert grant.code.startswith("BON-")
    email = OutboundMessage.objects.get(template="bonus")
    assert email.language == "pl"
    assert "500 punktów lojalnościowych" in email.body_text
    assert grant.code in email.body_text and grant.code in email.body_html
    assignment = ReminderBonusAssignment.objects.get()
    assert assignment.response == response and assignment.answered_at == response.submitted_at


def test_the_bonus_comes_beside_the_routings_own_offer(survey):
    bonus_for(survey, offer=OfferFactory(description="Free shipping"))
    invitation = invited(survey)
    remind()
    response = answer(invitation, score=7)
    assert OfferGrant.objects.filter(response=response).count() == 1
    assert BonusGrant.objects.get().offer.description == "Free shipping"
    assert set(
        OutboundMessage.objects.filter(response=response).values_list("template", flat=True)
    ) == {"offer", "bonus"}


def test_the_bonus_is_reported_issued_to_the_webhooks(survey):
    endpoint = endpoint_for(Receiver(port=1), ["grant.issued"])
    bonus_for(survey)
    invitation = invited(survey)
    remind()
    response = answer(invitation, score=4)  # a detractor: a case, and the bonus
    grant = BonusGrant.objects.get()
    [issued] = [p["data"]["grant"] for p in payloads(endpoint)]
    assert (issued["kind"], issued["id"], issued["code"]) == ("reward", grant.pk, grant.code)
    assert issued["incentive"] == grant.reward.name and issued["response_id"] == response.pk


def test_an_answer_after_the_window_earns_nothing_and_is_told_nothing(survey):
    bonus_for(survey, window_days=3)
    invitation = invited(survey)
    remind()
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = answer(invitation, score=10)
    assert not BonusGrant.objects.exists()
    assert not OutboundMessage.objects.filter(template="bonus").exists()
    assert RewardGrant.objects.filter(response=response).exists()  # the usual thank-you
    assert ReminderBonusAssignment.objects.get().answered_at == response.submitted_at


def test_an_answer_to_a_reminder_without_the_bonus_counts_as_answered_and_earns_nothing(survey):
    bonus_for(survey, share=0)
    invitation = invited(survey)
    remind()
    response = answer(invitation)
    assert ReminderBonusAssignment.objects.get().response == response
    assert not BonusGrant.objects.exists()


def test_an_excluded_answer_earns_nothing(survey):
    bonus_for(survey)
    invitation = invited(survey)
    remind()
    response = services.response_record(
        survey=survey, customer=invitation.customer, score=9, invitation=invitation
    ).response
    Response.objects.filter(pk=response.pk).update(exclusion_reason="test")
    responses_route(response_ids=[response.pk])
    assert not BonusGrant.objects.exists()
    assert ReminderBonusAssignment.objects.get().answered_at is None


def test_one_grant_per_reminder_is_a_database_constraint(survey):
    bonus_for(survey)
    invitation = invited(survey)
    remind()
    answer(invitation)
    grant = BonusGrant.objects.get()
    grant.pk = None
    grant.code = "OTHER-CODE"
    with pytest.raises(IntegrityError):
        grant.save()


def test_the_bonus_code_is_redeemed_at_the_till_once(survey):
    bonus_for(survey, offer=OfferFactory(name="Bonus discount", code_prefix="BON"))
    invitation = invited(survey)
    remind()
    answer(invitation, score=3)
    grant = BonusGrant.objects.get()
    till = client_with(make_token("till", [ApiScope.GRANTS_REDEEM, ApiScope.GRANTS_READ]))

    def redeem(order):
        with TestCase.captureOnCommitCallbacks(execute=False):
            return till.post(
                "/api/v1/grants/redeem/", {"code": grant.code, "order": order}, format="json"
            )

    body = redeem("SO-1").json()
    assert (body["kind"], body["incentive"]["name"], body["status"]) == (
        "offer",
        "Bonus discount",
        "redeemed",
    )
    assert redeem("SO-2").status_code == 409
    grant.refresh_from_db()
    assert (grant.status, grant.redeemed_order) == (GrantStatus.REDEEMED, "SO-1")


def test_a_sent_grant_email_marks_the_bonus_sent(survey, mailoutbox):
    bonus_for(survey)
    invitation = invited(survey)
    remind()
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer(invitation)
    assert BonusGrant.objects.get().status == GrantStatus.SENT
    assert any("500 loyalty points" in m.body for m in mailoutbox)


# --- Concurrent answers (PostgreSQL's real concurrency) -------------------------


def _at_once(count: int, work) -> list[Exception]:
    barrier, failures = threading.Barrier(count), []

    def run(n):
        try:
            barrier.wait()
            work(n)
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_api_answers_of_one_customer_earn_one_bonus(survey, settings):
    settings.NPS_HANDOFF = {}  # each thread routes its own answer, as concurrent workers do
    bonus_for(survey)
    invitation = invited(survey, email="ada@example.com")
    remind()
    api = client_with(make_token("shop", "ingest"))
    statuses: list[int] = []

    def post_and_route(n):
        reply = api.post(
            "/api/v1/responses/",
            {
                "survey": "checkout",
                "customer": {"email": "ada@example.com"},
                "score": 9,
                "idempotency_key": f"order-{n}",
            },
            format="json",
        )
        statuses.append(reply.status_code)
        responses_route(response_ids=[reply.json()["id"]])

    assert _at_once(20, post_and_route) == []
    assert statuses == [201] * 20
    assert Response.objects.filter(routed_at__isnull=False).count() == 20
    grant = BonusGrant.objects.get()
    assert grant.customer == invitation.customer
    assert OutboundMessage.objects.filter(template="bonus").count() == 1
    assert ReminderBonusAssignment.objects.get().response == grant.response


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_of_the_survey_page_earn_one_bonus(survey, settings):
    settings.NPS_HANDOFF = {}
    bonus_for(survey)
    invitation = invited(survey)
    remind()
    url = invitation.get_absolute_url()
    statuses: list[int] = []

    def post_and_route(n):
        reply = Client().post(url, {"score": "9"})
        statuses.append(reply.status_code)
        responses_route(response_ids=list(Response.objects.values_list("pk", flat=True)))

    assert _at_once(20, post_and_route) == []
    assert set(statuses) <= {303} and len(statuses) == 20
    response = Response.objects.get()
    assert response.routed_at is not None
    assert BonusGrant.objects.get().response == response
    assert OutboundMessage.objects.filter(template="bonus").count() == 1


def test_a_customer_who_answers_while_reminders_are_being_sent_gets_no_reminder_nor_bonus(
    survey, monkeypatch
):
    from followups.invitations import reminders

    bonus_for(survey, share=100)
    invitation = invited(survey)
    read_as_due = reminders._iter_due_reminders

    def answered_meanwhile(queryset, now, limit):
        for due in read_as_due(queryset, now, limit):
            # The survey page records their answer between the read and the claim.
            answer(invitation)
            yield due

    monkeypatch.setattr(reminders, "_iter_due_reminders", answered_meanwhile)

    assert remind() == 0
    invitation.refresh_from_db()
    assert invitation.reminded_at is None and invitation.responded_at is not None
    assert not ReminderBonusAssignment.objects.exists()
    assert not OutboundMessage.objects.filter(template="invitation").exists()


def test_the_reminders_list_shows_who_which_arm_and_the_bonus_first_without_the_survey_per_row(
    survey, client
):
    survey.name = "Checkout survey with a long name"
    survey.save()
    bonus_for(survey, share=100)
    invited(survey, name="Zoë Adams", email="zoe@example.com")
    remind()
    client.force_login(manager("boss"))

    html = client.get("/admin/followups/reminderbonusassignment/").text

    head = html.split('<table id="result_list">')[1].split("</thead>")[0]
    columns = [name for name in ("customer_name", "arm", "answered_at", "bonus") if name in head]
    assert columns == ["customer_name", "arm", "answered_at", "bonus"]
    row = html.split("<tbody>")[1].split("</tr>")[0]
    assert "Zoë Adams" in row.split("field-wave_started")[0]
    # The bonus on one line: wrapped in the last column, it made each row tall.
    assert '<td class="field-bonus"><span class="nowrap">' in row
    # The survey is named in the filter, not repeated on every row.
    assert "Checkout survey with a long name" not in row
