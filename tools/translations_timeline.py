# ruff: noqa: RUF001 -- a table of sentences in three languages and scripts
"""Translations of the case timeline worded when read (followups/cases/timeline.py:
lines that used to be stored as English sentences), for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/cases/timeline.py
    "Opened for a score of %(score)s.": t(
        "Otwarto po ocenie %(score)s.",
        "Открыто после оценки %(score)s.",
        "因评分 %(score)s 而开立。",
    ),
    "Assigned automatically to %(owner)s.": t(
        "Przypisano automatycznie do: %(owner)s.",
        "Автоматически назначено: %(owner)s.",
        "已自动分配给 %(owner)s。",
    ),
    "%(channel)s sent to the customer: %(subject)s": t(
        "Wysłano do klienta (%(channel)s): %(subject)s",
        "Отправлено клиенту (%(channel)s): %(subject)s",
        "已发送给客户（%(channel)s）：%(subject)s",
    ),
    "%(channel)s sent to the customer": t(
        "Wysłano do klienta (%(channel)s)",
        "Отправлено клиенту (%(channel)s)",
        "已发送给客户（%(channel)s）",
    ),
    "%(channel)s sent to %(recipient)s: %(subject)s": t(
        "Wysłano do %(recipient)s (%(channel)s): %(subject)s",
        "Отправлено %(recipient)s (%(channel)s): %(subject)s",
        "已发送给 %(recipient)s（%(channel)s）：%(subject)s",
    ),
    "%(channel)s sent to %(recipient)s": t(
        "Wysłano do %(recipient)s (%(channel)s)",
        "Отправлено %(recipient)s (%(channel)s)",
        "已发送给 %(recipient)s（%(channel)s）",
    ),
    "The customer answered the re-survey: %(score)s/10.": t(
        "Klient odpowiedział na ponowną ankietę: %(score)s/10.",
        "Клиент ответил на повторный опрос: %(score)s/10.",
        "客户已回答再次调查：%(score)s/10。",
    ),
    "The customer's offer code %(code)s (%(incentive)s) was redeemed for order %(order)s.": t(
        "Kod oferty klienta %(code)s (%(incentive)s) wykorzystano przy zamówieniu %(order)s.",
        "Код предложения клиента %(code)s (%(incentive)s) использован в заказе %(order)s.",
        "客户的优惠码 %(code)s（%(incentive)s）已在订单 %(order)s 中兑换。",
    ),
    "The customer's offer code %(code)s (%(incentive)s) was redeemed by hand.": t(
        "Kod oferty klienta %(code)s (%(incentive)s) wykorzystano ręcznie.",
        "Код предложения клиента %(code)s (%(incentive)s) погашен вручную.",
        "客户的优惠码 %(code)s（%(incentive)s）已手动兑换。",
    ),
    "The customer's reward code %(code)s (%(incentive)s) was redeemed for order %(order)s.": t(
        "Kod nagrody klienta %(code)s (%(incentive)s) wykorzystano przy zamówieniu %(order)s.",
        "Код награды клиента %(code)s (%(incentive)s) использован в заказе %(order)s.",
        "客户的奖励码 %(code)s（%(incentive)s）已在订单 %(order)s 中兑换。",
    ),
    "The customer's reward code %(code)s (%(incentive)s) was redeemed by hand.": t(
        "Kod nagrody klienta %(code)s (%(incentive)s) wykorzystano ręcznie.",
        "Код награды клиента %(code)s (%(incentive)s) погашен вручную.",
        "客户的奖励码 %(code)s（%(incentive)s）已手动兑换。",
    ),
}
