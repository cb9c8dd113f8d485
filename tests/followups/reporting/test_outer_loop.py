"""The weekly digest, the report command, the KPI API and improvement actions."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase
from rest_framework.test import APIClient

from followups.models import FollowUpCase, ImprovementAction, RootCause, StaffProfile
from followups.reporting import reports
from followups.reporting.digest import digest_send
from tests.factories import ResponseFactory, SurveyFactory, manager, staff_member
from tests.followups.cases import open_case
from tests.surveys.api.conftest import key_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


def answers(survey, counts, *, when, segment="retail"):
    for score, n in counts.items():
        for _ in range(n):
            ResponseFactory(survey=survey, score=score, submitted_at=when, segment=segment)


def test_weekly_digest_goes_once_a_week_to_each_manager_in_their_language(mailoutbox):
    survey = SurveyFactory(name="Relationship")
    answers(survey, {10: 6, 2: 2}, when=NOW - timedelta(days=2))
    boss = manager("boss", email="boss@example.com", first_name="Magda")
    StaffProfile.objects.create(user=boss, language="pl")
    manager("quiet", email="quiet@example.com")
    StaffProfile.objects.create(user=manager("optout", email="o@example.com"), wants_digest=False)
    staff_member("sam", email="sam@example.com")
    case = open_case(created_at=NOW - timedelta(days=3), sla_hours=24)
    assert case.is_overdue(NOW)
    for _ in range(2):  # beat may run twice; one digest per week
        with time_machine.travel(NOW, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
            digest_send()
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_recipient) == ["boss@example.com", "quiet@example.com"]
    polish = by_recipient["boss@example.com"]
    assert "Tygodniowe podsumowanie NPS" in polish.subject
    assert "Dzień dobry, Magda" in polish.body
    assert "NPS 50,0" in polish.body or "NPS 50.0" in polish.body
    assert "po terminie: 1" in polish.body
    english = by_recipient["quiet@example.com"]
    assert "1 overdue" in english.subject


def test_nps_report_command_prints_a_table_and_csv_by_segment():
    survey = SurveyFactory(slug="rel")
    answers(survey, {10: 4}, when=datetime(2026, 3, 1, tzinfo=UTC), segment="smb")
    answers(survey, {0: 1, 9: 1}, when=datetime(2026, 3, 2, tzinfo=UTC), segment="enterprise")
    out = io.StringIO()
    call_command(
        "nps_report",
        "rel",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--by",
        "segment",
        "--csv",
        stdout=out,
    )
    rows = {row["group"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows["smb"]["nps"] == "100.0" and rows["smb"]["answers"] == "4"
    assert rows["enterprise"]["nps"] == "0.0"
    assert rows["total"]["answers"] == "6"
    assert rows["total"]["note"] == "too few answers"
    table = io.StringIO()
    call_command("nps_report", "rel", "--from", "2026-01-01", "--to", "2026-12-31", stdout=table)
    assert "2026-03" in table.getvalue()


def test_nps_report_command_explains_bad_input():
    SurveyFactory(slug="rel")
    with pytest.raises(CommandError, match="Known surveys: rel"):
        call_command("nps_report", "nope")
    with pytest.raises(CommandError, match="must be a date"):
        call_command("nps_report", "rel", "--from", "March")


def test_kpi_api_gives_managers_all_cases_and_staff_their_own():
    survey = SurveyFactory(slug="rel")
    sam = staff_member("sam")
    for owner in (sam, None):
        case = open_case(owner=owner, created_at=NOW - timedelta(days=5))
        FollowUpCase.objects.filter(pk=case.pk).update(
            survey=survey, first_contact_at=NOW - timedelta(days=5) + timedelta(hours=4)
        )

    def get(user, **params):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key_for(user, 'reports:read')}")
        return client.get("/api/v1/reports/kpis/", {"survey": "rel", **params})

    with time_machine.travel(NOW, tick=False):
        as_manager = get(manager("boss")).json()
        as_staff = get(sam).json()
    assert (as_manager["cases"], as_manager["scope"]) == (2, "all cases")
    assert as_manager["first_contact_hours"] == {"median": 4.0, "p90": 4.0}
    assert as_manager["within_sla_pct"] == 100.0
    assert (as_staff["cases"], as_staff["scope"]) == (1, "my cases")
    bad = get(sam, **{"from": "2026-06-10", "to": "2026-06-01"})
    assert bad.status_code == 400
    assert get(sam, survey="nope").status_code == 404
    assert APIClient().get("/api/v1/reports/kpis/?survey=rel").status_code == 401


def test_improvement_action_shows_nps_before_and_after_in_its_segment(client):
    survey = SurveyFactory(slug="rel")
    start = datetime(2026, 4, 1, tzinfo=UTC)
    answers(survey, {0: 30, 10: 10}, when=start - timedelta(days=20), segment="smb")
    answers(survey, {0: 10, 10: 30}, when=start + timedelta(days=20), segment="smb")
    answers(survey, {0: 50}, when=start + timedelta(days=20), segment="enterprise")
    boss = manager("boss")
    action = ImprovementAction.objects.create(
        title="Faster couriers",
        survey=survey,
        owner=boss,
        root_cause=RootCause.objects.create(name="Slow delivery"),
        target_segment="smb",
        effective_from=start,
        status="done",
    )
    [effect] = reports.action_effects([action], now=start + timedelta(days=60))
    assert effect.before.nps == pytest.approx(-50.0)
    assert effect.after.nps == pytest.approx(50.0)
    assert effect.change == pytest.approx(100.0) and effect.is_significant
    client.force_login(boss)
    html = client.get("/admin/dashboard/?survey=rel&from=2026-01-01&to=2026-06-01").content.decode()
    assert "Faster couriers" in html
    assert 'data-before="-50.0"' in html and 'data-after="50.0"' in html
    # Each side with its interval, as every number a manager compares.
    low, high = (round(x) for x in effect.before.confidence_interval)
    assert f"[{low}; {high}] (n=40)" in html
