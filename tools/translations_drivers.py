# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the driver ("main reason") question: its fields and
choices in the admin, the survey page and the dashboard's table, for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py
    "driver question": t("pytanie o główny powód", "вопрос о главной причине", "主要原因问题"),
    "driver question (Polish)": t(
        "pytanie o główny powód (polski)",
        "вопрос о главной причине (польский)",
        "主要原因问题（波兰语）",
    ),
    "driver question (Russian)": t(
        "pytanie o główny powód (rosyjski)",
        "вопрос о главной причине (русский)",
        "主要原因问题（俄语）",
    ),
    "driver question (Simplified Chinese)": t(
        "pytanie o główny powód (chiński uproszczony)",
        "вопрос о главной причине (упрощённый китайский)",
        "主要原因问题（简体中文）",
    ),
    'A multiple-choice "main reason" question asked after the score, e.g. "What mattered most?"; its answers are the choices below. Empty: not asked.': t(
        "Pytanie wielokrotnego wyboru o „główny powód”, zadawane po ocenie, np. „Co było najważniejsze?”; odpowiedziami są wybory poniżej. Puste: nie jest zadawane.",
        "Вопрос с вариантами ответа о «главной причине», задаваемый после оценки, например «Что было самым важным?»; варианты ответа — ниже. Пусто: вопрос не задаётся.",
        "在评分之后提出的“主要原因”单选题，例如“对您来说最重要的是什么？”；其选项见下方。留空则不提问。",
    ),
    "key": t("klucz", "ключ", "键"),
    "A stable name for integrations, e.g. price or delivery.": t(
        "Stała nazwa dla integracji, np. price lub delivery.",
        "Постоянное имя для интеграций, например price или delivery.",
        "供集成使用的固定名称，例如 price 或 delivery。",
    ),
    "label": t("etykieta", "подпись", "标签"),
    "label (Polish)": t("etykieta (polski)", "подпись (польский)", "标签（波兰语）"),
    "label (Russian)": t("etykieta (rosyjski)", "подпись (русский)", "标签（俄语）"),
    "label (Simplified Chinese)": t(
        "etykieta (chiński uproszczony)", "подпись (упрощённый китайский)", "标签（简体中文）"
    ),
    "position": t("pozycja", "позиция", "位置"),
    # a choice still offered to customers
    "driver choice\x04active": t("aktywny", "активен", "启用"),
    "Only active choices are offered; past answers keep an inactive one.": t(
        "Proponowane są tylko aktywne wybory; wcześniejsze odpowiedzi zachowują nieaktywny.",
        "Предлагаются только активные варианты; прежние ответы сохраняют неактивный.",
        "只提供启用的选项；已有的回答保留已停用的选项。",
    ),
    "driver choice": t("wybór głównego powodu", "вариант главной причины", "主要原因选项"),
    "driver choices": t("wybory głównego powodu", "варианты главной причины", "主要原因选项"),
    "This survey already has a choice with this key.": t(
        "Ta ankieta ma już wybór z tym kluczem.",
        "В этом опросе уже есть вариант с таким ключом.",
        "此调查已有使用该键的选项。",
    ),
    "main reason": t("główny powód", "главная причина", "主要原因"),
    # ---- surveys/admin.py
    "driver question: choices": t(
        "pytanie o główny powód: wybory",
        "вопрос о главной причине: варианты",
        "主要原因问题：选项",
    ),
    # ---- surveys/forms.py and the survey page
    "Please choose one of the reasons listed, or none.": t(
        "Prosimy wybrać jeden z podanych powodów albo żaden.",
        "Выберите одну из перечисленных причин или ни одной.",
        "请选择所列原因之一，或不选。",
    ),
    "Optional. Choose the one that mattered most.": t(
        "Opcjonalnie. Prosimy wybrać jedną, najważniejszą odpowiedź.",
        "Необязательно. Выберите то, что было самым важным.",
        "选填。请选择最重要的一项。",
    ),
    # ---- followups/templates/admin/followups/dashboard.html
    "Main reasons": t("Główne powody", "Главные причины", "主要原因"),
    "Reason": t("Powód", "Причина", "原因"),
    "Chosen by": t("Wybrało", "Выбрали", "选择人数"),
    "NPS of those who chose it": t(
        "NPS osób, które go wybrały", "NPS выбравших её", "选择该项者的 NPS"
    ),
    "no longer offered": t("już nieproponowany", "больше не предлагается", "已不再提供"),
    "Each share is of the detractors, passives or promoters who answered this question; the NPS interval is 95%% (adjusted Wald).": t(
        "Każdy udział liczony jest wśród krytyków, neutralnych lub promotorów, którzy odpowiedzieli na to pytanie; przedział NPS to 95%% (skorygowany Wald).",
        "Каждая доля считается среди критиков, нейтралов или промоутеров, ответивших на этот вопрос; интервал NPS — 95%% (скорректированный Вальд).",
        "每个比例均以回答了此问题的贬损者、被动者或推荐者为基数；NPS 区间为 95%%（调整 Wald 法）。",
    ),
}
