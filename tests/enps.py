"""An employee survey answered through its page, for the eNPS tests."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from surveys.enps import closed_before, employee_invitations_create
from surveys.models import EmployeeAnswer, Survey, week_of
from tests.factories import SurveyFactory

# Team -> the scores its members give. "Small" is under the minimum (5).
TEAMS = {"Small": [0, 1, 2], "Mid": [9, 9, 10, 7, 3], "Large": [10, 9, 9, 8, 6, 10]}
SMALL_SECRET = "small-team-secret"


def employee_email(team: str, n: int) -> str:
    return f"{team.lower()}.employee{n}@staff.example.com"


def enps_survey_answered(*, slug: str = "staff-pulse", teams=None, weeks_ago: int = 1) -> Survey:
    """Every employee of ``teams`` answers through the page (a comment naming
    their team and number); the answers are then dated ``weeks_ago`` weeks
    before the last closed month ends, so that the report shows them (it shows
    closed months only); ``weeks_ago=0``: this week."""
    teams = TEAMS if teams is None else teams
    survey = SurveyFactory(slug=slug, name="Staff pulse", kind=Survey.Kind.EMPLOYEE)
    employees = [
        (employee_email(team, n), team)
        for team, scores in teams.items()
        for n in range(len(scores))
    ]
    invitations = {
        i.email: i for i in employee_invitations_create(survey=survey, employees=employees)
    }
    client = Client()
    for team, scores in teams.items():
        for n, score in enumerate(scores):
            comment = f"{SMALL_SECRET} {n}" if team == "Small" else f"{team} comment {n}"
            invitation = invitations[employee_email(team, n)]
            reply = client.post(invitation.get_absolute_url(), {"score": score, "comment": comment})
            assert reply.status_code == 200, reply.content
    # weeks_ago before the first closed month ends: in a closed month (0: this week).
    closed = closed_before(timezone.localdate())
    week = (
        week_of(closed - timedelta(weeks=weeks_ago)) if weeks_ago else week_of(timezone.localdate())
    )
    EmployeeAnswer.objects.filter(survey=survey).update(week=week)
    return survey
