# ruff: noqa: RUF001 -- a table of words in three languages and scripts
"""Translations of the audit trail's and answer imports' department fields
(an event's department, an import's surveys named), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py: AuditEvent
    "department id": t("id działu", "id отдела", "部门 ID"),
    "about shared surveys": t("dotyczy wspólnych ankiet", "об общих опросах", "涉及共享调查"),
    # ---- surveys/models.py: AnswerImport
    "surveys named": t("wskazane ankiety", "указанные опросы", "文件中指定的调查"),
}
