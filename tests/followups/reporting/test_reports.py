"""Every figure of the reports against a data set with known answers."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from followups.models import GrantStatus, ImprovementAction, OfferGrant, RootCause
from followups.reporting import reports
from followups.routing import responses_route
from surveys.models import Survey
from tests.factories import (
    FollowUpCaseFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
    manager,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def survey():
    return SurveyFactory(slug="known", benchmark_nps=20)


def answers(survey, counts, *, when, segment="retail"):
    """counts: {score: how many}"""
    for score, n in counts.items():
        for _ in range(n):
            ResponseFactory(survey=survey, score=score, submitted_at=when, segment=segment)


def selection(survey, segment=""):
    return reports.Selection(survey, START, END, segment)


def test_nps_panel_matches_the_40_30_30_example_and_compares_with_the_period_before(survey):
    answers(survey, {10: 40, 8: 30, 3: 30}, when=datetime(2026, 2, 10, tzinfo=UTC))
    answers(survey, {10: 20, 8: 20, 0: 60}, when=datetime(2025, 11, 1, tzinfo=UTC))
    answers(survey, {0: 5}, when=datetime(2026, 2, 10, tzinfo=UTC))  # excluded below
    from surveys.models import Response

    Response.objects.filter(score=0, submitted_at__year=2026).update(exclusion_reason="spam")
    panel = reports.nps_panel(selection(survey))
    assert (panel.current.promoters, panel.current.passives, panel.current.detractors) == (
        40,
        30,
        30,
    )
    assert panel.current.nps == pytest.approx(10.0)
    assert panel.current.wald_margin == pytest.approx(16.28, abs=0.01)
    assert panel.previous.nps == pytest.approx(-40.0)
    assert panel.change == pytest.approx(50.0)
    assert panel.change_is_significant
    assert panel.benchmark == 20


def test_an_empty_period_has_no_score_and_no_change(survey):
    panel = reports.nps_panel(selection(survey))
    assert panel.current.total == 0 and panel.current.nps is None
    assert panel.change is None and not panel.change_is_significant
    assert reports.trend(selection(survey)) == []
    assert reports.distribution(selection(survey)) == [0] * 11


def test_a_single_answer_is_reported_with_a_wide_interval_and_a_warning(survey):
    answers(survey, {9: 1}, when=datetime(2026, 3, 1, tzinfo=UTC))
    summary = reports.nps_panel(selection(survey)).current
    assert summary.nps == 100
    low, high = summary.confidence_interval
    assert high - low > 100
    assert "Only 1 answer" in summary.warning


def test_distribution_trend_and_segments(survey):
    answers(survey, {10: 3, 7: 1}, when=datetime(2026, 1, 15, tzinfo=UTC), segment="smb")
    answers(survey, {2: 2, 9: 2}, when=datetime(2026, 3, 5, tzinfo=UTC), segment="enterprise")
    assert reports.distribution(selection(survey)) == [0, 0, 2, 0, 0, 0, 0, 1, 0, 2, 3]
    trend = reports.trend(selection(survey))
    assert [(p.month, s.nps) for p, s in trend] == [(1, 75.0), (3, 0.0)]
    segments = dict(reports.by_segment(selection(survey)))
    assert segments["smb"].nps == 75.0 and segments["enterprise"].nps == 0.0
    only_smb = reports.nps_panel(selection(survey, segment="smb")).current
    assert only_smb.total == 4


def test_response_rate_counts_answered_invitations(survey):
    from tests.factories import InvitationFactory

    for answered in (True, True, False, False, False):
        InvitationFactory(
            survey=survey,
            created_at=datetime(2026, 2, 1, tzinfo=UTC),
            responded_at=datetime(2026, 2, 2, tzinfo=UTC) if answered else None,
        )
    rate = reports.response_rate(selection(survey))
    assert (rate["invited"], rate["answered"], rate["rate"]) == (5, 2, 40.0)


def _case(survey, *, contact_after, resolve_after=None, sla_hours=24, cause=None, owner=None):
    created = datetime(2026, 2, 1, 9, tzinfo=UTC)
    return FollowUpCaseFactory(
        response__survey=survey,
        owner=owner,
        created_at=created,
        due_at=created + timedelta(hours=sla_hours),
        first_contact_at=created + timedelta(hours=contact_after) if contact_after else None,
        resolved_at=created + timedelta(hours=resolve_after) if resolve_after else None,
        status="resolved" if resolve_after else "in_progress" if contact_after else "new",
        root_cause=cause,
    )


def test_loop_kpis_sla_share_medians_and_percentiles(survey):
    slow = RootCause.objects.create(name="Slow")
    price = RootCause.objects.create(name="Price")
    for contact, resolve in ((2, 10), (4, 20), (10, 30), (30, 40)):
        _case(survey, contact_after=contact, resolve_after=resolve, cause=slow)
    _case(survey, contact_after=None, cause=price)  # not contacted yet, overdue now
    kpis = reports.loop_kpis(selection(survey), now=datetime(2026, 3, 1, tzinfo=UTC))
    assert (kpis.cases, kpis.contacted, kpis.contacted_within_sla) == (5, 4, 3)
    assert kpis.within_sla_pct == pytest.approx(60.0)
    # first contact hours 2, 4, 10, 30: median 7, p90 = 10 + 0.7 * 20 = 24
    assert kpis.first_contact_hours == pytest.approx([7.0, 24.0])
    # resolution hours 10, 20, 30, 40: median 25, p90 = 30 + 0.7 * 10 = 37
    assert kpis.resolution_hours == pytest.approx([25.0, 37.0])
    assert (kpis.open, kpis.overdue) == (1, 1)
    causes = reports.root_causes(selection(survey))
    assert causes == [
        {"root_cause": slow.pk, "root_cause__name": "Slow", "count": 4},
        {"root_cause": price.pk, "root_cause__name": "Price", "count": 1},
    ]


def test_cases_by_owner_and_root_causes_are_named_sorted_and_two_queries_each(survey):
    ada = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    bo = UserFactory(username="bo", first_name="Bo", last_name="Diddley")
    slow, price = (RootCause.objects.create(name=name) for name in ("Slow", "Price"))
    for owner, contact, cause in ((ada, None, slow), (bo, None, price), (bo, 3, slow)):
        _case(survey, contact_after=contact, owner=owner, cause=cause)
    _case(survey, contact_after=None, cause=price)  # unassigned
    _case(survey, contact_after=2, resolve_after=5, owner=ada)  # resolved, no cause
    now = datetime(2026, 3, 1, tzinfo=UTC)  # every open case overdue
    with CaptureQueriesContext(connection) as context:
        owners = reports.cases_by_owner(selection(survey), now=now)
    assert len(context.captured_queries) == 2  # the counts, then the names
    assert [tuple(row.values()) for row in owners] == [
        (bo.pk, "bo", "Bo", "Diddley", 2, 2, 0),
        (ada.pk, "ada", "Ada", "Lovelace", 1, 1, 1),
        (None, None, None, None, 1, 1, 0),  # unassigned last on equal counts
    ]
    assert list(owners[0]) == [
        "owner",
        "owner__username",
        "owner__first_name",
        "owner__last_name",
        "open",
        "overdue",
        "resolved",
    ]
    # Equal counts: by name.
    assert reports.root_causes(selection(survey)) == [
        {"root_cause": price.pk, "root_cause__name": "Price", "count": 2},
        {"root_cause": slow.pk, "root_cause__name": "Slow", "count": 2},
    ]
    assert reports.root_causes(selection(survey), limit=1) == [
        {"root_cause": price.pk, "root_cause__name": "Price", "count": 2}
    ]
    feb = datetime(2026, 2, 1, tzinfo=UTC)
    assert reports.root_cause_trend(selection(survey)) == [
        {"period": feb, "root_cause": price.pk, "root_cause__name": "Price", "count": 2},
        {"period": feb, "root_cause": slow.pk, "root_cause__name": "Slow", "count": 2},
    ]


def test_case_panels_ask_the_same_queries_with_nobody_and_nothing_to_name(survey):
    _case(survey, contact_after=None)  # unassigned, no root cause
    with CaptureQueriesContext(connection) as context:
        owners = reports.cases_by_owner(selection(survey))
        causes = reports.root_causes(selection(survey))
    assert owners == [
        {
            "owner": None,
            "owner__username": None,
            "owner__first_name": None,
            "owner__last_name": None,
            "open": 1,
            "overdue": 1,
            "resolved": 0,
        }
    ]
    assert causes == []
    assert len(context.captured_queries) == 4


def test_loop_kpis_of_an_empty_period_are_empty(survey):
    kpis = reports.loop_kpis(selection(survey))
    assert kpis.cases == 0 and kpis.within_sla_pct is None
    assert kpis.first_contact_hours == [None, None]


def test_dashboard_queries_do_not_grow_with_the_data(client, survey):
    boss = manager("boss")
    client.force_login(boss)
    url = "/admin/dashboard/?survey=known&from=2026-01-01&to=2026-03-31"
    answers(survey, {10: 2, 3: 2}, when=datetime(2026, 2, 1, tzinfo=UTC))
    _case(survey, contact_after=3, resolve_after=9)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    few = count()
    for month in (1, 2, 3):
        answers(
            survey,
            {10: 5, 8: 5, 1: 5},
            when=datetime(2026, month, 3, tzinfo=UTC),
            segment=f"s{month}",
        )
        _case(survey, contact_after=5, resolve_after=50, owner=UserFactory(username=f"u{month}"))
    assert count() == few


def test_staff_see_the_dashboard_with_their_own_numbers_only(client, survey):
    from tests.factories import staff_member

    sam = staff_member("sam")
    slow = RootCause.objects.create(name="Slow")
    _case(survey, contact_after=3, owner=sam, cause=slow)
    _case(survey, contact_after=3, cause=slow)
    client.force_login(sam)
    html = client.get("/admin/dashboard/?survey=known&from=2026-01-01&to=2026-03-31").text
    assert re.search(r'data-kpi="cases"><a [^>]*data-count="1">1</a>', html)
    # Root causes of their own cases: the case list they lead to shows no other.
    assert re.search(r'data-cause="Slow"><a [^>]*data-count="1">1</a>', html)
    assert "panel-owners" not in html


def test_bad_parameters_fall_back_with_a_message(client, survey):
    client.force_login(manager("boss"))
    response = client.get("/admin/dashboard/?survey=nope&from=yesterday")
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is no survey “nope”" in text
    assert "is not a date" in text


def test_the_dashboard_is_for_staff_only(client):
    assert client.get("/admin/dashboard/").status_code == 302
    client.force_login(UserFactory(username="outsider", is_staff=True))
    assert client.get("/admin/dashboard/").status_code == 403


def _route_everything():
    """Route every answer not yet routed, as the worker would, at the current time."""
    from django.test import TestCase

    from surveys.models import Response

    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(
            response_ids=list(
                Response.objects.filter(routed_at__isnull=True).values_list("pk", flat=True)
            )
        )


def test_grants_count_the_surveys_offers_and_rewards_issued_and_redeemed_in_the_period(survey):
    other = SurveyFactory(slug="other")
    with time_machine.travel("2026-02-10 12:00 +0000", tick=False):
        answers(survey, {8: 3, 10: 2}, when=datetime(2026, 2, 10, tzinfo=UTC), segment="smb")
        answers(survey, {7: 1}, when=datetime(2026, 2, 10, tzinfo=UTC), segment="enterprise")
        answers(other, {8: 4, 9: 4}, when=datetime(2026, 2, 10, tzinfo=UTC), segment="smb")
        _route_everything()
    with time_machine.travel("2026-04-10 12:00 +0000", tick=False):  # after the period
        answers(survey, {8: 5}, when=datetime(2026, 4, 10, tzinfo=UTC), segment="smb")
        _route_everything()
    smb = OfferGrant.objects.filter(response__survey=survey, response__segment="smb")
    in_time, late = smb.order_by("pk")[:2]
    OfferGrant.objects.filter(pk=in_time.pk).update(
        status=GrantStatus.REDEEMED, redeemed_at=F("expires_at")
    )
    # Marked redeemed by hand a day after it expired, before checkout refused that.
    OfferGrant.objects.filter(pk=late.pk).update(
        status=GrantStatus.REDEEMED, redeemed_at=F("expires_at") + timedelta(days=1)
    )
    assert reports.grants(selection(survey)) == {
        "offers": {"issued": 4, "redeemed": 2, "redeemed_in_time": 1},
        "rewards": {"issued": 2, "redeemed": 0, "redeemed_in_time": 0},
    }
    assert reports.grants(selection(survey, segment="enterprise")) == {
        "offers": {"issued": 1, "redeemed": 0, "redeemed_in_time": 0},
        "rewards": {"issued": 0, "redeemed": 0, "redeemed_in_time": 0},
    }


def test_the_grants_panel_reads_grant_rows_only_unless_a_segment_is_asked_for(survey):
    def tables(chosen):
        with CaptureQueriesContext(connection) as context:
            reports.grants(chosen)
        return [query["sql"] for query in context.captured_queries]

    assert len(tables(selection(survey))) == 2
    assert not any("surveys_response" in sql for sql in tables(selection(survey)))
    assert all("surveys_response" in sql for sql in tables(selection(survey, segment="smb")))


def _action(survey, title, *, effective_from, segment=""):
    return ImprovementAction.objects.create(
        title=title,
        survey=survey,
        owner=manager("boss"),
        root_cause=RootCause.objects.get_or_create(name="Slow delivery")[0],
        target_segment=segment,
        effective_from=effective_from,
        status=ImprovementAction.Status.DONE,
    )


def test_action_effects_of_several_actions_in_one_query_the_open_window_counted_until_now(
    survey,
):
    from surveys.models import Response

    first, second = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    now = datetime(2026, 3, 31, tzinfo=UTC)
    answers(survey, {0: 4}, when=datetime(2025, 12, 20, tzinfo=UTC), segment="smb")
    answers(survey, {10: 4}, when=datetime(2026, 1, 10, tzinfo=UTC), segment="smb")
    answers(survey, {0: 3}, when=datetime(2026, 1, 10, tzinfo=UTC), segment="enterprise")
    answers(survey, {10: 2, 8: 1}, when=datetime(2026, 3, 10, tzinfo=UTC))
    answers(survey, {0: 5}, when=datetime(2026, 4, 5, tzinfo=UTC))  # after "now"
    answers(SurveyFactory(slug="other"), {0: 6}, when=datetime(2026, 1, 10, tzinfo=UTC))
    spam = ResponseFactory(survey=survey, score=0, submitted_at=datetime(2026, 1, 10, tzinfo=UTC))
    Response.objects.filter(pk=spam.pk).update(exclusion_reason="spam", segment="smb")
    in_smb = _action(survey, "Faster couriers", effective_from=first, segment="smb")
    everywhere = _action(survey, "Status page", effective_from=second)
    nobody = _action(survey, "Gold tier", effective_from=first, segment="gold")
    planned = _action(survey, "Chat support", effective_from=None)

    def counts(summary):
        return (summary.promoters, summary.passives, summary.detractors)

    with CaptureQueriesContext(connection) as context:
        effects = reports.action_effects([in_smb, planned, everywhere, nobody], now=now)
    assert len(context.captured_queries) == 1
    assert [effect.action for effect in effects] == [in_smb, everywhere, nobody]
    smb, status_page, gold = effects
    assert (counts(smb.before), counts(smb.after)) == ((0, 0, 4), (4, 0, 0))
    assert smb.change == pytest.approx(200.0)
    # Its after window is still open: it ends now, not 90 days after.
    assert (counts(status_page.before), counts(status_page.after)) == ((4, 0, 7), (2, 1, 0))
    assert (gold.before.total, gold.after.total, gold.change) == (0, 0, None)


def test_the_trend_chart_names_its_period_in_the_readers_language(client, survey):
    client.force_login(manager("boss"))
    answers(survey, {10: 2, 3: 2}, when=datetime(2026, 2, 1, tzinfo=UTC))

    url = "/admin/dashboard/?survey=known&from=2026-01-01&to=2026-03-31&by=week"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    assert "NPS według tygodnia z przedziałem 95%" in html


def test_the_dashboard_opens_on_the_survey_last_looked_at_else_the_latest_answered(client):
    client.force_login(manager("boss"))
    older = SurveyFactory(slug="a-older", name="A older")  # first by name
    newer = SurveyFactory(slug="b-newer", name="B newer")
    ResponseFactory(survey=older, submitted_at=datetime(2026, 1, 1, tzinfo=UTC))
    ResponseFactory(survey=newer, submitted_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert client.get("/admin/dashboard/").context["selection"].survey == newer
    client.get("/admin/dashboard/?survey=a-older")
    assert client.get("/admin/dashboard/").context["selection"].survey == older
    # A remembered survey back in draft falls back to the latest answered.
    Survey.objects.filter(pk=older.pk).update(status=Survey.Status.DRAFT)
    assert client.get("/admin/dashboard/").context["selection"].survey == newer


def test_segments_apart_from_the_rest_are_marked_with_the_false_discovery_rate_held(client, survey):
    when = datetime(2026, 2, 10, tzinfo=UTC)
    answers(survey, {10: 45, 7: 10, 2: 5}, when=when, segment="fans")  # NPS 67
    answers(survey, {9: 10, 8: 10, 1: 40}, when=when, segment="angry")  # NPS -50
    answers(survey, {9: 25, 8: 25, 3: 20}, when=when, segment="middle")  # NPS 7
    answers(survey, {9: 2, 3: 1}, when=when, segment="tiny")
    segments = reports.by_segment(selection(survey))
    names = [name for name, _s in segments]
    apart = dict(zip(names, reports.segments_apart(segments), strict=True))
    assert apart == {"angry": "below", "fans": "above", "middle": "", "tiny": ""}
    client.force_login(manager("boss"))
    page = client.get("/admin/dashboard/?survey=known&from=2026-01-01&to=2026-03-31").text
    assert 'data-label="fans"' in page and 'data-apart="above"' in page
    assert "Benjamini-Hochberg" in page


def test_no_segment_is_marked_when_they_differ_only_by_chance(survey):
    when = datetime(2026, 2, 10, tzinfo=UTC)
    for index in range(12):  # twelve segments of one population
        answers(survey, {9: 5 + index % 3, 8: 4, 2: 5}, when=when, segment=f"s{index}")
    segments = reports.by_segment(selection(survey))
    assert reports.segments_apart(segments) == [""] * 12
