"""Employee surveys are not customer NPS: their answers have a report of their
own (eNPS, small groups hidden), so no customer report or model reads them:
the departments comparison, the weekly digest, the loop KPIs, the comment
themes and the root-cause training."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from followups.insights import suggestions, themes
from followups.models import FollowUpCase, RootCause
from followups.reporting.departments import departments_compared
from followups.reporting.digest import digest_send
from surveys.models import ApiScope, Survey
from tests.factories import FollowUpCaseFactory, ResponseFactory, SurveyFactory, department, manager
from tests.followups.insights import WEEK_1, answers_in, language, moment
from tests.surveys.api.conftest import client_with, key_for

pytestmark = pytest.mark.django_db


def employee_survey(**fields) -> Survey:
    return SurveyFactory(kind=Survey.Kind.EMPLOYEE, name="Staff pulse", slug="pulse", **fields)


def test_the_departments_comparison_counts_no_employee_answers():
    sales = department("Sales")
    for _ in range(10):
        ResponseFactory(survey=SurveyFactory(department=sales), score=10)
    pulse = employee_survey(department=sales)
    for _ in range(10):
        ResponseFactory(survey=pulse, score=0)
    now = timezone.now()

    rows = departments_compared(
        user=manager("head"), start=now - timedelta(days=1), end=now + timedelta(days=1)
    )

    (row,) = [row for row in rows if row.department == sales]
    assert (row.summary.total, row.summary.nps) == (10, 100)


def test_the_digest_shows_no_nps_of_an_employee_survey(mailoutbox):
    now = timezone.now()
    ResponseFactory(survey=employee_survey(), score=2, submitted_at=now - timedelta(days=1))
    ResponseFactory(
        survey=SurveyFactory(name="Shop"), score=9, submitted_at=now - timedelta(days=1)
    )
    manager("boss", email="boss@example.com")

    with TestCase.captureOnCommitCallbacks(execute=True):
        digest_send()

    [mail] = mailoutbox
    assert "Shop" in mail.body
    assert "Staff pulse" not in mail.body


def test_the_loop_kpis_of_an_employee_survey_are_a_404():
    employee_survey()
    client = client_with(key_for(manager("reader"), ApiScope.REPORTS_READ))

    reply = client.get("/api/v1/reports/kpis/", {"survey": "pulse"})

    assert reply.status_code == 404


def test_no_themes_are_computed_from_employee_comments(settings):
    settings.NPS_THEMES_ENABLED = True
    pulse = employee_survey()
    answers_in(pulse, WEEK_1, language("en"))

    with time_machine.travel(moment(WEEK_1.end + timedelta(days=1), 0), tick=False):
        computed = themes.due_themes_compute()

    assert computed == 0
    assert themes.themes_compute(survey=pulse, period=WEEK_1) == []


def test_root_cause_training_reads_no_employee_comments():
    cause = RootCause.objects.create(name="Pay")
    kept = FollowUpCaseFactory(
        response__survey=SurveyFactory(),
        response__score=3,
        response__comment="Slow",
        root_cause=cause,
    )
    FollowUpCaseFactory(
        response__survey=employee_survey(),
        response__score=3,
        response__comment="My manager",
        root_cause=cause,
        status=FollowUpCase.Status.RESOLVED,
    )

    assert list(suggestions.training_cases().values_list("pk", flat=True)) == [kept.pk]
