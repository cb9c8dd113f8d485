# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the guards on customers' email replies (a reply from
another address, an owner who cannot be emailed), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/cases/timeline.py: _customer_replied
    "(Sent from another address than the customer's.)": t(
        "(Wysłano z innego adresu niż adres klienta.)",
        "(Отправлено с другого адреса, не с адреса клиента.)",
        "（发自客户地址以外的其他地址。）",
    ),
    # ---- followups/templates/followups/email/case_reply.{txt,html}
    "The reply came from another address than the customer's, so the case's status was left as it was.": t(
        "Odpowiedź przyszła z innego adresu niż adres klienta, więc status sprawy pozostał bez zmian.",
        "Ответ пришёл с другого адреса, не с адреса клиента, поэтому статус обращения не изменён.",
        "回复来自客户地址以外的其他地址，因此案例状态保持不变。",
    ),
    "The case's owner has no email address and was not told: please look after the case or reassign it.": t(
        "Właściciel sprawy nie ma adresu e-mail i nie został powiadomiony: zajmij się sprawą lub przypisz ją komuś innemu.",
        "У ответственного за обращение нет адреса электронной почты, и он не уведомлён: займитесь обращением или назначьте другого ответственного.",
        "案例负责人没有电子邮件地址，未收到通知：请处理该案例或重新分配。",
    ),
}
