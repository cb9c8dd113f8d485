# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the bounce and complaint text (the customer's mail marks,
the bounce records, the admin filter and action), for tools/fill_translations.py.

A plural entry maps each language to its forms, in the order of the catalogue's
Plural-Forms: pl and ru have four (one, few, many, fraction), zh_Hans one.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py: the customer's marks, skip reason, audit, API scope
    "marked as spam at": t("oznaczono jako spam", "отмечено как спам", "标记为垃圾邮件的时间"),
    "The customer reported our email as spam; no email is sent to them.": t(
        "Klient zgłosił nasz e-mail jako spam; nie wysyłamy do niego e-maili.",
        "Клиент пожаловался на наше письмо как на спам; письма ему не отправляются.",
        "客户将我们的邮件举报为垃圾邮件；不再向其发送邮件。",
    ),
    "mail problem": t("problem z pocztą", "проблема с почтой", "邮件问题"),
    "What the mail server or provider said about the last bounce or complaint.": t(
        "Co serwer pocztowy lub dostawca napisał o ostatnim odbiciu lub skardze.",
        "Что почтовый сервер или провайдер сообщил о последнем возврате или жалобе.",
        "邮件服务器或服务商对最近一次退信或投诉的说明。",
    ),
    "Marked our email as spam": t(
        "Oznaczył nasz e-mail jako spam",
        "Отметил наше письмо как спам",
        "将我们的邮件标记为垃圾邮件",
    ),
    "Bounce or spam flag cleared": t(
        "Usunięto oznaczenie odbicia lub spamu",
        "Снята отметка о возврате или спаме",
        "已清除退信或垃圾邮件标记",
    ),
    "Report bounces and spam complaints": t(
        "Zgłaszanie odbić i skarg na spam",
        "Сообщать о возвратах писем и жалобах на спам",
        "报告退信和垃圾邮件投诉",
    ),
    # ---- surveys/admin.py: the "mail" filter and the clearing action
    "mail": t("poczta", "почта", "邮件"),
    "bounced": t("odbity", "возврат", "已退信"),
    "marked as spam": t("oznaczony jako spam", "отмечено как спам", "标记为垃圾邮件"),
    "fine": t("w porządku", "в порядке", "正常"),
    "Email again: clear the bounce or spam mark (address fixed)": t(
        "Wysyłaj ponownie: usuń oznaczenie odbicia lub spamu (adres poprawiony)",
        "Снова отправлять письма: снять отметку о возврате или спаме (адрес исправлен)",
        "恢复发送：清除退信或垃圾邮件标记（地址已更正）",
    ),
    "%(count)d customer can be emailed again.": {
        "pl": [
            "Do %(count)d klienta można znów wysyłać e-maile.",
            "Do %(count)d klientów można znów wysyłać e-maile.",
            "Do %(count)d klientów można znów wysyłać e-maile.",
            "Do %(count)d klienta można znów wysyłać e-maile.",
        ],
        "ru": [
            "%(count)d клиенту снова можно писать.",
            "%(count)d клиентам снова можно писать.",
            "%(count)d клиентам снова можно писать.",
            "%(count)d клиента снова можно писать.",
        ],
        "zh_Hans": ["%(count)d 位客户可以重新接收邮件。"],
    },
    # ---- surveys/api_access.py
    "Basic credentials must be base64 of <any name>:<key>.": t(
        "Dane Basic muszą być kodowaniem base64 ciągu <dowolna nazwa>:<klucz>.",
        "Учётные данные Basic должны быть base64 от <любое имя>:<ключ>.",
        "Basic 凭据必须是 <任意名称>:<密钥> 的 base64 编码。",
    ),
    # ---- followups/models.py: bounce and complaint records
    "Bounce": t("Odbicie", "Возврат", "退信"),
    "Spam complaint": t("Skarga na spam", "Жалоба на спам", "垃圾邮件投诉"),
    "Permanent": t("Trwałe", "Постоянный", "永久"),
    "Transient": t("Przejściowe", "Временный", "临时"),
    "JSON": t("JSON", "JSON", "JSON"),
    "Delivery status notification": t(
        "Raport o doręczeniu (DSN)", "Уведомление о статусе доставки (DSN)", "投递状态通知 (DSN)"
    ),
    "Abuse report": t("Zgłoszenie nadużycia", "Жалоба (ARF)", "滥用举报"),
    "Refused while sending": t("Odrzucony przy wysyłce", "Отклонён при отправке", "发送时被拒绝"),
    "kind": t("rodzaj", "вид", "类型"),
    "bounce type": t("rodzaj odbicia", "тип возврата", "退信类型"),
    "address": t("adres", "адрес", "地址"),
    "email": t("e-mail", "письмо", "邮件"),
    "The email that bounced, when the report named its Message-ID.": t(
        "E-mail, który wrócił, gdy raport podał jego Message-ID.",
        "Вернувшееся письмо, если в отчёте был указан его Message-ID.",
        "被退回的邮件（当报告给出其 Message-ID 时）。",
    ),
    "status code": t("kod statusu", "код статуса", "状态码"),
    "diagnostic": t("diagnostyka", "диагностика", "诊断信息"),
    "source": t("źródło", "источник", "来源"),
    "report": t("raport", "отчёт", "报告"),
    "occurred at": t("wystąpiło", "произошло", "发生时间"),
    "received at": t("otrzymano", "получено", "接收时间"),
    "stopped mail": t("wstrzymało pocztę", "остановило почту", "已停止发信"),
    "Whether this report marked the address and stopped its email.": t(
        "Czy ten raport oznaczył adres i wstrzymał wysyłkę do niego.",
        "Отметил ли этот отчёт адрес и остановил ли отправку писем на него.",
        "此报告是否标记了该地址并停止向其发信。",
    ),
    "bounce or complaint": t("odbicie lub skarga", "возврат или жалоба", "退信或投诉"),
    "bounces and complaints": t("odbicia i skargi", "возвраты и жалобы", "退信和投诉"),
    # ---- followups/cases: why a case cannot email its customer
    "This customer gets no email: they unsubscribed, their address bounced, they marked our email as spam, or they were erased.": t(
        "Ten klient nie dostaje e-maili: wypisał się, jego adres odbija wiadomości, oznaczył nasz e-mail jako spam lub jego dane usunięto.",
        "Этот клиент не получает писем: он отписался, его адрес возвращает письма, он отметил наше письмо как спам или его данные удалены.",
        "此客户不接收邮件：已退订、地址退信、将我们的邮件标记为垃圾邮件，或已被删除。",
    ),
}
