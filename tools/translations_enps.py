# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of Employee NPS (eNPS): the survey kind, the anonymous page,
its emails and the eNPS dashboard, for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py
    "Customers (NPS)": t("Klienci (NPS)", "Клиенты (NPS)", "客户（NPS）"),
    "Employees (eNPS, anonymous)": t(
        "Pracownicy (eNPS, anonimowo)", "Сотрудники (eNPS, анонимно)", "员工（eNPS，匿名）"
    ),
    "asked of": t("kogo pytamy", "кого спрашиваем", "调查对象"),
    "An employee survey is anonymous by construction: its answers are kept apart from who was asked, and shown only for groups of at least the minimum size.": t(
        "Ankieta pracownicza jest anonimowa z założenia: odpowiedzi są przechowywane osobno od listy zapytanych osób i pokazywane tylko dla grup nie mniejszych niż minimalna.",
        "Опрос сотрудников анонимен по устройству: ответы хранятся отдельно от списка опрошенных и показываются только для групп не меньше минимального размера.",
        "员工调查在设计上即为匿名：答复与被调查者名单分开存储，且仅对不少于最小人数的群组显示。",
    ),
    "team": t("zespół", "команда", "团队"),
    "answered": t("odpowiedziano", "ответ получен", "已作答"),
    "employee invitation": t("zaproszenie pracownika", "приглашение сотрудника", "员工邀请"),
    "employee invitations": t("zaproszenia pracowników", "приглашения сотрудников", "员工邀请"),
    "The Monday of the week it was given.": t(
        "Poniedziałek tygodnia, w którym jej udzielono.",
        "Понедельник недели, в которую он был дан.",
        "作答当周的星期一。",
    ),
    "employee answer": t("odpowiedź pracownika", "ответ сотрудника", "员工答复"),
    "employee answers": t("odpowiedzi pracowników", "ответы сотрудников", "员工答复"),
    "anonymous answer": t("anonimowa odpowiedź", "анонимный ответ", "匿名答复"),
    # ---- surveys/enps.py
    "Only an employee survey is sent to employees.": t(
        "Do pracowników wysyła się tylko ankietę pracowniczą.",
        "Сотрудникам отправляется только опрос сотрудников.",
        "只有员工调查才能发送给员工。",
    ),
    "Every employee needs a team (%(email)s).": t(
        "Każdy pracownik musi mieć zespół (%(email)s).",
        "У каждого сотрудника должна быть команда (%(email)s).",
        "每位员工都需要一个团队（%(email)s）。",
    ),
    # ---- surveys/forms.py and the page
    "Your email, if you want someone to contact you": t(
        "Państwa e-mail, jeśli chcą Państwo, aby ktoś się z Państwem skontaktował",
        "Ваш e-mail, если хотите, чтобы с вами связались",
        "如果希望有人联系您，请留下您的邮箱",
    ),
    "Optional. Leave it empty to stay anonymous. If you write it and your score is 6 or lower, a colleague will contact you, and will see this answer with it.": t(
        "Opcjonalnie. Puste pole zachowuje anonimowość. Jeśli wpiszą Państwo adres, a ocena wyniesie 6 lub mniej, skontaktuje się z Państwem współpracownik, który zobaczy tę odpowiedź razem z adresem.",
        "Необязательно. Оставьте пустым, чтобы остаться анонимным. Если вы его укажете и ваша оценка 6 или ниже, с вами свяжется коллега, и он увидит этот ответ вместе с адресом.",
        "可选。留空即保持匿名。如果填写且您的评分为 6 分或更低，将有同事与您联系，并会看到这条答复及您的邮箱。",
    ),
    "Anonymous survey": t("Anonimowa ankieta", "Анонимный опрос", "匿名调查"),
    "Your answer is stored without your name or email, and is shown only together with those of at least %(min_group)s colleagues.": t(
        "Państwa odpowiedź jest zapisywana bez imienia i adresu e-mail i pokazywana tylko razem z odpowiedziami co najmniej %(min_group)s współpracowników.",
        "Ваш ответ хранится без имени и e-mail и показывается только вместе с ответами не менее %(min_group)s коллег.",
        "您的答复在存储时不含姓名或邮箱，并且只会与至少 %(min_group)s 位同事的答复一起显示。",
    ),
    "Optional. Up to 5,000 characters. Details that name you can identify you.": t(
        "Opcjonalnie. Do 5000 znaków. Szczegóły wskazujące na Państwa mogą Państwa zidentyfikować.",
        "Необязательно. До 5000 символов. Подробности, указывающие на вас, могут вас выдать.",
        "可选。最多 5000 个字符。指向您本人的细节可能暴露您的身份。",
    ),
    "This link has been used": t(
        "Ten link został już użyty", "Эта ссылка уже использована", "此链接已被使用"
    ),
    "An answer was already sent with it. Answers are anonymous, so it cannot be shown or changed.": t(
        "Wysłano już nim odpowiedź. Odpowiedzi są anonimowe, więc nie można jej pokazać ani zmienić.",
        "По ней уже был отправлен ответ. Ответы анонимны, поэтому его нельзя показать или изменить.",
        "已通过此链接提交过答复。答复是匿名的，因此无法查看或修改。",
    ),
    "A colleague will contact you at the address you left.": t(
        "Współpracownik skontaktuje się z Państwem pod podanym adresem.",
        "Коллега свяжется с вами по указанному адресу.",
        "同事会通过您留下的邮箱与您联系。",
    ),
    "Your answer was stored anonymously.": t(
        "Państwa odpowiedź została zapisana anonimowo.",
        "Ваш ответ сохранён анонимно.",
        "您的答复已匿名保存。",
    ),
    # ---- followups/templates/followups/email/employee_invitation.*
    "Answer anonymously": t("Odpowiedz anonimowo", "Ответить анонимно", "匿名作答"),
    "Answer here:": t("Odpowiedz tutaj:", "Ответить здесь:", "在此作答："),
    "Your answer is anonymous: it is stored without your name or email, and shown only together with those of at least %(min_group)s colleagues.": t(
        "Państwa odpowiedź jest anonimowa: jest zapisywana bez imienia i adresu e-mail i pokazywana tylko razem z odpowiedziami co najmniej %(min_group)s współpracowników.",
        "Ваш ответ анонимен: он хранится без имени и e-mail и показывается только вместе с ответами не менее %(min_group)s коллег.",
        "您的答复是匿名的：存储时不含姓名或邮箱，并且只会与至少 %(min_group)s 位同事的答复一起显示。",
    ),
    "You receive this email because your employer asks its staff this survey.": t(
        "Otrzymują Państwo tę wiadomość, ponieważ Państwa pracodawca prowadzi tę ankietę wśród pracowników.",
        "Вы получили это письмо, потому что ваш работодатель проводит этот опрос среди сотрудников.",
        "您收到此邮件，是因为您的雇主正在员工中开展这项调查。",
    ),
    "Reminder: %(survey_name)s, an anonymous question": t(
        "Przypomnienie: %(survey_name)s, anonimowe pytanie",
        "Напоминание: %(survey_name)s, анонимный вопрос",
        "提醒：%(survey_name)s，一个匿名问题",
    ),
    "%(survey_name)s: an anonymous question": t(
        "%(survey_name)s: anonimowe pytanie",
        "%(survey_name)s: анонимный вопрос",
        "%(survey_name)s：一个匿名问题",
    ),
    # ---- followups/templates/admin/followups/enps_dashboard.html
    "eNPS dashboard": t("Pulpit eNPS", "Панель eNPS", "eNPS 仪表板"),
    "fewer than %(n)s answers": t(
        "mniej niż %(n)s odpowiedzi", "меньше %(n)s ответов", "少于 %(n)s 条答复"
    ),
    "An employee survey: its answers are anonymous. A group with fewer than %(n)s answers, or one that could be worked out from the others by subtraction, is not shown. Answers show from the week after they are given.": t(
        "Ankieta pracownicza: odpowiedzi są anonimowe. Grupa mająca mniej niż %(n)s odpowiedzi, albo taka, którą dałoby się wyliczyć z pozostałych przez odejmowanie, nie jest pokazywana. Odpowiedzi widać od tygodnia po ich udzieleniu.",
        "Опрос сотрудников: ответы анонимны. Группа, в которой меньше %(n)s ответов, или такая, которую можно вычислить из остальных вычитанием, не показывается. Ответы видны с недели, следующей за той, когда они даны.",
        "员工调查：答复均为匿名。答复少于 %(n)s 条的群组，或可由其他群组相减推算出的群组，均不显示。答复从作答的下一周起显示。",
    ),
    "No answers yet.": t("Nie ma jeszcze odpowiedzi.", "Ответов пока нет.", "暂无答复。"),
    "%(n)s answer": {
        "pl": ["%(n)s odpowiedź", "%(n)s odpowiedzi", "%(n)s odpowiedzi", "%(n)s odpowiedzi"],
        "ru": ["%(n)s ответ", "%(n)s ответа", "%(n)s ответов", "%(n)s ответа"],
        "zh_Hans": ["%(n)s 条答复"],
    },
    "By team": t("Według zespołu", "По командам", "按团队"),
    "Team": t("Zespół", "Команда", "团队"),
    "eNPS by month": t("eNPS według miesiąca", "eNPS по месяцам", "按月 eNPS"),
    "“&lt; %(n)s”: fewer than %(n)s answers, or hidden so that another group cannot be worked out.": t(
        "„&lt; %(n)s”: mniej niż %(n)s odpowiedzi albo ukryte, aby nie dało się wyliczyć innej grupy.",
        "«&lt; %(n)s»: меньше %(n)s ответов или скрыто, чтобы нельзя было вычислить другую группу.",
        "“&lt; %(n)s”：少于 %(n)s 条答复，或为防止推算出其他群组而隐藏。",
    ),
    "Month": t("Miesiąc", "Месяц", "月份"),
    "All teams": t("Wszystkie zespoły", "Все команды", "所有团队"),
    "Comments": t("Komentarze", "Комментарии", "评论"),
    "Only of teams shown above, in alphabetical order, with no date.": t(
        "Tylko zespołów pokazanych wyżej, w kolejności alfabetycznej, bez daty.",
        "Только команд, показанных выше, в алфавитном порядке, без даты.",
        "仅限上方显示的团队，按字母顺序排列，不含日期。",
    ),
    "No comments to show.": t(
        "Brak komentarzy do pokazania.", "Нет комментариев для показа.", "没有可显示的评论。"
    ),
}
