"""A period's computed themes are reported to the endpoints that want
``themes.computed``, with each theme's id, name, words, share and NPS."""

from __future__ import annotations

import pytest
from django.test import TestCase

from followups.insights import themes
from followups.models import ThemePeriod
from tests.factories import SurveyFactory
from tests.followups.insights import WEEK_1, answers_in, language
from tests.followups.webhooks import Receiver, endpoint_for, payloads

pytestmark = pytest.mark.django_db


def test_computed_themes_are_reported_with_their_figures_and_name():
    wants = endpoint_for(Receiver(port=1), ["themes.computed"])
    other = endpoint_for(Receiver(port=2), ["case.opened"])
    survey = SurveyFactory(slug="shop")
    answers_in(survey, WEEK_1, language("en"))
    with TestCase.captureOnCommitCallbacks(execute=False):
        themes.themes_compute(survey=survey, period=WEEK_1)
    [sent] = payloads(wants)
    assert not payloads(other)
    assert sent["type"] == "themes.computed"
    data = sent["data"]
    assert data["survey"] == "shop"
    assert data["period"] == {
        "kind": "week",
        "code": "2026-W10",
        "start": "2026-03-02",
        "end": "2026-03-09",
    }
    rows = {row.theme_id: row for row in ThemePeriod.objects.all()}
    assert {theme["id"] for theme in data["themes"]} == set(rows)
    support = next(theme for theme in data["themes"] if "support" in theme["words"])
    assert support["nps"] == 100.0
    assert support["share"] == rows[support["id"]].share
    assert support["title"] == ""  # not named yet; sent without personal data too
    assert set(support["confidence_interval"]) == {"low", "high"}
    assert support["new"] is False and support["growing"] is False


def test_a_period_is_reported_once_however_often_it_is_computed():
    wants = endpoint_for(Receiver(port=1), ["themes.computed"])
    survey = SurveyFactory(slug="shop")
    answers_in(survey, WEEK_1, language("en"))
    with TestCase.captureOnCommitCallbacks(execute=False):
        themes.themes_compute(survey=survey, period=WEEK_1)
        themes.themes_compute(survey=survey, period=WEEK_1)
    assert len(payloads(wants)) == 1


def test_a_period_with_too_few_comments_is_reported_once():
    wants = endpoint_for(Receiver(port=1), ["themes.computed"])
    survey = SurveyFactory(slug="shop")
    answers_in(survey, WEEK_1, {"delivery": language("en")["delivery"][:3]})
    with TestCase.captureOnCommitCallbacks(execute=False):
        for _day in range(3):
            themes.themes_compute(survey=survey, period=WEEK_1)
    [sent] = payloads(wants)
    assert sent["data"]["themes"] == []
