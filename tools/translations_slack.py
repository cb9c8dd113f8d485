# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the Slack alerts' text (the alerts in the admin, their
delivery log, and the messages posted), for tools/fill_translations.py.

A plural entry maps each language to its forms, in the order of the catalogue's
Plural-Forms: pl and ru have four (one, few, many, fraction), zh_Hans one.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py: the Slack channel, alerts, deliveries
    "Slack": t("Slack", "Slack", "Slack"),
    "For a Slack message: the alert it is posted for.": t(
        "Dla wiadomości Slack: powiadomienie, dla którego jest publikowana.",
        "Для сообщения Slack: оповещение, для которого оно публикуется.",
        "对于 Slack 消息：它所属的提醒。",
    ),
    "incoming-webhook URL": t(
        "URL przychodzącego webhooka", "URL входящего вебхука", "传入 Webhook 的 URL"
    ),
    "categories": t("kategorie", "категории", "类别"),
    "The categories of answers that are posted.": t(
        "Kategorie odpowiedzi, które są publikowane.",
        "Категории ответов, которые публикуются.",
        "会被发布的回答类别。",
    ),
    "Slack alert": t("powiadomienie Slack", "оповещение Slack", "Slack 提醒"),
    "Slack alerts": t("powiadomienia Slack", "оповещения Slack", "Slack 提醒"),
    "Slack alert delivery": t(
        "dostarczenie powiadomienia Slack", "доставка оповещения Slack", "Slack 提醒投递"
    ),
    "Slack alert deliveries": t(
        "dostarczenia powiadomień Slack", "доставки оповещений Slack", "Slack 提醒投递"
    ),
    "Can send Slack alert deliveries again": t(
        "Może ponownie wysyłać dostarczenia powiadomień Slack",
        "Может повторно отправлять доставки оповещений Slack",
        "可以重新发送 Slack 提醒投递",
    ),
    # ---- followups/chat/alerts.py
    "Unknown categories: %(unknown)s. Known: %(known)s.": t(
        "Nieznane kategorie: %(unknown)s. Znane: %(known)s.",
        "Неизвестные категории: %(unknown)s. Известные: %(known)s.",
        "未知类别：%(unknown)s。已知类别：%(known)s。",
    ),
    "Choose at least one category.": t(
        "Wybierz co najmniej jedną kategorię.",
        "Выберите хотя бы одну категорию.",
        "请至少选择一个类别。",
    ),
    # ---- followups/chat/emit.py: the messages posted
    "Score": t("Ocena", "Оценка", "评分"),
    "Segment": t("Segment", "Сегмент", "细分群体"),
    "none": t("brak", "нет", "无"),
    "Owner": t("Właściciel", "Ответственный", "负责人"),
    "nobody yet": t("jeszcze nikt", "пока никто", "暂无"),
    "Due": t("Termin", "Срок", "截止时间"),
    "Open the case": t("Otwórz sprawę", "Открыть обращение", "打开案例"),
    "Open the answer": t("Otwórz odpowiedź", "Открыть ответ", "打开回答"),
    "%(category)s: %(score)d/10 on %(survey)s": t(
        "%(category)s: %(score)d/10 w ankiecie %(survey)s",
        "%(category)s: %(score)d/10 в опросе %(survey)s",
        "%(category)s：%(survey)s 中评分 %(score)d/10",
    ),
    "Comment:": t("Komentarz:", "Комментарий:", "评论："),
    "(no comment)": t("(bez komentarza)", "(без комментария)", "（无评论）"),
    "Answer %(id)d, %(when)s": t(
        "Odpowiedź %(id)d, %(when)s", "Ответ %(id)d, %(when)s", "回答 %(id)d，%(when)s"
    ),
    "Test message: alerts for %(survey)s will arrive here": t(
        "Wiadomość testowa: tu będą trafiać powiadomienia ankiety %(survey)s",
        "Тестовое сообщение: сюда будут приходить оповещения опроса %(survey)s",
        "测试消息：%(survey)s 的提醒将发到这里",
    ),
    "Survey": t("Ankieta", "Опрос", "调查"),
    "Categories": t("Kategorie", "Категории", "类别"),
    "(a test: no customer answered)": t(
        "(test: żaden klient nie odpowiedział)",
        "(тест: ни один клиент не отвечал)",
        "（测试：没有客户作答）",
    ),
    "Open the alert's settings": t(
        "Otwórz ustawienia powiadomienia", "Открыть настройки оповещения", "打开提醒设置"
    ),
    "Sent from the admin at %(when)s": t(
        "Wysłano z panelu administracyjnego: %(when)s",
        "Отправлено из админки: %(when)s",
        "于 %(when)s 从管理后台发送",
    ),
    # ---- followups/chat/admin.py
    "The URL Slack gives for an incoming webhook (https://hooks.slack.com/services/…), or another chat's that takes Slack's messages. Anyone holding it can post to the channel: it is shown masked once saved.": t(
        "URL, który Slack podaje dla przychodzącego webhooka (https://hooks.slack.com/services/…), albo URL innego czatu przyjmującego wiadomości Slacka. Każdy, kto go zna, może pisać na kanale: po zapisaniu jest pokazywany zamaskowany.",
        "URL, который Slack выдаёт для входящего вебхука (https://hooks.slack.com/services/…), или URL другого чата, принимающего сообщения Slack. Любой, у кого он есть, может писать в канал: после сохранения он показывается скрытым.",
        "Slack 为传入 Webhook 提供的 URL（https://hooks.slack.com/services/…），或其他接受 Slack 消息的聊天工具的 URL。持有它的任何人都能向该频道发消息：保存后只显示其掩码形式。",
    ),
    "The answers posted: detractors open a case, and their alert links to it.": t(
        "Publikowane odpowiedzi: krytycy otwierają sprawę, a ich powiadomienie do niej prowadzi.",
        "Публикуемые ответы: критики открывают обращение, и их оповещение ведёт к нему.",
        "会发布的回答：贬损者会开启案例，其提醒会链接到该案例。",
    ),
    "new incoming-webhook URL": t(
        "nowy URL przychodzącego webhooka", "новый URL входящего вебхука", "新的传入 Webhook URL"
    ),
    "Leave empty to keep the current one (%(masked)s).": t(
        "Zostaw puste, aby zachować obecny (%(masked)s).",
        "Оставьте пустым, чтобы сохранить текущий (%(masked)s).",
        "留空以保留当前的 URL（%(masked)s）。",
    ),
    "Paste the incoming-webhook URL.": t(
        "Wklej URL przychodzącego webhooka.",
        "Вставьте URL входящего вебхука.",
        "请粘贴传入 Webhook 的 URL。",
    ),
    "Send a test message": t(
        "Wyślij wiadomość testową", "Отправить тестовое сообщение", "发送测试消息"
    ),
    "%(n)d test message queued: see the Slack alert deliveries.": {
        "pl": [
            "%(n)d wiadomość testowa w kolejce: zobacz dostarczenia powiadomień Slack.",
            "%(n)d wiadomości testowe w kolejce: zobacz dostarczenia powiadomień Slack.",
            "%(n)d wiadomości testowych w kolejce: zobacz dostarczenia powiadomień Slack.",
            "%(n)d wiadomości testowej w kolejce: zobacz dostarczenia powiadomień Slack.",
        ],
        "ru": [
            "%(n)d тестовое сообщение в очереди: см. доставки оповещений Slack.",
            "%(n)d тестовых сообщения в очереди: см. доставки оповещений Slack.",
            "%(n)d тестовых сообщений в очереди: см. доставки оповещений Slack.",
            "%(n)d тестового сообщения в очереди: см. доставки оповещений Slack.",
        ],
        "zh_Hans": ["%(n)d 条测试消息已排队：请查看 Slack 提醒投递。"],
    },
    "%(n)d disabled alert was left out: enable it first.": {
        "pl": [
            "Pominięto %(n)d wyłączone powiadomienie: najpierw je włącz.",
            "Pominięto %(n)d wyłączone powiadomienia: najpierw je włącz.",
            "Pominięto %(n)d wyłączonych powiadomień: najpierw je włącz.",
            "Pominięto %(n)d wyłączonego powiadomienia: najpierw je włącz.",
        ],
        "ru": [
            "Пропущено %(n)d отключённое оповещение: сначала включите его.",
            "Пропущено %(n)d отключённых оповещения: сначала включите их.",
            "Пропущено %(n)d отключённых оповещений: сначала включите их.",
            "Пропущено %(n)d отключённого оповещения: сначала включите его.",
        ],
        "zh_Hans": ["已跳过 %(n)d 个停用的提醒：请先启用。"],
    },
}
