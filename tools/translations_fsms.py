# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the SMS and reminder bonus fixes (the stratified bonus
total, the SMS reward's code and expiry, the short SMS link, time zones of
contacts), for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/templates/admin/followups/dashboard.html: the bonus panel
    "The total's difference combines each wave's own (Mantel-Haenszel), so waves that put different shares of their reminders under the bonus do not skew it.": t(
        "Różnica w sumie łączy różnice poszczególnych fal (metodą Mantela-Haenszela), więc fale, które objęły bonusem różny odsetek przypomnień, jej nie zniekształcają.",
        "Разница в итоге объединяет разницы отдельных волн (по методу Мантеля — Хензеля), поэтому волны с разной долей напоминаний с бонусом её не искажают.",
        "总计的差值按各批次自身的差值合并（Mantel-Haenszel 方法），因此各批次带奖励提醒的比例不同也不会使其失真。",
    ),
    # ---- surveys/sms.py: the reward by text says what the email says
    "Valid until %(expires)s.": t(
        "Ważny do %(expires)s.", "Действует до %(expires)s.", "有效期至 %(expires)s。"
    ),
    "Your referral code for friends:": t(
        "Twój kod polecający dla znajomych:",
        "Ваш реферальный код для друзей:",
        "您给朋友的推荐码：",
    ),
    # ---- surveys/time_zones.py
    "Enter a time zone by its IANA name, e.g. Europe/Warsaw.": t(
        "Podaj strefę czasową jej nazwą IANA, np. Europe/Warsaw.",
        "Укажите часовой пояс его именем IANA, например Europe/Warsaw.",
        "请输入时区的 IANA 名称，例如 Europe/Warsaw。",
    ),
    # ---- surveys/admin.py: the SMS preview shows the invitation and its reminder
    "SMS invitation": t("Zaproszenie SMS", "Приглашение по SMS", "短信邀请"),
    "SMS reminder": t("Przypomnienie SMS", "Напоминание по SMS", "短信提醒"),
    "Text message": t("Wiadomość", "Сообщение", "短信"),
}
