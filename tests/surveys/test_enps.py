"""Employee NPS: anonymous answers by construction, and no group under the
minimum shown (surveys/enps.py, surveys/views_enps.py)."""

from __future__ import annotations

import math
import random
from datetime import date, datetime

import pytest
from django.test import Client, TestCase
from django.utils import timezone
from scipy.optimize import linprog

from followups.models import FollowUpCase
from followups.routing import responses_route
from surveys.enps import (
    CATEGORIES,
    Cell,
    EnpsReport,
    _lines,
    _suppress,
    employee_invitations_create,
    enps_report,
)
from surveys.models import (
    Customer,
    EmployeeAnswer,
    EmployeeInvitation,
    EmployeeSurveyRefused,
    Response,
    Survey,
)
from surveys.services import response_record
from tests.enps import SMALL_SECRET, TEAMS, enps_survey_answered
from tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def employee_survey(**kwargs) -> Survey:
    return SurveyFactory(kind=Survey.Kind.EMPLOYEE, **kwargs)


def invite(survey, email="ann@staff.example.com", team="Ops") -> EmployeeInvitation:
    return employee_invitations_create(survey=survey, employees=[(email, team)])[0]


def test_an_answer_keeps_only_its_team_week_score_and_comment():
    # A field added here is a new way to join an answer to a person: think first.
    assert {f.name for f in EmployeeAnswer._meta.get_fields()} == {
        "id", "survey", "team", "score", "category", "comment", "week",
    }  # fmt: skip
    assert {f.name for f in EmployeeInvitation._meta.get_fields()} == {
        "id", "survey", "email", "team", "nonce", "token_hash", "created_at", "sent_at",
        "reminded_at", "answered",
    }  # fmt: skip


def test_answering_marks_the_invitation_answered_and_stores_no_person(client):
    survey = employee_survey()
    invitation = invite(survey)

    reply = client.post(invitation.get_absolute_url(), {"score": 3, "comment": "Too many meetings"})

    assert reply.status_code == 200
    answer = EmployeeAnswer.objects.get()
    assert (answer.team, answer.score, answer.category) == ("Ops", 3, "detractor")
    assert answer.week.weekday() == 0  # a Monday: no day, no time
    invitation.refresh_from_db()
    assert invitation.answered is True
    # No customer, no response, so no case, email, webhook or Slack alert.
    assert not Response.objects.exists()
    assert not Customer.objects.filter(email__iexact=invitation.email).exists()


def test_the_page_shows_no_name_and_a_get_records_nothing(client):
    invitation = invite(employee_survey())

    reply = client.get(invitation.get_absolute_url())

    assert reply.status_code == 200
    assert invitation.email not in reply.content.decode()
    assert "Anonymous survey" in reply.content.decode()
    assert not EmployeeAnswer.objects.exists()


def test_a_link_answers_once(client):
    invitation = invite(employee_survey())
    client.post(invitation.get_absolute_url(), {"score": 9})

    again = client.post(invitation.get_absolute_url(), {"score": 1})

    assert "This link has been used" in again.content.decode()
    assert list(EmployeeAnswer.objects.values_list("score", flat=True)) == [9]


def test_an_unknown_link_is_not_found(client):
    assert client.get("/e/no-such-token/").status_code == 404


def test_a_missing_score_is_asked_again_and_nothing_is_stored(client):
    invitation = invite(employee_survey())

    reply = client.post(invitation.get_absolute_url(), {"comment": "kept"})

    assert reply.status_code == 200
    assert "kept" in reply.content.decode()  # the comment is not lost
    assert not EmployeeAnswer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered is False


def test_a_bad_contact_is_explained_and_nothing_is_stored(client):
    invitation = invite(employee_survey())

    reply = client.post(invitation.get_absolute_url(), {"score": 2, "contact": "not an email"})

    assert 'id="contact-error"' in reply.content.decode()
    assert not EmployeeAnswer.objects.exists()


def test_a_customer_survey_takes_no_employees():
    with pytest.raises(Exception, match="employee survey"):
        employee_invitations_create(survey=SurveyFactory(), employees=[("a@b.example", "T")])


def test_an_employee_is_asked_once():
    survey = employee_survey()
    invite(survey, email="Ann@Staff.example.com")

    again = employee_invitations_create(
        survey=survey, employees=[("ann@staff.example.com", "Ops"), ("bo@staff.example.com", "Ops")]
    )

    assert [i.email for i in again] == ["bo@staff.example.com"]


