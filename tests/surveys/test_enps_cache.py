"""What an eNPS table hides is worked out once per table: a dashboard reload
(or the API, or the CSV) asking for the same published months does not run
the linear programs again, and any change to what they read (a month
closing, an answer added to a published month, another minimum) does."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from surveys import enps
from surveys.models import EmployeeAnswer, Survey, week_of
from tests.factories import SurveyFactory, manager

pytestmark = pytest.mark.django_db

OCTOBER = [date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19)]
NOVEMBER = [date(2026, 11, 2), date(2026, 11, 9)]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def suppressions():
    """Counts the tables whose suppression is worked out."""
    with mock.patch.object(enps, "_suppress", wraps=enps._suppress) as spy:
        yield spy


def answered(survey: Survey, team: str, weeks: list[date], count: int) -> None:
    for n in range(count):
        EmployeeAnswer.objects.create(
            survey=survey, team=team, score=(n * 3) % 11, week=weeks[n % len(weeks)]
        )


def on(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


@pytest.fixture
def survey() -> Survey:
    survey = SurveyFactory(slug="pulse", name="Pulse", kind=Survey.Kind.EMPLOYEE)
    answered(survey, "Ops", OCTOBER, 6)
    answered(survey, "Small", OCTOBER, 4)
    return survey


def teams_of(report: enps.EnpsReport) -> dict[str, int | None]:
    return {row["team"]: row["answers"] for row in report.as_dict()["teams"]}


def test_the_same_published_table_is_suppressed_once(survey, suppressions):
    first = enps.enps_report(survey=survey, now=on(date(2026, 11, 3))).as_dict()
    again = enps.enps_report(survey=survey, now=on(date(2026, 11, 20))).as_dict()

    assert suppressions.call_count == 1
    assert again == first
    # Small (4) is under 5, so Ops is hidden with it: the total alone shows.
    assert [row["suppressed"] for row in first["teams"]] == [True, True]
    assert first["total"]["answers"] == 10


def test_a_month_closing_works_the_table_out_again(survey, suppressions):
    answered(survey, "Ops", NOVEMBER, 5)
    answered(survey, "Small", NOVEMBER, 5)

    october_only = enps.enps_report(survey=survey, now=on(date(2026, 11, 20)))
    with_november = enps.enps_report(survey=survey, now=on(date(2026, 12, 7)))
    enps.enps_report(survey=survey, now=on(date(2026, 12, 20)))

    assert suppressions.call_count == 2
    assert list(october_only.months) == [date(2026, 10, 1)]
    assert list(with_november.months) == [date(2026, 10, 1), date(2026, 11, 1)]
    assert teams_of(with_november) == {"Ops": 11, "Small": 9}


def test_an_answer_added_to_a_published_month_is_never_hidden_by_a_stale_table(
    survey, suppressions
):
    before = enps.enps_report(survey=survey, now=on(date(2026, 11, 3)))
    answered(survey, "Small", OCTOBER[:1], 1)  # as a data import or the demo would
    after = enps.enps_report(survey=survey, now=on(date(2026, 11, 3)))

    assert suppressions.call_count == 2
    assert teams_of(before) == {"Ops": None, "Small": None}
    assert teams_of(after) == {"Ops": 6, "Small": 5}


def test_another_minimum_works_the_table_out_again(survey, suppressions, settings):
    enps.enps_report(survey=survey, now=on(date(2026, 11, 3)))
    settings.NPS_ENPS_MIN_GROUP = 4

    report = enps.enps_report(survey=survey, now=on(date(2026, 11, 3)))

    assert suppressions.call_count == 2
    assert teams_of(report) == {"Ops": 6, "Small": 4}


def test_a_dashboard_reload_does_not_work_the_table_out_again(client, suppressions):
    survey = SurveyFactory(slug="pulse", name="Pulse", kind=Survey.Kind.EMPLOYEE)
    # A week of the last published month.
    week = week_of(enps.closed_before(timezone.localdate()) - timedelta(weeks=1))
    answered(survey, "Ops", [week], 6)
    client.force_login(manager("head"))

    pages = [client.get("/admin/dashboard/", {"survey": "pulse"}) for _ in range(2)]

    assert [page.status_code for page in pages] == [200, 200]
    assert suppressions.call_count == 1
    assert pages[0].context["report"] == pages[1].context["report"]
