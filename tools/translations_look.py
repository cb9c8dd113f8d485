# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of what the SMS wave pages gained when looked at in a browser
(the preview's note on the two encodings, the SMS wave page's state once
every part is done), for tools/fill_translations.py."""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- templates/followups/admin/audience_preview.html
    "GSM-7: up to 160 characters make one segment; a longer text takes one segment per 153. UCS-2, needed by any character outside GSM-7 (such as ł, Cyrillic or Chinese): 70 in one segment, 67 per segment of a longer text.": t(
        "GSM-7: do 160 znaków mieści się w jednej części; dłuższy tekst zajmuje jedną część na każde 153 znaki. UCS-2, potrzebne, gdy tekst ma choć jeden znak spoza GSM-7 (np. ł, cyrylicę lub znaki chińskie): 70 znaków w jednej części, 67 na część dłuższego tekstu.",
        "GSM-7: до 160 символов помещаются в одну часть; более длинный текст занимает по одной части на каждые 153 символа. UCS-2 нужна, если в тексте есть хоть один символ вне GSM-7 (например, ł, кириллица или китайские иероглифы): 70 символов в одной части, 67 на часть более длинного текста.",
        "GSM-7：160 个字符以内为一个分段；更长的文本每 153 个字符占一个分段。文本含有任何 GSM-7 之外的字符（如 ł、西里尔字母或汉字）时使用 UCS-2：单个分段 70 个字符，较长文本每个分段 67 个字符。",
    ),
    # ---- templates/followups/admin/wave.html: an SMS wave whose parts are all done
    "Every text is sent or queued; those waiting go when their customer's quiet hours end. Answers keep coming in.": t(
        "Wszystkie SMS-y są wysłane lub w kolejce; oczekujące wyjdą, gdy skończą się godziny ciszy klienta. Odpowiedzi wciąż napływają.",
        "Все SMS отправлены или стоят в очереди; ожидающие уйдут, когда у клиента закончатся тихие часы. Ответы продолжают поступать.",
        "所有短信均已发送或在队列中；等待中的短信将在客户的免打扰时段结束后发出。回答仍在陆续到来。",
    ),
}
