# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the per-language texts (survey questions, offer and reward
descriptions, the warning when a language has none) and of the words that
mean something else than Django's same word (given a context, pgettext), for
tools/fill_translations.py.

A plural entry maps each language to its forms, in the order of the catalogue's
Plural-Forms: pl and ru have four (one, few, many, fraction), zh_Hans one. An
entry with a context is keyed "context\\x04msgid" (see ``ctx``).
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


def ctx(context: str, msgid: str) -> str:
    return f"{context}\x04{msgid}"


T = {
    # ---- surveys: the question per language, in the admin
    "Questions in English": t("Pytania po angielsku", "Вопросы на английском", "英文问题"),
    "Customers whose language has no text below read these.": t(
        "Czytają je klienci, których język nie ma poniżej własnego tekstu.",
        "Их читают клиенты, для языка которых ниже нет своего текста.",
        "如果客户的语言在下方没有对应文本，客户将看到这些问题。",
    ),
    "Optional: left empty, customers who read this language get the English text.": t(
        "Opcjonalne: jeśli puste, klienci czytający w tym języku otrzymają tekst angielski.",
        "Необязательно: если оставить пустым, клиенты, читающие на этом языке, получат английский текст.",
        "可选：留空时，使用该语言的客户将看到英文文本。",
    ),
    "question (Polish)": t("pytanie (polski)", "вопрос (польский)", "问题（波兰语）"),
    "question (Russian)": t("pytanie (rosyjski)", "вопрос (русский)", "问题（俄语）"),
    "question (Simplified Chinese)": t(
        "pytanie (chiński uproszczony)", "вопрос (китайский упрощённый)", "问题（简体中文）"
    ),
    "follow-up question (Polish)": t(
        "pytanie uzupełniające (polski)", "уточняющий вопрос (польский)", "追问（波兰语）"
    ),
    "follow-up question (Russian)": t(
        "pytanie uzupełniające (rosyjski)", "уточняющий вопрос (русский)", "追问（俄语）"
    ),
    "follow-up question (Simplified Chinese)": t(
        "pytanie uzupełniające (chiński uproszczony)",
        "уточняющий вопрос (китайский упрощённый)",
        "追问（简体中文）",
    ),
    # ---- followups: the offer's and reward's description per language
    "description (Polish)": t("opis (polski)", "описание (польский)", "描述（波兰语）"),
    "description (Russian)": t("opis (rosyjski)", "описание (русский)", "描述（俄语）"),
    "description (Simplified Chinese)": t(
        "opis (chiński uproszczony)", "описание (китайский упрощённый)", "描述（简体中文）"
    ),
    # ---- the warning: customers of a language the text has none in
    "%(count)d customer speaks %(language)s; this survey has no %(language)s text: they will get English.": t(
        [
            "Język %(language)s: %(count)d klient, a ta ankieta nie ma tekstu w tym języku; otrzyma wersję angielską.",
            "Język %(language)s: %(count)d klientów, a ta ankieta nie ma tekstu w tym języku; otrzymają wersję angielską.",
            "Język %(language)s: %(count)d klientów, a ta ankieta nie ma tekstu w tym języku; otrzymają wersję angielską.",
            "Język %(language)s: %(count)d klienta, a ta ankieta nie ma tekstu w tym języku; otrzymają wersję angielską.",
        ],
        [
            "Язык «%(language)s»: %(count)d клиент, а в этом опросе нет текста на этом языке; он получит английский.",
            "Язык «%(language)s»: %(count)d клиента, а в этом опросе нет текста на этом языке; они получат английский.",
            "Язык «%(language)s»: %(count)d клиентов, а в этом опросе нет текста на этом языке; они получат английский.",
            "Язык «%(language)s»: %(count)d клиента, а в этом опросе нет текста на этом языке; они получат английский.",
        ],
        [
            "%(language)s：%(count)d 位客户使用该语言，但此调查没有该语言的文本，他们将收到英文版本。"
        ],
    ),
    "%(count)d customer speaks %(language)s; this offer has no %(language)s text: they will get English.": t(
        [
            "Język %(language)s: %(count)d klient, a ta oferta nie ma opisu w tym języku; otrzyma wersję angielską.",
            "Język %(language)s: %(count)d klientów, a ta oferta nie ma opisu w tym języku; otrzymają wersję angielską.",
            "Język %(language)s: %(count)d klientów, a ta oferta nie ma opisu w tym języku; otrzymają wersję angielską.",
            "Język %(language)s: %(count)d klienta, a ta oferta nie ma opisu w tym języku; otrzymają wersję angielską.",
        ],
        [
            "Язык «%(language)s»: %(count)d клиент, а у этого предложения нет описания на этом языке; он получит английское.",
            "Язык «%(language)s»: %(count)d клиента, а у этого предложения нет описания на этом языке; они получат английское.",
            "Язык «%(language)s»: %(count)d клиентов, а у этого предложения нет описания на этом языке; они получат английское.",
            "Язык «%(language)s»: %(count)d клиента, а у этого предложения нет описания на этом языке; они получат английское.",
        ],
        [
            "%(language)s：%(count)d 位客户使用该语言，但此优惠没有该语言的描述，他们将收到英文版本。"
        ],
    ),
    "%(count)d customer speaks %(language)s; this reward has no %(language)s text: they will get English.": t(
        [
            "Język %(language)s: %(count)d klient, a ta nagroda nie ma opisu w tym języku; otrzyma wersję angielską.",
            "Język %(language)s: %(count)d klientów, a ta nagroda nie ma opisu w tym języku; otrzymają wersję angielską.",
            "Język %(language)s: %(count)d klientów, a ta nagroda nie ma opisu w tym języku; otrzymają wersję angielską.",
            "Język %(language)s: %(count)d klienta, a ta nagroda nie ma opisu w tym języku; otrzymają wersję angielską.",
        ],
        [
            "Язык «%(language)s»: %(count)d клиент, а у этой награды нет описания на этом языке; он получит английское.",
            "Язык «%(language)s»: %(count)d клиента, а у этой награды нет описания на этом языке; они получат английское.",
            "Язык «%(language)s»: %(count)d клиентов, а у этой награды нет описания на этом языке; они получат английское.",
            "Язык «%(language)s»: %(count)d клиента, а у этой награды нет описания на этом языке; они получат английское.",
        ],
        [
            "%(language)s：%(count)d 位客户使用该语言，但此奖励没有该语言的描述，他们将收到英文版本。"
        ],
    ),
    # ---- followups/invitations/waves.py: a wave's plan, "3 to invite; 1 skipped: erased"
    "%(count)d to invite": t(
        "do zaproszenia: %(count)d", "к приглашению: %(count)d", "待邀请：%(count)d"
    ),
    "%(count)d skipped: %(reason)s": t(
        "pominięto %(count)d: %(reason)s",
        "пропущено %(count)d: %(reason)s",
        "跳过 %(count)d 位：%(reason)s",
    ),
    "erased": t("dane usunięte", "данные удалены", "数据已删除"),
    "bounced": t("adres odrzucony", "адрес отклонён", "地址被退回"),
    "over the limit": t("ponad limit", "сверх лимита", "超出上限"),
    "asked or answered within %(days)d day": t(
        [
            "pytani lub odpowiadali w ciągu %(days)d dnia",
            "pytani lub odpowiadali w ciągu %(days)d dni",
            "pytani lub odpowiadali w ciągu %(days)d dni",
            "pytani lub odpowiadali w ciągu %(days)d dnia",
        ],
        [
            "опрошены или ответили в течение %(days)d дня",
            "опрошены или ответили в течение %(days)d дней",
            "опрошены или ответили в течение %(days)d дней",
            "опрошены или ответили в течение %(days)d дня",
        ],
        ["%(days)d 天内已被询问或已回答"],
    ),
    # ---- words Django or an installed app translates with another meaning
    ctx("case status", "New"): t("Nowe", "Новое", "新建"),
    ctx("case event", "Created"): t("Utworzono", "Создано", "已创建"),
    ctx("in use", "active"): t("aktywna", "активна", "启用"),
    ctx("channel", "Email"): t("E-mail", "Email", "电子邮件"),
    ctx("outbox channel", "Email"): t("E-mail", "Email", "电子邮件"),
    ctx("outbox channel", "Webhook"): t("Webhook", "Вебхук", "Webhook"),
    ctx("invitation status", "Skipped"): t("Pominięte", "Пропущено", "已跳过"),
    # "NPS by %(period)s": the period as the title words it, and as a choice
    ctx("trend period", "month"): t("miesiąca", "месяцам", "月"),
    ctx("trend period", "week"): t("tygodnia", "неделям", "周"),
    ctx("period choice", "month"): t("miesiąc", "месяц", "月"),
    ctx("period choice", "week"): t("tydzień", "неделя", "周"),
    ctx("improvement action", "Action"): t("Działanie", "Улучшение", "措施"),
    ctx("NPS change", "Change"): t("Zmiana", "Изменение", "变化"),
}
