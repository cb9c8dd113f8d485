"""Helpers of the insights tests: answers with known comments in a period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from followups.insights.themes import Period
from tests.factories import ResponseFactory
from tests.followups.insights.known_comments import COMMENTS

WEEK_1 = Period.parse("2026-W10")  # Monday 2026-03-02
WEEK_2 = Period.parse("2026-W11")
# A score per topic, so that each theme's NPS is known: delivery and price
# detractors, support promoters, the app passives.
SCORES = {"delivery": 3, "price": 5, "support": 10, "app": 7, "refund": 2}


def moment(day: date, index: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9))) + timedelta(minutes=index)


def answers_in(survey, period: Period, topics: dict[str, list[str]]) -> dict[int, str]:
    """One answer per comment of each topic, spread over the period's first
    days; returns answer id -> topic."""
    made = {}
    index = 0
    for topic, comments in topics.items():
        for comment in comments:
            day = period.start + timedelta(days=index % 5)
            response = ResponseFactory(
                survey=survey,
                score=SCORES[topic],
                comment=comment,
                submitted_at=moment(day, index),
            )
            made[response.pk] = topic
            index += 1
    return made


def language(code: str) -> dict[str, list[str]]:
    return COMMENTS[code]
