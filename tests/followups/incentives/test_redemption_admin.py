"""Redeeming and revoking codes by hand in the admin: the till's service and
rules, so the admin refuses what the API refuses, each with its reason."""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse

from followups.cases.timeline import event_line
from followups.models import CaseEvent, GrantStatus, OfferGrant, RewardGrant
from surveys.models import AuditEvent
from tests.factories import OfferGrantFactory, RewardFactory, RewardGrantFactory, manager
from tests.followups.cases import open_case
from tests.followups.incentives import expired_grant, redeemed_grant
from tests.followups.webhooks import Receiver, endpoint_for, payloads

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client):
    user = manager("boss")
    client.force_login(user)
    return user


def run_action(client, model, action, rows):
    url = reverse(f"admin:followups_{model._meta.model_name}_changelist")
    reply = client.post(
        url, {"action": action, helpers.ACTION_CHECKBOX_NAME: [row.pk for row in rows]}
    )
    return [str(message) for message in get_messages(reply.wsgi_request)]


def test_the_admin_action_refuses_what_the_api_refuses(client, boss):
    expired = expired_grant()
    marked_expired = OfferGrantFactory(status=GrantStatus.EXPIRED)
    revoked = OfferGrantFactory(status=GrantStatus.REVOKED)
    redeemed = redeemed_grant(order="SO-7")
    open_one = OfferGrantFactory()

    said = run_action(
        client, OfferGrant, "mark_redeemed", [expired, marked_expired, revoked, redeemed, open_one]
    )

    assert OfferGrant.objects.get(pk=open_one.pk).status == GrantStatus.REDEEMED
    after = dict(OfferGrant.objects.values_list("pk", "status"))
    assert [after[g.pk] for g in (expired, marked_expired, revoked, redeemed)] == [
        GrantStatus.ISSUED,
        GrantStatus.EXPIRED,
        GrantStatus.REVOKED,
        GrantStatus.REDEEMED,
    ]
    assert any(expired.code in m and "expired on" in m for m in said), said
    assert any(marked_expired.code in m and "expired on" in m for m in said), said
    assert any(revoked.code in m and "revoked" in m for m in said), said
    assert any(redeemed.code in m and "already redeemed" in m and "SO-7" in m for m in said)
    assert "1 marked redeemed." in said
    assert OfferGrant.objects.get(pk=redeemed.pk).redeemed_order == "SO-7"


def test_redeeming_by_hand_records_who_fires_the_webhook_and_writes_the_timeline(client, boss):
    endpoint = endpoint_for(Receiver(port=1), ["grant.redeemed"])
    case = open_case()
    grant = OfferGrantFactory(response__customer=case.customer)

    run_action(client, OfferGrant, "mark_redeemed", [grant])

    grant.refresh_from_db()
    assert (grant.status, grant.redeemed_by, grant.redeemed_order) == (
        GrantStatus.REDEEMED,
        "boss",
        "",
    )
    [event] = case.events.filter(kind=CaseEvent.Kind.REDEEMED)
    assert (event.actor, "by hand" in event_line(event)) == (boss, True)
    [sent] = payloads(endpoint)
    assert sent["data"]["grant"]["id"] == grant.pk
    audit = AuditEvent.objects.get(action=AuditEvent.Action.GRANT_REDEEMED)
    assert (audit.actor_label, audit.via, audit.details["by_hand"]) == ("boss", "admin", True)


def test_a_thank_you_without_a_code_is_not_redeemed(client, boss):
    thanks = RewardGrantFactory(reward=RewardFactory(kind="thank_you"))
    assert thanks.code is None

    said = run_action(client, RewardGrant, "mark_redeemed", [thanks])

    assert RewardGrant.objects.get().status == GrantStatus.ISSUED
    assert any("no code to redeem" in m for m in said), said


def test_revoking_stops_an_open_code_and_refuses_a_redeemed_one(client, boss):
    open_one, redeemed = OfferGrantFactory(), redeemed_grant()

    said = run_action(client, OfferGrant, "revoke", [open_one, redeemed])

    open_one.refresh_from_db()
    assert (open_one.status, open_one.revoked_at is not None) == (GrantStatus.REVOKED, True)
    assert OfferGrant.objects.get(pk=redeemed.pk).status == GrantStatus.REDEEMED
    assert any(redeemed.code in m and "already redeemed" in m for m in said), said
    audit = AuditEvent.objects.get(action=AuditEvent.Action.GRANT_REVOKED)
    assert audit.object_ids == [open_one.pk]


def test_staff_without_the_redeem_permission_cannot_revoke(client):
    from tests.factories import staff_member

    client.force_login(staff_member("sam", is_staff=True))
    grant = OfferGrantFactory()

    run_action(client, OfferGrant, "revoke", [grant])

    assert OfferGrant.objects.get().status == GrantStatus.ISSUED


def test_the_grant_lists_show_each_code_on_one_line(client):
    grant = RewardGrantFactory(code="VIP-AB12-CD34-EF56")
    client.force_login(manager("lists"))

    html = client.get("/admin/followups/rewardgrant/").text

    # The hyphens no longer break it over four lines; it still opens the grant.
    assert f'<span class="nowrap">{grant.code}</span>' in html
    assert f"/admin/followups/rewardgrant/{grant.pk}/change/" in html
