# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the bonus for non-responders (an incentive promised in a
share of a survey's reminders, granted to an answer within the window, and
the report comparing reminders with and without it), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py: the bonus, the reminders' arms, the grant
    "What the reminder promises: an offer or a reward, not both.": t(
        "Co obiecuje przypomnienie: oferta albo nagroda, nie obie naraz.",
        "Что обещает напоминание: предложение или награда, но не оба сразу.",
        "提醒中承诺的内容：优惠或奖励，二者择一。",
    ),
    "answer within (days)": t(
        "odpowiedź w ciągu (dni)", "ответ в течение (дней)", "回答期限（天）"
    ),
    "Answers received this many days after the reminder earn the bonus.": t(
        "Odpowiedzi otrzymane w ciągu tylu dni od przypomnienia dostają bonus.",
        "Ответы, полученные в течение стольких дней после напоминания, получают бонус.",
        "在提醒发出后这么多天内收到的回答可获得奖励。",
    ),
    "share of reminders with the bonus (%)": t(
        "udział przypomnień z bonusem (%)",
        "доля напоминаний с бонусом (%)",
        "附带奖励的提醒比例（%）",
    ),
    "The rest get the usual reminder, so that the report can compare the two. 100: every reminder carries the bonus (nothing to compare with).": t(
        "Pozostali dostają zwykłe przypomnienie, aby raport mógł porównać obie grupy. 100: każde przypomnienie ma bonus (nie ma z czym porównać).",
        "Остальные получают обычное напоминание, чтобы отчёт мог сравнить обе группы. 100: каждое напоминание с бонусом (сравнивать не с чем).",
        "其余客户收到普通提醒，以便报告对比两组。100：每条提醒都附带奖励（无从对比）。",
    ),
    "bonus for non-responders": t(
        "bonus dla niereagujących",
        "бонус для не ответивших",
        "未回复者奖励",
    ),
    "bonuses for non-responders": t(
        "bonusy dla niereagujących",
        "бонусы для не ответивших",
        "未回复者奖励",
    ),
    "Choose an offer or a reward, one of them.": t(
        "Wybierz ofertę albo nagrodę, jedno z nich.",
        "Выберите предложение или награду, что-то одно.",
        "请选择优惠或奖励，二者之一。",
    ),
    "The share is a percentage, 0 to 100.": t(
        "Udział to procent, od 0 do 100.",
        "Доля — это процент, от 0 до 100.",
        "比例为百分比，0 到 100。",
    ),
    "The window is at least one day.": t(
        "Okno trwa co najmniej jeden dzień.",
        "Окно — не меньше одного дня.",
        "期限至少为一天。",
    ),
    "With bonus": t("Z bonusem", "С бонусом", "附带奖励"),
    "Without bonus": t("Bez bonusu", "Без бонуса", "不附带奖励"),
    "reminder": t("przypomnienie", "напоминание", "提醒"),
    "answer by": t("odpowiedź do", "ответить до", "回答截止"),
    "answered at": t("data odpowiedzi", "время ответа", "回答时间"),
    "answer": t("odpowiedź", "ответ", "回答"),
    "reminder with or without a bonus": t(
        "przypomnienie z bonusem lub bez",
        "напоминание с бонусом или без",
        "附带或不附带奖励的提醒",
    ),
    "reminders with or without a bonus": t(
        "przypomnienia z bonusem lub bez",
        "напоминания с бонусом или без",
        "附带或不附带奖励的提醒",
    ),
    "bonus grant": t("przyznany bonus", "выданный бонус", "已发放奖励"),
    "bonus grants": t("przyznane bonusy", "выданные бонусы", "已发放奖励"),
    "Can mark bonus codes redeemed by hand": t(
        "Może ręcznie oznaczać kody bonusów jako zrealizowane",
        "Может вручную отмечать коды бонусов как погашенные",
        "可手动将奖励代码标记为已兑换",
    ),
    # ---- followups/invitations/bonus_admin.py: the reminders' list filters
    "answered": t("odpowiedź", "ответ", "回答情况"),
    "Within the window": t("W terminie", "В срок", "在期限内"),
    "After the window": t("Po terminie", "После срока", "超过期限"),
    "Not answered": t("Bez odpowiedzi", "Без ответа", "未回答"),
    "bonus granted": t("bonus przyznany", "бонус выдан", "已发放奖励"),
    # ---- followups/reporting/bonus.py and the dashboard's panel
    "All reminders": t("Wszystkie przypomnienia", "Все напоминания", "全部提醒"),
    "Not in a wave": t("Poza wysyłkami", "Вне рассылок", "不属于任何批次"),
    "Wave of %(started)s": t(
        "Wysyłka z %(started)s",
        "Рассылка от %(started)s",
        "%(started)s 批次",
    ),
    "Bonus for non-responders: reminders answered within the window": t(
        "Bonus dla niereagujących: przypomnienia z odpowiedzią w terminie",
        "Бонус для не ответивших: напоминания с ответом в срок",
        "未回复者奖励：在期限内得到回答的提醒",
    ),
    "Wave": t("Wysyłka", "Рассылка", "批次"),
    "Difference": t("Różnica", "Разница", "差异"),
    "Bonuses granted": t("Przyznane bonusy", "Выдано бонусов", "已发放奖励"),
    "Each reminder of a survey with a bonus is drawn at random into one arm; a rate is answered of reminded, with its 95%% interval, and the difference is in points.": t(
        "Każde przypomnienie ankiety z bonusem trafia losowo do jednej z grup; wskaźnik to odpowiedzi wśród przypomnianych, z 95%% przedziałem, a różnica jest w punktach procentowych.",
        "Каждое напоминание опроса с бонусом случайно попадает в одну из групп; доля — ответившие среди получивших напоминание, с 95%% интервалом, разница — в процентных пунктах.",
        "附带奖励的问卷的每条提醒被随机分入一组；比率为收到提醒者中的回答比例，附 95%% 区间，差异以百分点表示。",
    ),
    # ---- the reminder email and the bonus email (customer-facing: formal register)
    "Answer by %(bonus_until)s and we will thank you with: %(bonus)s": t(
        "Za odpowiedź do %(bonus_until)s podziękujemy Państwu: %(bonus)s",
        "Ответьте до %(bonus_until)s, и в благодарность вы получите: %(bonus)s",
        "请在 %(bonus_until)s 前回答，我们将以此致谢：%(bonus)s",
    ),
    "Answer by %(bonus_until)s and we will thank you with: <strong>%(bonus)s</strong>": t(
        "Za odpowiedź do %(bonus_until)s podziękujemy Państwu: <strong>%(bonus)s</strong>",
        "Ответьте до %(bonus_until)s, и в благодарность вы получите: <strong>%(bonus)s</strong>",
        "请在 %(bonus_until)s 前回答，我们将以此致谢：<strong>%(bonus)s</strong>",
    ),
    "We email it to you once you have answered.": t(
        "Wyślemy go e-mailem, gdy tylko Państwo odpowiedzą.",
        "Мы пришлём его по электронной почте, как только вы ответите.",
        "您回答后，我们会通过电子邮件发送给您。",
    ),
    "Thank you for answering: your bonus": t(
        "Dziękujemy za odpowiedź: Państwa bonus",
        "Спасибо за ответ: ваш бонус",
        "感谢您的回答：您的奖励",
    ),
    "Thank you for answering our question. As promised in our reminder, here is your bonus:": t(
        "Dziękujemy za odpowiedź na nasze pytanie. Zgodnie z obietnicą z przypomnienia, oto Państwa bonus:",
        "Спасибо, что ответили на наш вопрос. Как мы обещали в напоминании, вот ваш бонус:",
        "感谢您回答我们的问题。正如提醒中所承诺的，这是您的奖励：",
    ),
}
