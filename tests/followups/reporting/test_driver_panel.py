"""The dashboard's driver ("main reason") table against answers with known
counts, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import DriverChoice, Survey
from tests.factories import ResponseFactory, SurveyFactory, manager

pytestmark = pytest.mark.django_db

URL = "/admin/dashboard/?survey=known&from=2026-01-01&to=2026-03-31"
WHEN = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture
def survey():
    survey = SurveyFactory(slug="known", driver_question="What mattered most?")
    for n, (key, label) in enumerate([("price", "Price"), ("support", "Support")]):
        DriverChoice.objects.create(survey=survey, key=key, label=label, position=n)
    return survey


def chose(survey, key, scores, when=WHEN):
    choice = DriverChoice.objects.get(survey=survey, key=key)
    for score in scores:
        ResponseFactory(survey=survey, score=score, driver=choice, submitted_at=when)


def cells(html: str, key: str) -> str:
    return re.search(rf'<tr data-driver="{key}">(.*?)</tr>', html, re.S).group(1)


def test_the_driver_table_shows_counts_shares_and_nps_per_choice(client, survey):
    # Price: 3 detractors, 1 promoter; support: 1 detractor, 3 promoters.
    chose(survey, "price", [1, 4, 6, 10])
    chose(survey, "support", [5, 9, 9, 10])
    chose(survey, "price", [0], when=datetime(2025, 6, 1, tzinfo=UTC))  # outside the period
    client.force_login(manager("boss"))

    html = client.get(URL).text

    assert "What mattered most?" in html
    price, support = cells(html, "price"), cells(html, "support")
    assert 'data-count="4"' in price and 'data-count="4"' in support
    # 3 of the 4 detractors who answered chose price, 1 of the 4 promoters.
    assert 'data-detractors="3">75%' in price
    assert 'data-promoters="1">25%' in price
    assert 'data-detractors="1">25%' in support
    assert 'data-promoters="3">75%' in support
    # NPS of those who chose it: price (1 - 3) / 4, support (3 - 1) / 4.
    assert 'data-nps="-50.0"' in price
    assert 'data-nps="50.0"' in support


def test_the_driver_table_costs_the_same_queries_at_any_size(client, survey):
    client.force_login(manager("boss"))
    chose(survey, "price", [3])

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context.captured_queries)

    few = count()
    chose(survey, "price", [1, 2, 9, 10] * 5)
    chose(survey, "support", [7, 8, 9] * 5)
    assert count() == few


def test_a_survey_without_a_driver_question_has_no_driver_table(client):
    SurveyFactory(slug="known")
    client.force_login(manager("boss"))

    assert "panel-drivers" not in client.get(URL).text


def test_the_driver_table_heading_and_rows_are_in_the_readers_language(client, survey):
    Survey.objects.filter(pk=survey.pk).update(driver_question_pl="Co było najważniejsze?")
    DriverChoice.objects.filter(survey=survey, key="price").update(label_pl="Cena")
    chose(survey, "price", [1, 10])
    chose(survey, "support", [9])
    client.force_login(manager("boss"))

    polish = client.get(URL, HTTP_ACCEPT_LANGUAGE="pl").text
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").text

    heading = re.search(r'<h2 id="h-drivers">(.*?)</h2>', polish, re.S).group(1)
    assert "Co było najważniejsze?" in heading
    assert "What mattered most?" not in heading
    assert "Cena" in cells(polish, "price")
    assert "Support" in cells(polish, "support")  # no Polish label: English
    assert "What mattered most?" in re.search(r'<h2 id="h-drivers">(.*?)</h2>', english, re.S)[1]
