"""The managers' dashboard: one page, one aggregate query per panel."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from followups.cases import access
from followups.models import ImprovementAction
from followups.reporting import charts, reports
from surveys.admin_permissions import requires_permissions
from surveys.models import Customer, Survey

DEFAULT_DAYS = 182


def _day_start(value: str | None, fallback: datetime) -> tuple[datetime, str | None]:
    if not value:
        return fallback, None
    try:
        day = parse_date(value)  # ValueError for a well-formed impossible day (02-30)
    except ValueError:
        day = None
    if day is None:
        return fallback, _("“%(value)s” is not a date (YYYY-MM-DD); the default was used.") % {
            "value": value
        }
    try:
        return reports.day_start(day), None
    except ValueError as exc:
        return fallback, _("%(problem)s The default was used.") % {"problem": exc}


def selection_from(params, *, now: datetime) -> tuple[reports.Selection | None, list[str]]:
    """Read survey, period and segment from query parameters; say what was wrong."""
    problems = []
    surveys = Survey.objects.exclude(status=Survey.Status.DRAFT).order_by("name")
    survey = surveys.filter(slug=params.get("survey")).first() if params.get("survey") else None
    if params.get("survey") and survey is None:
        problems.append(_("There is no survey “%(slug)s”.") % {"slug": params["survey"]})
    survey = survey or surveys.first()
    if survey is None:
        return None, problems
    today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    start, problem = _day_start(params.get("from"), today - timedelta(days=DEFAULT_DAYS))
    problems += [problem] if problem else []
    end, problem = _day_start(params.get("to"), today)
    problems += [problem] if problem else []
    end += timedelta(days=1)  # "to" is inclusive
    if start >= end:
        problems.append(_("The period ends before it starts; showing the default period."))
        start, end = today - timedelta(days=DEFAULT_DAYS), today + timedelta(days=1)
    return reports.Selection(survey, start, end, params.get("segment", "").strip()), problems


def _point(label: str, summary) -> tuple:
    low_high = summary.confidence_interval or (None, None)
    return (label, summary.nps, *low_high)


@requires_permissions("followups.view_followupcase")
def dashboard(request):
    user = request.user
    now = timezone.now()
    selection, problems = selection_from(request.GET, now=now)
    by = "week" if request.GET.get("by") == "week" else "month"
    context = {
        **admin.site.each_context(request),
        "title": _("NPS dashboard"),
        "problems": problems,
        "selection": selection,
        "surveys": Survey.objects.exclude(status=Survey.Status.DRAFT).order_by("name"),
        "by": by,
        "is_manager": access.is_manager(user),
    }
    if selection is not None:
        panel = reports.nps_panel(selection)
        trend = reports.trend(selection, by=by)
        segments = reports.by_segment(selection)
        distribution = reports.distribution(selection)
        label = "%Y-%m" if by == "month" else "%Y-%m-%d"
        cases = selection.cases() if context["is_manager"] else selection.cases().filter(owner=user)
        context.update(
            panel=panel,
            distribution=distribution,
            rate=reports.response_rate(selection),
            trend=trend,
            segments=segments,
            # From customers (indexed, small), not a scan of every answer.
            segment_names=Customer.objects.exclude(segment="")
            .order_by("segment")
            .values_list("segment", flat=True)
            .distinct(),
            kpis=reports.loop_kpis(selection, cases=cases),
            owners=reports.cases_by_owner(selection) if context["is_manager"] else None,
            root_causes=reports.root_causes(selection),
            grants=reports.grants(selection),
            actions=reports.action_effects(
                ImprovementAction.objects.filter(survey=selection.survey)
                .exclude(status=ImprovementAction.Status.DROPPED)
                .select_related("root_cause", "owner")[:10],
                now=now,
            ),
            trend_svg=charts.trend_chart(
                [_point(period.strftime(label), summary) for period, summary in trend],
                benchmark=panel.benchmark,
                title=_("NPS by %(period)s with its 95%% interval")
                % {"period": _("month") if by == "month" else _("week")},
            ),
            distribution_svg=charts.distribution_chart(distribution, title=_("Answers per score")),
            segments_svg=charts.nps_bars(
                [(*_point(name, summary), summary.total) for name, summary in segments],
                title=_("NPS by segment"),
            ),
            from_value=selection.start.date().isoformat(),
            to_value=(selection.end - timedelta(days=1)).date().isoformat(),
        )
    return TemplateResponse(request, "admin/followups/dashboard.html", context)
