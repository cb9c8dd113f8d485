# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the dashboard's charts, links and sample warnings (read by
tools/fill_translations.py)."""

_ONLY = (
    "Only %(total)s answer: fewer than %(minimum)s, so this NPS is too uncertain to act on; "
    "read the interval, not the score."
)

T = {
    "No answers in this period.": {
        "pl": "Brak odpowiedzi w tym okresie.",
        "ru": "В этом периоде нет ответов.",
        "zh_Hans": "此期间没有回答。",
    },
    "95% interval": {
        "pl": "przedział 95%",
        "ru": "95% интервал",
        "zh_Hans": "95% 区间",
    },
    "benchmark %(nps)s": {
        "pl": "wartość odniesienia %(nps)s",
        "ru": "ориентир %(nps)s",
        "zh_Hans": "基准 %(nps)s",
    },
    "%(nps)s (n=%(n)s, too few)": {
        "pl": "%(nps)s (n=%(n)s, za mało)",
        "ru": "%(nps)s (n=%(n)s, слишком мало)",
        "zh_Hans": "%(nps)s（n=%(n)s，样本过少）",
    },
    "No answers in this selection: there is no NPS to report.": {
        "pl": "Brak odpowiedzi w tym wyborze: nie ma NPS do pokazania.",
        "ru": "В этой выборке нет ответов: NPS рассчитать нельзя.",
        "zh_Hans": "所选范围内没有回答：无法给出 NPS。",
    },
    _ONLY: {
        "pl": [
            "Tylko %(total)s odpowiedź: mniej niż %(minimum)s, więc ten NPS jest zbyt niepewny, "
            "by na nim działać; patrz na przedział, nie na wynik.",
            "Tylko %(total)s odpowiedzi: mniej niż %(minimum)s, więc ten NPS jest zbyt niepewny, "
            "by na nim działać; patrz na przedział, nie na wynik.",
            "Tylko %(total)s odpowiedzi: mniej niż %(minimum)s, więc ten NPS jest zbyt niepewny, "
            "by na nim działać; patrz na przedział, nie na wynik.",
            "Tylko %(total)s odpowiedzi: mniej niż %(minimum)s, więc ten NPS jest zbyt niepewny, "
            "by na nim działać; patrz na przedział, nie na wynik.",
        ],
        "ru": [
            "Только %(total)s ответ: меньше %(minimum)s, поэтому этот NPS слишком неточен, "
            "чтобы на него опираться; смотрите на интервал, а не на значение.",
            "Только %(total)s ответа: меньше %(minimum)s, поэтому этот NPS слишком неточен, "
            "чтобы на него опираться; смотрите на интервал, а не на значение.",
            "Только %(total)s ответов: меньше %(minimum)s, поэтому этот NPS слишком неточен, "
            "чтобы на него опираться; смотрите на интервал, а не на значение.",
            "Только %(total)s ответа: меньше %(minimum)s, поэтому этот NPS слишком неточен, "
            "чтобы на него опираться; смотрите на интервал, а не на значение.",
        ],
        "zh_Hans": [
            "仅有 %(total)s 个回答：少于 %(minimum)s 个，此 NPS 不确定性过大，不宜据此行动；"
            "请看区间，而不是分数。",
        ],
    },
}

# A template string: its percent signs are doubled in the catalogue.
T[
    "▲ ▼ differs from the other segments beyond the noise. With many segments some differ by "
    "chance: the marks keep the expected share of false ones at 5%% (Benjamini-Hochberg)."
] = {
    "pl": "▲ ▼ różni się od pozostałych segmentów bardziej niż szum. Przy wielu segmentach "
    "niektóre różnią się przypadkiem: oznaczenia utrzymują oczekiwany odsetek fałszywych "
    "na poziomie 5%% (Benjamini-Hochberg).",
    "ru": "▲ ▼ отличается от остальных сегментов сильнее, чем шум. Когда сегментов много, "
    "некоторые отличаются случайно: отметки держат ожидаемую долю ложных на уровне 5%% "
    "(Бенджамини-Хохберг).",
    "zh_Hans": "▲ ▼ 与其他细分的差异超出噪声范围。细分较多时，有些差异纯属偶然：这些标记将误报的预期比例控制在 5%%（Benjamini-Hochberg 方法）。",
}
T["All surveys"] = {"pl": "Wszystkie ankiety", "ru": "Все опросы", "zh_Hans": "所有调查"}
T["Answers"] = {"pl": "Odpowiedzi", "ru": "Ответы", "zh_Hans": "回答"}
T["too few answers"] = {
    "pl": "za mało odpowiedzi",
    "ru": "слишком мало ответов",
    "zh_Hans": "回答过少",
}
T["CSV"] = {"pl": "CSV", "ru": "CSV", "zh_Hans": "CSV"}
