# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the webhooks' admin text (endpoints, the delivery log,
"send again"), for tools/fill_translations.py.

A plural entry maps each language to its forms, in the order of the catalogue's
Plural-Forms: pl and ru have four (one, few, many, fraction), zh_Hans one.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py: the webhook channel, endpoints, attempts, deliveries
    "Webhook": t("Webhook", "Вебхук", "Webhook"),
    "webhook endpoint": t("punkt odbioru webhooków", "адрес вебхука", "Webhook 端点"),
    "webhook endpoints": t("punkty odbioru webhooków", "адреса вебхуков", "Webhook 端点"),
    "For a webhook: the endpoint it is delivered to.": t(
        "Dla webhooka: punkt odbioru, do którego jest dostarczany.",
        "Для вебхука: адрес, на который он доставляется.",
        "对于 Webhook：它被投递到的端点。",
    ),
    "URL": t("URL", "URL", "URL"),
    "events": t("zdarzenia", "события", "事件"),
    "The names of the events it receives.": t(
        "Nazwy zdarzeń, które otrzymuje.",
        "Названия событий, которые он получает.",
        "它接收的事件名称。",
    ),
    "signing secret": t("sekret podpisu", "секрет подписи", "签名密钥"),
    "receives personal data": t(
        "otrzymuje dane osobowe", "получает персональные данные", "接收个人数据"
    ),
    "Customers' email addresses, names and comments are sent only if set.": t(
        "Adresy e-mail, imiona i nazwiska oraz komentarze klientów są wysyłane tylko, gdy to jest zaznaczone.",
        "Адреса электронной почты, имена и комментарии клиентов отправляются, только если это отмечено.",
        "仅在勾选时才发送客户的电子邮件地址、姓名和评论。",
    ),
    "disabled at": t("wyłączony", "отключён", "停用时间"),
    "why disabled": t("powód wyłączenia", "причина отключения", "停用原因"),
    "failing since": t("błędy od", "сбои с", "失败开始于"),
    "The first failed delivery since the last successful one.": t(
        "Pierwsze nieudane dostarczenie od ostatniego udanego.",
        "Первая неудачная доставка после последней успешной.",
        "自上次成功投递以来的第一次失败投递。",
    ),
    "created by": t("utworzony przez", "создан", "创建者"),
    "webhook delivery": t("dostarczenie webhooka", "доставка вебхука", "Webhook 投递"),
    "webhook deliveries": t("dostarczenia webhooków", "доставки вебхуков", "Webhook 投递"),
    "Can send webhook deliveries again": t(
        "Może ponownie wysyłać dostarczenia webhooków",
        "Может повторно отправлять доставки вебхуков",
        "可以重新发送 Webhook 投递",
    ),
    "webhook attempt": t("próba webhooka", "попытка вебхука", "Webhook 尝试"),
    "webhook attempts": t("próby webhooka", "попытки вебхука", "Webhook 尝试"),
    "started at": t("rozpoczęto", "начато", "开始时间"),
    "duration (ms)": t("czas trwania (ms)", "длительность (мс)", "耗时（毫秒）"),
    "response code": t("kod odpowiedzi", "код ответа", "响应代码"),
    "error": t("błąd", "ошибка", "错误"),
    # ---- followups/webhooks/admin.py
    "The endpoint's signing secret, shown only now: {secret}": t(
        "Sekret podpisu tego punktu odbioru, pokazywany tylko teraz: {secret}",
        "Секрет подписи этого адреса, показывается только сейчас: {secret}",
        "该端点的签名密钥，仅此一次显示：{secret}",
    ),
    "Send again": t("Wyślij ponownie", "Отправить снова", "重新发送"),
    "%(n)d delivery queued again.": {
        "pl": [
            "%(n)d dostarczenie ponownie w kolejce.",
            "%(n)d dostarczenia ponownie w kolejce.",
            "%(n)d dostarczeń ponownie w kolejce.",
            "%(n)d dostarczenia ponownie w kolejce.",
        ],
        "ru": [
            "%(n)d доставка снова в очереди.",
            "%(n)d доставки снова в очереди.",
            "%(n)d доставок снова в очереди.",
            "%(n)d доставки снова в очереди.",
        ],
        "zh_Hans": ["%(n)d 个投递已重新排队。"],
    },
    "time (ms)": t("czas (ms)", "время (мс)", "时间（毫秒）"),
    "webhook-id": t("webhook-id", "webhook-id", "webhook-id"),
}
