# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of replies from customers (a per-case reply address on staff
emails, replies received by webhook or IMAP onto the case's timeline), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py
    "Customer replied": t("Klient odpisał", "Клиент ответил", "客户已回复"),
    "sender's name": t("nazwa nadawcy", "имя отправителя", "发件人名称"),
    "The display name on the shared sender address; empty: the sender's own.": t(
        "Nazwa wyświetlana przy wspólnym adresie nadawcy; pusta: nazwa samego nadawcy.",
        "Отображаемое имя при общем адресе отправителя; пусто — собственное имя отправителя.",
        "共享发件地址上显示的名称；留空则使用发件地址自身的名称。",
    ),
    "reply to": t("odpowiedź do", "ответ на адрес", "回复至"),
    "The case's reply address: the customer's answer lands on its timeline.": t(
        "Adres odpowiedzi sprawy: odpowiedź klienta trafia na jej oś czasu.",
        "Адрес для ответов по обращению: ответ клиента попадает в его хронологию.",
        "该工单的回复地址：客户的回复会出现在工单时间线上。",
    ),
    "Inbound webhook": t("Webhook przychodzący", "Входящий вебхук", "入站 Webhook"),
    "IMAP mailbox": t("Skrzynka IMAP", "Почтовый ящик IMAP", "IMAP 邮箱"),
    "Message-ID digest": t("Skrót Message-ID", "Хеш Message-ID", "Message-ID 摘要"),
    "timeline entry": t("wpis na osi czasu", "запись в хронологии", "时间线条目"),
    "customer reply": t("odpowiedź klienta", "ответ клиента", "客户回复"),
    "customer replies": t("odpowiedzi klientów", "ответы клиентов", "客户回复"),
    # ---- the case page's timeline: who wrote a reply
    "case timeline\x04the customer": t("klient", "клиент", "客户"),
    # ---- surveys/imports.py: the phone column of the customer import
    "phone number": t("numer telefonu", "номер телефона", "电话号码"),
    "another customer has this phone number.": t(
        "inny klient ma już ten numer telefonu.",
        "у другого клиента уже есть этот номер телефона.",
        "另一位客户已使用此电话号码。",
    ),
    # ---- surveys/models.py: ApiScope
    "Deliver customers' email replies to their cases": t(
        "Dostarczanie odpowiedzi e-mail klientów do ich spraw",
        "Доставка ответов клиентов по почте в их обращения",
        "将客户的邮件回复送达其工单",
    ),
    # ---- followups/outbox/reply_address.py: the From display name
    "%(person)s via %(company)s": t(
        "%(person)s przez %(company)s", "%(person)s через %(company)s", "%(person)s（%(company)s）"
    ),
    # ---- followups/cases/workflow.py: the timeline entry
    "(The reply has no text.)": t(
        "(Odpowiedź nie zawiera tekstu.)", "(В ответе нет текста.)", "（回复中没有文字。）"
    ),
    "Attachments (not kept): %(names)s": t(
        "Załączniki (nie zachowano): %(names)s",
        "Вложения (не сохранены): %(names)s",
        "附件（未保存）：%(names)s",
    ),
    # ---- followups/templates/followups/email/case_reply.*
    "The customer replied on case #%(case_id)s": t(
        "Klient odpisał w sprawie #%(case_id)s",
        "Клиент ответил по обращению №%(case_id)s",
        "客户回复了工单 #%(case_id)s",
    ),
    "The customer replied by email on case #%(case_id)s. The reply is on the case's timeline.": t(
        "Klient odpisał e-mailem w sprawie #%(case_id)s. Odpowiedź jest na osi czasu sprawy.",
        "Клиент ответил по почте по обращению №%(case_id)s. Ответ — в хронологии обращения.",
        "客户通过邮件回复了工单 #%(case_id)s。回复已显示在工单时间线上。",
    ),
    "The case is in progress again.": t(
        "Sprawa jest znowu w toku.", "Обращение снова в работе.", "该工单已重新处于处理中。"
    ),
    "The case is resolved or closed and stays so; reopen it if the reply needs an answer.": t(
        "Sprawa jest rozwiązana lub zamknięta i taka pozostaje; otwórz ją ponownie, jeśli odpowiedź wymaga reakcji.",
        "Обращение решено или закрыто и остаётся таким; откройте его снова, если ответ требует реакции.",
        "该工单已解决或已关闭，状态保持不变；如需回应此回复，请重新打开工单。",
    ),
    "Nobody owns the case: please assign it.": t(
        "Sprawa nie ma właściciela: przydziel ją.",
        "У обращения нет ответственного: назначьте его.",
        "该工单无人负责：请分配负责人。",
    ),
    "Open the case:": t("Otwórz sprawę:", "Открыть обращение:", "打开工单："),
    "Open the case": t("Otwórz sprawę", "Открыть обращение", "打开工单"),
    "Sent to the case's owner (or, while nobody owns it, the managers) by the NPS loop.": t(
        "Wysłane przez NPS loop do właściciela sprawy (lub, gdy nikt jej nie ma, do menedżerów).",
        "Отправлено системой NPS loop ответственному за обращение (или, пока его нет, менеджерам).",
        "由 NPS loop 发送给工单负责人（无人负责时发送给经理）。",
    ),
}
