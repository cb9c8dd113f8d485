"""The demo's driver ("main reason") questions: each demo survey asks one, in
four languages, and most demo answers chose a reason, drawn by category so
that the dashboard's table tells a story (price drives detractors, ease of
use promoters). Deterministic and idempotent: each answer's choice follows
from its own key, so a second run changes nothing."""

# The Chinese and Russian texts use their own punctuation and letters on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import random

from surveys import stats
from surveys.models import DriverChoice, Response, Survey

SEED = 2026
# Share of the demo answers that chose a reason.
ANSWER_CHANCE = 0.75

QUESTION = {
    "driver_question": "What mattered most to you?",
    "driver_question_pl": "Co było dla Państwa najważniejsze?",
    "driver_question_ru": "Что для вас было самым важным?",
    "driver_question_zh_hans": "对您来说最重要的是什么？",
}

# slug -> [(key, English, Polish, Russian, Chinese, weights by category)]
CHOICES = {
    "relationship-nps": [
        ("price", "Price", "Cena", "Цена", "价格", {"detractor": 35, "passive": 30, "promoter": 8}),
        (
            "quality",
            "Product quality",
            "Jakość produktu",
            "Качество продукта",
            "产品质量",
            {"detractor": 20, "passive": 25, "promoter": 30},
        ),
        (
            "support",
            "Customer support",
            "Obsługa klienta",
            "Поддержка клиентов",
            "客户支持",
            {"detractor": 25, "passive": 20, "promoter": 22},
        ),
        (
            "ease",
            "Ease of use",
            "Łatwość obsługi",
            "Простота использования",
            "易用性",
            {"detractor": 10, "passive": 15, "promoter": 32},
        ),
        (
            "delivery",
            "Delivery",
            "Dostawa",
            "Доставка",
            "配送",
            {"detractor": 10, "passive": 10, "promoter": 8},
        ),
    ],
    "support-nps": [
        (
            "speed",
            "Response time",
            "Czas odpowiedzi",
            "Скорость ответа",
            "响应速度",
            {"detractor": 40, "passive": 30, "promoter": 20},
        ),
        (
            "solved",
            "The problem was solved",
            "Problem został rozwiązany",
            "Проблема была решена",
            "问题得到解决",
            {"detractor": 30, "passive": 30, "promoter": 40},
        ),
        (
            "knowledge",
            "Agent's knowledge",
            "Wiedza konsultanta",
            "Компетентность специалиста",
            "客服的专业知识",
            {"detractor": 20, "passive": 20, "promoter": 20},
        ),
        (
            "friendliness",
            "Friendliness",
            "Uprzejmość",
            "Вежливость",
            "友好态度",
            {"detractor": 10, "passive": 20, "promoter": 20},
        ),
    ],
}


def ensure_demo_drivers(surveys: dict[str, Survey]) -> int:
    """Give the demo surveys their driver question and choices (once) and
    the demo answers their reasons; returns how many answers got one."""
    chosen = 0
    for slug, rows in CHOICES.items():
        survey = surveys.get(slug)
        if survey is None:
            continue
        if not survey.driver_question:
            for field, text in QUESTION.items():
                setattr(survey, field, text)
            survey.save(update_fields=list(QUESTION))
        choices = {}
        for position, (key, en, pl, ru, zh, weights) in enumerate(rows):
            choice, _ = DriverChoice.objects.get_or_create(
                survey=survey,
                key=key,
                defaults={
                    "label": en,
                    "label_pl": pl,
                    "label_ru": ru,
                    "label_zh_hans": zh,
                    "position": position,
                },
            )
            choices[key] = (choice, weights)
        chosen += _answers_choose(survey, choices)
    return chosen


def _answers_choose(survey: Survey, choices: dict) -> int:
    answers = list(
        Response.objects.filter(
            survey=survey, idempotency_key__startswith="demo-", driver__isnull=True
        ).only("pk", "score", "idempotency_key")
    )
    keys = list(choices)
    changed = []
    for answer in answers:
        rng = random.Random(f"{SEED}:{answer.idempotency_key}")  # noqa: S311 - demo data
        if rng.random() >= ANSWER_CHANCE:
            continue
        category = stats.classify(answer.score)
        key = rng.choices(keys, weights=[choices[k][1][category] for k in keys])[0]
        answer.driver = choices[key][0]
        changed.append(answer)
    Response.objects.bulk_update(changed, ["driver"], batch_size=500)
    return len(changed)
