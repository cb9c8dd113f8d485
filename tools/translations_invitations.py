# ruff: noqa: RUF001 -- a table of sentences in three languages and scripts
"""Translations of the invitation API's messages (issue 13), in the format
tools/fill_translations.py reads."""

T = {
    "A customer with this phone number already exists.": {
        "pl": "Klient z tym numerem telefonu już istnieje.",
        "ru": "Клиент с этим номером телефона уже существует.",
        "zh_Hans": "已有使用此电话号码的客户。",
    },
    "API key": {"pl": "Klucz API", "ru": "API-ключ", "zh_Hans": "API 密钥"},
    "Answered": {"pl": "Odpowiedziano", "ru": "Получен ответ", "zh_Hans": "已回答"},
    "Asked or answered within the survey's throttle days": {
        "pl": "Zapytany lub odpowiedział w okresie karencji ankiety",
        "ru": "Уже опрошен или ответил в пределах периода ограничения опроса",
        "zh_Hans": "在问卷的限制天数内已被邀请或已回答",
    },
    "Cancelled": {"pl": "Anulowane", "ru": "Отменено", "zh_Hans": "已取消"},
    "Email address bounced": {
        "pl": "Adres e-mail odrzucony",
        "ru": "Адрес электронной почты отклонён",
        "zh_Hans": "电子邮件地址被退回",
    },
    "Erased": {"pl": "Usunięty", "ru": "Удалён", "zh_Hans": "已删除"},
    "Expired": {"pl": "Wygasłe", "ru": "Истекло", "zh_Hans": "已过期"},
    "Free-form details from the caller (plan, order ...), copied to the answer.": {
        "pl": "Dowolne szczegóły od wywołującego (plan, zamówienie ...), kopiowane do odpowiedzi.",
        "ru": "Произвольные сведения от вызывающей системы (тариф, заказ ...), копируются в ответ.",
        "zh_Hans": "调用方提供的自由格式信息（套餐、订单……），会复制到回答中。",
    },
    "Free-form details of the answer (from its invitation, or an import).": {
        "pl": "Dowolne szczegóły odpowiedzi (z jej zaproszenia lub importu).",
        "ru": "Произвольные сведения об ответе (из его приглашения или импорта).",
        "zh_Hans": "回答的自由格式信息（来自其邀请或导入）。",
    },
    "Invite customers, and cancel invitations": {
        "pl": "Zapraszanie klientów i anulowanie zaproszeń",
        "ru": "Приглашать клиентов и отменять приглашения",
        "zh_Hans": "邀请客户并取消邀请",
    },
    "Not skipped": {"pl": "Nie pominięte", "ru": "Не пропущено", "zh_Hans": "未跳过"},
    "Read invitations": {
        "pl": "Odczyt zaproszeń",
        "ru": "Читать приглашения",
        "zh_Hans": "读取邀请",
    },
    "Reminded": {"pl": "Przypomniano", "ru": "Напомнено", "zh_Hans": "已提醒"},
    "Scheduled": {"pl": "Zaplanowane", "ru": "Запланировано", "zh_Hans": "已排期"},
    "Sent": {"pl": "Wysłane", "ru": "Отправлено", "zh_Hans": "已发送"},
    "Skipped": {"pl": "Pominięte", "ru": "Пропущено", "zh_Hans": "已跳过"},
    "The mail server refused this address for good; no email is sent to it.": {
        "pl": "Serwer pocztowy trwale odrzucił ten adres; nie wysyłamy na niego wiadomości.",
        "ru": "Почтовый сервер окончательно отклонил этот адрес; письма на него не отправляются.",
        "zh_Hans": "邮件服务器已永久拒绝此地址；不会再向其发送电子邮件。",
    },
    "Unsubscribed": {"pl": "Wypisany", "ru": "Отписан", "zh_Hans": "已退订"},
    "When an invitation asked for through the API is due (empty for waves).": {
        "pl": "Kiedy należy wysłać zaproszenie zamówione przez API (puste dla fal).",
        "ru": "Когда должно быть отправлено приглашение, запрошенное через API (пусто для волн).",
        "zh_Hans": "通过 API 请求的邀请的发送时间（批次邀请为空）。",
    },
    "cancelled at": {"pl": "anulowano", "ru": "отменено", "zh_Hans": "取消时间"},
    "email bounced at": {
        "pl": "e-mail odrzucony",
        "ru": "письмо отклонено",
        "zh_Hans": "邮件退回时间",
    },
    "idempotency key": {
        "pl": "klucz idempotencji",
        "ru": "ключ идемпотентности",
        "zh_Hans": "幂等键",
    },
    "not sent because": {
        "pl": "nie wysłano, ponieważ",
        "ru": "не отправлено, потому что",
        "zh_Hans": "未发送原因",
    },
    "phone": {"pl": "telefon", "ru": "телефон", "zh_Hans": "电话"},
    "properties": {"pl": "właściwości", "ru": "свойства", "zh_Hans": "属性"},
    "scheduled for": {"pl": "zaplanowano na", "ru": "запланировано на", "zh_Hans": "计划发送时间"},
    "status": {"pl": "status", "ru": "статус", "zh_Hans": "状态"},
}