def test_small_teams_and_their_complement_are_hidden_and_their_comments_too():
    survey = enps_survey_answered()

    report = enps_report(survey=survey).as_dict()

    teams = {row["team"]: row for row in report["teams"]}
    # Small (3) is under 5; Mid (5) is hidden too, else total - Mid - Large = Small.
    assert teams["Small"] == {"team": "Small", "suppressed": True, "answers": None, "enps": None}
    assert teams["Mid"]["suppressed"] is True
    assert teams["Large"]["suppressed"] is False and teams["Large"]["answers"] == 6
    assert report["total"]["answers"] == sum(len(s) for s in TEAMS.values())
    assert SMALL_SECRET not in str(report)
    assert [group["team"] for group in report["comments"]] == ["Large"]
    # One month: its per-team cells mirror the teams (the month equals the total).
    month = report["trend"][0]
    assert {c["team"]: c["suppressed"] for c in month["teams"]} == {
        "Large": False,
        "Mid": True,
        "Small": True,
    }


def test_teams_of_three_and_six_show_only_their_total():
    survey = enps_survey_answered(teams={"Small": [0, 1, 2], "Large": TEAMS["Large"]})

    report = enps_report(survey=survey).as_dict()

    assert all(row["suppressed"] for row in report["teams"])
    assert report["total"]["answers"] == 9
    assert report["comments"] == []


def test_a_survey_smaller_than_the_minimum_shows_nothing_at_all():
    survey = enps_survey_answered(teams={"Small": [0, 1, 2]})

    report = enps_report(survey=survey).as_dict()

    assert report["total"]["suppressed"] is True
    assert report["trend"][0]["suppressed"] is True


def test_answers_of_the_current_week_are_not_shown_yet():
    survey = enps_survey_answered(teams={"Large": TEAMS["Large"]}, weeks_ago=0)

    assert enps_report(survey=survey).as_dict()["total"]["answers"] == 0


def test_the_minimum_is_a_setting(settings):
    settings.NPS_ENPS_MIN_GROUP = 3
    survey = enps_survey_answered(teams={"Small": [0, 1, 2], "Large": TEAMS["Large"]})

    teams = {row["team"]: row for row in enps_report(survey=survey).as_dict()["teams"]}

    assert teams["Small"]["answers"] == 3


def _report(grid: dict, minimum: int) -> EnpsReport:
    teams = sorted({t for t, _m in grid})
    months = sorted({m for _t, m in grid})

    def added(cells) -> Cell:
        cells = list(cells)
        return Cell(*(sum(getattr(c, k) for c in cells) for k in CATEGORIES))

    return EnpsReport(
        survey=None,  # type: ignore[arg-type]
        min_group=minimum,
        teams={t: added(grid[t, m] for m in months) for t in teams},
        months={m: added(grid[t, m] for t in teams) for m in months},
        grid=grid,
        total=added(grid.values()),
    )


def _random_report(rng: random.Random, minimum: int) -> EnpsReport:
    teams = [f"t{n}" for n in range(rng.randint(1, 5))]
    months = [date(2026, m, 1) for m in range(1, rng.randint(2, 6))]

    def cell() -> Cell:
        if rng.random() < 0.5:
            return Cell(promoters=rng.choice([0, 0, 1, 2, 3, 6]))
        return Cell(*(rng.choice([0, 0, 1, 2]) for _k in CATEGORIES))

    return _report({(t, m): cell() for t in teams for m in months}, minimum)


def _exact(report: EnpsReport) -> list[str]:
    """Every hidden group whose count of a category the figures shown pin to
    one value above 0: a linear program over the hidden groups (each at
    least 0, every line adding up), written apart from surveys/enps.py."""
    named = {"total": report.total}
    named.update({f"team {t}": c for t, c in report.teams.items()})
    named.update({f"month {m}": c for m, c in report.months.items()})
    named.update({f"{t} x {m}": c for (t, m), c in report.grid.items()})
    hidden = [name for name, c in named.items() if not c.shown]
    lines = [("total", [f"team {t}" for t in report.teams])]
    lines += [("total", [f"month {m}" for m in report.months])]
    lines += [(f"team {t}", [f"{t} x {m}" for m in report.months]) for t in report.teams]
    lines += [(f"month {m}", [f"{t} x {m}" for t in report.teams]) for m in report.months]
    found = []
    for category in CATEGORIES:
        a_eq, b_eq = [], []
        for whole, parts in lines:
            row = [(1.0 if n in parts else 0.0) - (1.0 if n == whole else 0.0) for n in hidden]
            shown = sum(getattr(named[p], category) for p in parts if named[p].shown)
            value = (getattr(named[whole], category) if named[whole].shown else 0) - shown
            if any(row):
                a_eq.append(row)
                b_eq.append(value)
        for n, name in enumerate(hidden):
            c = [1.0 if i == n else 0.0 for i in range(len(hidden))]
            low = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None))
            high = linprog([-x for x in c], A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None))
            if low.status or high.status:
                continue  # unbounded: not pinned
            least, most = math.ceil(low.fun - 1e-6), math.floor(-high.fun + 1e-6)
            if most <= least and most > 0:
                found.append(f"{name}: {category} = {most}")
    return found


