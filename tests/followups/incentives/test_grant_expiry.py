"""The beat task that marks codes past their date expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from followups import tasks
from followups.incentives.redemption import grants_expire
from followups.models import GrantStatus, OfferGrant, RewardGrant
from tests.factories import OfferGrantFactory, RewardGrantFactory
from tests.followups.incentives import expired_grant, redeemed_grant

pytestmark = pytest.mark.django_db


def test_only_open_codes_past_their_date_expire_in_chunks_and_a_second_run_changes_nothing():
    due_offers = [expired_grant() for _ in range(5)]
    sent = expired_grant(status=GrantStatus.SENT, sent_at=timezone.now())
    past = timezone.now() - timedelta(days=1)
    due_reward = RewardGrantFactory(expires_at=past)
    redeemed = redeemed_grant(expires_at=past)
    revoked = OfferGrantFactory(status=GrantStatus.REVOKED, expires_at=past)
    current = OfferGrantFactory()

    assert grants_expire(chunk_size=2) == 7
    assert grants_expire(chunk_size=2) == 0

    statuses = dict(OfferGrant.objects.values_list("pk", "status"))
    assert {statuses[g.pk] for g in [*due_offers, sent]} == {GrantStatus.EXPIRED}
    assert RewardGrant.objects.get(pk=due_reward.pk).status == GrantStatus.EXPIRED
    assert statuses[redeemed.pk] == GrantStatus.REDEEMED
    assert statuses[revoked.pk] == GrantStatus.REVOKED
    assert statuses[current.pk] == GrantStatus.ISSUED


def test_the_beat_runs_the_expiry_task():
    entry = settings.CELERY_BEAT_SCHEDULE["expire-grants"]
    assert entry["task"] == tasks.grants_expire_task.name == "followups.expire_grants"
    expired_grant()

    tasks.grants_expire_task.apply()

    assert OfferGrant.objects.get().status == GrantStatus.EXPIRED
