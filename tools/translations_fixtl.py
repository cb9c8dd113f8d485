"""Translations of the escalation levels counted per deadline (the case
list's level filter follows NPS_ESCALATION_MAX_LEVEL), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py: FollowUpCase.escalation_phase
    "escalated for": t("eskalowano z powodu terminu", "эскалировано по сроку", "升级所针对的期限"),
    # ---- followups/cases/admin.py: EscalationFilter
    "Level %(level)s": t("Poziom %(level)s", "Уровень %(level)s", "第 %(level)s 级"),
    "Level %(level)s or more": t(
        "Poziom %(level)s lub wyższy", "Уровень %(level)s и выше", "第 %(level)s 级及以上"
    ),
}
