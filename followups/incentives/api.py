"""The redemption API: a shop checks an offer or reward code and redeems it
at checkout. Views only translate HTTP to ``followups.incentives.redemption``
and back."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from followups.incentives.redemption import (
    UNKNOWN,
    RedemptionRefused,
    grant_find,
    grant_redeem,
)
from followups.incentives.serializers import (
    GrantCheckSerializer,
    GrantSerializer,
    RedeemInSerializer,
    RedemptionSerializer,
    RefusalSerializer,
)
from followups.models import GrantStatus
from surveys.api import ApiMixin, _errors
from surveys.models import ApiKey, ApiScope

GRANTS_READ = ApiScope.GRANTS_READ
GRANTS_REDEEM = ApiScope.GRANTS_REDEEM
VIA_API = "api"

# Unknown: 404; redeemed for another order: 409; past its date or revoked: 410.
REFUSAL_STATUS = {
    UNKNOWN: status.HTTP_404_NOT_FOUND,
    GrantStatus.REDEEMED: status.HTTP_409_CONFLICT,
    GrantStatus.EXPIRED: status.HTTP_410_GONE,
    GrantStatus.REVOKED: status.HTTP_410_GONE,
}
UNKNOWN_CODE = "unknown_code"

GRANT_EXAMPLE = {
    "code": "SPRING-7KQ2-M9XH-4TBD",
    "kind": "offer",
    "status": "redeemed",
    "incentive": {
        "name": "Renewal discount",
        "description": "20% off your next renewal",
        "reward_kind": None,
        "points": None,
    },
    "customer": {"id": 7, "external_id": "crm-1815"},
    "created_at": "2026-06-01T09:00:00Z",
    "expires_at": "2026-07-01T09:00:00Z",
    "redeemed_at": "2026-06-12T15:04:05Z",
    "order": "SO-10042",
    "revoked_at": None,
}


def refusal_answer(refused: RedemptionRefused) -> Response:
    """The one error shape, with the code's state beside it when it exists."""
    code = UNKNOWN_CODE if refused.reason == UNKNOWN else refused.reason
    answer = REFUSAL_STATUS[refused.reason]
    body: dict = {
        "error": {"status": answer, "code": code, "message": refused.message, "fields": {}}
    }
    if refused.grant is not None:
        body["grant"] = GrantSerializer(refused.grant).data
    return Response(body, status=answer)


def _redeemer(request):
    """Who redeems: the key's label (as the audit trail names API clients)."""
    return request.auth.label if isinstance(request.auth, ApiKey) else request.user


class GrantRedeemView(ApiMixin, APIView):
    required_scopes = {"POST": GRANTS_REDEEM}

    @extend_schema(
        operation_id="grants_redeem",
        summary="Redeem an offer or reward code at checkout",
        description=(
            "Marks the code redeemed for the shop's order and answers what it grants "
            "(200, already_redeemed false). The same code with the same order again "
            "answers that redemption again (200, already_redeemed true) and changes "
            "nothing, so a till may retry. Of concurrent redemptions of one code exactly "
            "one wins; the others are answered as below. Refused, with the error's code "
            "and a message that says when: unknown_code (404), redeemed for another order "
            "(409), expired (410: past its date, even if not yet marked expired) and "
            "revoked (410). A refusal for a known code also carries the code's state in "
            "grant. Codes are matched in any letter case."
        ),
        tags=["grants"],
        request=RedeemInSerializer,
        responses={
            200: OpenApiResponse(RedemptionSerializer, description="Redeemed (now or before)."),
            404: OpenApiResponse(RefusalSerializer, description="No offer or reward has it."),
            409: OpenApiResponse(RefusalSerializer, description="Redeemed for another order."),
            410: OpenApiResponse(RefusalSerializer, description="Expired or revoked."),
            **_errors(400, 401, 403, 429),
        },
        examples=[
            OpenApiExample(
                "At checkout",
                value={"code": "spring-7kq2-m9xh-4tbd", "order": "SO-10042"},
                request_only=True,
            ),
            OpenApiExample(
                "Redeemed",
                value={**GRANT_EXAMPLE, "already_redeemed": False},
                response_only=True,
                status_codes=[200],
            ),
            OpenApiExample(
                "Redeemed for another order",
                value={
                    "error": {
                        "status": 409,
                        "code": "redeemed",
                        "message": "This code was already redeemed on June 12, 2026, 15:04, "
                        "for order SO-10042.",
                        "fields": {},
                    },
                    "grant": GRANT_EXAMPLE,
                },
                response_only=True,
                status_codes=[409],
            ),
        ],
    )
    def post(self, request):
        incoming = RedeemInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            redemption = grant_redeem(
                code=incoming.validated_data["code"],
                order=incoming.validated_data["order"],
                actor=_redeemer(request),
                via=VIA_API,
            )
        except RedemptionRefused as refused:
            return refusal_answer(refused)
        data = GrantSerializer(redemption.grant).data
        return Response({**data, "already_redeemed": redemption.repeated})


class GrantCheckView(ApiMixin, APIView):
    required_scopes = {"GET": GRANTS_READ}

    @extend_schema(
        operation_id="grants_check",
        summary="Check a code without redeeming it",
        description=(
            "What the code grants and whether it can be redeemed now (redeemable); its "
            "status says why not (redeemed, expired or revoked). Unknown code: 404."
        ),
        tags=["grants"],
        responses={200: GrantCheckSerializer, **_errors(401, 403, 404, 429)},
    )
    def get(self, request, code: str):
        grant = grant_find(code=code)
        if grant is None:
            return refusal_answer(RedemptionRefused(UNKNOWN))
        return Response(GrantCheckSerializer(grant).data)
