# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of "one click is one click" (the survey page records the
emailed score as it opens, and the customer may change it for a while), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py: Response.changeable_until
    "changeable until": t("można zmienić do", "можно изменить до", "可修改至"),
    "Recorded as the survey page opened: the customer may change the score until then, and it is routed after it (or once they send the page).": t(
        "Zapisana przy otwarciu strony ankiety: klient może zmienić ocenę do tego czasu, a przekazanie do dalszej obsługi następuje potem (lub gdy wyśle stronę).",
        "Записан при открытии страницы опроса: клиент может изменить оценку до этого времени, а передаётся в обработку после него (или когда клиент отправит страницу).",
        "在打开调查页面时记录：客户可在此时间之前修改评分，此后（或客户提交页面时）才会进入后续处理。",
    ),
    # ---- surveys/views.py, surveys/templates/surveys/answer.html
    "Thank you — your score of %(score)s is recorded. You may change it or add a comment.": t(
        "Dziękujemy — Państwa ocena %(score)s została zapisana. Można ją zmienić lub dodać komentarz.",
        "Спасибо — ваша оценка %(score)s сохранена. Вы можете изменить её или добавить комментарий.",
        "谢谢——您的评分 %(score)s 已记录。您可以修改评分或添加评论。",
    ),
    "Change my score": t("Zmień ocenę", "Изменить оценку", "修改我的评分"),
}
