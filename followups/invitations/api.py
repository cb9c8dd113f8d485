"""The invitation API: ask for a survey for one customer now or later (or a
thousand at once), read what became of it, and cancel it while it waits.
Views only translate HTTP to ``followups.invitations.requests`` and back."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from followups.invitations import bulk
from followups.invitations.requests import InvitationRequest, invitation_ask, invitation_cancel
from followups.invitations.serializers import (
    IDEMPOTENCY_KEY_MAX_LENGTH,
    InvitationBulkInSerializer,
    InvitationBulkResultSerializer,
    InvitationInSerializer,
    InvitationSerializer,
)
from surveys.api import ApiMixin, DepartmentScoped, _bad_request, _errors
from surveys.api_access import caller_has_scope
from surveys.models import ApiKey, ApiScope, Invitation
from surveys.serializers import ErrorSerializer

INVITATIONS_READ = ApiScope.INVITATIONS_READ
INVITATIONS_WRITE = ApiScope.INVITATIONS_WRITE

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_TOO_LONG = f"An idempotency key is at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters."
NOT_CANCELLABLE = "This invitation is {status}: only a scheduled invitation can be cancelled."


class InvitationNotPending(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Only a scheduled invitation can be cancelled."


class InvitationFilter(filters.FilterSet):
    customer = filters.NumberFilter(field_name="customer_id", help_text="A customer's id.")
    survey = filters.CharFilter(field_name="survey__slug", help_text="A survey's slug.")
    status = filters.ChoiceFilter(
        field_name="status_value", choices=Invitation.Status.choices, help_text="Its status."
    )

    class Meta:
        model = Invitation
        fields = ["customer", "survey", "status"]


def _api_client(request) -> ApiKey | None:
    """Whose idempotency keys these are: the key's (any key of its user)."""
    return request.auth if isinstance(request.auth, ApiKey) else None


def _idempotency_key(request) -> str | None:
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip() or None
    if key is not None and len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [IDEMPOTENCY_KEY_TOO_LONG]})
    return key


def invitation_data(invitation: Invitation) -> dict:
    return InvitationSerializer(invitation).data


INVITATION_EXAMPLE = {
    "survey": "support-nps",
    "customer": {
        "email": "ada@example.com",
        "phone": "+44 20 7946 0958",
        "name": "Ada Lovelace",
        "external_id": "crm-1815",
        "segment": "enterprise",
        "locale": "en",
    },
    "properties": {"plan": "pro", "ticket": "T-4711"},
    "delay": 3600,
    "channel": "email",
}
INVITATION_OUT_EXAMPLE = {
    "id": 42,
    "status": "scheduled",
    "skip_reason": "",
    "survey": "support-nps",
    "customer": 7,
    "channel": "email",
    "properties": {"plan": "pro", "ticket": "T-4711"},
    "created_at": "2026-06-01T09:00:00Z",
    "scheduled_at": "2026-06-01T10:00:00Z",
    "sent_at": None,
    "reminded_at": None,
    "responded_at": None,
    "cancelled_at": None,
    "expires_at": "2026-07-01T10:00:00Z",
}
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Send the same key again and you get the invitation it made back (200); "
    "keys are per API client (the user a key acts as).",
)


