"""Where themes show: the dashboard's section (escaped, linked to its
answers), the report API (by scope and permission), the weekly digest, the
cases API and both exports, the admin where managers name them (audited);
and nowhere once turned off."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.cases.exports import case_csv_lines
from followups.insights import themes
from followups.models import FollowUpCase, ResponseTheme, Theme, ThemePeriod
from followups.reporting.digest import digest_send
from surveys import exports
from surveys.models import AuditEvent, Response
from tests.factories import SurveyFactory, UserFactory, manager, staff_member
from tests.followups.cases import open_case
from tests.followups.insights import WEEK_1, WEEK_2, answers_in, language, moment
from tests.surveys.api.conftest import client_with, key_for

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/dashboard/"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def computed():
    """A survey with its English themes computed for week 1."""
    survey = SurveyFactory(slug="shop", name="Shop")
    topics = language("en")
    # A hostile word in five delivery comments, so it becomes a characteristic word.
    topics = {
        **topics,
        "delivery": [f"{c} {HOSTILE}" for c in topics["delivery"][:5]] + topics["delivery"][5:],
    }
    answers_in(survey, WEEK_1, topics)
    themes.themes_compute(survey=survey, period=WEEK_1)
    return survey


def dashboard(client, user, survey, **params):
    client.force_login(user)
    return client.get(
        DASHBOARD, {"survey": survey.slug, "from": "2026-02-01", "to": "2026-03-31", **params}
    )


def test_the_dashboard_lists_each_theme_with_share_nps_interval_trend_and_answers(client, computed):
    page = dashboard(client, manager(), computed)
    text = page.content.decode()
    assert 'id="panel-themes"' in text and "2026-W10" in text
    rows = page.context["themes"]["rows"]
    assert len(rows) == 4
    support = next(row for row in rows if "support" in row["words"])
    assert f'data-theme="{support["id"]}"' in text
    assert support["nps"] == 100.0 and support["interval"][1] == 100.0
    assert 'class="sparkline"' in text
    # The answers behind the count: the responses admin, filtered to the theme.
    listing = client.get(support["href"])
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == support["answers"] == 10


def test_comment_words_on_the_dashboard_are_escaped(client, computed):
    words = {word for row in ThemePeriod.objects.all() for word in row.words}
    assert "script" in words  # the hostile text did make a word
    Theme.objects.update(name=HOSTILE)
    text = dashboard(client, manager(), computed).content.decode()
    assert HOSTILE not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_staff_see_the_themes_too(client, computed):
    assert len(dashboard(client, staff_member("sam"), computed).context["themes"]["rows"]) == 4


def test_before_any_computation_the_section_says_so(client):
    survey = SurveyFactory()
    text = dashboard(client, manager(), survey).content.decode()
    assert "No themes yet" in text


@override_settings(NPS_THEMES_ENABLED=False)
def test_turned_off_the_dashboard_shows_no_section(client, computed):
    page = dashboard(client, manager(), computed)
    assert page.context["themes"] is None
    assert 'id="panel-themes"' not in page.content.decode()


def test_the_dashboard_section_costs_the_same_queries_for_more_themes(client, computed):
    user = manager()
    dashboard(client, user, computed)
    with CaptureQueriesContext(connection) as few:
        dashboard(client, user, computed)
    answers_in(computed, WEEK_2, language("en"))
    themes.themes_compute(survey=computed, period=WEEK_2)
    with CaptureQueriesContext(connection) as more:
        dashboard(client, user, computed)
    assert len(more.captured_queries) == len(few.captured_queries)


# --- The report API ------------------------------------------------------------


def test_the_report_api_gives_the_themes_of_the_latest_or_a_named_period(computed):
    client = client_with(key_for(manager(), "reports:read"))
    reply = client.get("/api/v1/reports/themes/", {"survey": "shop"})
    assert reply.status_code == 200, reply.content
    data = reply.json()
    assert data["period"]["code"] == "2026-W10"
    assert len(data["themes"]) == 4
    app = next(theme for theme in data["themes"] if "app" in theme["words"])
    assert app["nps"] == 0.0 and app["passives"] == 10 and len(app["trend"]) == 8
    assert app["trend"][-1] == {"start": "2026-03-02", "share": app["share"]}
    named = client.get("/api/v1/reports/themes/", {"survey": "shop", "period": "2026-W11"})
    assert named.json()["themes"] == []


def test_the_report_api_refuses_a_bad_period_and_an_unknown_survey(computed):
    client = client_with(key_for(manager(), "reports:read"))
    reply = client.get("/api/v1/reports/themes/", {"survey": "shop", "period": "lastweek"})
    assert reply.status_code == 400
    assert "2026-W09" in str(reply.json())
    assert client.get("/api/v1/reports/themes/", {"survey": "nope"}).status_code == 404


def test_the_report_api_needs_the_reports_scope(computed):
    no_scope = client_with(key_for(manager(), "cases:read"))
    assert no_scope.get("/api/v1/reports/themes/", {"survey": "shop"}).status_code == 403
    assert client_with(None).get("/api/v1/reports/themes/?survey=shop").status_code == 401


@override_settings(NPS_THEMES_ENABLED=False)
def test_turned_off_the_report_api_answers_404(computed):
    client = client_with(key_for(manager(), "reports:read"))
    assert client.get("/api/v1/reports/themes/", {"survey": "shop"}).status_code == 404


# --- The digest ------------------------------------------------------------------


def test_the_digest_lists_new_and_growing_themes(mailoutbox):
    survey = SurveyFactory(name="Shop")
    en = language("en")
    first = {
        "delivery": en["delivery"],
        "price": en["price"],
        "support": en["support"],
        "app": en["app"][:6],
    }
    answers_in(survey, WEEK_1, first)
    themes.themes_compute(survey=survey, period=WEEK_1)
    refunds = [f"Refund still missing for order {n}, the refund is late" for n in range(8)]
    second = {
        **{t: en[t][:6] for t in ("delivery", "price", "support")},
        "app": en["app"],
        "refund": refunds,
    }
    answers_in(survey, WEEK_2, second)
    themes.themes_compute(survey=survey, period=WEEK_2)
    manager("boss", email="boss@example.com")
    with (
        time_machine.travel(moment(WEEK_2.end, 0), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        digest_send()
    [mail] = mailoutbox
    assert "New and growing comment themes, Shop (2026-W11):" in mail.body
    lines = [line for line in mail.body.splitlines() if line.startswith("- ")]
    assert any("refund" in line and "(new)" in line for line in lines), lines
    assert any(line.startswith("- app") and "(growing)" in line for line in lines), lines
    assert not any("delivery" in line for line in lines)  # neither new nor growing
    html_body = mail.alternatives[0][0]
    assert "(new)" in html_body


@override_settings(NPS_THEMES_ENABLED=False)
def test_turned_off_the_digest_has_no_themes(mailoutbox, computed):
    ThemePeriod.objects.update(is_new=True)
    manager("boss", email="boss@example.com")
    with (
        time_machine.travel(moment(WEEK_2.start, 0), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        digest_send()
    [mail] = mailoutbox
    assert "comment themes" not in mail.body


# --- Cases API and exports ----------------------------------------------------------


def test_a_case_shows_its_answers_theme_in_the_api_and_the_export(computed):
    case = open_case(score=2, comment="Courier late again, parcel lost")
    theme = Theme.objects.get(words__contains=["delivery"])
    period = ThemePeriod.objects.get(theme=theme)
    ResponseTheme.objects.create(response=case.response, theme=theme, period=period)
    Theme.objects.filter(pk=theme.pk).update(name="Late parcels")
    client = client_with(key_for(manager(), "cases:read"))
    reply = client.get(f"/api/v1/cases/{case.pk}/")
    assert reply.json()["theme"] == {"id": theme.pk, "name": "Late parcels", "words": theme.words}
    listed = client.get("/api/v1/cases/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["theme"]["id"] == theme.pk
    rows = list(csv.reader(io.StringIO("".join(case_csv_lines(FollowUpCase.objects.all())))))
    assert rows[0][-2:] == ["theme_id", "theme"]
    assert rows[1][-2:] == [str(theme.pk), "Late parcels"]


def test_the_answers_export_has_each_answers_theme(computed):
    rows = list(
        csv.reader(
            io.StringIO("".join(exports.response_csv_lines(Response.objects.order_by("pk"))))
        )
    )
    assert rows[0][-2:] == ["theme_id", "theme"]
    by_id = {row[0]: row[-2:] for row in rows[1:]}
    assignment = ResponseTheme.objects.select_related("theme").first()
    assert by_id[str(assignment.response_id)] == [
        str(assignment.theme_id),
        assignment.theme.words_label,
    ]
    assert "delivery" in {row[1] for row in by_id.values()} or any(
        "delivery" in row[1] for row in by_id.values()
    )


def test_turned_off_both_exports_keep_the_theme_columns_empty(computed, settings):
    case = open_case(score=2, comment="Courier late again, parcel lost")
    theme = Theme.objects.get(words__contains=["delivery"])
    period = ThemePeriod.objects.get(theme=theme)
    ResponseTheme.objects.create(response=case.response, theme=theme, period=period)
    settings.NPS_THEMES_ENABLED = False
    cases = list(csv.reader(io.StringIO("".join(case_csv_lines(FollowUpCase.objects.all())))))
    answers = list(
        csv.reader(io.StringIO("".join(exports.response_csv_lines(Response.objects.all()))))
    )
    for header, *rows in (cases, answers):
        assert header[-2:] == ["theme_id", "theme"]
        assert rows and all(row[-2:] == ["", ""] for row in rows)


@override_settings(NPS_THEMES_ENABLED=False)
def test_turned_off_the_cases_api_shows_no_theme(computed):
    case = open_case(score=2)
    client = client_with(key_for(manager(), "cases:read"))
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["theme"] is None


# --- The admin: naming a theme -----------------------------------------------------


def test_a_manager_names_a_theme_in_the_admin_and_the_naming_is_audited(client, computed):
    theme = Theme.objects.get(words__contains=["support"])
    client.force_login(manager())
    url = reverse("admin:followups_theme_change", args=[theme.pk])
    assert client.get(url).status_code == 200
    reply = client.post(url, {"name": "  Helpful   support "})
    assert reply.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "Helpful support" and theme.label == "Helpful support"
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.THEME_RENAMED)
    assert event.object_ids == [theme.pk] and event.actor_label == "manager"
    listing = client.get(reverse("admin:followups_theme_changelist"))
    assert "Helpful support" in listing.content.decode()


def test_staff_cannot_name_a_theme(client, computed):
    theme = Theme.objects.first()
    client.force_login(staff_member("sam"))
    url = reverse("admin:followups_theme_change", args=[theme.pk])
    assert client.post(url, {"name": "Mine"}).status_code == 403
    theme.refresh_from_db()
    assert theme.name == ""
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.THEME_RENAMED).exists()


def test_the_themes_list_costs_the_same_queries_for_more_themes(client, computed):
    client.force_login(UserFactory(username="root", is_superuser=True))
    url = reverse("admin:followups_theme_changelist")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    answers_in(computed, WEEK_2, language("pl"))
    themes.themes_compute(survey=computed, period=WEEK_2)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert Theme.objects.count() > 4
    assert len(more.captured_queries) == len(few.captured_queries)
