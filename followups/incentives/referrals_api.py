"""The referral API: a shop reports an order placed with a promoter's
referral code, and the code's uses are counted (once per order). Views only
translate HTTP to ``followups.incentives.tracking`` and back."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from followups.incentives.tracking import (
    OrderTaken,
    UnknownReferralCode,
    referral_use_record,
)
from followups.models import ReferralUse
from surveys.api import ApiMixin, _errors
from surveys.models import ApiKey, ApiScope
from surveys.serializers import ErrorSerializer

REFERRALS_WRITE = ApiScope.REFERRALS_WRITE


class OrderConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "This order was reported already with another referral code."


class ReferralUseInSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=40, help_text="The referral code, as the buyer gave it."
    )
    order = serializers.CharField(
        max_length=100, help_text="The shop's reference of the order; one use per order."
    )


class ReferralUseSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="grant.referral_code")
    uses = serializers.IntegerField(help_text="The code's uses so far, this one included.")

    class Meta:
        model = ReferralUse
        fields = ["id", "code", "order", "used_at", "uses"]


class ReferralUseView(ApiMixin, APIView):
    required_scopes = {"POST": REFERRALS_WRITE}
    pagination_class = None

    @extend_schema(
        operation_id="referrals_use",
        summary="Count an order placed with a referral code",
        description=(
            "201 when the order is counted; the same order with the same code again is a "
            "200 with the same use, counted once. An unknown code is a 404; an order "
            "reported already with another code is a 409."
        ),
        tags=["referrals"],
        request=ReferralUseInSerializer,
        responses={
            201: ReferralUseSerializer,
            200: OpenApiResponse(ReferralUseSerializer, description="Reported already."),
            409: OpenApiResponse(ErrorSerializer, description="The order has another code."),
            **_errors(400, 401, 403, 404, 429),
        },
        examples=[
            OpenApiExample(
                "An order", value={"code": "K7QM-3XPA-9RTW", "order": "SO-10442"}, request_only=True
            )
        ],
    )
    def post(self, request):
        given = ReferralUseInSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        try:
            use, created = referral_use_record(
                code=given.validated_data["code"],
                order=given.validated_data["order"].strip(),
                api_key=api_key,
            )
        except UnknownReferralCode:
            raise exceptions.NotFound("No referral code like this one.") from None
        except OrderTaken:
            raise OrderConflict() from None
        use.uses = ReferralUse.objects.filter(grant_id=use.grant_id).count()
        return Response(
            ReferralUseSerializer(use).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
