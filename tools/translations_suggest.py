# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of root-cause suggestions (the suggestion on the case page,
confirming or changing it, the timeline line, the model's fields), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py
    "suggested root cause": t("sugerowana przyczyna", "предложенная причина", "建议的根本原因"),
    "suggestion confidence": t("pewność sugestii", "уверенность предложения", "建议置信度"),
    "suggestion top words": t(
        "słowa przemawiające za sugestią", "ключевые слова предложения", "建议的关键词"
    ),
    "suggestion model version": t(
        "wersja modelu sugestii", "версия модели предложения", "建议模型版本"
    ),
    "suggested at": t("zasugerowano", "предложено", "建议时间"),
    "Root cause set": t("Ustalono przyczynę", "Причина указана", "已设置根本原因"),
    "version": t("wersja", "версия", "版本"),
    "trained at": t("wytrenowano", "обучена", "训练时间"),
    "training size": t("liczba przykładów", "размер обучающей выборки", "训练样本数"),
    "cases per root cause": t(
        "sprawy według przyczyny", "обращения по причинам", "各根本原因的工单数"
    ),
    "macro-F1": t("makro-F1", "макро-F1", "宏 F1"),
    "top-2 accuracy": t("trafność top-2", "точность top-2", "前二准确率"),
    "parameters": t("parametry", "параметры", "参数"),
    "pipeline": t("potok", "конвейер", "流水线"),
    "root-cause model": t("model przyczyn", "модель причин", "根本原因模型"),
    "root-cause models": t("modele przyczyn", "модели причин", "根本原因模型"),
    "Root-cause model v%(version)s": t(
        "Model przyczyn v%(version)s", "Модель причин v%(version)s", "根本原因模型 v%(version)s"
    ),
    # ---- followups/cases/workflow.py and admin.py
    "Only the case's owner or a manager can set its root cause.": t(
        "Przyczynę sprawy może ustalić tylko jej właściciel lub kierownik.",
        "Указать причину может только владелец обращения или руководитель.",
        "只有工单负责人或经理可以设置其根本原因。",
    ),
    "Choose a root cause.": t("Wybierz przyczynę.", "Выберите причину.", "请选择根本原因。"),
    "Choose one of the root causes in use.": t(
        "Wybierz jedną z używanych przyczyn.",
        "Выберите одну из используемых причин.",
        "请选择一个正在使用的根本原因。",
    ),
    "Root cause of case #%(id)s: %(cause)s.": t(
        "Przyczyna sprawy #%(id)s: %(cause)s.",
        "Причина обращения №%(id)s: %(cause)s.",
        "工单 #%(id)s 的根本原因：%(cause)s。",
    ),
    # ---- followups/cases/timeline.py
    "Confirmed the suggested root cause: %(cause)s.": t(
        "Potwierdzono sugerowaną przyczynę: %(cause)s.",
        "Подтверждена предложенная причина: %(cause)s.",
        "已确认建议的根本原因：%(cause)s。",
    ),
    "Root cause set to %(cause)s (suggested: %(suggested)s).": t(
        "Ustalono przyczynę: %(cause)s (sugerowana: %(suggested)s).",
        "Указана причина: %(cause)s (предлагалась: %(suggested)s).",
        "根本原因设为 %(cause)s（建议为：%(suggested)s）。",
    ),
    "Root cause set to %(cause)s.": t(
        "Ustalono przyczynę: %(cause)s.",
        "Указана причина: %(cause)s.",
        "根本原因设为 %(cause)s。",
    ),
    # ---- the case page
    "Set:": t("Ustalona:", "Указана:", "已设置："),
    "Not set yet.": t("Jeszcze nie ustalona.", "Пока не указана.", "尚未设置。"),
    "Suggested:": t("Sugerowana:", "Предложена:", "建议："),
    "%(percent)s%% confident": t(
        "pewność %(percent)s%%", "уверенность %(percent)s%%", "置信度 %(percent)s%%"
    ),
    "Words that point to it:": t(
        "Słowa, które na nią wskazują:", "На неё указывают слова:", "指向它的词语："
    ),
    "Suggested by model version %(version)s, learned from this team's resolved cases. Confirm it or choose another; either way the case teaches the next model.": t(
        "Zasugerowana przez model w wersji %(version)s, wyuczony na rozwiązanych sprawach tego zespołu. Potwierdź ją lub wybierz inną; tak czy inaczej sprawa nauczy następny model.",
        "Предложено моделью версии %(version)s, обученной на решённых обращениях этой команды. Подтвердите или выберите другую причину; в любом случае обращение станет примером для следующей модели.",
        "由第 %(version)s 版模型建议，该模型从本团队已解决的工单中学习。请确认或选择其他原因；无论哪种，此工单都会用于训练下一个模型。",
    ),
    "Confirm suggestion": t("Potwierdź sugestię", "Подтвердить предложение", "确认建议"),
    "No suggestion: the model was not confident enough about this comment.": t(
        "Brak sugestii: model nie był wystarczająco pewny co do tego komentarza.",
        "Предложения нет: модель недостаточно уверена в этом комментарии.",
        "无建议：模型对这条评论的把握不足。",
    ),
    "Set root cause": t("Ustal przyczynę", "Указать причину", "设置根本原因"),
}
