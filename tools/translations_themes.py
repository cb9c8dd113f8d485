# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of comment themes (the dashboard's section, the digest's
lines, the admin where managers name themes), for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py
    "Given by a manager; empty: shown by its characteristic words.": t(
        "Nadana przez menedżera; pusta: temat pokazują jego charakterystyczne słowa.",
        "Задаётся менеджером; пусто — тема показывается своими характерными словами.",
        "由经理命名；留空则以其特征词显示。",
    ),
    "characteristic words": t("charakterystyczne słowa", "характерные слова", "特征词"),
    "shown as": t("wyświetlany jako", "отображается как", "显示为"),
    "found at": t("wykryty", "обнаружена", "发现于"),
    "comment theme": t("temat komentarzy", "тема комментариев", "评论主题"),
    "comment themes": t("tematy komentarzy", "темы комментариев", "评论主题"),
    "Can name comment themes": t(
        "Może nazywać tematy komentarzy", "Может называть темы комментариев", "可以命名评论主题"
    ),
    "theme #%(id)s": t("temat nr %(id)s", "тема № %(id)s", "主题 #%(id)s"),
    "theme period\x04week": t("tydzień", "неделя", "周"),
    "theme period\x04month": t("miesiąc", "месяц", "月"),
    "theme": t("temat", "тема", "主题"),
    "period": t("okres", "период", "周期"),
    "from": t("od", "с", "起始"),
    "until": t("do", "до", "截至"),
    "The first day after the period.": t(
        "Pierwszy dzień po okresie.", "Первый день после периода.", "该周期之后的第一天。"
    ),
    "centroid": t("centroid", "центроид", "质心"),
    "share of answers (%)": t(
        "udział w odpowiedziach (%)", "доля ответов (%)", "占回答的比例（%）"
    ),
    "promoters": t("promotorzy", "промоутеры", "推荐者"),
    "passives": t("neutralni", "нейтралы", "被动者"),
    "detractors": t("krytycy", "критики", "贬损者"),
    "new": t("nowy", "новая", "新"),
    "growing": t("rosnący", "растущая", "增长中"),
    "computed at": t("obliczono", "вычислено", "计算时间"),
    "theme period": t("okres tematu", "период темы", "主题周期"),
    "theme periods": t("okresy tematów", "периоды тем", "主题周期"),
    "answer's theme": t("temat odpowiedzi", "тема ответа", "回答的主题"),
    "answers' themes": t("tematy odpowiedzi", "темы ответов", "回答的主题"),
    # ---- surveys/models.py: the audit trail
    "Comment theme named": t(
        "Nazwano temat komentarzy", "Тема комментариев названа", "评论主题已命名"
    ),
    # ---- the admin of themes
    "periods": t("okresy", "периоды", "周期"),
    "answers of its latest period": t(
        "odpowiedzi z ostatniego okresu", "ответы последнего периода", "最近一个周期的回答"
    ),
    # ---- the dashboard
    "Share of answers by period": t(
        "Udział w odpowiedziach w kolejnych okresach",
        "Доля ответов по периодам",
        "各周期占回答的比例",
    ),
    "Comment themes": t("Tematy komentarzy", "Темы комментариев", "评论主题"),
    "Theme": t("Temat", "Тема", "主题"),
    "Share of answers": t("Udział w odpowiedziach", "Доля ответов", "占回答的比例"),
    "theme badge\x04new": t("nowy", "новая", "新"),
    "theme badge\x04growing": t("rośnie", "растёт", "增长中"),
    "Learned from the comments of each period; the share counts answers with a comment. Name a theme under Comment themes.": t(
        "Wyuczone z komentarzy każdego okresu; udział liczy odpowiedzi z komentarzem. Nazwę tematu nadasz w Tematach komentarzy.",
        "Выучено из комментариев каждого периода; доля считается по ответам с комментарием. Назвать тему можно в разделе «Темы комментариев».",
        "从每个周期的评论中学习得出；比例按带评论的回答计算。可在“评论主题”中为主题命名。",
    ),
    "No themes yet: they are computed when a period closes, from its comments.": t(
        "Brak tematów: oblicza się je z komentarzy po zamknięciu okresu.",
        "Тем пока нет: они вычисляются из комментариев, когда период закрывается.",
        "暂无主题：周期结束后会根据其评论计算。",
    ),
    # ---- the weekly digest
    "New and growing comment themes, %(survey)s (%(period)s):": t(
        "Nowe i rosnące tematy komentarzy, %(survey)s (%(period)s):",
        "Новые и растущие темы комментариев, %(survey)s (%(period)s):",
        "新出现和增长中的评论主题，%(survey)s（%(period)s）：",
    ),
}
