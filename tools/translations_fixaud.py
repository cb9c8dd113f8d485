# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the fixes to sending a survey to an audience (one wave per
preview, exactly one audience, a drift since the preview refused, a list file
too large refused before it is read), for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py: Wave
    "audience criteria": t("kryteria odbiorców", "критерии аудитории", "受众条件"),
    "confirmation token": t("token potwierdzenia", "токен подтверждения", "确认令牌"),
    # ---- followups/invitations/admin_audience.py
    "Choose exactly one audience.": t(
        "Wybierz dokładnie jedną grupę odbiorców.",
        "Выберите ровно одну аудиторию.",
        "请只选择一个受众。",
    ),
    "The audience to send to is gone or incomplete; choose it and preview again.": t(
        "Grupy odbiorców już nie ma lub jest niepełna; wybierz ją i ponownie wyświetl podgląd.",
        "Аудитории для отправки больше нет или она неполна; выберите её и снова откройте предпросмотр.",
        "要发送的受众已不存在或不完整；请重新选择并再次预览。",
    ),
    "The preview counted %(previewed)d customers to invite, but there are %(now)d now: the audience changed since. Nothing was sent; preview it again.": t(
        "Podgląd wskazał %(previewed)d klientów do zaproszenia, a teraz jest ich %(now)d: grupa odbiorców zmieniła się od tego czasu. Nic nie wysłano; wyświetl podgląd ponownie.",
        "В предпросмотре было %(previewed)d клиентов для приглашения, а сейчас их %(now)d: аудитория с тех пор изменилась. Ничего не отправлено; откройте предпросмотр снова.",
        "预览时有 %(previewed)d 位客户待邀请，现在为 %(now)d 位：受众此后已变化。未发送任何内容；请重新预览。",
    ),
    "The file is larger than %(size)d MB; split it into smaller files.": t(
        "Plik jest większy niż %(size)d MB; podziel go na mniejsze pliki.",
        "Файл больше %(size)d МБ; разделите его на файлы поменьше.",
        "文件超过 %(size)d MB，请拆分为较小的文件。",
    ),
    # ---- followups/invitations/admin.py: the outbox's filter by wave
    "no such wave": t("nie ma takiej wysyłki", "нет такой волны", "无此批次"),
}
