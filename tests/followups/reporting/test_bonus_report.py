"""The bonus for non-responders in the report: reminders with and without it,
answered within the window, per wave and in all, in the report API, the
dashboard and the report command."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from followups.models import BonusArm, BonusGrant, ReminderBonusAssignment
from followups.reporting.bonus import reminder_bonus_comparison
from followups.reporting.reports import Selection
from surveys.models import Wave
from tests.factories import (
    InvitationFactory,
    ResponseFactory,
    RewardFactory,
    SurveyFactory,
    manager,
)
from tests.surveys.api.conftest import key_for

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="([^"]+)" data-count="(\d+)"')

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
REMINDED = NOW - timedelta(days=10)


@pytest.fixture
def survey():
    return SurveyFactory(slug="checkout")


def reminders(survey, wave, arm, *, answered, late=0, unanswered, segment="retail"):
    """``answered`` within the window, ``late`` after it, ``unanswered`` not at all."""
    reward = RewardFactory() if arm == BonusArm.WITH else None
    for n in range(answered + late + unanswered):
        invitation = InvitationFactory(survey=survey, wave=wave, customer__segment=segment)
        assignment = ReminderBonusAssignment.objects.create(
            invitation=invitation,
            survey=survey,
            customer=invitation.customer,
            wave=wave,
            arm=arm,
            reward=reward,
            reminded_at=REMINDED,
            window_ends_at=REMINDED + timedelta(days=3),
        )
        if n < answered + late:
            when = REMINDED + timedelta(days=1 if n < answered else 5)
            response = ResponseFactory(
                survey=survey, customer=invitation.customer, invitation=invitation
            )
            ReminderBonusAssignment.objects.filter(pk=assignment.pk).update(
                answered_at=when, response=response
            )
            if arm == BonusArm.WITH and n < answered:
                BonusGrant.objects.create(
                    assignment=assignment,
                    response=response,
                    survey=survey,
                    customer=invitation.customer,
                    reward=reward,
                    code=f"BON-{assignment.pk}",
                    expires_at=NOW + timedelta(days=30),
                )


@pytest.fixture
def two_waves(survey):
    spring = Wave.objects.create(survey=survey, started_at=NOW - timedelta(days=30))
    later = Wave.objects.create(survey=survey, started_at=NOW - timedelta(days=20))
    reminders(survey, spring, BonusArm.WITH, answered=6, late=1, unanswered=3)
    reminders(survey, spring, BonusArm.WITHOUT, answered=2, late=1, unanswered=7)
    reminders(survey, later, BonusArm.WITH, answered=1, unanswered=1, segment="smb")
    return spring, later


def period(survey, segment=""):
    return Selection(survey, NOW - timedelta(days=60), NOW, segment)


def test_each_wave_and_the_total_compare_reminders_answered_within_the_window(survey, two_waves):
    spring, later = two_waves
    rows = reminder_bonus_comparison(period(survey))
    assert [row.wave_id for row in rows] == [later.pk, spring.pk, None]
    newest, oldest, total = rows
    # Late answers are reminders answered, but not within the window: not counted.
    assert (oldest.with_bonus.hits, oldest.with_bonus.n) == (6, 10)
    assert (oldest.without_bonus.hits, oldest.without_bonus.n) == (2, 10)
    assert oldest.granted == 6
    assert (newest.without_bonus.n, newest.difference["points"]) == (0, None)
    assert (total.with_bonus.hits, total.with_bonus.n, total.granted) == (7, 12, 7)
    assert total.label == "All reminders"
    assert oldest.difference["points"] == 40.0
    assert oldest.difference["low"] < 40.0 < oldest.difference["high"]


def test_an_answer_given_before_the_reminder_is_no_answer_to_it(client, survey):
    spring = Wave.objects.create(survey=survey, started_at=NOW - timedelta(days=30))
    reminders(survey, spring, BonusArm.WITHOUT, answered=1, unanswered=1)
    raced = ReminderBonusAssignment.objects.exclude(answered_at=None).get()
    ReminderBonusAssignment.objects.filter(pk=raced.pk).update(
        answered_at=REMINDED - timedelta(minutes=1)
    )

    [row, _total] = reminder_bonus_comparison(period(survey))

    assert (row.without_bonus.hits, row.without_bonus.n) == (0, 2)
    client.force_login(manager("boss"))
    listing = client.get(row.links["without"]["answered"])
    assert listing.context["cl"].result_count == 0


def test_the_total_compares_the_arms_wave_by_wave_not_pooled(survey):
    # The bonus does nothing (10% answer in wave A, 40% in wave B, in both
    # arms), but wave B put 80% of its reminders in the bonus arm.
    quiet = Wave.objects.create(survey=survey, started_at=NOW - timedelta(days=30))
    eager = Wave.objects.create(survey=survey, started_at=NOW - timedelta(days=20))
    reminders(survey, quiet, BonusArm.WITH, answered=2, unanswered=18)
    reminders(survey, quiet, BonusArm.WITHOUT, answered=8, unanswered=72)
    reminders(survey, eager, BonusArm.WITH, answered=32, unanswered=48)
    reminders(survey, eager, BonusArm.WITHOUT, answered=8, unanswered=12)

    *waves, total = reminder_bonus_comparison(period(survey))

    assert [wave.difference["points"] for wave in waves] == [0.0, 0.0]
    # Pooled, 34% against 16%: 18 points the bonus never made.
    assert (total.with_bonus.pct, total.without_bonus.pct) == (34.0, 16.0)
    assert total.difference["points"] == 0.0
    assert total.difference["low"] < 0 < total.difference["high"]
    assert not total.difference["significant"]
    assert total.as_dict()["difference"] == total.difference


def test_a_segment_narrows_the_comparison_to_its_customers(survey, two_waves):
    _spring, later = two_waves
    rows = reminder_bonus_comparison(period(survey, segment="smb"))
    assert [row.wave_id for row in rows] == [later.pk, None]


def test_no_reminder_under_a_bonus_means_no_comparison(survey):
    assert reminder_bonus_comparison(period(survey)) == []


def test_the_report_api_gives_both_rates_their_intervals_and_the_difference(survey, two_waves):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key_for(manager('boss'), 'reports:read')}")
    with time_machine.travel(NOW, tick=False):
        body = client.get("/api/v1/reports/kpis/", {"survey": "checkout"}).json()
    total = body["reminder_bonus"][-1]
    assert total["wave"] is None and total["granted"] == 7
    assert total["with_bonus"]["n"] == 12 and total["with_bonus"]["hits"] == 7
    assert total["without_bonus"]["pct"] == 20.0
    interval = total["without_bonus"]["confidence_interval"]
    assert interval["method"] == "agresti-coull" and interval["low"] < 20.0 < interval["high"]
    assert set(total["difference"]) == {"points", "low", "high", "significant"}


def test_the_dashboard_shows_the_bonus_panel_per_wave(client, survey, two_waves):
    spring, _later = two_waves
    client.force_login(manager("boss"))
    with time_machine.travel(NOW, tick=False):
        html = client.get("/admin/dashboard/?survey=checkout").text
    assert 'id="panel-bonus"' in html
    row = re.search(rf'data-bonus-wave="{spring.pk}">(.*?)</tr>', html, re.S).group(1)
    assert 'data-with="60.0"' in row and 'data-without="20.0"' in row
    assert 'data-difference="40.0"' in row and 'data-granted="6"' in row


def test_the_dashboard_has_no_bonus_panel_without_bonus_reminders(client, survey):
    client.force_login(manager("boss"))
    assert 'id="panel-bonus"' not in client.get("/admin/dashboard/?survey=checkout").text


def test_the_report_command_prints_the_comparison_as_csv(survey, two_waves):
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("nps_report", "checkout", "--bonus", "--csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["group"] for row in rows][-1] == "All reminders"
    oldest = rows[1]
    assert (oldest["with_reminded"], oldest["with_answered"], oldest["with_pct"]) == (
        "10",
        "6",
        "60.0",
    )
    assert (oldest["without_pct"], oldest["difference"], oldest["granted"]) == ("20.0", "40.0", "6")


@pytest.mark.parametrize("segment", ["", "smb"])
def test_every_number_of_the_bonus_panel_leads_to_as_many_reminders(
    client, survey, two_waves, segment
):
    client.force_login(manager("boss"))
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/admin/dashboard/?survey=checkout&segment={segment}").text
        panel = page[page.index('id="panel-bonus"') :]
        panel = panel[: panel.index("</section>")]
        links = [(html.unescape(href), int(n)) for href, n in LINK.findall(panel)]
        # Two links per arm that had reminders, one for the bonuses granted;
        # the later wave (and, in smb, the total) has no reminder without.
        assert len(links) == (5 + 3 + 5 if not segment else 3 + 3)
        for href, count in links:
            listing = client.get(href)
            assert listing.status_code == 200, href
            assert listing.context["cl"].result_count == count, href


def test_the_bonus_panel_downloads_each_wave_and_the_stratified_total(client, survey, two_waves):
    spring, _later = two_waves
    client.force_login(manager("boss"))
    with time_machine.travel(NOW, tick=False):
        page = client.get("/admin/dashboard/?survey=checkout").text
        reply = client.get("/admin/dashboard/?survey=checkout&export=bonus")
    assert "export=bonus" in page
    assert reply["Content-Type"].startswith("text/csv")
    text = b"".join(reply.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = reminder_bonus_comparison(period(survey))

    assert [row["label"] for row in rows] == [row.label for row in expected]
    oldest = next(row for row in rows if row["wave"] == str(spring.pk))
    assert (oldest["with_answered"], oldest["with_reminded"], oldest["with_pct"]) == (
        "6",
        "10",
        "60.0",
    )
    low, high = expected[1].without_bonus.confidence_interval
    assert (oldest["without_ci_low"], oldest["without_ci_high"]) == (
        str(round(low, 2)),
        str(round(high, 2)),
    )
    assert (oldest["difference"], oldest["granted"]) == ("40.0", "6")
    total = rows[-1]
    assert total["wave"] == "" and total["granted"] == "7"
    assert total["difference_low"] == str(expected[-1].difference["low"])
