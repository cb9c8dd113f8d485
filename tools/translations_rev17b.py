# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the second review of issue 17 (driver choices), for
tools/fill_translations.py."""

T = {
    "Answers already chose this reason under the key “%(key)s”, which integrations read: keep it (reword the label), or add a new choice and untick this one.": {
        "pl": "Odpowiedzi wybrały już ten powód pod kluczem „%(key)s”, który odczytują integracje: zachowaj go (zmień etykietę) albo dodaj nowy wybór i odznacz ten.",
        "ru": "Ответы уже выбрали эту причину с ключом «%(key)s», который читают интеграции: оставьте его (измените подпись) или добавьте новый вариант и снимите отметку с этого.",
        "zh_Hans": "已有回答以键“%(key)s”选择了这个原因，集成会读取该键：请保留它（改写标签），或新增一个选项并取消勾选此项。",
    },
}
