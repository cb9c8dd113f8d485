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
}
