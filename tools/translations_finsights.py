# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the insights fixes (signed root-cause models, the training's
back-off, theme computations, the suggestion's conflict and inactive-cause
messages), for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py
    "pipeline signature": t("podpis potoku", "подпись конвейера", "流水线签名"),
    "library versions": t("wersje bibliotek", "версии библиотек", "库版本"),
    "needs retraining": t("do ponownego trenowania", "требует переобучения", "需要重新训练"),
    "load error": t("błąd wczytania", "ошибка загрузки", "加载错误"),
    "failures in a row": t("nieudane próby z rzędu", "неудач подряд", "连续失败次数"),
    "root-cause training": t(
        "trenowanie modelu przyczyn", "обучение модели причин", "根本原因模型训练"
    ),
    "root-cause trainings": t(
        "trenowania modelu przyczyn", "обучения модели причин", "根本原因模型训练"
    ),
    "theme computation": t("obliczenie tematów", "расчёт тем", "主题计算"),
    "theme computations": t("obliczenia tematów", "расчёты тем", "主题计算"),
    "comments": t("komentarze", "комментарии", "评论"),
    "to compute again": t("do ponownego obliczenia", "пересчитать", "待重新计算"),
    # ---- followups/cases/workflow.py
    "Case #%(id)s's root cause is already %(cause)s (changed meanwhile); nothing was changed.": t(
        "Przyczyna źródłowa sprawy #%(id)s to już %(cause)s (zmieniona w międzyczasie); nic nie zmieniono.",
        "Коренная причина обращения #%(id)s уже %(cause)s (изменена за это время); ничего не изменено.",
        "工单 #%(id)s 的根本原因已是 %(cause)s（期间已被更改）；未做任何更改。",
    ),
    "not set": t("nieustawiona", "не задана", "未设置"),
    # ---- followups/templates/admin/followups/followupcase/change_form.html
    "This root cause is no longer in use, so the suggestion cannot be confirmed: choose one of the root causes in use below.": t(
        "Ta przyczyna źródłowa nie jest już używana, więc sugestii nie można potwierdzić: wybierz poniżej jedną z używanych przyczyn.",
        "Эта коренная причина больше не используется, поэтому предложение нельзя подтвердить: выберите ниже одну из используемых причин.",
        "该根本原因已停用，因此无法确认此建议：请在下方选择一个正在使用的根本原因。",
    ),
}
