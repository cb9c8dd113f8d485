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
}
