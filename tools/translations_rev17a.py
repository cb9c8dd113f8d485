# ruff: noqa: RUF001 -- a table of sentences in three languages and scripts
"""Translations of the second review of SMS and employee NPS (phone numbers
refused with a reason), for tools/fill_translations.py."""


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
}
