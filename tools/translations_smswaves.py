# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of a wave by SMS (the audience page's channel, the preview's
count of texts and their cost in segments, the wave page's texts, the audit
trail's action), for tools/fill_translations.py. Plurals have the four forms
of the catalogues' Plural-Forms in pl and ru (one, few, many, other)."""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py
    "Email, or a text to each customer's phone.": t(
        "E-mail albo SMS na telefon każdego klienta.",
        "Электронное письмо или SMS на телефон каждого клиента.",
        "电子邮件，或发送到每位客户手机的短信。",
    ),
    "Survey sent to customers": t(
        "Ankieta wysłana do klientów",
        "Опрос отправлен клиентам",
        "已向客户发送调查",
    ),
    # ---- followups/invitations/waves.py: a reason to skip
    "no phone number": t("brak numeru telefonu", "нет номера телефона", "没有电话号码"),
    # ---- followups/invitations/admin_audience.py
    "Send by": t("Wyślij przez", "Способ отправки", "发送方式"),
    "By SMS, each customer gets a text to their phone with a short link to the survey, at the earliest after their quiet hours; customers without a phone are skipped.": t(
        "Przez SMS każdy klient dostaje wiadomość na telefon z krótkim linkiem do ankiety, najwcześniej po swoich godzinach ciszy; klienci bez telefonu są pomijani.",
        "По SMS каждый клиент получает сообщение на телефон с короткой ссылкой на опрос, не раньше окончания своих тихих часов; клиенты без телефона пропускаются.",
        "通过短信，每位客户会在手机上收到一条附有调查短链接的短信，最早在其免打扰时段结束后发送；没有电话的客户将被跳过。",
    ),
    "Texting “%(survey)s” to %(audience)s.": t(
        "Wysyłanie SMS-ów z ankietą „%(survey)s” do: %(audience)s.",
        "Отправка опроса «%(survey)s» по SMS: %(audience)s.",
        "正在通过短信向%(audience)s发送“%(survey)s”。",
    ),
    # ---- followups/invitations/admin.py: the outbox's outcome filter
    "waiting": t("oczekujące", "ожидают", "等待中"),
    # ---- templates/followups/admin/audience_preview.html
    "Sent by SMS: a text to each customer's phone, at the earliest after their quiet hours.": t(
        "Wysyłka SMS-em: wiadomość na telefon każdego klienta, najwcześniej po jego godzinach ciszy.",
        "Отправка по SMS: сообщение на телефон каждого клиента, не раньше окончания его тихих часов.",
        "通过短信发送：发送到每位客户的手机，最早在其免打扰时段结束后。",
    ),
    "Sent by email.": t(
        "Wysyłka e-mailem.", "Отправка по электронной почте.", "通过电子邮件发送。"
    ),
    "%(counter)s customer will get a text.": t(
        [
            "%(counter)s klient dostanie SMS-a.",
            "%(counter)s klientów dostanie SMS-a.",
            "%(counter)s klientów dostanie SMS-a.",
            "%(counter)s klienta dostanie SMS-a.",
        ],
        [
            "SMS получит %(counter)s клиент.",
            "SMS получат %(counter)s клиента.",
            "SMS получат %(counter)s клиентов.",
            "SMS получат %(counter)s клиента.",
        ],
        ["将向 %(counter)s 位客户发送短信。"],
    ),
    "Estimated cost of the texts": t(
        "Szacowany koszt SMS-ów",
        "Ориентировочная стоимость SMS",
        "短信预估费用",
    ),
    # As the survey's SMS preview (surveys) says them, now in followups' catalogue too.
    "Encoding": t("Kodowanie", "Кодировка", "编码"),
    "Segments": t("Części", "Части", "分段数"),
    "Texts": t("SMS-y", "SMS", "短信数"),
    "Segments per text": t("Części na SMS", "Частей на SMS", "每条短信的分段数"),
    "Total": t("Razem", "Итого", "合计"),
    "Providers bill each segment. Counted on the survey's invitation text in each language with its short link; reminders, sent only to those who do not answer, come on top.": t(
        "Operatorzy liczą opłatę za każdą część. Policzone na tekście zaproszenia ankiety w każdym języku wraz z krótkim linkiem; przypomnienia, wysyłane tylko tym, którzy nie odpowiedzą, są dodatkowo.",
        "Операторы берут плату за каждую часть. Подсчитано по тексту приглашения опроса на каждом языке с короткой ссылкой; напоминания, которые получат только не ответившие, оплачиваются дополнительно.",
        "服务商按每个分段计费。按各语言的调查邀请文本（含短链接）计算；仅发给未回答者的提醒另计。",
    ),
    # ---- templates/followups/admin/wave.html
    "By SMS.": t("SMS-em.", "По SMS.", "通过短信。"),
    "By email.": t("E-mailem.", "По электронной почте.", "通过电子邮件。"),
    "Texts sent": t("Wysłane SMS-y", "Отправлено SMS", "已发送短信"),
    "Texts failed": t("Nieudane SMS-y", "Не доставлено SMS", "发送失败的短信"),
    "Texts waiting (quiet hours or retry)": t(
        "SMS-y oczekujące (godziny ciszy lub ponowna próba)",
        "SMS в ожидании (тихие часы или повторная попытка)",
        "等待中的短信（免打扰时段或重试）",
    ),
    "Waiting": t("Oczekujące", "В ожидании", "等待中"),
}
