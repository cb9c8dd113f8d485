"""Delighted's endpoints: each reads Delighted's parameters, calls
``followups.delighted.services`` and answers in Delighted's shape. Each view
declares the scope each method needs, as every API view does."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from nps_project.api import field_errors
from surveys.api_access import PUBLIC, HasApiScope, caller_has_scope
from surveys.models import ApiScope, Customer
from surveys.models import Response as Answer
from surveys.phones import phone_normalize

from . import schema, services, shapes
from .access import DelightedView, calling_key, delighted_survey, scope_require

OK = {"ok": True}

TREND = OpenApiParameter(
    "trend",
    OpenApiTypes.STR,
    description="A survey's slug: the survey to work on instead of NPS_DELIGHTED_SURVEY's.",
)
EXPAND = OpenApiParameter(
    "expand[]",
    {"type": "array", "items": {"type": "string", "enum": ["person", "notes"]}},
    description="`person`: each response with its person (needs customers:read).",
)


def _answers(ok, *, code: int = 200, not_found: bool = False) -> dict:
    """An operation's answers: ``ok`` as ``code``, and Delighted's errors."""
    return {code: ok, **schema.ERRORS, **(schema.NOT_FOUND if not_found else {})}


def _invalid(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(field_errors(exc))


def _query(serializer_class, request) -> dict:
    """The query parameters, read by ``serializer_class`` (``expand[]`` as a list)."""
    params = {key: request.query_params.get(key) for key in request.query_params}
    for key in [key for key in params if key.endswith("[]")]:
        params[key[:-2]] = request.query_params.getlist(key)
        del params[key]
    incoming = serializer_class(data=params)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


def _body(request) -> dict:
    """The request body; a form's ``properties[Plan]=Pro`` fields (as
    Delighted's curl examples send them) as ``{"properties": {"Plan": "Pro"}}``."""
    if not isinstance(request.data, QueryDict):
        return request.data
    body: dict = {}
    for key in request.data:
        name, bracket, rest = key.partition("[")
        if bracket and rest.endswith("]") and rest[:-1]:
            nested = body.setdefault(name, {})
            if isinstance(nested, dict):
                nested[rest[:-1]] = request.data.get(key)
                continue
        body[key] = request.data.get(key)
    return body


def _period(queryset: QuerySet, field: str, since=None, until=None) -> QuerySet:
    if since is not None:
        queryset = queryset.filter(**{f"{field}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{field}__lte": until})
    return queryset


def _page(queryset: QuerySet, query: dict) -> list:
    start = (query["page"] - 1) * query["per_page"]
    return list(queryset[start : start + query["per_page"]])


