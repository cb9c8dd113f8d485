# ruff: noqa: RUF001 -- Russian and Chinese letters and punctuation on purpose
"""Translations of the messages added after looking at the SMS, driver,
bonus and insights pages in Chromium (issue 17): for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py: InboundSms's plural, distinct from its singular
    # ("17 przychodzący SMS" read as one text).
    "inbound SMS messages": t("przychodzące SMS-y", "входящие SMS", "收到的短信"),
    # ---- followups/invitations/bonus_admin.py: the reminders list's column
    "bonus": t("bonus", "бонус", "奖励"),
    # ---- surveys/templates/surveys/base.html: the footnote of a page reached
    # from a text (unsubscribing stops texts too)
    "Prefer not to get surveys from us?": t(
        "Nie chcą Państwo otrzymywać od nas ankiet?",
        "Не хотите получать от нас опросы?",
        "不想再收到我们的调查？",
    ),
    # ---- nps_project/urls.py: the admin index's title
    "Answers, cases and follow-ups": t(
        "Odpowiedzi, zgłoszenia i działania po ankiecie",
        "Ответы, обращения и последующие действия",
        "答复、工单与跟进",
    ),
}
