"""The demo's employee survey: teams of every size, some under the minimum
group, so that the dashboard shows eNPS by team and month with small groups
hidden (README "Employee NPS (eNPS)")."""

# Chinese punctuation on purpose:
# ruff: noqa: RUF001

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from surveys import stats
from surveys.enps import closed_before
from surveys.models import EmployeeAnswer, EmployeeInvitation, Survey, week_of

ENPS_SLUG = "staff-pulse"
# Team -> (employees, how many answered, their mood from 0 to 1).
ENPS_TEAMS = {
    "Customer support": (16, 13, 0.55),
    "Engineering": (11, 9, 0.75),
    "Sales": (8, 6, 0.45),
    "Finance": (4, 3, 0.6),
    "Legal": (3, 2, 0.8),
}
ENPS_COMMENTS = {
    "detractor": (
        "Too many priorities at once.",
        "Workload is not shared fairly.",
        "Decisions are made without asking us.",
    ),
    "passive": ("Good colleagues, unclear career paths.", "Fine, but tools are slow."),
    "promoter": ("Great team and real flexibility.", "I learn something every week."),
}


def _score(rng: random.Random, mood: float) -> int:
    return max(0, min(10, round(rng.gauss(4 + 6 * mood, 2.2))))


def ensure_demo_enps(*, rng: random.Random, now: datetime) -> int:
    """Create the employee survey, its invitations and anonymous answers
    spread over the twelve weeks before the month under way (closed months,
    which the report shows); nothing when they exist. Returns the answers
    created."""
    survey, _created = Survey.objects.get_or_create(
        slug=ENPS_SLUG,
        defaults={
            "name": "Staff pulse (eNPS)",
            "kind": Survey.Kind.EMPLOYEE,
            "status": Survey.Status.ACTIVE,
            "question": "How likely are you to recommend us as a place to work?",
            "follow_up_question": "What is the main reason for your score?",
            "question_pl": "Jak bardzo polecił(a)byś nas jako miejsce pracy?",
            "question_ru": "Насколько вероятно, что вы порекомендуете нас как место работы?",
            "question_zh_hans": "您向朋友推荐我们作为工作单位的可能性有多大？",
            "follow_up_question_pl": "Jaki jest główny powód Twojej oceny?",
            "follow_up_question_ru": "Какова главная причина вашей оценки?",
            "follow_up_question_zh_hans": "您给出这个评分的主要原因是什么？",
            "reminder_after_days": 5,
        },
    )
    if EmployeeAnswer.objects.filter(survey=survey).exists():
        return 0
    invitations, answers = [], []
    # In closed months only: the report shows nothing of the month under way.
    last_week = week_of(closed_before(timezone.localdate(now)) - timedelta(weeks=1))
    for team, (size, answered, mood) in ENPS_TEAMS.items():
        for n in range(size):
            handle = team.lower().replace(" ", "-")
            invitation = EmployeeInvitation(
                survey=survey,
                email=f"{handle}.{n + 1:02d}@staff.example.com",
                team=team,
                sent_at=now - timedelta(days=80),
                answered=n < answered,  # no order of answers kept: just how many
            )
            invitation.prepare_token()
            invitations.append(invitation)
        for _n in range(answered):
            score = _score(rng, mood)
            answer = EmployeeAnswer(
                survey=survey,
                team=team,
                score=score,
                week=last_week - timedelta(weeks=rng.randrange(12)),
            )
            answer.category = stats.classify(score)  # bulk_create skips save()
            if rng.random() < 0.4:
                answer.comment = rng.choice(ENPS_COMMENTS[answer.category])
            answers.append(answer)
    EmployeeInvitation.objects.bulk_create(invitations)
    EmployeeAnswer.objects.bulk_create(answers)
    return len(answers)
