# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the cases' stored current deadline and of the managers'
email when a Slack alert is disabled, for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py: FollowUpCase.current_deadline
    "current deadline": t("bieżący termin", "текущий срок", "当前期限"),
    # ---- followups/templates/followups/email/chat_alert_disabled.*
    "Slack alert disabled: %(url)s": t(
        "Powiadomienie Slack wyłączone: %(url)s",
        "Оповещение Slack отключено: %(url)s",
        "Slack 提醒已停用：%(url)s",
    ),
    "Slack alert disabled": t(
        "Powiadomienie Slack wyłączone", "Оповещение Slack отключено", "Slack 提醒已停用"
    ),
    "The Slack alert posting to %(url)s was disabled: %(reason)s": t(
        "Powiadomienie Slack wysyłane pod adres %(url)s zostało wyłączone: %(reason)s",
        "Оповещение Slack, отправляемое на %(url)s, отключено: %(reason)s",
        "发送到 %(url)s 的 Slack 提醒已停用：%(reason)s",
    ),
    "The Slack alert posting to <strong>%(url)s</strong> was disabled: %(reason)s": t(
        "Powiadomienie Slack wysyłane pod adres <strong>%(url)s</strong> zostało wyłączone: %(reason)s",
        "Оповещение Slack, отправляемое на <strong>%(url)s</strong>, отключено: %(reason)s",
        "发送到 <strong>%(url)s</strong> 的 Slack 提醒已停用：%(reason)s",
    ),
    "Its channel is no longer told about new answers. Paste a working incoming-webhook URL in the alert (Slack gives a new one when the old one was removed), enable it, and send its failed deliveries again if they still matter.": t(
        "Jego kanał nie dostaje już informacji o nowych odpowiedziach. Wklej w powiadomieniu działający adres URL przychodzącego webhooka (Slack podaje nowy, gdy stary został usunięty), włącz je i wyślij ponownie nieudane dostarczenia, jeśli nadal mają znaczenie.",
        "Его канал больше не получает сообщений о новых ответах. Вставьте в оповещение рабочий URL входящего вебхука (Slack выдаёт новый, если старый был удалён), включите оповещение и отправьте неудавшиеся доставки повторно, если они ещё нужны.",
        "其频道将不再收到新回答的通知。请在提醒中粘贴一个可用的传入 Webhook URL（旧的被删除时，Slack 会提供新的），启用该提醒，如仍有必要，请重新发送失败的投递。",
    ),
    "Open the alert:": t("Otwórz powiadomienie:", "Открыть оповещение:", "打开提醒："),
    "Open the alert": t("Otwórz powiadomienie", "Открыть оповещение", "打开提醒"),
    "Sent to the managers by the NPS loop.": t(
        "Wysłane do menedżerów przez system NPS.",
        "Отправлено менеджерам системой NPS.",
        "由 NPS 闭环系统发送给经理。",
    ),
}
