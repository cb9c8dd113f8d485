# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the employee NPS anonymity fixes (an employee survey refused
on customer paths, the call-back note), for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py
    "“%(slug)s” is an employee survey: it is sent only to employees (manage.py enps_invite) and answered only through their anonymous links, never to or by customers.": t(
        "„%(slug)s” to ankieta pracownicza: jest wysyłana tylko pracownikom (manage.py enps_invite) i wypełniana tylko przez ich anonimowe linki, nigdy przez klientów ani do klientów.",
        "«%(slug)s» — опрос сотрудников: он отправляется только сотрудникам (manage.py enps_invite) и заполняется только по их анонимным ссылкам, никогда не отправляется клиентам и не заполняется ими.",
        "“%(slug)s”是员工调查：只发送给员工（manage.py enps_invite），只能通过他们的匿名链接作答，绝不发送给客户，也不接受客户作答。",
    ),
    "An employee survey does not repeat by waves: its employees are asked with manage.py enps_invite.": t(
        "Ankieta pracownicza nie powtarza się falami: pracowników zaprasza się poleceniem manage.py enps_invite.",
        "Опрос сотрудников не повторяется волнами: сотрудников приглашают командой manage.py enps_invite.",
        "员工调查不按批次重复发送：通过 manage.py enps_invite 邀请员工。",
    ),
    # ---- surveys/forms.py
    "Optional. Leave it empty to stay anonymous. If you write it and your score is 6 or lower, a colleague will contact you, and will see your score with it.": t(
        "Opcjonalnie. Puste pole zachowuje anonimowość. Jeśli wpiszą Państwo adres, a ocena wyniesie 6 lub mniej, skontaktuje się z Państwem współpracownik, który zobaczy Państwa ocenę razem z adresem.",
        "Необязательно. Оставьте пустым, чтобы остаться анонимным. Если вы его укажете и ваша оценка 6 или ниже, с вами свяжется коллега, и он увидит вашу оценку вместе с адресом.",
        "可选。留空即保持匿名。如果填写且您的评分为 6 分或更低，将有同事与您联系，并会看到您的评分及您的邮箱。",
    ),
    "A note for whoever contacts you (optional)": t(
        "Notatka dla osoby, która się z Państwem skontaktuje (opcjonalnie)",
        "Заметка для того, кто с вами свяжется (необязательно)",
        "给联系您的同事的留言（可选）",
    ),
    "Only with your email. Your comment above stays anonymous and is not passed on: write here what the colleague who calls you back should know.": t(
        "Tylko razem z adresem e-mail. Komentarz powyżej pozostaje anonimowy i nie jest przekazywany: proszę tu napisać, co powinien wiedzieć współpracownik, który oddzwoni.",
        "Только вместе с вашим e-mail. Комментарий выше остаётся анонимным и не передаётся: напишите здесь, что следует знать коллеге, который вам перезвонит.",
        "仅在填写邮箱时使用。上面的评论保持匿名，不会转交：请在此写下回电的同事应当了解的内容。",
    ),
    # ---- followups/invitations/admin.py
    "An employee survey is never sent to customers: %(names)s. Its employees are asked with manage.py enps_invite.": t(
        "Ankieta pracownicza nigdy nie jest wysyłana klientom: %(names)s. Pracowników zaprasza się poleceniem manage.py enps_invite.",
        "Опрос сотрудников никогда не отправляется клиентам: %(names)s. Сотрудников приглашают командой manage.py enps_invite.",
        "员工调查绝不发送给客户：%(names)s。通过 manage.py enps_invite 邀请员工。",
    ),
}
