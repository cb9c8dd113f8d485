# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the refusals of settings an employee survey would store and
never use (a driver question, a bonus for non-responders), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py: Survey.employee_settings_check
    "An employee survey asks no driver question: its anonymous answer page shows none. Leave this empty.": t(
        "Ankieta pracownicza nie zadaje pytania o główny powód: jej anonimowa strona odpowiedzi go nie pokazuje. Proszę zostawić to pole puste.",
        "Опрос сотрудников не задаёт вопрос о главной причине: его анонимная страница ответа такой вопрос не показывает. Оставьте это поле пустым.",
        "员工调查不提主要原因问题：其匿名回答页面不会显示该问题。请将此项留空。",
    ),
    # ---- followups/models.py: ReminderBonus.clean
    "An employee survey cannot have a bonus for non-responders: its answers are anonymous, so none could earn it. Untick “active”.": t(
        "Ankieta pracownicza nie może mieć bonusu dla niereagujących: jej odpowiedzi są anonimowe, więc żadna nie mogłaby go zdobyć. Proszę odznaczyć „aktywna”.",
        "У опроса сотрудников не может быть бонуса для не ответивших: его ответы анонимны, поэтому ни один не смог бы его получить. Снимите отметку «активна».",
        "员工调查不能设置未回复者奖励：其回答是匿名的，任何回答都无法获得奖励。请取消勾选“启用”。",
    ),
}
