# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of departments (surveys, answers, cases and staff belonging
to a department; the departments side by side on the dashboard), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py
    "department": t("dział", "отдел", "部门"),
    "departments": t("działy", "отделы", "部门"),
    "members": t("członkowie", "участники", "成员"),
    "Staff and managers of this department. People in no department see only shared surveys and cases, unless they may see every department.": t(
        "Pracownicy i kierownicy tego działu. Osoby spoza wszystkich działów widzą tylko wspólne ankiety i sprawy, chyba że mogą widzieć każdy dział.",
        "Сотрудники и руководители этого отдела. Те, кто не входит ни в один отдел, видят только общие опросы и обращения, если им не разрешено видеть все отделы.",
        "本部门的员工和经理。不属于任何部门的人只能看到共享的调查和工单，除非他们有权查看所有部门。",
    ),
    "Can see every department": t(
        "Może widzieć każdy dział", "Может видеть все отделы", "可以查看所有部门"
    ),
    "Its answers and cases belong to this department; empty: shared by every department.": t(
        "Jej odpowiedzi i sprawy należą do tego działu; puste: wspólna dla wszystkich działów.",
        "Её ответы и обращения относятся к этому отделу; пусто — общий для всех отделов.",
        "其回答和工单属于该部门；留空：所有部门共享。",
    ),
    # ---- followups/cases/workflow.py
    "%(owner)s does not work for this case's department.": t(
        "%(owner)s nie pracuje w dziale tej sprawy.",
        "%(owner)s не работает в отделе этого обращения.",
        "%(owner)s 不属于该工单所在的部门。",
    ),
    "%(owner)s does not work for the department of every selected case.": t(
        "%(owner)s nie pracuje w dziale każdej z wybranych spraw.",
        "%(owner)s работает не во всех отделах выбранных обращений.",
        "%(owner)s 并不属于所有选中工单所在的部门。",
    ),
    # ---- the dashboard: departments side by side
    "Departments side by side": t(
        "Działy obok siebie", "Отделы рядом друг с другом", "各部门并列对比"
    ),
    "Department": t("Dział", "Отдел", "部门"),
    "Time to first contact (median)": t(
        "Czas do pierwszego kontaktu (mediana)",
        "Время до первого контакта (медиана)",
        "首次联系所用时间（中位数）",
    ),
    "Time to resolution (median)": t(
        "Czas do rozwiązania (mediana)", "Время до решения (медиана)", "解决所用时间（中位数）"
    ),
    "Top root causes": t("Najczęstsze przyczyny źródłowe", "Главные первопричины", "主要根本原因"),
    "(beyond the noise)": t("(ponad szumem)", "(за пределами шума)", "（超出噪声范围）"),
    "Compared with the other departments": t(
        "W porównaniu z pozostałymi działami", "По сравнению с другими отделами", "与其他部门相比"
    ),
    "Shared surveys (no department)": t(
        "Wspólne ankiety (bez działu)", "Общие опросы (без отдела)", "共享调查（无部门）"
    ),
    "Each department is compared with the other departments together: the difference of their NPS, with its standard error. Beyond the noise means the difference is larger than chance alone would make it; with many departments the calls keep the expected share of false ones at 5%% (Benjamini-Hochberg).": t(
        "Każdy dział jest porównywany z pozostałymi działami łącznie: różnica ich NPS wraz z błędem standardowym. Ponad szumem oznacza, że różnica jest większa, niż dałby sam przypadek; przy wielu działach oceny utrzymują oczekiwany odsetek fałszywych na poziomie 5%% (Benjamini-Hochberg).",
        "Каждый отдел сравнивается со всеми остальными отделами вместе: разница их NPS и её стандартная ошибка. «За пределами шума» означает, что разница больше, чем дала бы одна случайность; при многих отделах выводы удерживают ожидаемую долю ложных на уровне 5%% (Бенджамини — Хохберг).",
        "每个部门都与其他所有部门合并后进行比较：两者 NPS 的差值及其标准误。超出噪声范围表示该差值大于单凭偶然所能产生的差值；部门较多时，这些判断将误报的预期比例控制在 5%%（Benjamini-Hochberg 方法）。",
    ),
}
