"""The REST API of the surveys app: ingest answers and customers, read them
back, and report NPS.

Clients authenticate with an API key (``Authorization: Token <key>``); each
view declares the scope each method needs (``required_scopes``, checked by
``api_access.HasApiScope``). ``manage.py api_token`` and the admin issue keys.
Views only translate HTTP to the services and back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, generics, permissions, status
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nps_project.api import Conflict, field_errors
from nps_project.parsers import JSONParser
from nps_project.replica import replica_reads
from nps_project.throttling import Rate, UserWindowThrottle, WindowRateThrottle

from . import drivers, enps, exports, ingestion, models, services, stats
from .api_access import ANY_KEY, HasApiScope, caller_has_scope
from .audit import export_record
from .customers import CustomerConflict
from .departments import in_departments
from .filters import CustomerFilter, NpsFilter, ResponseFilter, SurveyFilter
from .ingestion.parsing import (
    CustomerContactSerializer,
    ResponseBulkInSerializer,
    ResponseInSerializer,
    answer_read,
)
from .models import ApiScope
from .serializers import (
    BulkResultSerializer,
    CustomerSerializer,
    CustomerUpdateSerializer,
    CustomerWrittenSerializer,
    DriverReportSerializer,
    ErrorSerializer,
    NpsReportSerializer,
    ResponseSerializer,
    ResponseWrittenSerializer,
    SurveySerializer,
    response_recorded_data,
)
from .stats import NpsSummary

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass

# --- Scopes, permissions, throttling ----------------------------------------

INGEST = ApiScope.INGEST
REPORTS_READ = ApiScope.REPORTS_READ
CUSTOMERS_READ = ApiScope.CUSTOMERS_READ
CUSTOMERS_WRITE = ApiScope.CUSTOMERS_WRITE
CUSTOMERS_ERASE = ApiScope.CUSTOMERS_ERASE


class ApiScopeRateThrottle(WindowRateThrottle):
    """Per user (so per API client): reads against the ``read`` rate, writes
    against ``ingest`` (``API_THROTTLE_READ`` / ``API_THROTTLE_INGEST``); and,
    when given the per-user ``UserWindowThrottle`` to stand in for (``api_throttles``),
    every request against the ``user`` rate too. All of them counted in one
    Redis round trip (``nps_project.throttling``)."""

    def __init__(self, *, with_user_rate: bool = False):
        super().__init__()
        self.with_user_rate = with_user_rate

    def rates(self, request, view) -> list[Rate]:
        scope = "read" if request.method in permissions.SAFE_METHODS else "ingest"
        self.scope = scope
        names = ["user", scope] if self.with_user_rate else [scope]
        # Looked up per request: DRF copies the rates into a class attribute at
        # import, which would miss settings changed afterwards.
        configured = api_settings.DEFAULT_THROTTLE_RATES
        return [rate for name in names if (rate := self.rate_named(name, configured))]


def api_throttles(defaults: Sequence) -> list:
    """The throttles of an API view: the defaults, with DRF's per-user one
    folded into ``ApiScopeRateThrottle`` (same rate)."""
    user = [t for t in defaults if type(t) is UserWindowThrottle]
    others = [t for t in defaults if type(t) is not UserWindowThrottle]
    return [*others, ApiScopeRateThrottle(with_user_rate=bool(user))]


class ApiPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class ApiMixin:
    # What every view of this API shares. (Not a docstring: the schema would
    # show it as the description of every operation.)

    permission_classes: Sequence[_PermissionClass] = [HasApiScope]
    parser_classes: Sequence[type[BaseParser]] = [JSONParser]
    pagination_class: type[BasePagination] | None = ApiPagination
    required_scopes: dict[str, str] = {}
    required_permissions: dict[str, tuple[str, ...]] = {}

    def get_throttles(self):
        return api_throttles(super().get_throttles())


class DepartmentScoped:
    # Reads hold only the rows of the caller's departments and the shared
    # ones (surveys.departments): a key reads as its user may.
    department_path = "survey__department"

    def get_queryset(self):
        queryset = super().get_queryset()
        return in_departments(self.request.user, queryset, self.department_path)


class CsvRenderer(BaseRenderer):
    """Lets a client that accepts only text/csv reach a CSV export. An export
    streams its own body, so only errors are rendered here: in the API's one
    JSON error shape, whatever the client asked for."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data, renderer_context=renderer_context)


