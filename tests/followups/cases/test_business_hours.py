"""SLA deadlines in business hours, over nights and weekends, and escalation
against them with a frozen clock."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import TestCase

from followups.cases import sla, workflow
from followups.models import FollowUpCase
from tests.factories import ResponseFactory, SurveyFactory, manager, staff_member

pytestmark = pytest.mark.django_db

# Friday 5 June 2026, 15:00 in Warsaw (13:00 UTC); business hours 09:00-17:00 Mon-Fri.
FRIDAY_AFTERNOON = datetime(2026, 6, 5, 13, 0, tzinfo=UTC)
WARSAW = {"NPS_BUSINESS_TIME_ZONE": "Europe/Warsaw", "NPS_BUSINESS_HOURS": "09:00-17:00"}


@pytest.fixture(autouse=True)
def warsaw_hours(settings):
    for name, value in WARSAW.items():
        setattr(settings, name, value)
    settings.NPS_BUSINESS_DAYS = ["1", "2", "3", "4", "5"]


def test_calendar_hours_run_through_the_weekend():
    assert sla.deadline(FRIDAY_AFTERNOON, hours=8) == FRIDAY_AFTERNOON + timedelta(hours=8)


def test_business_hours_stop_at_closing_time_and_skip_the_weekend():
    # 2 h on Friday (15:00-17:00), 6 h on Monday from 09:00: Monday 15:00 Warsaw.
    assert sla.deadline(FRIDAY_AFTERNOON, hours=8, business_hours=True) == datetime(
        2026, 6, 8, 13, 0, tzinfo=UTC
    )


def test_an_answer_on_saturday_starts_counting_on_monday_morning():
    saturday = datetime(2026, 6, 6, 10, 0, tzinfo=UTC)
    assert sla.deadline(saturday, hours=1, business_hours=True) == datetime(
        2026, 6, 8, 8, 0, tzinfo=UTC
    )


def test_a_long_sla_spans_several_working_days():
    # 24 working hours from Friday 15:00: 2 h Fri, 8 h Mon, 8 h Tue, 6 h Wed.
    assert sla.deadline(FRIDAY_AFTERNOON, hours=24, business_hours=True) == datetime(
        2026, 6, 10, 13, 0, tzinfo=UTC
    )


def test_business_hours_follow_daylight_saving_time():
    # Friday 27 March 2026 16:00 Warsaw (CET, 15:00 UTC) + 2 h: Monday 10:00 CEST (08:00 UTC).
    friday = datetime(2026, 3, 27, 15, 0, tzinfo=UTC)
    assert sla.deadline(friday, hours=2, business_hours=True) == datetime(
        2026, 3, 30, 8, 0, tzinfo=UTC
    )


def test_misconfigured_business_hours_say_what_is_wrong(settings):
    settings.NPS_BUSINESS_HOURS = "17:00-09:00"
    with pytest.raises(ImproperlyConfigured, match="opening time before the closing time"):
        sla.deadline(FRIDAY_AFTERNOON, hours=1, business_hours=True)


def test_a_survey_in_business_hours_gives_its_cases_both_deadlines_in_working_time():
    survey = SurveyFactory(
        detractor_sla_hours=8, detractor_resolution_hours=16, sla_business_hours=True
    )
    assert sla.case_deadlines(survey, FRIDAY_AFTERNOON) == {
        "due_at": datetime(2026, 6, 8, 13, 0, tzinfo=UTC),
        "resolution_due_at": datetime(2026, 6, 9, 13, 0, tzinfo=UTC),
    }


def test_a_friday_case_does_not_escalate_over_the_weekend_but_on_monday_afternoon():
    manager("boss", email="boss@example.com")
    survey = SurveyFactory(
        detractor_sla_hours=8, detractor_resolution_hours=16, sla_business_hours=True
    )
    response = ResponseFactory(survey=survey, score=3)
    case = FollowUpCase.objects.create(
        response=response,
        survey=survey,
        customer=response.customer,
        owner=staff_member("owner", email="owner@example.com"),
        created_at=FRIDAY_AFTERNOON,
        **sla.case_deadlines(survey, FRIDAY_AFTERNOON),
    )
    for moment, escalated in [
        (datetime(2026, 6, 6, 12, 0, tzinfo=UTC), 0),  # Saturday
        (datetime(2026, 6, 8, 12, 59, tzinfo=UTC), 0),  # Monday 14:59 Warsaw
        (datetime(2026, 6, 8, 13, 1, tzinfo=UTC), 1),  # Monday 15:01 Warsaw
    ]:
        with (
            time_machine.travel(moment, tick=False),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            assert workflow.due_cases_escalate() == escalated, moment
    case.refresh_from_db()
    assert case.escalation_level == 1


def test_an_unowned_case_escalates_early_in_working_time_and_again_a_working_day_later(settings):
    """Friday 16:00 in Warsaw, a 4-working-hour SLA, nobody takes the case: half
    the SLA (2 working hours) runs out on Monday at 10:00, not over the weekend,
    and the next escalation waits a repeat interval of working time."""
    settings.NPS_UNOWNED_ESCALATION_SHARE = 0.5
    settings.NPS_ESCALATION_REPEAT_HOURS = 8
    manager("boss", email="boss@example.com")
    survey = SurveyFactory(
        detractor_sla_hours=4, detractor_resolution_hours=16, sla_business_hours=True
    )
    response = ResponseFactory(survey=survey, score=2)
    opened = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)  # Friday 16:00 Warsaw
    FollowUpCase.objects.create(
        response=response,
        survey=survey,
        customer=response.customer,
        created_at=opened,
        **sla.case_deadlines(survey, opened),
    )
    for moment, escalated in [
        (datetime(2026, 6, 6, 2, 0, tzinfo=UTC), 0),  # Saturday night
        (datetime(2026, 6, 7, 20, 0, tzinfo=UTC), 0),  # Sunday evening
        (datetime(2026, 6, 8, 7, 59, tzinfo=UTC), 0),  # Monday 09:59 Warsaw
        (datetime(2026, 6, 8, 8, 1, tzinfo=UTC), 1),  # Monday 10:01 Warsaw: half the SLA
        (datetime(2026, 6, 8, 14, 59, tzinfo=UTC), 0),  # Monday 16:59: 7 working hours on
        (datetime(2026, 6, 9, 8, 2, tzinfo=UTC), 1),  # Tuesday 10:02: 8 working hours on
    ]:
        with (
            time_machine.travel(moment, tick=False),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            assert workflow.due_cases_escalate() == escalated, moment