class PeopleView(DelightedView):
    required_scopes = {"GET": ApiScope.CUSTOMERS_READ, "POST": ApiScope.INVITATIONS_WRITE}

    @extend_schema(
        summary="List people",
        parameters=[shapes.PeopleQuerySerializer],
        responses=_answers(schema.PersonSerializer(many=True)),
        description='Oldest first; a `Link: <...>; rel="next"` header names the next page.',
    )
    def get(self, request, *args, **kwargs):
        query = _query(shapes.PeopleQuerySerializer, request)
        people = _period(services.people(), "created_at", query.get("since"), query.get("until"))
        if query.get("email"):
            people = people.filter(pk__in=Customer.objects.with_email(query["email"]).values("pk"))
        if query.get("phone_number"):
            people = people.filter(phone=self._phone(query["phone_number"]))
        people = people.filter(pk__gt=query.get("page_info", 0)).order_by("pk")
        rows = list(people[: query["per_page"] + 1])
        page, more = rows[: query["per_page"]], len(rows) > query["per_page"]
        headers = {}
        if more:
            params = request.query_params.copy()
            params["page_info"] = str(page[-1].pk)
            url = request.build_absolute_uri(request.path) + "?" + params.urlencode()
            headers["Link"] = f'<{url}>; rel="next"'
        return Response([shapes.person_dict(person) for person in page], headers=headers)

    @staticmethod
    def _phone(value: str) -> str | None:
        try:
            return phone_normalize(value)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"phone_number": exc.messages}) from None

    @extend_schema(
        summary="Create or update a person, and schedule a survey",
        parameters=[TREND],
        request=shapes.PersonInSerializer,
        responses=_answers(schema.PersonWrittenSerializer),
    )
    def post(self, request, *args, **kwargs):
        incoming = shapes.PersonInSerializer(data=_body(request))
        incoming.is_valid(raise_exception=True)
        given = incoming.validated_data
        survey = delighted_survey(request.query_params.get("trend"))
        try:
            written = services.person_write(
                survey=survey,
                api_key=calling_key(request),
                update_existing=caller_has_scope(request, ApiScope.CUSTOMERS_WRITE),
                **given,
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        customer = written.customer
        if caller_has_scope(request, ApiScope.CUSTOMERS_READ):
            shown = {
                "email": customer.email,
                "name": customer.name or None,
                "phone_number": customer.phone,
            }
        else:
            # What the caller sent, never more of what is stored.
            shown = {
                "email": given.get("email") or None,
                "name": given.get("name") or None,
                "phone_number": phone_normalize(given["phone_number"])
                if given.get("phone_number")
                else None,
            }
        return Response(
            {
                "id": str(customer.pk),
                **shown,
                "survey_scheduled_at": shapes.timestamp(written.survey_scheduled_at),
                "properties": given["properties"],
            }
        )


class PersonView(DelightedView):
    required_scopes = {"DELETE": ApiScope.CUSTOMERS_ERASE}

    @extend_schema(
        summary="Delete (erase) a person",
        parameters=[
            OpenApiParameter(
                "identifier",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The person's id, `email:<email>` or `phone_number:<phone>`.",
            )
        ],
        responses=_answers(
            OpenApiResponse(schema.OkSerializer, description="Erased."), code=202, not_found=True
        ),
    )
    def delete(self, request, identifier: str, *args, **kwargs):
        try:
            customer = services.person_find(identifier)
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        if customer is None:
            raise Http404
        services.person_erase(customer=customer)
        return Response(OK, status=status.HTTP_202_ACCEPTED)


class PendingSurveyRequestsView(DelightedView):
    required_scopes = {"DELETE": ApiScope.INVITATIONS_WRITE}

    @extend_schema(
        summary="Cancel a person's pending survey requests",
        parameters=[
            OpenApiParameter(
                "email", OpenApiTypes.STR, OpenApiParameter.PATH, description="The person's email."
            ),
            TREND,
        ],
        responses=_answers(schema.OkSerializer, not_found=True),
    )
    def delete(self, request, email: str, *args, **kwargs):
        customer = Customer.objects.with_email(email.strip()).first()
        if customer is None:
            raise Http404
        # Like the native API's DELETE /invitations/<id>/: a survey of another
        # department does not exist for the key's user.
        survey = delighted_survey(request.query_params.get("trend"), reader=request.user)
        services.pending_cancel(customer=customer, survey=survey)
        return Response(OK)


class SurveyResponsesView(DelightedView):
    required_scopes = {"GET": ApiScope.REPORTS_READ, "POST": ApiScope.INGEST}

    @extend_schema(
        summary="List survey responses",
        parameters=[
            shapes.ResponsesQuerySerializer,
            OpenApiParameter("expand", exclude=True),
            EXPAND,
        ],
        responses=_answers(schema.SurveyResponseSerializer(many=True)),
    )
    def get(self, request, *args, **kwargs):
        query = _query(shapes.ResponsesQuerySerializer, request)
        expand = "person" in query["expand"]
        if expand:
            scope_require(request, ApiScope.CUSTOMERS_READ, "expand[]=person")
        survey = delighted_survey(query.get("trend"), reader=request.user)
        answers = Answer.objects.filter(survey=survey).select_related("survey", "driver")
        answers = _period(answers, "submitted_at", query.get("since"), query.get("until"))
        answers = _period(
            answers, "created_at", query.get("updated_since"), query.get("updated_until")
        )
        if query.get("person_id"):
            answers = answers.filter(customer_id=query["person_id"])
        if query.get("person_email"):
            email_of = Customer.objects.with_email(query["person_email"]).values("pk")
            answers = answers.filter(customer__in=email_of)
        page = _page(answers.order_by(*shapes.ORDERS[query["order"]]), query)
        people = {}
        if expand:
            customers = services.people().filter(pk__in={answer.customer_id for answer in page})
            people = {customer.pk: customer for customer in customers}
        return Response(
            [
                shapes.response_dict(answer, request=request, person=people.get(answer.customer_id))
                for answer in page
            ]
        )

    @extend_schema(
        summary="Record a survey response",
        description="Needs the customers:read scope too (the person is named by id).",
        parameters=[TREND],
        request=shapes.ResponseInSerializer,
        responses={
            201: OpenApiResponse(schema.SurveyResponseSerializer, description="Recorded."),
            **_answers(
                OpenApiResponse(
                    schema.SurveyResponseSerializer, description="Already recorded (the same)."
                )
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        incoming = shapes.ResponseInSerializer(data=_body(request))
        incoming.is_valid(raise_exception=True)
        given = incoming.validated_data
        # A person id reaches any customer (and their apology or code): only
        # for a caller who may read customers anyway.
        scope_require(request, ApiScope.CUSTOMERS_READ, "Naming a person by id")
        customer = Customer.objects.filter(pk=given.pop("person")).first()
        if customer is None:
            raise exceptions.ValidationError({"person": ["No person with this id."]})
        survey = delighted_survey(request.query_params.get("trend"))
        try:
            recorded = services.response_create(
                survey=survey, customer=customer, api_client=request.user, **given
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        return Response(
            shapes.response_dict(recorded.response, request=request),
            status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK,
        )


class SurveyResponseView(DelightedView):
    required_scopes = {"GET": ApiScope.REPORTS_READ}

    @extend_schema(
        summary="Get a survey response",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The response's id."
            ),
            TREND,
        ],
        responses=_answers(schema.SurveyResponseSerializer, not_found=True),
    )
    def get(self, request, pk: str, *args, **kwargs):
        answer_id = shapes.id_from(pk)
        if answer_id is None:
            raise Http404
        survey = delighted_survey(request.query_params.get("trend"), reader=request.user)
        answer = get_object_or_404(
            Answer.objects.select_related("survey", "driver"), survey=survey, pk=answer_id
        )
        return Response(shapes.response_dict(answer, request=request))


class MetricsView(DelightedView):
    required_scopes = {"GET": ApiScope.REPORTS_READ}

    @extend_schema(
        summary="NPS metrics",
        parameters=[shapes.MetricsQuerySerializer],
        responses=_answers(schema.MetricsSerializer),
    )
    def get(self, request, *args, **kwargs):
        query = _query(shapes.MetricsQuerySerializer, request)
        survey = delighted_survey(query.get("trend"), reader=request.user)
        answers = _period(
            Answer.objects.filter(survey=survey),
            "submitted_at",
            query.get("since"),
            query.get("until"),
        )
        return Response(shapes.metrics_dict(answers.nps_summary()))


def _people_marked(request, field: str, shown_as: str):
    """Delighted's list of people unsubscribed or bounced: those whose ``field``
    is set (erased ones left out), oldest first, paged, each with that time as
    ``shown_as``."""
    query = _query(shapes.PageSerializer, request)
    marked = Customer.objects.filter(**{f"{field}__isnull": False, "erased_at__isnull": True})
    people = _period(marked, field, query.get("since"), query.get("until"))
    page = _page(people.order_by(field, "pk"), query)
    return Response(
        [
            {
                "person_id": str(customer.pk),
                "email": customer.email,
                "name": customer.name or None,
                shown_as: shapes.timestamp(getattr(customer, field)),
            }
            for customer in page
        ]
    )


class UnsubscribesView(DelightedView):
    required_scopes = {"GET": ApiScope.CUSTOMERS_READ, "POST": ApiScope.CUSTOMERS_WRITE}

    @extend_schema(
        summary="List unsubscribed people",
        parameters=[shapes.PageSerializer],
        responses=_answers(schema.UnsubscribeSerializer(many=True)),
    )
    def get(self, request, *args, **kwargs):
        return _people_marked(request, "unsubscribed_at", "unsubscribed_at")

    @extend_schema(
        summary="Unsubscribe a person",
        request=shapes.UnsubscribeInSerializer,
        responses=_answers(schema.OkSerializer),
    )
    def post(self, request, *args, **kwargs):
        incoming = shapes.UnsubscribeInSerializer(data=_body(request))
        incoming.is_valid(raise_exception=True)
        try:
            services.unsubscribe(email=incoming.validated_data["person_email"])
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        return Response(OK)


class BouncesView(DelightedView):
    required_scopes = {"GET": ApiScope.CUSTOMERS_READ}

    @extend_schema(
        summary="List bounced people",
        parameters=[shapes.PageSerializer],
        responses=_answers(schema.BounceSerializer(many=True)),
    )
    def get(self, request, *args, **kwargs):
        return _people_marked(request, "email_bounced_at", "bounced_at")


@extend_schema(exclude=True)
class DocsView(APIView):
    """The page that documents this API: public, like the OpenAPI docs."""

    permission_classes = [HasApiScope]
    required_scopes = {"GET": PUBLIC}
    renderer_classes = [TemplateHTMLRenderer]

    def get(self, request, *args, **kwargs):
        return Response(template_name="followups/delighted/docs.html")