def test_a_bridge_of_hidden_groups_gives_none_away():
    """Every group of 3 is hidden and every line holds two of them, yet
    T2 x M3 = T1 + T2 - M1 - M2 if all the margins were shown."""
    months = [date(2026, m, 1) for m in (1, 2, 3, 4)]
    rows = {"T1": [3, 3, 0, 0], "T2": [3, 3, 3, 0], "T3": [0, 0, 3, 3], "T4": [0, 0, 3, 3]}
    report = _report(
        {
            (t, m): Cell(promoters=n)
            for t, ns in rows.items()
            for m, n in zip(months, ns, strict=True)
        },
        5,
    )

    _suppress(report)

    assert _exact(report) == []
    assert not report.grid["T2", months[2]].shown
    shown = [c for c in (report.teams["T1"], report.teams["T2"]) if c.shown]
    shown += [c for c in (report.months[months[0]], report.months[months[1]]) if c.shown]
    assert len(shown) < 4  # the bridge needs all four


@pytest.mark.parametrize("seed", range(100))
def test_no_line_of_any_table_gives_a_hidden_group_away_by_subtraction(seed):
    rng = random.Random(seed)
    minimum = rng.choice([3, 5])
    report = _random_report(rng, minimum)

    _suppress(report)

    for whole, parts in _lines(report):
        for part in [whole, *parts]:
            assert part.shown or part.total  # an empty group need not hide
            assert not part.shown or part.total == 0 or part.total >= minimum
        hidden = [p.total for p in parts if not p.shown and p.total]
        if whole.shown:
            # None, or two or more that together are at least a group.
            assert hidden == [] or (len(hidden) >= 2 and sum(hidden) >= minimum)
        elif whole.total:
            assert hidden, "a hidden whole is the sum of its shown parts"
    # Nor can any hidden group be worked out from the whole table.
    assert _exact(report) == []


def test_a_detractor_who_leaves_a_contact_gets_a_case_with_that_contact_only(client):
    invitation = invite(employee_survey(), email="ann@staff.example.com", team="Ops")

    with TestCase.captureOnCommitCallbacks(execute=True):
        reply = client.post(
            invitation.get_absolute_url(),
            {
                "score": 2,
                "comment": "The Ops rota is unfair",
                "contact": "ann.private@example.com",
                "note": "Mornings are best",
            },
        )
        responses_route(response_ids=list(Response.objects.values_list("pk", flat=True)))

    assert "A colleague will contact you" in reply.content.decode()
    response = Response.objects.get()
    assert response.customer.email == "ann.private@example.com"
    assert response.properties == {"employee_contact": True}  # no team, no invitation
    assert response.invitation is None
    assert FollowUpCase.objects.filter(response=response).exists()
    # The anonymous answer is counted as every other, once.
    assert EmployeeAnswer.objects.get().score == 2
    # The case has the note, never the comment listed under the team.
    assert response.comment == "Mornings are best"
    assert "rota" not in str(list(Response.objects.values()))


def test_a_month_is_shown_only_once_it_is_closed_and_never_changes():
    """A figure updated week by week shows each week's new answer as the
    difference: a month shows once all its weeks have ended."""
    survey = employee_survey()
    for n in range(6):
        invite(survey, email=f"e{n}@staff.example.com")
    october = [date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26)]
    for n, week in enumerate([*october, october[0], october[1]]):
        EmployeeAnswer.objects.create(survey=survey, team="Ops", score=n + 4, week=week)

    def total(day):
        now = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        return enps_report(survey=survey, now=now).as_dict()["total"]["answers"]

    # The week of 26 October runs into November: October shows once it has ended.
    assert total(date(2026, 10, 27)) == 0
    assert total(date(2026, 11, 1)) == 0
    assert total(date(2026, 11, 2)) == 6
    assert total(date(2026, 11, 30)) == 6


def test_an_employee_survey_takes_no_customer_answer():
    survey = employee_survey()
    customer = Customer.objects.create(email="c@example.com")

    with pytest.raises(EmployeeSurveyRefused, match="employee survey"):
        response_record(survey=survey, customer=customer, score=3)
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("score", "contact"), [(2, ""), (8, "bo@example.com"), (10, "bo@example.com")]
)
def test_no_case_without_a_contact_or_for_a_passive_or_promoter(client, score, contact):
    invitation = invite(employee_survey())

    client.post(invitation.get_absolute_url(), {"score": score, "contact": contact})

    assert EmployeeAnswer.objects.count() == 1
    assert not Response.objects.exists()
    assert not Customer.objects.exists()


def test_the_page_speaks_the_browser_s_language_else_the_survey_s(client):
    invitation = invite(employee_survey(default_locale="ru"))

    polish = client.get(invitation.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="pl")
    unsaid = Client().get(invitation.get_absolute_url())

    assert polish["Content-Language"] == "pl"
    assert unsaid["Content-Language"] == "ru"
