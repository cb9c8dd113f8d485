"""Redeeming a code at checkout through the API: what it grants, or why not;
the same order again is the first answer; another order is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from followups.cases.timeline import event_line
from followups.incentives.redemption import grant_revoke_by_hand
from followups.models import CaseEvent, FollowUpCase, GrantStatus, OfferGrant, RewardGrant
from surveys.models import ApiScope, AuditEvent
from tests.factories import (
    InvitationFactory,
    OfferGrantFactory,
    RewardFactory,
    RewardGrantFactory,
    UserFactory,
)
from tests.followups.cases import open_case
from tests.followups.incentives import expired_grant, redeemed_grant
from tests.followups.webhooks import Receiver, endpoint_for, payloads
from tests.surveys.api.conftest import client_with, make_token

pytestmark = pytest.mark.django_db

REDEEM = "/api/v1/grants/redeem/"


@pytest.fixture
def till():
    return client_with(make_token("till", [ApiScope.GRANTS_REDEEM, ApiScope.GRANTS_READ]))


def redeem(client, code, order="SO-10042"):
    with TestCase.captureOnCommitCallbacks(execute=False):
        return client.post(REDEEM, {"code": code, "order": order}, format="json")


def test_redeeming_answers_what_the_code_grants_and_stores_the_order_and_who(till):
    grant = OfferGrantFactory(offer__name="Renewal discount", response__customer__external_id="c-1")

    reply = redeem(till, f"  {grant.code.lower()} ")

    assert reply.status_code == 200, reply.json()
    body = reply.json()
    assert body["already_redeemed"] is False
    assert (body["code"], body["kind"], body["status"], body["order"]) == (
        grant.code,
        "offer",
        "redeemed",
        "SO-10042",
    )
    assert body["incentive"]["name"] == "Renewal discount"
    assert body["customer"] == {"id": grant.customer_id, "external_id": "c-1"}
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REDEEMED
    assert (grant.redeemed_order, grant.redeemed_by) == ("SO-10042", "api:till")
    event = AuditEvent.objects.get(action=AuditEvent.Action.GRANT_REDEEMED)
    assert (event.actor_label, event.via, event.object_ids) == ("api:till", "api", [grant.pk])


def test_a_reward_code_answers_its_kind_and_points(till):
    grant = RewardGrantFactory(reward=RewardFactory(kind="loyalty_points", points=500))

    body = redeem(till, grant.code).json()

    assert (body["kind"], body["incentive"]["reward_kind"], body["incentive"]["points"]) == (
        "reward",
        "loyalty_points",
        500,
    )
    assert RewardGrant.objects.get().status == GrantStatus.REDEEMED


def test_the_same_order_twice_gets_the_first_redemption_back_and_changes_nothing(till):
    grant = OfferGrantFactory()
    first = redeem(till, grant.code).json()
    redeemed_at = OfferGrant.objects.get().redeemed_at

    again = redeem(till, grant.code.lower())

    assert again.status_code == 200
    assert again.json() == {**first, "already_redeemed": True}
    assert OfferGrant.objects.get().redeemed_at == redeemed_at
    assert AuditEvent.objects.filter(action=AuditEvent.Action.GRANT_REDEEMED).count() == 1


def test_another_order_is_refused_with_when_and_for_which_order_it_was_redeemed(till):
    grant = OfferGrantFactory()
    redeem(till, grant.code, order="SO-1")

    reply = redeem(till, grant.code, order="SO-2")

    assert reply.status_code == 409
    body = reply.json()
    assert body["error"]["code"] == "redeemed"
    assert "SO-1" in body["error"]["message"]
    stored = OfferGrant.objects.get()
    assert body["grant"]["redeemed_at"] == stored.redeemed_at.isoformat().replace("+00:00", "Z")
    assert body["grant"]["order"] == stored.redeemed_order == "SO-1"


def test_an_unknown_code_is_a_404_in_the_error_shape(till):
    OfferGrantFactory()

    reply = redeem(till, "NOPE-2345-6789-ABCD")

    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "unknown_code"
    assert "grant" not in reply.json()


def test_a_code_past_its_date_is_refused_even_before_it_is_marked_expired(till):
    grant = expired_grant()

    reply = redeem(till, grant.code)

    assert reply.status_code == 410
    body = reply.json()
    assert (body["error"]["code"], body["grant"]["status"]) == ("expired", "expired")
    assert body["grant"]["expires_at"] == grant.expires_at.isoformat().replace("+00:00", "Z")
    grant.refresh_from_db()
    assert (grant.status, grant.redeemed_at) == (GrantStatus.ISSUED, None)


def test_a_code_marked_expired_is_refused(till):
    grant = OfferGrantFactory(status=GrantStatus.EXPIRED)

    reply = redeem(till, grant.code)

    assert (reply.status_code, reply.json()["error"]["code"]) == (410, "expired")


def test_a_revoked_code_is_refused_with_when(till):
    grant = OfferGrantFactory()
    grant_revoke_by_hand(model=OfferGrant, pk=grant.pk, actor=UserFactory(), via="admin")

    reply = redeem(till, grant.code)

    assert (reply.status_code, reply.json()["error"]["code"]) == (410, "revoked")
    assert reply.json()["grant"]["revoked_at"] is not None
    assert OfferGrant.objects.get().status == GrantStatus.REVOKED


def test_redeeming_without_an_order_is_a_400_and_redeems_nothing(till):
    grant = OfferGrantFactory()

    reply = till.post(REDEEM, {"code": grant.code, "order": "  "}, format="json")

    assert reply.status_code == 400
    assert "order" in reply.json()["error"]["fields"]
    assert OfferGrant.objects.get().status == GrantStatus.ISSUED


def test_a_key_without_the_redeem_scope_is_refused_and_nothing_changes():
    grant = OfferGrantFactory()
    reader = client_with(make_token("reader", [ApiScope.GRANTS_READ]))

    reply = redeem(reader, grant.code)

    assert reply.status_code == 403
    assert OfferGrant.objects.get().status == GrantStatus.ISSUED


def test_checking_a_code_tells_whether_it_can_be_redeemed_and_redeems_nothing(till):
    grant = OfferGrantFactory()

    before = till.get(f"/api/v1/grants/{grant.code.lower()}/")
    redeem(till, grant.code)
    after = till.get(f"/api/v1/grants/{grant.code}/")

    assert (before.status_code, before.json()["redeemable"], before.json()["status"]) == (
        200,
        True,
        "issued",
    )
    assert (after.json()["redeemable"], after.json()["status"]) == (False, "redeemed")
    assert till.get("/api/v1/grants/NOPE-2345/").status_code == 404


def test_checking_a_code_past_its_date_says_expired(till):
    grant = expired_grant()

    body = till.get(f"/api/v1/grants/{grant.code}/").json()

    assert (body["redeemable"], body["status"]) == (False, "expired")
    assert OfferGrant.objects.get().status == GrantStatus.ISSUED


def test_a_redemption_fires_grant_redeemed_once(till):
    endpoint = endpoint_for(Receiver(port=1), ["grant.redeemed"])
    grant = OfferGrantFactory()

    redeem(till, grant.code)
    redeem(till, grant.code)  # the same order again: no second event

    [sent] = payloads(endpoint)
    assert sent["type"] == "grant.redeemed"
    assert (sent["data"]["grant"]["id"], sent["data"]["grant"]["status"]) == (grant.pk, "redeemed")


def test_a_redemption_goes_on_the_timeline_of_the_customers_open_and_resurveyed_cases(till):
    resurveyed = open_case()
    customer = resurveyed.customer
    invitation = InvitationFactory(customer=customer)
    FollowUpCase.objects.filter(pk=resurveyed.pk).update(
        status=FollowUpCase.Status.CLOSED, resurvey_invitation=invitation
    )
    still_open = open_case()
    FollowUpCase.objects.filter(pk=still_open.pk).update(customer=customer)
    old_closed = open_case()
    FollowUpCase.objects.filter(pk=old_closed.pk).update(
        customer=customer, status=FollowUpCase.Status.CLOSED
    )
    someone_else = open_case()
    grant = OfferGrantFactory(response__customer=customer, response__invitation=invitation)

    redeem(till, grant.code)

    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.REDEEMED)
    assert sorted(events.values_list("case_id", flat=True)) == sorted(
        [resurveyed.pk, still_open.pk]
    )
    assert all("SO-10042" in event_line(e) and grant.code in event_line(e) for e in events)
    assert not someone_else.events.filter(kind=CaseEvent.Kind.REDEEMED).exists()
    assert not old_closed.events.filter(kind=CaseEvent.Kind.REDEEMED).exists()


def test_the_case_page_shows_the_redemption(client, till):
    case = open_case()
    grant = OfferGrantFactory(response__customer=case.customer)
    redeem(till, grant.code)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    page = client.get(f"/admin/followups/followupcase/{case.pk}/change/").content.decode()

    assert "Code redeemed" in page
    assert "SO-10042" in page


def test_a_refused_redemption_leaves_no_trace(till):
    grant = OfferGrantFactory(expires_at=timezone.now() + timedelta(seconds=-1))

    redeem(till, grant.code)

    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.REDEEMED).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.GRANT_REDEEMED).exists()


def test_a_code_redeemed_by_hand_is_refused_at_the_till_with_when(till):
    grant = redeemed_grant(order="")

    reply = redeem(till, grant.code)

    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "redeemed"


def test_redemptions_past_the_clients_rate_get_429_and_redeem_nothing(till, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ingest": "1/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    first, second = OfferGrantFactory.create_batch(2)

    assert redeem(till, first.code).status_code == 200
    reply = redeem(till, second.code)

    assert reply.status_code == 429
    assert "Retry-After" in reply.headers
    assert OfferGrant.objects.get(pk=second.pk).status == GrantStatus.ISSUED


def test_a_key_whose_user_lost_the_redeem_permission_is_refused(till):
    from django.contrib.auth.models import Permission

    grant = OfferGrantFactory()
    user = UserFactory._meta.model.objects.get(username="till")
    user.user_permissions.remove(Permission.objects.get(codename="redeem_rewardgrant"))

    reply = redeem(till, grant.code)

    assert reply.status_code == 403
    assert OfferGrant.objects.get().status == GrantStatus.ISSUED
