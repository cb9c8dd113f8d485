# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of SMS surveys (the texts customers get, the survey's SMS
preview, the customer's time zone, inbound texts in the admin), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/sms.py: what customers read (keep {question} and {link})
    "{question} Reply with a number from 0 to 10 or answer here: {link}": t(
        "{question} Odpisz liczbą od 0 do 10 albo odpowiedz tutaj: {link}",
        "{question} Ответьте числом от 0 до 10 или ответьте здесь: {link}",
        "{question} 请回复 0 到 10 之间的数字，或在此作答：{link}",
    ),
    "Reminder: {question} Reply with a number from 0 to 10 or answer here: {link}": t(
        "Przypomnienie: {question} Odpisz liczbą od 0 do 10 albo odpowiedz tutaj: {link}",
        "Напоминание: {question} Ответьте числом от 0 до 10 или ответьте здесь: {link}",
        "提醒：{question} 请回复 0 到 10 之间的数字，或在此作答：{link}",
    ),
    "Reply STOP to opt out.": t(
        "Odpisz STOP, aby zrezygnować.",
        "Чтобы отписаться, ответьте СТОП.",
        "回复“退订”即可退订。",
    ),
    "Thank you for your answer!": t(
        "Dziękujemy za odpowiedź!",
        "Спасибо за ваш ответ!",
        "感谢您的回答！",
    ),
    "Just reply to this message.": t(
        "Po prostu odpisz na tę wiadomość.",
        "Просто ответьте на это сообщение.",
        "直接回复此短信即可。",
    ),
    "You have unsubscribed and will get no more messages from us.": t(
        "Wypisano Cię: nie dostaniesz od nas więcej wiadomości.",
        "Вы отписались и больше не будете получать от нас сообщений.",
        "您已退订，将不再收到我们的消息。",
    ),
    "We are sorry to hear that. {contact} will contact you by {due}.": t(
        "Przykro nam to słyszeć. {contact} skontaktuje się z Tobą do {due}.",
        "Нам очень жаль. {contact} свяжется с вами до {due}.",
        "很抱歉听到这个消息。{contact} 将在 {due} 之前与您联系。",
    ),
    "We are sorry to hear that. We will contact you by {due}.": t(
        "Przykro nam to słyszeć. Skontaktujemy się z Tobą do {due}.",
        "Нам очень жаль. Мы свяжемся с вами до {due}.",
        "很抱歉听到这个消息。我们将在 {due} 之前与您联系。",
    ),
    "Thank you! {what}": t("Dziękujemy! {what}", "Спасибо! {what}", "谢谢！{what}"),
    "Your code: {code}": t("Twój kod: {code}", "Ваш код: {code}", "您的代码：{code}"),
    # ---- surveys/models.py
    "time zone": t("strefa czasowa", "часовой пояс", "时区"),
    "IANA name, e.g. Europe/Warsaw: no SMS reaches them in their quiet hours.": t(
        "Nazwa IANA, np. Europe/Warsaw: w godzinach ciszy nie dostanie żadnego SMS-a.",
        "Название по IANA, например Europe/Warsaw: в часы тишины SMS не отправляются.",
        "IANA 名称，例如 Asia/Shanghai：在免打扰时段不会收到短信。",
    ),
    "No phone number for an SMS": t(
        "Brak numeru telefonu do SMS-a",
        "Нет номера телефона для SMS",
        "没有可接收短信的电话号码",
    ),
    # ---- surveys/admin.py: the survey's SMS preview
    "SMS invitation": t("Zaproszenie SMS", "Приглашение по SMS", "短信邀请"),
    "The text an SMS invitation sends, per language, as saved: its encoding and how many SMS segments it costs.": t(
        "Treść zaproszenia SMS w każdym języku, według zapisanej ankiety: jej kodowanie i liczba części SMS, które kosztuje.",
        "Текст приглашения по SMS на каждом языке, как сохранён опрос: его кодировка и сколько частей SMS он занимает.",
        "短信邀请在各语言中的文本（按已保存的调查）：其编码以及占用的短信条数。",
    ),
    "SMS preview": t("Podgląd SMS", "Предпросмотр SMS", "短信预览"),
    "Shown once the survey is saved.": t(
        "Widoczny po zapisaniu ankiety.",
        "Появится после сохранения опроса.",
        "保存调查后显示。",
    ),
    "Language": t("Język", "Язык", "语言"),
    "Text": t("Treść", "Текст", "文本"),
    "Encoding": t("Kodowanie", "Кодировка", "编码"),
    "Length (septets or UTF-16 units)": t(
        "Długość (septety lub jednostki UTF-16)",
        "Длина (септеты или единицы UTF-16)",
        "长度（septet 或 UTF-16 单元）",
    ),
    "Segments": t("Części", "Части", "分段数"),
    # ---- followups/models.py: the outbox channel and inbound texts
    "outbox channel\x04SMS": t("SMS", "SMS", "短信"),
    "HTTP gateway": t("Bramka HTTP", "HTTP-шлюз", "HTTP 网关"),
    "Score recorded": t("Zapisano ocenę", "Оценка записана", "已记录评分"),
    "Comment recorded": t("Zapisano komentarz", "Комментарий записан", "已记录评论"),
    "Unsubscribed": t("Wypisany", "Отписан", "已退订"),
    "No customer or open SMS invitation": t(
        "Brak klienta lub otwartego zaproszenia SMS",
        "Нет клиента или открытого приглашения по SMS",
        "无对应客户或未结束的短信邀请",
    ),
    "Kept, nothing to do": t(
        "Zachowano, nic do zrobienia",
        "Сохранено, действий не требуется",
        "已保存，无需处理",
    ),
    "provider": t("dostawca", "провайдер", "服务商"),
    "provider's message id": t(
        "identyfikator wiadomości u dostawcy",
        "идентификатор сообщения у провайдера",
        "服务商消息 ID",
    ),
    "from": t("od", "от", "发件人"),
    "text": t("treść", "текст", "内容"),
    "outcome": t("wynik", "результат", "处理结果"),
    "note": t("uwaga", "примечание", "备注"),
    "inbound SMS": t("przychodzący SMS", "входящее SMS", "收到的短信"),
}
