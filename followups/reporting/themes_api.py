"""Comment themes over the API: each theme of a survey's period with its
share, NPS and interval, trend, and new / growing flags."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from followups.cases.api import SEE_CASES
from followups.insights import themes
from nps_project.replica import replica_reads
from surveys.api_access import HasApiScope
from surveys.departments import in_departments
from surveys.models import ApiScope, Survey


class PeriodField(serializers.CharField):
    def to_internal_value(self, value):
        try:
            return themes.Period.parse(super().to_internal_value(value))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from exc


class ThemesQuery(serializers.Serializer):
    survey = serializers.SlugField(help_text="The survey's slug.")
    period = PeriodField(
        required=False,
        help_text="2026-W09 (an ISO week) or 2026-03 (a month); default: the latest computed.",
    )


class ThemeTrendPoint(serializers.Serializer):
    start = serializers.DateField()
    share = serializers.FloatField()


class ThemeOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True, help_text="Given by a manager, or empty.")
    words = serializers.ListField(child=serializers.CharField())
    answers = serializers.IntegerField()
    share = serializers.FloatField(help_text="Percent of the period's answers with a comment.")
    nps = serializers.FloatField(allow_null=True)
    confidence_interval = serializers.DictField(help_text="95%, adjusted-Wald: low and high.")
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    new = serializers.BooleanField()
    growing = serializers.BooleanField()
    trend = ThemeTrendPoint(many=True, help_text="Its share in the periods up to this one.")


class ThemesReport(serializers.Serializer):
    survey = serializers.CharField()
    period = serializers.DictField(allow_null=True, help_text="kind, code, start, end")
    themes = ThemeOut(many=True)


class ThemesView(APIView):
    permission_classes = [HasApiScope]
    required_scopes = {"GET": ApiScope.REPORTS_READ}
    required_permissions = {"GET": SEE_CASES}

    @extend_schema(
        tags=["reports"],
        operation_id="reports_themes",
        summary="Themes of the comments of a period",
        parameters=[ThemesQuery],
        responses={
            200: ThemesReport,
            400: OpenApiResponse(description="Invalid parameters."),
            404: OpenApiResponse(description="No such survey, or themes are turned off."),
        },
    )
    @replica_reads()
    def get(self, request):
        if not themes.enabled():
            raise Http404("Comment themes are turned off.")
        query = ThemesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        survey = get_object_or_404(
            in_departments(request.user, Survey.objects.all()), slug=query.validated_data["survey"]
        )
        period = query.validated_data.get("period") or themes.latest_period(survey)
        rows = themes.theme_rows(survey, period) if period else []
        return Response(
            {
                "survey": survey.slug,
                "period": period
                and {
                    "kind": period.kind,
                    "code": period.name,
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                },
                "themes": [
                    {
                        **{key: row[key] for key in ThemeOut().fields if key != "trend"},
                        "trend": [
                            {"start": start.isoformat(), "share": share}
                            for start, share in row["trend"]
                        ],
                    }
                    for row in rows
                ],
            }
        )