EXPORT_RENDERERS = [JSONRenderer, CsvRenderer]
CSV_DOWNLOAD = {
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file, streamed.")
}
# The body is CSV whichever renderer was negotiated: no ``format`` to offer.
EXPORT_PARAMETERS = [OpenApiParameter("format", exclude=True)]


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    described = {
        400: "Invalid input: see error.fields.",
        401: "No valid key (send Authorization: Token <key>).",
        403: "The key lacks the scope this needs (or its user the permission).",
        409: "Conflicts with a stored customer: see error.fields.",
        404: "Not found.",
        413: "The request body is larger than the server accepts (2.5 MB by default).",
        429: "Too many requests: wait as many seconds as Retry-After says.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=described[code]) for code in codes}


def _bad_request(exc: DjangoValidationError) -> exceptions.ValidationError:
    if isinstance(exc, CustomerConflict):
        return Conflict(field_errors(exc))
    return exceptions.ValidationError(field_errors(exc))


def _api_client(request):
    """Whose idempotency keys these are: the user the key acts as."""
    return request.user


def _answer_read(data) -> Mapping:
    """One answer's body, validated: by the serializer's fields read in place
    (``answer_read``) when it is an object, else by the serializer itself,
    whose words for no object at all are kept."""
    if isinstance(data, Mapping):
        return answer_read(data)
    incoming = ResponseInSerializer(data=data)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


def _response_answer(request, response) -> dict:
    """An ingested answer's reply: the stored answer (its customer's id, the
    segment and locale copied from the customer) only for a caller who may
    read answers."""
    if caller_has_scope(request, REPORTS_READ):
        return ResponseSerializer(response).data
    return response_recorded_data(response)


def _customer_answer(request, customer) -> dict:
    """A customer write's answer: the record only for a caller who may read it."""
    if caller_has_scope(request, CUSTOMERS_READ):
        return CustomerSerializer(customer).data
    return {"id": customer.pk}


def declared_filters(view, request) -> dict:
    """The query parameters an export's filterset declares: only these go to
    the append-only audit trail (an unknown ``?email=`` must never land there)."""
    declared = view.filterset_class.base_filters
    return {key: value for key, value in request.query_params.items() if key in declared}


READ_ERRORS = _errors(401, 403, 429)
LIST_ERRORS = _errors(400, 401, 403, 404, 429)
WRITE_ERRORS = _errors(400, 401, 403, 413, 429)
UPSERT_ERRORS = _errors(400, 401, 403, 409, 413, 429)

ANSWER_EXAMPLE = {
    "survey": "customer-feedback",
    "customer": {
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "external_id": "crm-1815",
        "segment": "enterprise",
        "locale": "en",
    },
    "score": 9,
    "comment": "Fast and friendly.",
    "submitted_at": "2025-11-20T14:03:00Z",
    "idempotency_key": "shop-order-51023",
}


# --- Responses --------------------------------------------------------------


class ResponseListView(DepartmentScoped, ApiMixin, generics.ListAPIView):
    queryset = models.Response.objects.select_related("survey", "driver").order_by(
        "-submitted_at", "-pk"
    )
    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter
    required_scopes = {"GET": REPORTS_READ, "POST": INGEST}

    @extend_schema(
        operation_id="responses_list",
        summary="List answers",
        tags=["responses"],
        responses={200: ResponseSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="responses_create",
        summary="Record one answer",
        description=(
            "Stores the answer and hands it over for its follow-up (case, offer or "
            "reward). The customer is found by external id, else by email, and created "
            "when neither matches; details that contradict a stored customer (a known "
            "external id with another email, or the reverse) are a 409 and change "
            "nothing. A stored customer's details are updated only for a key that "
            "also holds customers:write; otherwise the customer stays as stored and "
            "the answer takes its segment and language from it. With an idempotency "
            "key this client already used, its stored answer comes back with 200 and "
            "nothing changes. The whole answer comes back only to a key with "
            "reports:read, else only id, category and recorded_at."
        ),
        tags=["responses"],
        request=ResponseInSerializer,
        responses={
            201: OpenApiResponse(ResponseWrittenSerializer, description="Recorded."),
            200: OpenApiResponse(
                ResponseWrittenSerializer,
                description="Already recorded under this idempotency key.",
            ),
            **UPSERT_ERRORS,
        },
        examples=[OpenApiExample("An answer", value=ANSWER_EXAMPLE, request_only=True)],
    )
    def post(self, request, *args, **kwargs):
        try:
            recorded = ingestion.response_ingest(
                **_answer_read(request.data),
                api_client=_api_client(request),
                update_customers=caller_has_scope(request, CUSTOMERS_WRITE),
            )
        except DjangoValidationError as exc:
            raise _bad_request(exc) from exc
        data = _response_answer(request, recorded.response)
        if not recorded.created:
            return Response(data, status=status.HTTP_200_OK)
        location = reverse("api:response-detail", args=[recorded.response.pk])
        return Response(
            data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(location)},
        )


class ResponseDetailView(DepartmentScoped, ApiMixin, generics.RetrieveAPIView):
    queryset = models.Response.objects.select_related("survey", "driver")
    serializer_class = ResponseSerializer
    required_scopes = {"GET": REPORTS_READ}

    @extend_schema(
        operation_id="responses_retrieve",
        summary="One answer",
        tags=["responses"],
        responses={200: ResponseSerializer, **_errors(401, 403, 404, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ResponseExportView(DepartmentScoped, ApiMixin, generics.GenericAPIView):
    queryset = models.Response.objects.order_by("-submitted_at", "-pk")
    filterset_class = ResponseFilter
    pagination_class = None
    renderer_classes = EXPORT_RENDERERS
    required_scopes = {"GET": REPORTS_READ}
    # As in the admin: reading answers is not exporting all of them.
    required_permissions = {"GET": ("surveys.export_response",)}

    @extend_schema(
        operation_id="responses_export",
        summary="All answers as CSV",
        description=(
            "The answers the list returns, with the same filters, as one CSV file "
            "(UTF-8, a header row, every page at once), streamed while it is read. "
            "Times are ISO 8601; an erased customer's email is blank; a cell that "
            "would start a spreadsheet formula (=, +, -, @, tab, CR) is prefixed with '."
        ),
        tags=["responses"],
        filters=True,
        parameters=EXPORT_PARAMETERS,
        responses={
            **CSV_DOWNLOAD,
            **{(code, "application/json"): r for code, r in _errors(400, 401, 403, 429).items()},
        },
    )
    @replica_reads()
    def get(self, request, *args, **kwargs):
        answers = self.filter_queryset(self.get_queryset())
        export_record(queryset=answers, params=declared_filters(self, request), via="api")
        return exports.csv_response(exports.response_csv_lines(answers), "responses.csv")


class ResponseBulkView(ApiMixin, APIView):
    required_scopes = {"POST": INGEST}

    @extend_schema(
        operation_id="responses_bulk_create",
        summary="Record up to 1000 answers",
        description=(
            "Every item follows the rules of a single answer and gets its own result, "
            "in order: created, existing (its idempotency key is known, or an earlier "
            "item of this request has it) or invalid (with its errors). Invalid items "
            "never block valid ones. Stored customers are updated only for a key "
            "that also holds customers:write. More than 1000 items: 400, nothing "
            "recorded."
        ),
        tags=["responses"],
        request=ResponseBulkInSerializer,
        responses={200: BulkResultSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "A batch",
                value={
                    "responses": [
                        ANSWER_EXAMPLE,
                        {**ANSWER_EXAMPLE, "score": 11, "idempotency_key": "shop-order-51024"},
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        envelope = ResponseBulkInSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        results = ingestion.responses_ingest(
            items=envelope.validated_data["responses"],
            api_client=_api_client(request),
            update_customers=caller_has_scope(request, CUSTOMERS_WRITE),
        )
        counts = Counter(result.status for result in results)
        return Response(
            {
                "results": [result.as_dict() for result in results],
                "created": counts[ingestion.CREATED],
                "existing": counts[ingestion.EXISTING],
                "invalid": counts[ingestion.INVALID],
            }
        )


# --- Customers --------------------------------------------------------------


class CustomerListView(ApiMixin, generics.ListAPIView):
    queryset = models.Customer.objects.order_by("-created_at", "-pk")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    required_scopes = {"GET": CUSTOMERS_READ, "POST": CUSTOMERS_WRITE}

    @extend_schema(
        operation_id="customers_list",
        summary="List customers",
        tags=["customers"],
        responses={200: CustomerSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="customers_upsert",
        summary="Create or update a customer",
        description=(
            "Finds the customer by external id, else by email (any case), and updates "
            "the details given; creates one (201) when neither matches, which needs an "
            "email address. Details that contradict the customer found (a known "
            "external id with another email, or the reverse) are a 409 and change "
            "nothing. The record comes back only to a key with customers:read, "
            "else only its id."
        ),
        tags=["customers"],
        request=CustomerContactSerializer,
        responses={
            201: OpenApiResponse(CustomerWrittenSerializer, description="Created."),
            200: OpenApiResponse(CustomerWrittenSerializer, description="Found and updated."),
            **UPSERT_ERRORS,
        },
    )
    def post(self, request, *args, **kwargs):
        incoming = CustomerContactSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        details = {name: value or "" for name, value in incoming.validated_data.items()}
        try:
            customer, created = services.customer_upsert(**details)
        except DjangoValidationError as exc:
            raise _bad_request(exc) from exc
        data = _customer_answer(request, customer)
        if not created:
            return Response(data, status=status.HTTP_200_OK)
        location = reverse("api:customer-detail", args=[customer.pk])
        return Response(
            data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(location)},
        )


class CustomerDetailView(ApiMixin, generics.RetrieveAPIView):
    queryset = models.Customer.objects.all()
    serializer_class = CustomerSerializer
    required_scopes = {"GET": CUSTOMERS_READ, "PATCH": CUSTOMERS_WRITE}

    @extend_schema(
        operation_id="customers_retrieve",
        summary="One customer",
        tags=["customers"],
        responses={200: CustomerSerializer, **_errors(401, 403, 404, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="customers_partial_update",
        summary="Change a customer's details",
        description=(
            "An erased customer cannot be changed (400). The record comes back only to "
            "a key with customers:read, else only its id."
        ),
        tags=["customers"],
        request=CustomerUpdateSerializer,
        responses={200: CustomerWrittenSerializer, **_errors(400, 401, 403, 404, 429)},
    )
    def patch(self, request, *args, **kwargs):
        customer = self.get_object()
        incoming = CustomerUpdateSerializer(customer, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        try:
            customer = services.customer_update(customer=customer, **incoming.validated_data)
        except DjangoValidationError as exc:
            raise _bad_request(exc) from exc
        return Response(_customer_answer(request, customer))


class CustomerEraseView(ApiMixin, generics.GenericAPIView):
    queryset = models.Customer.objects.all()
    serializer_class = CustomerSerializer
    required_scopes = {"POST": CUSTOMERS_ERASE}

    @extend_schema(
        operation_id="customers_erase",
        summary="Erase a customer's personal data (GDPR)",
        description=(
            "Removes email, name, external id and the comments of their answers, "
            "everywhere at once; their scores stay, anonymously, in the statistics. "
            "Erasing again changes nothing. The record comes back only to a key with "
            "customers:read, else only its id."
        ),
        tags=["customers"],
        request=None,
        responses={200: CustomerWrittenSerializer, **_errors(401, 403, 404, 429)},
    )
    def post(self, request, *args, **kwargs):
        customer = self.get_object()
        if customer.is_erased:
            return Response(_customer_answer(request, customer))
        customer = services.customer_erase(customer=customer, via="api")
        return Response(_customer_answer(request, customer))


class CustomerUnsubscribeView(ApiMixin, generics.GenericAPIView):
    queryset = models.Customer.objects.all()
    serializer_class = CustomerSerializer
    required_scopes = {"POST": CUSTOMERS_WRITE}

    @extend_schema(
        operation_id="customers_unsubscribe",
        summary="Stop emailing a customer",
        description=(
            "The first unsubscription time is kept; repeating it changes nothing. "
            "The record comes back only to a key with customers:read, else only its id."
        ),
        tags=["customers"],
        request=None,
        responses={200: CustomerWrittenSerializer, **_errors(401, 403, 404, 429)},
    )
    def post(self, request, *args, **kwargs):
        customer = self.get_object()
        services.customer_unsubscribe(customer=customer)
        return Response(_customer_answer(request, customer))


# --- Surveys and NPS --------------------------------------------------------


class SurveyListView(DepartmentScoped, ApiMixin, generics.ListAPIView):
    department_path = "department"
    queryset = (
        models.Survey.objects.select_related("department")
        .prefetch_related("drivers")
        .order_by("name", "pk")
    )
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    required_scopes = {"GET": REPORTS_READ}

    @extend_schema(
        operation_id="surveys_list",
        summary="List surveys",
        tags=["surveys"],
        responses={200: SurveySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SurveyDetailView(DepartmentScoped, ApiMixin, generics.RetrieveAPIView):
    department_path = "department"
    queryset = models.Survey.objects.select_related("department").prefetch_related("drivers")
    serializer_class = SurveySerializer
    lookup_field = "slug"
    required_scopes = {"GET": REPORTS_READ}

    @extend_schema(
        operation_id="surveys_retrieve",
        summary="One survey",
        tags=["surveys"],
        responses={200: SurveySerializer, **_errors(401, 403, 404, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _survey_answers(request, slug: str) -> tuple[models.Survey, NpsFilter]:
    """The survey named by ``slug`` among the reader's departments, and its
    answers filtered by the report's query (a clear 400 when it is wrong)."""
    survey = get_object_or_404(in_departments(request.user, models.Survey.objects.all()), slug=slug)
    selection = NpsFilter(
        request.query_params, queryset=models.Response.objects.filter(survey=survey)
    )
    if not selection.is_valid():
        raise exceptions.ValidationError(selection.errors)
    return survey, selection


def _period_echo(bounds: dict) -> dict:
    """The period and segment a report was asked for, as the client wrote them."""
    return {
        "from": bounds["from"].echo() if bounds.get("from") else None,
        "to": bounds["to"].echo() if bounds.get("to") else None,
        "segment": bounds.get("segment") or None,
    }


class SurveyNpsView(ApiMixin, generics.GenericAPIView):
    queryset = models.Response.objects.all()
    filterset_class = NpsFilter
    required_scopes = {"GET": REPORTS_READ}

    @extend_schema(
        operation_id="surveys_nps",
        summary="NPS of a survey, with its 95% interval",
        description=(
            "Counts, shares and NPS of the answers counted in statistics (answers "
            "marked test, spam or duplicate are left out), with the adjusted-Wald 95% "
            "interval and the plain Wald margin. Below the minimum sample, "
            "sample_too_small is true and warning says why. One aggregate query."
        ),
        tags=["surveys"],
        filters=True,
        responses={200: NpsReportSerializer, **_errors(400, 401, 403, 404, 429)},
    )
    @replica_reads()
    def get(self, request, slug: str):
        survey, selection = _survey_answers(request, slug)
        summary = selection.qs.nps_summary()
        bounds = selection.form.cleaned_data
        report = summary.as_dict()
        benchmark = survey.benchmark_nps
        previous = _previous_period(request.query_params, survey, bounds)
        return Response(
            {
                "survey": survey.slug,
                "period": _period_echo(bounds),
                **report,
                "min_sample": summary.min_sample,
                "benchmark_nps": benchmark,
                "difference_from_benchmark": (
                    None
                    if benchmark is None or report["nps"] is None
                    else round(report["nps"] - benchmark, 2)
                ),
                **_change(summary, previous),
            }
        )


class SurveyDriversView(ApiMixin, generics.GenericAPIView):
    queryset = models.Response.objects.all()
    filterset_class = NpsFilter
    required_scopes = {"GET": REPORTS_READ}

    @extend_schema(
        operation_id="surveys_drivers",
        summary="The driver (main reason) question: each choice by category, with NPS",
        description=(
            "For each choice of the survey's driver question (inactive ones that answers "
            "still hold too): how many detractors, passives and promoters chose it and "
            "their share of those in the group who answered the question (with its 95% "
            "adjusted-Wald interval), and the NPS of those who chose it with its 95% "
            "adjusted-Wald interval (Rocks 2016). Answers excluded from statistics are "
            "left out; the same filters as the NPS report."
        ),
        tags=["surveys"],
        filters=True,
        responses={200: DriverReportSerializer, **_errors(400, 401, 403, 404, 429)},
    )
    @replica_reads()
    def get(self, request, slug: str):
        survey, selection = _survey_answers(request, slug)
        bounds = selection.form.cleaned_data
        rows = drivers.driver_report(survey=survey, responses=selection.qs)
        answered = rows[0].summary.answered.total if rows else 0
        return Response(
            {
                "survey": survey.slug,
                "period": _period_echo(bounds),
                "question": survey.driver_question,
                "answered": answered,
                "drivers": [row.as_dict() for row in rows],
            }
        )


class SurveyEnpsView(ApiMixin, APIView):
    required_scopes = {"GET": REPORTS_READ}

    @extend_schema(
        operation_id="surveys_enps",
        summary="eNPS of an employee survey, by team and month, small groups hidden",
        description=(
            "An employee survey's anonymous answers, by team, by month and by team and "
            "month, of the weeks that have ended. A group with fewer answers than "
            "NPS_ENPS_MIN_GROUP, and any group whose figures would let one be worked out "
            "by subtraction, has suppressed true and no figure. Comments are listed only "
            "for teams shown, sorted by text. A customer survey answers 404."
        ),
        tags=["surveys"],
        responses={200: OpenApiTypes.OBJECT, **_errors(401, 403, 404, 429)},
    )
    @replica_reads()
    def get(self, request, slug: str):
        survey = get_object_or_404(
            in_departments(request.user, models.Survey.objects.all()),
            slug=slug,
            kind=models.Survey.Kind.EMPLOYEE,
        )
        return Response(enps.enps_report(survey=survey).as_dict())


def _previous_period(params, survey, bounds) -> tuple[datetime, datetime, NpsSummary] | None:
    """The period of the same length just before ``from``..``to`` (both
    given), under the same other filters: its start, its end (exclusive) and
    its NPS."""
    start, end = bounds.get("from"), bounds.get("to")
    if start is None or end is None:
        return None
    others = params.copy()
    for name in ("from", "to"):
        others.pop(name, None)
    filtered = NpsFilter(others, queryset=models.Response.objects.filter(survey=survey)).qs
    try:
        before, until = start.at - (end.at - start.at), start.at
    except OverflowError:  # a period reaching back to the year 1: nothing before it
        return None
    summary = filtered.filter(submitted_at__gte=before, submitted_at__lt=until).nps_summary()
    return before, until, summary


def _change(current: NpsSummary, previous) -> dict:
    if previous is None:
        return {"previous": None, "change": None, "change_is_significant": None}
    before, until, summary = previous
    report = summary.as_dict()
    comparable = current.nps is not None and summary.nps is not None
    return {
        "previous": {
            "from": before.isoformat().replace("+00:00", "Z"),
            "until": until.isoformat().replace("+00:00", "Z"),
            **{key: report[key] for key in ("total", "nps", "confidence_interval")},
        },
        "change": round(current.nps - summary.nps, 2) if comparable else None,
        "change_is_significant": stats.difference_is_significant(summary, current),
    }


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other path under this API's resources: a 404 in the API's error
    shape rather than Django's HTML page."""

    permission_classes = [HasApiScope]
    required_scopes = dict.fromkeys(("GET", "POST", "PUT", "PATCH", "DELETE"), ANY_KEY)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()
