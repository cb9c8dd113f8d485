"""The loop KPIs over the API: the dashboard's numbers, for other systems."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from followups.cases import access
from followups.cases.api import SEE_CASES
from followups.reporting import reports
from followups.reporting.bonus import reminder_bonus_comparison
from followups.reporting.departments import departments_compared
from nps_project.replica import replica_reads
from surveys.api_access import HasApiScope
from surveys.departments import in_departments
from surveys.models import ApiScope, Survey


class ReportDayField(serializers.DateField):
    """A day that can bound a report (``reports.FIRST_DAY`` to ``LAST_DAY``)."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        problem = reports.out_of_range_message(day)
        if problem:
            raise serializers.ValidationError(problem, code="out_of_range")
        return day


class KpiQuery(serializers.Serializer):
    survey = serializers.SlugField(help_text="The survey's slug.")
    to = ReportDayField(required=False, help_text="Last day (default: today).")
    segment = serializers.CharField(required=False, allow_blank=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: declared here under its public name.
        fields["from"] = ReportDayField(
            required=False, help_text="First day (default: 90 days before 'to')."
        )
        return fields

    def validate(self, data):
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise serializers.ValidationError({"from": "'from' must not be after 'to'."})
        return data


class KpiReport(serializers.Serializer):
    survey = serializers.CharField()
    period = serializers.DictField()
    cases = serializers.IntegerField()
    contacted = serializers.IntegerField()
    contacted_within_sla = serializers.IntegerField()
    within_sla_pct = serializers.FloatField(allow_null=True)
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    first_contact_hours = serializers.DictField(help_text="median and p90, in hours")
    resolution_hours = serializers.DictField(help_text="median and p90, in hours")
    root_causes = serializers.ListField(child=serializers.DictField())
    grants = serializers.DictField(
        help_text="offers and rewards, each {issued, redeemed, redeemed_in_time}: "
        "redeemed_in_time counts codes redeemed by their expiry."
    )
    reward_tracking = serializers.DictField(
        help_text="reward grants clicked, clicks (prefetches not counted), referral uses"
    )
    reminder_bonus = serializers.ListField(
        child=serializers.DictField(),
        help_text="The bonus for non-responders: per wave reminded in the period, then all "
        "reminders, the response rate with and without the bonus (answered within the "
        "window of reminded, with 95% intervals), the difference in points with its 95% "
        "interval, and the bonuses granted. Empty when no reminder carried a bonus.",
    )
    scope = serializers.ChoiceField(choices=["all cases", "my cases"])


def _day(value, fallback: datetime) -> datetime:
    return reports.day_start(value) if value else fallback


class KpiView(APIView):
    permission_classes = [HasApiScope]
    required_scopes = {"GET": ApiScope.REPORTS_READ}
    required_permissions = {"GET": SEE_CASES}

    @extend_schema(
        tags=["reports"],
        operation_id="reports_kpis",
        summary="How fast the loop closes",
        parameters=[KpiQuery],
        responses={
            200: KpiReport,
            400: OpenApiResponse(description="Invalid parameters."),
            404: OpenApiResponse(description="No such customer survey."),
        },
    )
    @replica_reads()
    def get(self, request):
        query = KpiQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        # A customer survey's loop: an employee survey has no cases and its
        # figures are its eNPS report's (GET /surveys/<slug>/enps/).
        survey = get_object_or_404(
            in_departments(request.user, Survey.objects.filter(kind=Survey.Kind.CUSTOMER)),
            slug=data["survey"],
        )
        today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        end = _day(data.get("to"), today) + timedelta(days=1)
        start = _day(data.get("from"), end - timedelta(days=91))
        selection = reports.Selection(survey, start, end, data["segment"])
        manager = access.is_manager(request.user)
        cases = selection.cases() if manager else selection.cases().filter(owner=request.user)
        kpis = reports.loop_kpis(selection, cases=cases)
        return Response(
            {
                "survey": survey.slug,
                "period": {
                    "from": start.date().isoformat(),
                    "to": (end - timedelta(days=1)).date().isoformat(),
                    "segment": data["segment"] or None,
                },
                "cases": kpis.cases,
                "contacted": kpis.contacted,
                "contacted_within_sla": kpis.contacted_within_sla,
                "within_sla_pct": kpis.within_sla_pct,
                "open": kpis.open,
                "overdue": kpis.overdue,
                "first_contact_hours": dict(
                    zip(("median", "p90"), kpis.first_contact_hours, strict=True)
                ),
                "resolution_hours": dict(
                    zip(("median", "p90"), kpis.resolution_hours, strict=True)
                ),
                "root_causes": [
                    {"name": row["root_cause__name"], "count": row["count"]}
                    for row in reports.root_causes(selection, cases=cases)
                ],
                "grants": reports.grants(selection),
                "reward_tracking": reports.reward_tracking(selection),
                "reminder_bonus": [c.as_dict() for c in reminder_bonus_comparison(selection)],
                "scope": "all cases" if manager else "my cases",
            }
        )


class DepartmentsQuery(KpiQuery):
    survey = None  # type: ignore[assignment]  # every survey the caller sees


class DepartmentsReport(serializers.Serializer):
    period = serializers.DictField()
    departments = serializers.ListField(
        child=serializers.DictField(),
        help_text="One per department the caller sees (department null: the surveys of no "
        "department): nps (the NPS report of GET /surveys/<slug>/nps/), versus_rest "
        "{difference, standard_error, z, p_value, beyond_noise} against the other "
        "departments together (beyond_noise: Benjamini-Hochberg at 5% over all "
        "departments), kpis (as GET /reports/kpis/) and top root_causes.",
    )
    scope = serializers.ChoiceField(choices=["all cases", "my cases"])


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


class DepartmentsView(APIView):
    permission_classes = [HasApiScope]
    required_scopes = {"GET": ApiScope.REPORTS_READ}
    required_permissions = {"GET": SEE_CASES}

    @extend_schema(
        tags=["reports"],
        operation_id="reports_departments",
        summary="The departments side by side",
        parameters=[DepartmentsQuery],
        responses={200: DepartmentsReport, 400: OpenApiResponse(description="Invalid parameters.")},
    )
    @replica_reads()
    def get(self, request):
        query = DepartmentsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        end = _day(data.get("to"), today) + timedelta(days=1)
        start = _day(data.get("from"), end - timedelta(days=91))
        rows = departments_compared(
            user=request.user, start=start, end=end, segment=data["segment"]
        )
        return Response(
            {
                "period": {
                    "from": start.date().isoformat(),
                    "to": (end - timedelta(days=1)).date().isoformat(),
                    "segment": data["segment"] or None,
                },
                "departments": [_department_row(row) for row in rows],
                "scope": "all cases" if access.is_manager(request.user) else "my cases",
            }
        )


def _department_row(row) -> dict:
    difference, kpis = row.versus_rest, row.kpis
    return {
        "department": row.department.name if row.department else None,
        "nps": row.summary.as_dict(),
        "versus_rest": {
            "difference": _rounded(difference.difference),
            "standard_error": _rounded(difference.standard_error),
            "z": _rounded(difference.z, 3),
            "p_value": _rounded(difference.p_value, 4),
            "beyond_noise": bool(row.apart),
        },
        "kpis": {
            "cases": kpis.cases,
            "contacted_within_sla": kpis.contacted_within_sla,
            "within_sla_pct": _rounded(kpis.within_sla_pct),
            "open": kpis.open,
            "overdue": kpis.overdue,
            "overdue_pct": _rounded(100.0 * kpis.overdue / kpis.open if kpis.open else None),
            "first_contact_hours": dict(
                zip(("median", "p90"), kpis.first_contact_hours, strict=True)
            ),
            "resolution_hours": dict(zip(("median", "p90"), kpis.resolution_hours, strict=True)),
        },
        "root_causes": [
            {"name": cause["root_cause__name"], "count": cause["count"]}
            for cause in row.root_causes
        ],
    }
