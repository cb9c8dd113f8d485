# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the case list and case page's text (deadlines, calls, a case
changed while open, full names), for tools/fill_translations.py.

An entry with a context is keyed as gettext does: "context\\x04msgid".
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


CASE_STATUS = "case status\x04"

T = {
    # ---- followups/models.py: statuses in their own context, deadlines, calls
    CASE_STATUS + "New": t("Nowe", "Новое", "新建"),
    CASE_STATUS + "In progress": t("W toku", "В работе", "处理中"),
    CASE_STATUS + "Waiting on customer": t("Czeka na klienta", "Ждёт клиента", "等待客户"),
    CASE_STATUS + "Resolved": t("Rozwiązane", "Решено", "已解决"),
    CASE_STATUS + "Closed": t("Zamknięte", "Закрыто", "已关闭"),
    "first contact due at": t(
        "termin pierwszego kontaktu", "срок первого контакта", "首次联系截止时间"
    ),
    "resolution due at": t("termin rozwiązania", "срок решения", "解决截止时间"),
    "The customer must be called or emailed by this time.": t(
        "Do tego czasu trzeba zadzwonić do klienta lub napisać do niego e-mail.",
        "К этому времени клиенту нужно позвонить или написать письмо.",
        "须在此时间前致电或发邮件给客户。",
    ),
    "The case must be resolved by this time.": t(
        "Do tego czasu zgłoszenie musi być rozwiązane.",
        "К этому времени обращение должно быть решено.",
        "须在此时间前解决该案例。",
    ),
    "Call logged": t("Zapisano rozmowę", "Звонок записан", "已记录通话"),
    "Reached the customer": t("Rozmowa z klientem", "Дозвонились до клиента", "已联系上客户"),
    "Left a voicemail": t("Nagrana wiadomość", "Оставлено голосовое сообщение", "已留语音信息"),
    "No answer": t("Brak odpowiedzi", "Нет ответа", "无人接听"),
    "Wrong number": t("Błędny numer", "Неверный номер", "号码错误"),
    # ---- followups/cases/admin.py: the list's columns and the case page
    "%(n)d d": t("%(n)d d", "%(n)d д", "%(n)d 天"),
    "%(n)d h": t("%(n)d h", "%(n)d ч", "%(n)d 小时"),
    "%(n)d min": t("%(n)d min", "%(n)d мин", "%(n)d 分钟"),
    "first contact": t("pierwszy kontakt", "первый контакт", "首次联系"),
    "resolution": t("rozwiązanie", "решение", "解决"),
    "overdue %(delta)s": t("po terminie %(delta)s", "просрочено на %(delta)s", "已逾期 %(delta)s"),
    "opened": t("otwarte", "открыто", "创建时间"),
    "Case #%(id)s · %(customer)s": t(
        "Zgłoszenie #%(id)s · %(customer)s",
        "Обращение №%(id)s · %(customer)s",
        "案例 #%(id)s · %(customer)s",
    ),
    "This case is no longer yours": t(
        "To zgłoszenie nie jest już Twoje",
        "Это обращение больше не ваше",
        "此案例已不再由您负责",
    ),
    "Choose one of the statuses offered; your text is kept.": t(
        "Wybierz jeden z proponowanych statusów; wpisany tekst został zachowany.",
        "Выберите один из предложенных статусов; введённый текст сохранён.",
        "请选择所提供的状态之一；您输入的文字已保留。",
    ),
    "Choose how the call went; your note is kept.": t(
        "Wybierz, jak przebiegła rozmowa; notatka została zachowana.",
        "Выберите, чем закончился звонок; заметка сохранена.",
        "请选择通话结果；您的备注已保留。",
    ),
    "Call logged.": t("Zapisano rozmowę.", "Звонок записан.", "已记录通话。"),
    # ---- followups/cases/conflicts.py: a case changed while someone had it open
    "This case was reassigned to %(owner)s at %(time)s while you had it open; nothing was saved, and what you typed is kept below.": t(
        "To zgłoszenie zostało przekazane osobie %(owner)s o %(time)s, gdy było u Ciebie otwarte; nic nie zapisano, a wpisany tekst jest zachowany poniżej.",
        "Это обращение передано сотруднику %(owner)s в %(time)s, пока оно было у вас открыто; ничего не сохранено, введённый текст сохранён ниже.",
        "在您打开此案例期间，它已于 %(time)s 改派给 %(owner)s；未保存任何内容，您输入的文字保留在下方。",
    ),
    "This case changed at %(time)s while you had it open (it is now %(status)s, owner %(owner)s); nothing was saved, and what you typed is kept below.": t(
        "To zgłoszenie zmieniło się o %(time)s, gdy było u Ciebie otwarte (status: %(status)s, właściciel: %(owner)s); nic nie zapisano, a wpisany tekst jest zachowany poniżej.",
        "Это обращение изменилось в %(time)s, пока оно было у вас открыто (статус: %(status)s, ответственный: %(owner)s); ничего не сохранено, введённый текст сохранён ниже.",
        "在您打开此案例期间，它已于 %(time)s 被更改（当前状态：%(status)s，负责人：%(owner)s）；未保存任何内容，您输入的文字保留在下方。",
    ),
    "Case #%(id)s was reassigned to %(owner)s at %(time)s while you had it open, so you can no longer work on it; nothing was saved.": t(
        "Zgłoszenie #%(id)s zostało przekazane osobie %(owner)s o %(time)s, gdy było u Ciebie otwarte, więc nie możesz już nad nim pracować; nic nie zapisano.",
        "Обращение №%(id)s передано сотруднику %(owner)s в %(time)s, пока оно было у вас открыто, поэтому вы больше не можете с ним работать; ничего не сохранено.",
        "在您打开案例 #%(id)s 期间，它已于 %(time)s 改派给 %(owner)s，您无法再处理它；未保存任何内容。",
    ),
    "Case #%(id)s is not one you can see (it was reassigned, or does not exist); nothing was saved.": t(
        "Nie masz dostępu do zgłoszenia #%(id)s (zostało przekazane komuś innemu albo nie istnieje); nic nie zapisano.",
        "Обращение №%(id)s вам недоступно (оно передано другому сотруднику или не существует); ничего не сохранено.",
        "您无法查看案例 #%(id)s（它已被改派或不存在）；未保存任何内容。",
    ),
    # ---- followups/cases/forms.py and workflow.py: logging a call, escalation reasons
    "Outcome": t("Wynik", "Результат", "结果"),
    "Call note": t("Notatka z rozmowy", "Заметка о звонке", "通话备注"),
    "Choose how the call went.": t(
        "Wybierz, jak przebiegła rozmowa.", "Выберите, чем закончился звонок.", "请选择通话结果。"
    ),
    "Only the case's owner or a manager can log a call.": t(
        "Rozmowę może zapisać tylko właściciel zgłoszenia lub kierownik.",
        "Записать звонок может только ответственный за обращение или руководитель.",
        "只有案例负责人或经理可以记录通话。",
    ),
    "Call to %(phone)s: %(outcome)s.": t(
        "Połączenie z %(phone)s: %(outcome)s.",
        "Звонок на %(phone)s: %(outcome)s.",
        "致电 %(phone)s：%(outcome)s。",
    ),
    "the customer": t("klientem", "клиенту", "客户"),
    "the customer was not contacted by %(due)s": t(
        "brak kontaktu z klientem do %(due)s",
        "с клиентом не связались до %(due)s",
        "截至 %(due)s 仍未联系客户",
    ),
    "not resolved by %(due)s": t(
        "nie rozwiązano do %(due)s", "не решено до %(due)s", "截至 %(due)s 仍未解决"
    ),
    # ---- templates: dashboard, case page, out-of-reach page
    "Change in NPS": t("Zmiana NPS", "Изменение NPS", "NPS 变化"),
    "What you typed (not saved)": t(
        "Wpisany tekst (niezapisany)", "Введённый текст (не сохранён)", "您输入的文字（未保存）"
    ),
    "overdue %(time_left)s": t(
        "po terminie %(time_left)s", "просрочено на %(time_left)s", "已逾期 %(time_left)s"
    ),
    "%(time_left)s left": t(
        "zostało %(time_left)s", "осталось %(time_left)s", "剩余 %(time_left)s"
    ),
    "Log a call": t("Zapisz rozmowę", "Записать звонок", "记录通话"),
    "No phone number on file.": t(
        "Brak numeru telefonu.", "Номер телефона не указан.", "没有电话号码。"
    ),
    "Log the call": t("Zapisz rozmowę", "Записать звонок", "记录此次通话"),
    "A call that reached the customer, or an email, is the first contact; other outcomes are attempts.": t(
        "Pierwszym kontaktem jest rozmowa z klientem albo e-mail; pozostałe wyniki to tylko próby.",
        "Первый контакт — это звонок, на который клиент ответил, или письмо; остальное — попытки.",
        "接通客户的电话或一封邮件即为首次联系；其他结果仅算尝试。",
    ),
    "Copy it before you leave this page.": t(
        "Skopiuj go, zanim opuścisz tę stronę.",
        "Скопируйте его, прежде чем уйти с этой страницы.",
        "离开此页面前请先复制。",
    ),
    "Back to my open cases": t(
        "Wróć do moich otwartych zgłoszeń", "Назад к моим открытым обращениям", "返回我的未结案例"
    ),
    # ---- surveys/models.py: the survey's SLA
    "detractor resolution SLA (hours)": t(
        "SLA rozwiązania dla krytyków (godziny)",
        "SLA решения для критиков (часы)",
        "贬损者解决 SLA（小时）",
    ),
    "A detractor's case must be resolved within this many hours of the answer.": t(
        "Zgłoszenie krytyka musi zostać rozwiązane w tylu godzinach od odpowiedzi.",
        "Обращение критика должно быть решено за столько часов после ответа.",
        "贬损者的案例须在回答后的这么多小时内解决。",
    ),
    "count SLA hours in business hours": t(
        "licz godziny SLA w godzinach pracy",
        "считать часы SLA в рабочее время",
        "SLA 按工作时间计算",
    ),
    "Count only working days and hours (NPS_BUSINESS_DAYS, NPS_BUSINESS_HOURS, NPS_BUSINESS_TIME_ZONE) towards the SLA: an answer on Friday evening is due on Monday.": t(
        "Do SLA liczą się tylko dni i godziny pracy (NPS_BUSINESS_DAYS, NPS_BUSINESS_HOURS, NPS_BUSINESS_TIME_ZONE): odpowiedź z piątkowego wieczoru ma termin w poniedziałek.",
        "В SLA учитываются только рабочие дни и часы (NPS_BUSINESS_DAYS, NPS_BUSINESS_HOURS, NPS_BUSINESS_TIME_ZONE): ответ в пятницу вечером нужно обработать в понедельник.",
        "SLA 只计算工作日和工作时间（NPS_BUSINESS_DAYS、NPS_BUSINESS_HOURS、NPS_BUSINESS_TIME_ZONE）：周五晚上的回答在周一到期。",
    ),
}
