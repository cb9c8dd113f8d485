"""Surveys, and the NPS report against answers whose result is known."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import Survey
from tests.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/surveys/"


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


FEB_10 = datetime(2025, 2, 10, 12, tzinfo=UTC)


def test_list_returns_surveys_by_name(read_client):
    SurveyFactory(slug="support", name="Support")
    SurveyFactory(slug="checkout", name="Checkout", benchmark_nps=32)

    reply = read_client.get(URL)

    assert reply.status_code == 200
    rows = reply.json()["results"]
    assert [r["slug"] for r in rows] == ["checkout", "support"]
    assert rows[0]["benchmark_nps"] == 32
    assert rows[0]["question"].startswith("How likely")


def test_list_filters_by_status(read_client):
    SurveyFactory(slug="live")
    SurveyFactory(slug="sketch", status=Survey.Status.DRAFT)

    reply = read_client.get(URL, {"status": "draft"})

    assert [r["slug"] for r in reply.json()["results"]] == ["sketch"]


def test_list_costs_the_same_queries_at_2_and_20_rows(read_client):
    SurveyFactory.create_batch(2)
    read_client.get(URL)  # the key's first use records it (once a minute): not counted
    with CaptureQueriesContext(connection) as few:
        read_client.get(URL)
    SurveyFactory.create_batch(18)
    with CaptureQueriesContext(connection) as many:
        read_client.get(URL)
    assert len(many) == len(few)


def test_detail_by_slug(read_client):
    SurveyFactory(slug="checkout", detractor_sla_hours=8)

    reply = read_client.get(f"{URL}checkout/")

    assert (reply.status_code, reply.json()["detractor_sla_hours"]) == (200, 8)


def test_detail_of_an_unknown_slug_is_a_404(read_client):
    reply = read_client.get(f"{URL}nope/")

    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"


# --- NPS --------------------------------------------------------------------


@pytest.fixture
def forty_thirty_thirty():
    """40 promoters, 30 passives, 30 detractors on 10 March: NPS 10, Wald
    margin 16.28 points; plus answers that must not count."""
    survey = SurveyFactory(slug="checkout", benchmark_nps=25)
    for score, count in ((10, 20), (9, 20), (8, 15), (7, 15), (6, 10), (0, 20)):
        ResponseFactory.create_batch(count, survey=survey, score=score, submitted_at=at(10))
    ResponseFactory.create_batch(
        5, survey=survey, score=0, submitted_at=at(10), exclusion_reason="test"
    )
    ResponseFactory.create_batch(
        3, survey=SurveyFactory(slug="other"), score=0, submitted_at=at(10)
    )
    return survey


def nps(client, slug="checkout", **params):
    return client.get(f"{URL}{slug}/nps/", params)


def test_nps_of_a_known_sample(read_client, forty_thirty_thirty):
    reply = nps(read_client)

    assert reply.status_code == 200, reply.json()
    body = reply.json()
    assert {k: body[k] for k in ("total", "promoters", "passives", "detractors")} == {
        "total": 100,
        "promoters": 40,
        "passives": 30,
        "detractors": 30,
    }
    assert (body["promoter_pct"], body["passive_pct"], body["detractor_pct"]) == (40.0, 30.0, 30.0)
    assert body["nps"] == 10.0
    assert body["wald_margin"] == 16.28
    # Adjusted-Wald by hand: n = 103, p = 40.75/103, d = 30.75/103, centre
    # 9.71, margin 1.96 * sqrt((p + d - (p - d)^2) / n) = 15.98 points.
    assert body["confidence_interval"] == {
        "level": 0.95,
        "method": "adjusted-wald",
        "low": -6.27,
        "high": 25.69,
    }
    assert (body["sample_too_small"], body["warning"], body["min_sample"]) == (False, None, 30)
    assert (body["benchmark_nps"], body["difference_from_benchmark"]) == (25, -15.0)
    assert body["survey"] == "checkout"
    assert body["period"] == {"from": None, "to": None, "segment": None}
    # No period, nothing before it to compare with.
    assert (body["previous"], body["change"], body["change_is_significant"]) == (None, None, None)


def test_nps_compares_with_the_period_of_the_same_length_before(read_client, forty_thirty_thirty):
    # February 2025: 10 promoters, 30 detractors (NPS -50), and a segment apart.
    ResponseFactory.create_batch(10, survey=forty_thirty_thirty, score=9, submitted_at=FEB_10)
    ResponseFactory.create_batch(30, survey=forty_thirty_thirty, score=2, submitted_at=FEB_10)
    ResponseFactory.create_batch(
        9, survey=forty_thirty_thirty, score=10, submitted_at=FEB_10, segment="vip"
    )
    body = nps(read_client, **{"from": "2025-03-01", "to": "2025-03-31"}).json()
    previous = body["previous"]
    assert (previous["from"], previous["until"]) == ("2025-01-29T00:00:00Z", "2025-03-01T00:00:00Z")
    assert (previous["total"], previous["nps"]) == (49, round(100 * (19 - 30) / 49, 2))
    assert body["change"] == round(10.0 - previous["nps"], 2)
    assert body["change_is_significant"] is True
    assert previous["confidence_interval"]["low"] < previous["nps"]
    # The other filters hold for the period before too.
    # A period from the first day there is has none before it.
    first = nps(read_client, **{"from": "0001-01-01", "to": "2025-03-31"}).json()
    assert (first["previous"], first["change"]) == (None, None)
    only = nps(read_client, **{"from": "2025-03-01", "to": "2025-03-31", "segment": "vip"}).json()
    assert (only["previous"]["total"], only["total"], only["change"]) == (9, 0, None)
    assert only["change_is_significant"] is False


def test_nps_is_one_aggregate_query_whatever_the_row_count(read_client, forty_thirty_thirty):
    with CaptureQueriesContext(connection) as queries:
        nps(read_client)
    aggregates = [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(aggregates) == 1
    # token, permissions (2, and one more: a key's scope is checked against
    # its user's permissions), the user's departments, the survey, the aggregate.
    assert len(queries) <= 7


def test_nps_of_an_empty_period_has_no_score_and_says_so(read_client, forty_thirty_thirty):
    reply = nps(read_client, **{"from": "2025-04-01", "to": "2025-04-30"})

    body = reply.json()
    assert body["total"] == 0
    assert body["nps"] is body["promoter_pct"] is body["wald_margin"] is None
    assert body["confidence_interval"]["low"] is body["confidence_interval"]["high"] is None
    assert body["sample_too_small"] is True
    assert body["warning"] == "No answers in this selection: there is no NPS to report."
    assert body["difference_from_benchmark"] is None
    assert body["period"] == {"from": "2025-04-01", "to": "2025-04-30", "segment": None}


def test_nps_period_dates_are_inclusive_whole_days(read_client):
    survey = SurveyFactory(slug="checkout")
    ResponseFactory(survey=survey, score=10, submitted_at=at(1, 0))
    ResponseFactory(survey=survey, score=0, submitted_at=at(31, 23))
    ResponseFactory(survey=survey, score=0, submitted_at=datetime(2025, 4, 1, 0, tzinfo=UTC))

    body = nps(read_client, **{"from": "2025-03-01", "to": "2025-03-31"}).json()

    assert (body["promoters"], body["detractors"]) == (1, 1)


def test_nps_period_accepts_date_times(read_client):
    survey = SurveyFactory(slug="checkout")
    ResponseFactory(survey=survey, score=10, submitted_at=at(5, 10))
    ResponseFactory(survey=survey, score=0, submitted_at=at(5, 14))

    body = nps(
        read_client, **{"from": "2025-03-05T12:00:00+01:00", "to": "2025-03-05T14:00:00Z"}
    ).json()

    assert (body["total"], body["detractors"]) == (1, 1)
    assert body["period"]["from"] == "2025-03-05T11:00:00Z"


def test_an_unencoded_plus_in_an_offset_is_understood(read_client):
    SurveyFactory(slug="checkout")

    reply = read_client.get(f"{URL}checkout/nps/?from=2025-03-05T12:00:00+01:00")

    assert reply.json()["period"]["from"] == "2025-03-05T11:00:00Z"


def test_nps_by_segment_uses_the_segment_at_answer_time(read_client):
    survey = SurveyFactory(slug="checkout")
    ResponseFactory.create_batch(3, survey=survey, score=10, segment="vip")
    ResponseFactory.create_batch(2, survey=survey, score=0, segment="smb")

    body = nps(read_client, segment="vip").json()

    assert (body["total"], body["nps"]) == (3, 100.0)
    assert body["sample_too_small"] is True
    assert body["warning"].startswith("Only 3 answers")
    assert body["period"]["segment"] == "vip"


def test_excluded_answers_are_not_counted(read_client):
    survey = SurveyFactory(slug="checkout")
    ResponseFactory(survey=survey, score=10)
    for reason in ("test", "spam", "duplicate"):
        ResponseFactory(survey=survey, score=0, exclusion_reason=reason)

    assert nps(read_client).json()["total"] == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2025-02-30"}, "to"),
        ({"from": "2025-03-10", "to": "2025-03-09"}, "to"),
        ({"to": "2025-03-09T25:00:00Z"}, "to"),
    ],
)
def test_nps_refuses_bad_dates_with_400(read_client, forty_thirty_thirty, params, field):
    reply = nps(read_client, **params)

    assert reply.status_code == 400
    assert set(reply.json()["error"]["fields"]) == {field}


def test_nps_of_an_unknown_survey_is_a_404(read_client):
    reply = nps(read_client, slug="nope")

    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"
