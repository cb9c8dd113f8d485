"""The managers' dashboard: one page, one aggregate query per panel."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from followups.cases import access
from followups.insights import themes
from followups.models import ImprovementAction
from followups.reporting import charts, links, panel_exports, reports
from followups.reporting.bonus import reminder_bonus_comparison
from followups.reporting.departments import departments_compared
from nps_project.replica import replica_reads
from surveys import drivers, enps
from surveys.admin import VIA_ADMIN
from surveys.admin_permissions import requires_permissions
from surveys.audit import Action, audit_record
from surveys.departments import in_departments, visible_departments
from surveys.exports import csv_response
from surveys.models import Customer, Response, Survey

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


def default_survey(surveys, remembered: str | None) -> Survey | None:
    """The survey the manager looked at last, else the one answered most
    recently (not the first by name), else the first."""
    survey = surveys.filter(slug=remembered).first() if remembered else None
    if survey is None:
        latest = Response.objects.filter(survey__in=surveys).order_by("-submitted_at")
        survey_id = latest.values_list("survey_id", flat=True).first()
        survey = surveys.filter(pk=survey_id).first() if survey_id else None
    return survey or surveys.first()


def reported_surveys(user=None):
    """The surveys a report may be about: not drafts, and (with ``user``) only
    those of the departments they see."""
    surveys = Survey.objects.exclude(status=Survey.Status.DRAFT).order_by("name")
    return surveys if user is None else in_departments(user, surveys)


def selection_from(
    params, *, now: datetime, remembered: str | None = None, user=None
) -> tuple[reports.Selection | None, list[str]]:
    """Read survey, period and segment from query parameters; say what was
    wrong. Without a survey, ``default_survey`` (``remembered``: a slug).
    With ``user``, a survey of a department they do not see is no survey."""
    problems = []
    surveys = reported_surveys(user)
    survey = surveys.filter(slug=params.get("survey")).first() if params.get("survey") else None
    if params.get("survey") and survey is None:
        problems.append(_("There is no survey “%(slug)s”.") % {"slug": params["survey"]})
    survey = survey or default_survey(surveys, remembered)
    if survey is None:
        return None, problems
    start, end = period_from(params, now=now, problems=problems)
    return reports.Selection(survey, start, end, params.get("segment", "").strip()), problems


def period_from(params, *, now: datetime, problems: list[str]) -> tuple[datetime, datetime]:
    """The half-open period ``from``..``to`` (inclusive days) of the query, or
    the default one, adding to ``problems`` what was wrong."""
    today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    start, problem = _day_start(params.get("from"), today - timedelta(days=DEFAULT_DAYS))
    problems += [problem] if problem else []
    end, problem = _day_start(params.get("to"), today)
    problems += [problem] if problem else []
    end += timedelta(days=1)  # "to" is inclusive
    if start >= end:
        problems.append(_("The period ends before it starts; showing the default period."))
        start, end = today - timedelta(days=DEFAULT_DAYS), today + timedelta(days=1)
    return start, end


# The survey choice that shows every survey side by side: not a possible slug.
ALL_SURVEYS = "*"
# The choice that shows the departments side by side: not a possible slug either.
BY_DEPARTMENT = "*departments"


def _overview(params, *, user, is_manager: bool, now: datetime) -> dict:
    """Every survey in one table: NPS with its interval and change, the loop's
    open and overdue cases, each number a link to its rows."""
    problems: list[str] = []
    start, end = period_from(params, now=now, problems=problems)
    segment = params.get("segment", "").strip()
    rows = []
    # An employee survey's answers are not Responses: it has its own page (enps).
    for survey in reported_surveys(user).filter(kind=Survey.Kind.CUSTOMER):
        selection = reports.Selection(survey, start, end, segment)
        cases = selection.cases() if is_manager else selection.cases().filter(owner=user)
        own = {} if is_manager else {"owner__id__exact": user.pk}
        rows.append(
            {
                "survey": survey,
                "panel": reports.nps_panel(selection),
                "kpis": reports.loop_kpis(selection, cases=cases, now=now),
                "links": {
                    "answers": links.answers(selection),
                    "open": links.cases(selection, queue="open", **own),
                    "overdue": links.cases(selection, queue="overdue", **own),
                },
            }
        )
    return {
        "overview": rows,
        "problems": problems,
        "from_value": start.date().isoformat(),
        "to_value": (end - timedelta(days=1)).date().isoformat(),
        "segment_value": segment,
    }


def _point(label: str, summary) -> tuple:
    low_high = summary.confidence_interval or (None, None)
    return (label, summary.nps, *low_high)


SESSION_SURVEY = "nps_dashboard_survey"


def _chart_texts() -> dict:
    return {
        "empty": _("No answers in this period."),
        "interval": _("95% interval"),
        "benchmark": _("benchmark %(nps)s"),
        "few": _("%(nps)s (n=%(n)s, too few)"),
    }


def _links(selection: reports.Selection, *, mine, owners, causes, segments) -> dict:
    """The admin list behind each number of the page (see ``links``): ``mine``
    the user whose own cases the loop panel counts, or None for all."""
    own = {"owner__id__exact": mine.pk} if mine is not None else {}
    categories = ("promoter", "passive", "detractor")
    return {
        "answers": links.answers(selection),
        "categories": {c: links.answers(selection, category__exact=c) for c in categories},
        "scores": [links.answers(selection, score__exact=score) for score in range(11)],
        "segments": [links.answers(selection, segment__exact=name) for name, _s in segments],
        "invited": links.invitations(selection),
        "answered": links.invitations(selection, responded_at__isnull="False"),
        "cases": links.cases(selection, **own),
        "open": links.cases(selection, queue="open", **own),
        "overdue": links.cases(selection, queue="overdue", **own),
        "causes": [
            links.cases(selection, root_cause__id__exact=row["root_cause"], **own) for row in causes
        ],
        "owners": [_owner_links(selection, row["owner"]) for row in owners or ()],
        "grants": {
            kind: {
                "issued": links.grants(kind, selection),
                "redeemed": links.grants(kind, selection, status__exact="redeemed"),
            }
            for kind in ("offers", "rewards")
        },
    }


def _reward_rows(selection: reports.Selection) -> list[dict]:
    """Per reward of the period: its figures and the list behind each."""
    rows = []
    for reward in reports.rewards_tracked(selection):
        mine = {"reward__id__exact": reward.pk}
        theirs = {"grant__reward__id__exact": reward.pk}
        rows.append(
            {
                "reward": reward,
                "grants": links.grants("rewards", selection, **mine),
                "clicked": links.grants(
                    "rewards", selection, **mine, first_clicked_at__isnull="False"
                ),
                "clicks": links.reward_rows("linkclick", selection, **theirs, counted="yes"),
                "uses": links.reward_rows("referraluse", selection, **theirs),
            }
        )
    return rows


def _driver_rows(selection: reports.Selection) -> list[dict]:
    """The driver question's table: each choice in the reader's language,
    its counts and shares by category, and the NPS of those who chose it."""
    if not selection.survey.driver_question:
        return []
    language = translation.get_language() or settings.LANGUAGE_CODE
    rows = drivers.driver_report(survey=selection.survey, responses=selection.responses())
    return [
        {
            "label": row.choice.label_for(language),
            "key": row.choice.key,
            "active": row.choice.active,
            "summary": row.summary,
            "shares": [
                (group, row.summary.share(group), getattr(row.summary.chosen, group))
                for group in ("detractors", "passives", "promoters")
            ],
        }
        for row in rows
    ]


def _owner_links(selection: reports.Selection, owner_id: int | None) -> dict:
    who = {"owner__id__exact": owner_id} if owner_id else {"owner__isnull": "True"}
    return {
        "open": links.cases(selection, queue="open", **who),
        "overdue": links.cases(selection, queue="overdue", **who),
        "resolved": links.cases(selection, resolved_at__isnull="False", **who),
    }


def _charts(panel, trend, segments, distribution, page_links, *, by: str) -> dict:
    """The trend, the scores and the segments, drawn."""
    label = "%Y-%m" if by == "month" else "%Y-%m-%d"
    apart = reports.segments_apart(segments)
    return {
        "trend_svg": charts.trend_chart(
            [_point(period.strftime(label), summary) for period, summary in trend],
            benchmark=panel.benchmark,
            title=_("NPS by %(period)s with its 95%% interval")
            % {
                "period": pgettext("trend period", "month")
                if by == "month"
                else pgettext("trend period", "week")
            },
            texts=_chart_texts(),
        ),
        "distribution_svg": charts.distribution_chart(
            distribution,
            title=_("Answers per score"),
            links=page_links["scores"],
        ),
        "segments_svg": charts.nps_bars(
            [(*_point(name or "—", summary), summary.total) for name, summary in segments],
            title=_("NPS by segment"),
            min_sample=settings.NPS_MIN_SAMPLE,
            links=page_links["segments"],
            apart=apart,
            texts=_chart_texts(),
        ),
        "segments_apart": any(apart),
        "apart": apart,
    }


def _themes(selection: reports.Selection) -> dict | None:
    """The comment themes of the latest period computed before the selection
    ends, each with its trend and the link to its answers; None when themes
    are turned off."""
    if not themes.enabled():
        return None
    period = themes.latest_period(selection.survey, before=selection.end.date())
    rows = themes.theme_rows(selection.survey, period) if period else []
    for row in rows:
        row["href"] = themes.answers_link(row["row"].pk)
        row["sparkline"] = charts.sparkline(
            [(start.isoformat(), share) for start, share in row["trend"]],
            title=_("Share of answers by period"),
        )
    return {"period": period, "rows": rows}


def _report(selection: reports.Selection, *, user, is_manager: bool, by: str, now) -> dict:
    """Every panel of the page for one selection."""
    panel = reports.nps_panel(selection)
    trend = reports.trend(selection, by=by)
    segments = reports.by_segment(selection)
    distribution = reports.distribution(selection)
    cases = selection.cases() if is_manager else selection.cases().filter(owner=user)
    owners = reports.cases_by_owner(selection) if is_manager else None
    causes = reports.root_causes(selection, cases=cases)
    mine = None if is_manager else user
    page_links = _links(selection, mine=mine, owners=owners, causes=causes, segments=segments)
    return {
        "links": page_links,
        "min_sample": settings.NPS_MIN_SAMPLE,
        "panel": panel,
        "distribution": distribution,
        "rate": reports.response_rate(selection),
        "trend": trend,
        "segments": segments,
        # From customers (indexed, small), not a scan of every answer.
        "segment_names": Customer.objects.exclude(segment="")
        .order_by("segment")
        .values_list("segment", flat=True)
        .distinct(),
        "kpis": reports.loop_kpis(selection, cases=cases),
        "owners": owners
        and [
            {**row, "links": href} for row, href in zip(owners, page_links["owners"], strict=True)
        ],
        "root_causes": [
            {**row, "href": href} for row, href in zip(causes, page_links["causes"], strict=True)
        ],
        "grants": reports.grants(selection),
        "reward_rows": _reward_rows(selection),
        "drivers": _driver_rows(selection),
        "driver_question": selection.survey.driver_question_for(
            translation.get_language() or settings.LANGUAGE_CODE
        ),
        "reminder_bonus": reminder_bonus_comparison(selection),
        "actions": reports.action_effects(
            ImprovementAction.objects.filter(survey=selection.survey)
            .exclude(status=ImprovementAction.Status.DROPPED)
            .select_related("root_cause", "owner")[:10],
            now=now,
        ),
        **_charts(panel, trend, segments, distribution, page_links, by=by),
        "themes": _themes(selection),
        "from_value": selection.start.date().isoformat(),
        "to_value": (selection.end - timedelta(days=1)).date().isoformat(),
    }


@requires_permissions("followups.view_followupcase")
@replica_reads()
def dashboard(request):
    user = request.user
    now = timezone.now()
    if request.GET.get("survey") == ALL_SURVEYS:
        return _overview_page(request, now=now)
    if request.GET.get("survey") == BY_DEPARTMENT:
        return _departments_page(request, now=now)
    selection, problems = selection_from(
        request.GET, now=now, remembered=request.session.get(SESSION_SURVEY), user=user
    )
    if selection is not None:
        request.session[SESSION_SURVEY] = selection.survey.slug
        if selection.survey.is_employee:
            return _enps_page(request, selection.survey, problems=problems)
    by = "week" if request.GET.get("by") == "week" else "month"
    context = {
        **admin.site.each_context(request),
        "title": _("NPS dashboard"),
        "problems": problems,
        "selection": selection,
        "surveys": reported_surveys(user),
        "by": by,
        "is_manager": access.is_manager(user),
        "all_surveys": ALL_SURVEYS,
        **_department_choice(user),
        "export_query": _export_query(request.GET),
    }
    if selection is not None:
        context.update(
            _report(selection, user=user, is_manager=context["is_manager"], by=by, now=now)
        )
        if request.GET.get("export") in panel_exports.PANELS.keys() - {"enps", "overview"}:
            return _panel_download(request, context, surveys=[selection.survey])
    return TemplateResponse(request, "admin/followups/dashboard.html", context)


def _export_query(params) -> str:
    """The page's own query, without ``export``: each panel's CSV link adds its name."""
    query = params.copy()
    query.pop("export", None)
    return query.urlencode()


def _panel_download(request, context: dict, *, surveys):
    """One panel of the page as CSV, recorded in the audit trail like every
    export (the owners panel names people)."""
    name = request.GET["export"]
    if name == "owners" and context.get("owners") is None:
        raise PermissionDenied  # a manager's panel
    survey = surveys[0].slug if len(surveys) == 1 else "all-surveys"
    lines = list(panel_exports.panel_csv_lines(name, context))
    audit_record(
        action=Action.EXPORT,
        via=VIA_ADMIN,
        objects=surveys,
        details={
            "panel": name,
            "format": "csv",
            "from": context["from_value"],
            "to": context["to_value"],
            "filters": {k: v for k, v in request.GET.items() if k != "export"},
            "rows": len(lines) - 1,
        },
    )
    filename = f"nps-{survey}-{name}-{context['from_value']}-{context['to_value']}.csv"
    return csv_response(lines, filename)


def _overview_page(request, *, now: datetime):
    is_manager = access.is_manager(request.user)
    context = {
        **admin.site.each_context(request),
        "title": _("NPS dashboard"),
        "surveys": reported_surveys(request.user),
        "all_surveys": ALL_SURVEYS,
        **_department_choice(request.user),
        "is_manager": is_manager,
        "by": "week" if request.GET.get("by") == "week" else "month",
        "segment_names": Customer.objects.exclude(segment="")
        .order_by("segment")
        .values_list("segment", flat=True)
        .distinct(),
        **_overview(request.GET, user=request.user, is_manager=is_manager, now=now),
        "export_query": _export_query(request.GET),
    }
    if request.GET.get("export") == "overview":
        surveys = [row["survey"] for row in context["overview"]]
        return _panel_download(request, context, surveys=surveys)
    return TemplateResponse(request, "admin/followups/dashboard.html", context)


def _enps_page(request, survey: Survey, *, problems: list[str]):
    """An employee survey: its anonymous answers by team and month, small groups
    hidden (``surveys.enps``); no answer list, case or person is linked from it."""
    report = enps.enps_report(survey=survey)
    if request.GET.get("export") == "enps":
        lines = list(panel_exports.panel_csv_lines("enps", {"enps": report}))
        audit_record(
            action=Action.EXPORT,
            via=VIA_ADMIN,
            objects=[survey],
            details={"panel": "enps", "format": "csv", "rows": len(lines) - 1},
        )
        return csv_response(lines, f"enps-{survey.slug}.csv")
    context = {
        **admin.site.each_context(request),
        "title": _("eNPS dashboard"),
        "problems": problems,
        "survey": survey,
        "surveys": reported_surveys(request.user),
        "all_surveys": ALL_SURVEYS,
        "report": report.as_dict(),
    }
    return TemplateResponse(request, "admin/followups/enps_dashboard.html", context)


def _department_choice(user) -> dict:
    """The "departments side by side" choice, offered once there are departments
    the reader sees."""
    return {
        "by_department": BY_DEPARTMENT,
        "has_departments": visible_departments(user).exists(),
    }


def _departments_page(request, *, now: datetime):
    problems: list[str] = []
    start, end = period_from(request.GET, now=now, problems=problems)
    segment = request.GET.get("segment", "").strip()
    context = {
        **admin.site.each_context(request),
        "title": _("NPS dashboard"),
        "surveys": reported_surveys(request.user),
        "all_surveys": ALL_SURVEYS,
        **_department_choice(request.user),
        "is_manager": access.is_manager(request.user),
        "by": "week" if request.GET.get("by") == "week" else "month",
        "segment_names": Customer.objects.exclude(segment="")
        .order_by("segment")
        .values_list("segment", flat=True)
        .distinct(),
        "departments": departments_compared(
            user=request.user, start=start, end=end, segment=segment, now=now
        ),
        "problems": problems,
        "from_value": start.date().isoformat(),
        "to_value": (end - timedelta(days=1)).date().isoformat(),
        "segment_value": segment,
        "min_sample": settings.NPS_MIN_SAMPLE,
        "export_query": _export_query(request.GET),
    }
    return TemplateResponse(request, "admin/followups/dashboard.html", context)
