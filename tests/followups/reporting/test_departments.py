"""The departments side by side: in the report, the report API and the
dashboard, each reader sees only the departments they may."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from followups.models import RootCause
from followups.reporting.departments import departments_compared
from followups.reporting.digest import digest_send
from surveys.models import ApiScope
from tests.factories import ResponseFactory, SurveyFactory, department, manager, staff_member
from tests.followups.cases import open_case
from tests.surveys.api.conftest import client_with, key_for

pytestmark = pytest.mark.django_db


def answers(survey, **scores):
    """``promoters=n, passives=n, detractors=n`` answers of ``survey``."""
    for category, score in (("promoters", 10), ("passives", 7), ("detractors", 2)):
        for _ in range(scores.get(category, 0)):
            ResponseFactory(survey=survey, score=score)


@pytest.fixture
def company():
    sales, delivery = department("Sales"), department("Delivery")
    answers(SurveyFactory(slug="sales", department=sales), promoters=60, passives=20, detractors=20)
    answers(
        SurveyFactory(slug="delivery", department=delivery),
        promoters=30,
        passives=30,
        detractors=40,
    )
    return sales, delivery


def period():
    now = timezone.now()
    return {"start": now - timedelta(days=1), "end": now + timedelta(days=1)}


def test_each_department_has_its_nps_and_the_difference_to_the_rest(company):
    rows = departments_compared(user=manager("head"), **period())

    by_name = {row.department.name: row for row in rows}
    assert list(by_name) == ["Delivery", "Sales"]
    assert by_name["Sales"].summary.nps == pytest.approx(40.0)
    assert by_name["Delivery"].summary.nps == pytest.approx(-10.0)
    assert by_name["Sales"].versus_rest.difference == pytest.approx(50.0)
    assert (by_name["Sales"].apart, by_name["Delivery"].apart) == ("above", "below")


def test_loop_figures_and_root_causes_are_counted_per_department(company):
    sales, _delivery = company
    late = RootCause.objects.create(name="Late delivery")
    case = open_case()
    case.survey.department = sales
    case.survey.save()
    case.root_cause = late
    case.save()

    rows = {row.key: row for row in departments_compared(user=manager("head"), **period())}

    assert rows[str(sales.pk)].kpis.cases == 1
    assert rows[str(sales.pk)].kpis.open == 1
    assert rows[str(sales.pk)].root_causes == [
        {
            "root_cause": late.pk,
            "root_cause__name": "Late delivery",
            "count": 1,
            "survey__department": sales.pk,
        }
    ]


def test_a_manager_of_one_department_compares_nothing_of_another(company):
    sales, _delivery = company
    boss = manager("boss")
    sales.members.add(boss)

    rows = departments_compared(user=boss, **period())

    assert [row.department for row in rows] == [sales]
    assert rows[0].versus_rest.difference is None  # nothing else to compare with


def test_the_report_api_answers_with_the_callers_departments_only(company):
    sales, _delivery = company
    boss = manager("boss")
    sales.members.add(boss)
    head = manager("head")

    mine = client_with(key_for(boss, ApiScope.REPORTS_READ)).get("/api/v1/reports/departments/")
    everyone = client_with(key_for(head, ApiScope.REPORTS_READ)).get("/api/v1/reports/departments/")

    assert mine.status_code == 200
    assert [row["department"] for row in mine.json()["departments"]] == ["Sales"]
    rows = {row["department"]: row for row in everyone.json()["departments"]}
    assert rows["Sales"]["nps"]["nps"] == 40.0
    assert rows["Sales"]["versus_rest"]["difference"] == 50.0
    assert rows["Sales"]["versus_rest"]["beyond_noise"] is True


def test_the_report_api_refuses_a_bad_day_with_a_clear_message(company):
    reply = client_with(key_for(manager("head"), ApiScope.REPORTS_READ)).get(
        "/api/v1/reports/departments/", {"from": "2026-02-30"}
    )

    assert reply.status_code == 400
    assert "from" in reply.json()["error"]["fields"]


def test_the_dashboard_shows_the_departments_and_only_the_readers_surveys(client, company):
    sales, _delivery = company
    ann = staff_member("ann")
    sales.members.add(ann)
    client.force_login(manager("head"))

    side_by_side = client.get("/admin/dashboard/", {"survey": "*departments"}).content.decode()
    client.force_login(ann)
    own = client.get("/admin/dashboard/").content.decode()
    forged = client.get("/admin/dashboard/", {"survey": "delivery"}).content.decode()

    assert 'data-department="' in side_by_side
    assert "Sales" in side_by_side and "Delivery" in side_by_side
    assert 'value="delivery"' not in own
    assert "There is no survey “delivery”" in forged


def test_the_weekly_digest_of_a_department_manager_holds_only_their_departments(mailoutbox):
    now = datetime(2026, 6, 15, 12, tzinfo=UTC)
    sales, delivery = department("Sales"), department("Delivery")
    for name, dept in (("Sales pulse", sales), ("Delivery pulse", delivery)):
        survey = SurveyFactory(name=name, department=dept)
        ResponseFactory(survey=survey, score=10, submitted_at=now - timedelta(days=1))
    sales.members.add(manager("boss", email="boss@example.com"))
    manager("head", email="head@example.com")

    with time_machine.travel(now, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        digest_send()

    by_recipient = {message.to[0]: message.body for message in mailoutbox}
    assert "Sales pulse" in by_recipient["boss@example.com"]
    assert "Delivery pulse" not in by_recipient["boss@example.com"]
    assert "Delivery pulse" in by_recipient["head@example.com"]


def test_the_delighted_api_reads_no_answers_of_another_department(company):
    sales, _delivery = company
    boss = manager("boss")
    sales.members.add(boss)
    client = APIClient()
    secret = key_for(boss, ApiScope.REPORTS_READ)
    client.credentials(
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{secret}:".encode()).decode()
    )

    ours = client.get("/api/delighted/v1/metrics.json", {"trend": "sales"})
    theirs = client.get("/api/delighted/v1/metrics.json", {"trend": "delivery"})
    listed = client.get("/api/delighted/v1/survey_responses.json", {"trend": "delivery"})

    assert ours.status_code == 200
    assert ours.json()["response_count"] == 100
    # Delighted's shape for a bad parameter: to this key the survey does not exist.
    assert theirs.status_code == 422
    assert listed.status_code == 422


def test_the_weekly_digest_of_a_department_manager_lists_only_their_departments_themes(
    mailoutbox,
):
    from followups.insights import themes
    from followups.models import ThemePeriod
    from tests.followups.insights import WEEK_1, answers_in, language, moment

    sales, delivery = department("Sales"), department("Delivery")
    for name, dept in (("Sales shop", sales), ("Delivery couriers", delivery)):
        survey = SurveyFactory(name=name, department=dept)
        answers_in(survey, WEEK_1, language("en"))
        assert themes.themes_compute(survey=survey, period=WEEK_1)
    ThemePeriod.objects.update(is_new=True)  # as a later period's new themes
    sales.members.add(manager("boss", email="boss@example.com"))
    manager("head", email="head@example.com")

    with (
        time_machine.travel(moment(WEEK_1.end, 0), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        digest_send()

    by_recipient = {message.to[0]: message.body for message in mailoutbox}
    assert "comment themes, Sales shop" in by_recipient["boss@example.com"]
    assert "Delivery couriers" not in by_recipient["boss@example.com"]
    assert "comment themes, Delivery couriers" in by_recipient["head@example.com"]
