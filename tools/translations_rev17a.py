# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the second review of SMS and employee NPS (phone numbers
refused with a reason, delivery reports of texts), for
tools/fill_translations.py."""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/phones.py
    "Enter a phone number in international format, e.g. +48 601 234 567.": t(
        "Podaj numer telefonu w formacie międzynarodowym, np. +48 601 234 567.",
        "Введите номер телефона в международном формате, например +48 601 234 567.",
        "请输入国际格式的电话号码，例如 +48 601 234 567。",
    ),
    "Enter a phone number without an extension: a text cannot reach an extension.": t(
        "Podaj numer telefonu bez numeru wewnętrznego: SMS nie dotrze na numer wewnętrzny.",
        "Введите номер телефона без добавочного номера: SMS не доходит до добавочного номера.",
        "请输入不带分机号的电话号码：短信无法发送到分机。",
    ),
    # ---- followups/models.py, followups/outbox/admin.py: SMS delivery reports
    "Delivered": t("Dostarczono", "Доставлено", "已送达"),
    "Undelivered": t("Nie dostarczono", "Не доставлено", "未送达"),
    "delivery": t("doręczenie", "доставка", "送达情况"),
    "delivery error code": t("kod błędu doręczenia", "код ошибки доставки", "送达错误代码"),
    "delivery reported at": t("doręczenie zgłoszone", "доставка сообщена", "送达报告时间"),
    "For a text: the id its provider gave it, which its delivery reports name.": t(
        "Dla SMS-a: identyfikator nadany przez operatora, którym posługują się jego raporty doręczenia.",
        "Для SMS: идентификатор, присвоенный провайдером, на который ссылаются его отчёты о доставке.",
        "短信：服务商为其分配的标识，送达报告以此指明该短信。",
    ),
    "For a text: whether its provider reported it delivered, or why not.": t(
        "Dla SMS-a: czy operator zgłosił jego doręczenie, a jeśli nie, to dlaczego.",
        "Для SMS: сообщил ли провайдер о доставке, а если нет, то почему.",
        "短信：服务商是否报告已送达，若未送达则说明原因。",
    ),
    "The provider's error code for a text it could not deliver.": t(
        "Kod błędu operatora dla SMS-a, którego nie udało się doręczyć.",
        "Код ошибки провайдера для SMS, который не удалось доставить.",
        "服务商对未能送达的短信给出的错误代码。",
    ),
}
