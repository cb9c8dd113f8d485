"""Offers, rewards and their codes."""

from datetime import timedelta

from django.utils import timezone

from followups.models import GrantStatus
from tests.factories import OfferGrantFactory


def expired_grant(**fields):
    """An offer code past its date that no run has marked expired yet."""
    past = timezone.now() - timedelta(days=30)
    return OfferGrantFactory(created_at=past - timedelta(days=30), expires_at=past, **fields)


def redeemed_grant(order: str = "SO-1", **fields):
    return OfferGrantFactory(
        status=GrantStatus.REDEEMED,
        redeemed_at=timezone.now() - timedelta(days=1),
        redeemed_order=order,
        redeemed_by="api:till",
        **fields,
    )