class InvitationListView(DepartmentScoped, ApiMixin, generics.ListAPIView):
    queryset = (
        Invitation.objects.with_status().select_related("survey").order_by("-created_at", "-pk")
    )
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    required_scopes = {"GET": INVITATIONS_READ, "POST": INVITATIONS_WRITE}

    @extend_schema(
        operation_id="invitations_list",
        summary="List invitations",
        tags=["invitations"],
        responses={200: InvitationSerializer(many=True), **_errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="invitations_create",
        summary="Invite a customer to a survey, now or later",
        description=(
            "Finds the customer by external id, email or phone (in that order) and "
            "creates one when none matches (which needs an email); a stored "
            "customer's details change only for a key that also holds customers:write. "
            "Details that name two customers are a 409 and change nothing. Without "
            "send_at or delay the invitation is sent at once; with one, when it is "
            "due. 201: stored (status scheduled, or sent if it already went out). 200: "
            "it will not be sent (status skipped, skip_reason throttled, unsubscribed, "
            "bounced, complained or erased), or this client's Idempotency-Key was used before and "
            "its invitation comes back unchanged, whatever this request says. "
            "channel sms texts the customer's phone (stored in E.164); a customer "
            "without one is skipped with no_phone."
        ),
        tags=["invitations"],
        request=InvitationInSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: OpenApiResponse(InvitationSerializer, description="Stored, to be sent."),
            200: OpenApiResponse(
                InvitationSerializer,
                description="Skipped (see skip_reason), or already made under this "
                "Idempotency-Key.",
            ),
            **_errors(400, 401, 403, 409, 413, 429),
        },
        examples=[
            OpenApiExample("An invitation in an hour", value=INVITATION_EXAMPLE, request_only=True),
            OpenApiExample(
                "Scheduled", value=INVITATION_OUT_EXAMPLE, response_only=True, status_codes=[201]
            ),
            OpenApiExample(
                "Skipped",
                value={
                    **INVITATION_OUT_EXAMPLE,
                    "status": "skipped",
                    "skip_reason": "throttled",
                },
                response_only=True,
                status_codes=[200],
            ),
        ],
    )
    def post(self, request, *args, **kwargs):
        key = _idempotency_key(request)
        incoming = InvitationInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            asked = invitation_ask(
                data=incoming.validated_data,
                api_client=_api_client(request),
                idempotency_key=key,
                update_customers=caller_has_scope(request, ApiScope.CUSTOMERS_WRITE),
            )
        except DjangoValidationError as exc:
            raise _bad_request(exc) from exc
        return self._answer(request, asked)

    @staticmethod
    def _answer(request, asked: InvitationRequest) -> Response:
        data = invitation_data(asked.invitation)
        if not asked.created or asked.skipped:
            return Response(data, status=status.HTTP_200_OK)
        location = reverse("api:invitation-detail", args=[asked.invitation.pk])
        return Response(
            data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(location)},
        )


class InvitationDetailView(DepartmentScoped, ApiMixin, generics.RetrieveAPIView):
    queryset = Invitation.objects.with_status().select_related("survey")
    serializer_class = InvitationSerializer
    required_scopes = {"GET": INVITATIONS_READ, "DELETE": INVITATIONS_WRITE}

    @extend_schema(
        operation_id="invitations_retrieve",
        summary="One invitation and its status",
        tags=["invitations"],
        responses={200: InvitationSerializer, **_errors(401, 403, 404, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="invitations_cancel",
        summary="Cancel a scheduled invitation",
        description=(
            "Only an invitation not sent yet can be cancelled (204); one sent, "
            "answered, expired, cancelled or skipped already is a 409 and stays as it is."
        ),
        tags=["invitations"],
        request=None,
        responses={
            204: OpenApiResponse(description="Cancelled: it will not be sent."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="Not cancellable: it was sent, cancelled or skipped already.",
            ),
            **_errors(401, 403, 404, 429),
        },
    )
    def delete(self, request, *args, **kwargs):
        invitation = self.get_object()
        if not invitation_cancel(invitation=invitation):
            invitation = self.get_queryset().get(pk=invitation.pk)
            raise InvitationNotPending(NOT_CANCELLABLE.format(status=invitation.status))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationBulkView(ApiMixin, APIView):
    required_scopes = {"POST": INVITATIONS_WRITE}

    @extend_schema(
        operation_id="invitations_bulk_create",
        summary="Invite up to 1000 customers",
        description=(
            "Every item follows the rules of a single invitation and gets its own "
            "result, in order: created, skipped (see its skip_reason), existing (its "
            "idempotency_key was used before by this client, or by an earlier item) or "
            "invalid (with its errors). Invalid items never block valid ones. Items "
            "take their idempotency key in idempotency_key. More than 1000 items: 400, "
            "nothing stored."
        ),
        tags=["invitations"],
        request=InvitationBulkInSerializer,
        responses={200: InvitationBulkResultSerializer, **_errors(400, 401, 403, 413, 429)},
        examples=[
            OpenApiExample(
                "A batch",
                value={
                    "invitations": [
                        {**INVITATION_EXAMPLE, "idempotency_key": "ticket-4711"},
                        {**INVITATION_EXAMPLE, "customer": {"email": "not-an-email"}},
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        envelope = InvitationBulkInSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        results = bulk.invitations_ask(
            items=envelope.validated_data["invitations"],
            api_client=_api_client(request),
            update_customers=caller_has_scope(request, ApiScope.CUSTOMERS_WRITE),
        )
        counts = Counter(result.status for result in results)
        return Response(
            {
                "results": [result.as_dict() for result in results],
                **{name: counts[name] for name in bulk.STATUSES},
            }
        )
