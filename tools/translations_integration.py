# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the text written while bringing the branches of the
December wave together, for tools/fill_translations.py."""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


def ctx(context, msgid):
    return f"{context}\x04{msgid}"


T = {
    ctx("outbox channel", "Slack"): t("Slack", "Slack", "Slack"),
    "Tracked links and referral codes": t(
        "Linki śledzone i kody polecające",
        "Отслеживаемые ссылки и реферальные коды",
        "跟踪链接和推荐码",
    ),
    "The resolution SLA cannot be shorter than the first-contact SLA (%(hours)s hours): a case contacted on time would be overdue at once.": t(
        "SLA rozwiązania nie może być krótsze niż SLA pierwszego kontaktu (%(hours)s godz.): sprawa, w której skontaktowano się na czas, od razu byłaby przeterminowana.",
        "SLA решения не может быть короче SLA первого контакта (%(hours)s ч): обращение, по которому связались вовремя, сразу стало бы просроченным.",
        "解决时限不能短于首次联系时限（%(hours)s 小时）：按时联系的工单会立即逾期。",
    ),
}
