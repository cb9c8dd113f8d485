# ruff: noqa: RUF001 -- a table of sentences in three languages and scripts
"""Translations of redeeming and revoking offer and reward codes (the API's
refusals, the admin actions, the scopes, the dashboard's "before expiry"),
for tools/fill_translations.py.

A plural entry maps each language to its forms, in the order of the catalogue's
Plural-Forms: pl and ru have four (one, few, many, fraction), zh_Hans one.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py: the grant's new status and fields, the timeline kind
    "Revoked": t("Unieważniono", "Отозвано", "已吊销"),
    "order": t("zamówienie", "заказ", "订单"),
    "redeemed by": t("zrealizowane przez", "кем погашен", "兑换人"),
    # The same words as the API key's "revoked at" in the surveys catalogue.
    "revoked at": t("unieważniono", "отозван", "吊销时间"),
    # The same words as the audit trail's "Code redeemed" in the surveys catalogue.
    "Code redeemed": t("Zrealizowano kod", "Код погашен", "已兑换代码"),
    # ---- surveys/models.py: the audit action and the API scopes
    "Code revoked": t("Unieważniono kod", "Код отозван", "已吊销代码"),
    "Check offer and reward codes": t(
        "Sprawdzanie kodów ofert i nagród",
        "Проверка кодов предложений и наград",
        "查询优惠和奖励代码",
    ),
    "Redeem offer and reward codes at checkout": t(
        "Realizacja kodów ofert i nagród przy zakupie",
        "Погашение кодов предложений и наград при оформлении заказа",
        "结账时兑换优惠和奖励代码",
    ),
    # ---- followups/incentives/redemption.py: why a code cannot be redeemed
    "No offer or reward has this code.": t(
        "Żadna oferta ani nagroda nie ma tego kodu.",
        "Ни у одного предложения или награды нет такого кода.",
        "没有任何优惠或奖励使用此代码。",
    ),
    "This code was already redeemed on %(when)s, for order %(order)s.": t(
        "Ten kod został już zrealizowany %(when)s, dla zamówienia %(order)s.",
        "Этот код уже погашен %(when)s, для заказа %(order)s.",
        "此代码已于 %(when)s 为订单 %(order)s 兑换。",
    ),
    "This code was already redeemed on %(when)s.": t(
        "Ten kod został już zrealizowany %(when)s.",
        "Этот код уже погашен %(when)s.",
        "此代码已于 %(when)s 兑换。",
    ),
    "This code was revoked on %(when)s.": t(
        "Ten kod został unieważniony %(when)s.",
        "Этот код отозван %(when)s.",
        "此代码已于 %(when)s 吊销。",
    ),
    "This code expired on %(when)s.": t(
        "Ten kod wygasł %(when)s.",
        "Срок действия этого кода истёк %(when)s.",
        "此代码已于 %(when)s 过期。",
    ),
    # ---- followups/incentives/admin.py: the actions
    "Revoke: the code can no longer be redeemed": t(
        "Unieważnij: kodu nie będzie można już zrealizować",
        "Отозвать: код больше нельзя будет погасить",
        "吊销：此代码将无法再兑换",
    ),
    "#%(id)d: it has no code to redeem.": t(
        "#%(id)d: nie ma kodu do zrealizowania.",
        "#%(id)d: у него нет кода для погашения.",
        "#%(id)d：没有可兑换的代码。",
    ),
    "%(n)d code revoked.": {
        "pl": [
            "Unieważniono %(n)d kod.",
            "Unieważniono %(n)d kody.",
            "Unieważniono %(n)d kodów.",
            "Unieważniono %(n)d kodu.",
        ],
        "ru": [
            "Отозван %(n)d код.",
            "Отозвано %(n)d кода.",
            "Отозвано %(n)d кодов.",
            "Отозвано %(n)d кода.",
        ],
        "zh_Hans": ["已吊销 %(n)d 个代码。"],
    },
    # ---- followups/templates/admin/followups/dashboard.html: codes redeemed by their expiry
    "(%(n)s before expiry)": {
        "pl": [
            "(%(n)s przed wygaśnięciem)",
            "(%(n)s przed wygaśnięciem)",
            "(%(n)s przed wygaśnięciem)",
            "(%(n)s przed wygaśnięciem)",
        ],
        "ru": [
            "(%(n)s до истечения срока)",
            "(%(n)s до истечения срока)",
            "(%(n)s до истечения срока)",
            "(%(n)s до истечения срока)",
        ],
        "zh_Hans": ["（%(n)s 个在过期前）"],
    },
}
