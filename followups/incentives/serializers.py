"""What the redemption API reads and answers."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from followups.incentives.redemption import grant_kind
from followups.models import GrantStatus, Offer

GRANT_KINDS = ("offer", "reward")


class RedeemInSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=60, help_text="The code the customer gives, in any case (upper or lower)."
    )
    order = serializers.CharField(
        max_length=200,
        help_text="The shop's order reference: the same order may redeem the same code again "
        "(a retry gets the first answer back); another order may not.",
    )


class GrantIncentiveSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    reward_kind = serializers.CharField(
        allow_null=True,
        help_text="For a reward: coupon, loyalty_points, gift, review_bonus or referral. "
        "Null for an offer.",
    )
    points = serializers.IntegerField(allow_null=True, help_text="Loyalty points, if any.")


class GrantCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(
        allow_null=True, help_text="The customer's id in your CRM or shop, if any."
    )


class GrantSerializer(serializers.Serializer):
    """One code and what it grants. Its status is the code's status now: a
    code past its date is ``expired`` even before the nightly run marks it."""

    code = serializers.CharField()
    kind = serializers.SerializerMethodField(help_text="offer or reward.")
    status = serializers.SerializerMethodField(
        help_text="issued or sent (redeemable), redeemed, expired or revoked."
    )
    incentive = serializers.SerializerMethodField()
    customer = GrantCustomerSerializer()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)
    order = serializers.CharField(
        source="redeemed_order",
        help_text="The order it was redeemed for; empty if it is not redeemed, or was "
        "redeemed by hand.",
    )
    revoked_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=GRANT_KINDS))
    def get_kind(self, grant) -> str:
        return grant_kind(grant)

    @extend_schema_field(serializers.ChoiceField(choices=GrantStatus.choices))
    def get_status(self, grant) -> str:
        return grant.refusal(timezone.now()) or grant.status

    @extend_schema_field(GrantIncentiveSerializer)
    def get_incentive(self, grant) -> dict:
        if isinstance(grant.incentive, Offer):
            offer = grant.incentive
            return {
                "name": offer.name,
                "description": offer.description,
                "reward_kind": None,
                "points": None,
            }
        reward = grant.incentive
        return {
            "name": reward.name,
            "description": reward.description,
            "reward_kind": reward.kind,
            "points": reward.points,
        }


class GrantCheckSerializer(GrantSerializer):
    redeemable = serializers.SerializerMethodField(
        help_text="Whether POST /api/v1/grants/redeem/ would redeem it now."
    )

    def get_redeemable(self, grant) -> bool:
        return grant.refusal(timezone.now()) is None


class RedemptionSerializer(GrantSerializer):
    already_redeemed = serializers.BooleanField(
        help_text="True when this order had redeemed the code before: this is that "
        "redemption again, nothing changed."
    )


class RefusalSerializer(serializers.Serializer):
    """The API's one error shape, with the code's state when the code exists."""

    error = serializers.DictField(
        help_text='{"status", "code", "message", "fields"}: code is unknown_code, redeemed, '
        "expired or revoked; message says when."
    )
    grant = GrantSerializer(required=False, help_text="The code's state (absent if unknown).")
