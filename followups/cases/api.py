"""The cases API: the same operations and the same rules as the admin."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from followups.cases import access, workflow
from followups.cases.exports import case_csv_lines
from followups.cases.serializers import (
    AssignInput,
    CaseDetailSerializer,
    CaseEventSerializer,
    CaseSerializer,
    EmailInput,
    EmailQueued,
    NoteInput,
    TransitionInput,
)
from followups.models import FollowUpCase
from nps_project.replica import replica_reads
from surveys.api import CSV_DOWNLOAD, EXPORT_PARAMETERS, EXPORT_RENDERERS, declared_filters
from surveys.api_access import HasApiScope
from surveys.audit import export_record
from surveys.exports import csv_response
from surveys.models import ApiScope


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The case changed meanwhile."


# Whoever acts (a signed-in staff member, or a key's user) must see cases at all.
SEE_CASES = ("followups.view_followupcase",)


class CaseFilter(filters.FilterSet):
    survey = filters.CharFilter(field_name="survey__slug")
    department = filters.NumberFilter(field_name="survey__department_id")
    segment = filters.CharFilter(field_name="response__segment")
    owner = filters.NumberFilter(field_name="owner_id")
    mine = filters.BooleanFilter(method="filter_mine")
    unassigned = filters.BooleanFilter(field_name="owner", lookup_expr="isnull")
    overdue = filters.BooleanFilter(method="filter_overdue")
    escalated = filters.BooleanFilter(method="filter_escalated")

    class Meta:
        model = FollowUpCase
        fields = ["status", "priority", "root_cause"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value else queryset

    def filter_overdue(self, queryset, name, value):
        overdue = FollowUpCase.overdue_q(timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_escalated(self, queryset, name, value):
        return (
            queryset.filter(escalation_level__gt=0)
            if value
            else queryset.filter(escalation_level=0)
        )


def _call(operation, **kwargs):
    """Run a workflow operation, turning its errors into API errors."""
    try:
        return operation(**kwargs)
    except workflow.StaleCase as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        raise ValidationError(detail) from exc


ERRORS = {
    400: OpenApiResponse(description="Invalid input or a transition the workflow refuses."),
    403: OpenApiResponse(description="Not allowed for you on this case."),
    404: OpenApiResponse(description="No such case, or not visible to you."),
    409: OpenApiResponse(description="The case changed since you saw it; nothing was done."),
}


@extend_schema(tags=["cases"])
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-up cases. Service staff see their own and the unassigned queue;
    managers see all. A key works cases as its user may (cases:read to read,
    cases:write to act)."""

    permission_classes = [HasApiScope]
    required_scopes = {"GET": ApiScope.CASES_READ, "POST": ApiScope.CASES_WRITE}
    required_permissions = {"GET": SEE_CASES, "POST": SEE_CASES}
    filterset_class = CaseFilter
    serializer_class = CaseSerializer

    def get_queryset(self):
        queryset = FollowUpCase.objects.select_related(
            "response__theme_assignment__theme",
            "survey",
            "customer",
            "owner",
            "root_cause",
            "suggested_root_cause",
        ).order_by("due_at", "pk")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__actor")
        return access.visible_cases(self.request.user, queryset)

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    @extend_schema(
        operation_id="cases_export",
        summary="Cases as CSV",
        description=(
            "The cases the list returns, with the same filters, as one CSV file "
            "(every page at once), streamed while it is read."
        ),
        filters=True,
        parameters=EXPORT_PARAMETERS,
        responses={
            **CSV_DOWNLOAD,
            400: OpenApiResponse(description="An invalid filter."),
            403: OpenApiResponse(description="You may not see or export cases."),
        },
    )
    @action(
        detail=False,
        url_path="export",
        pagination_class=None,
        renderer_classes=EXPORT_RENDERERS,
        # As in the admin: seeing cases is not exporting them.
        required_permissions={"GET": (*SEE_CASES, "followups.export_followupcase")},
    )
    @replica_reads()
    def export(self, request):
        cases = self.filter_queryset(self.get_queryset())
        export_record(queryset=cases, params=declared_filters(self, request), via="api")
        return csv_response(case_csv_lines(cases), "cases.csv")

    def _detail(self, case):
        case = self.get_queryset().prefetch_related("events__actor").get(pk=case.pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(request=AssignInput, responses={200: CaseDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case = self.get_object()
        data = _validated(AssignInput, request)
        _call(
            workflow.case_assign,
            case=case,
            owner=data["owner"],
            actor=request.user,
            verify_owner="expected_owner" in data,
            expected_owner_id=data.get("expected_owner"),
        )
        return self._detail(case)

    @extend_schema(request=TransitionInput, responses={200: CaseDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        data = _validated(TransitionInput, request)
        _call(
            workflow.case_transition,
            case=case,
            to_status=data["status"],
            actor=request.user,
            expected_status=data.get("expected_status"),
            root_cause=data.get("root_cause"),
            resolution_summary=data["resolution_summary"],
            resurvey=data["resurvey"],
        )
        return self._detail(case)

    @extend_schema(request=NoteInput, responses={201: CaseEventSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        case = self.get_object()
        data = _validated(NoteInput, request)
        event = _call(workflow.case_add_note, case=case, actor=request.user, text=data["text"])
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EmailInput, responses={202: EmailQueued, **ERRORS})
    @action(detail=True, methods=["post"])
    def email(self, request, pk=None):
        case = self.get_object()
        data = _validated(EmailInput, request)
        email = _call(workflow.case_email_customer, case=case, actor=request.user, **data)
        return Response(
            {"id": email.pk, "status": email.status, "to_email": email.recipient},
            status=status.HTTP_202_ACCEPTED,
        )


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
