# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the brand and the editable email texts (the brand's
admin page, the email texts with their preview and test send, and the texts
shipped as the emails' defaults), for tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/branding.py: colours and the logo
    "Enter a colour as # followed by six hexadecimal digits, for example #0969da.": t(
        "Podaj kolor jako # i sześć cyfr szesnastkowych, na przykład #0969da.",
        "Укажите цвет как # и шесть шестнадцатеричных цифр, например #0969da.",
        "请以 # 加六位十六进制数字输入颜色，例如 #0969da。",
    ),
    "White text on %(colour)s has a contrast of only %(ratio)s:1; buttons and headers need at least 4.5:1 to be readable. Choose a darker colour.": t(
        "Biały tekst na kolorze %(colour)s ma kontrast tylko %(ratio)s:1; przyciski i nagłówki potrzebują co najmniej 4,5:1, aby były czytelne. Wybierz ciemniejszy kolor.",
        "Белый текст на цвете %(colour)s имеет контраст всего %(ratio)s:1; кнопкам и заголовкам нужно не меньше 4,5:1, чтобы их можно было прочитать. Выберите цвет темнее.",
        "白色文字在 %(colour)s 上的对比度只有 %(ratio)s:1；按钮和标题至少需要 4.5:1 才能看清。请选择更深的颜色。",
    ),
    "The logo is %(size)s KB; it may be at most 256 KB.": t(
        "Logo ma %(size)s KB; może mieć najwyżej 256 KB.",
        "Логотип занимает %(size)s КБ; допустимо не больше 256 КБ.",
        "徽标大小为 %(size)s KB；最大只能为 256 KB。",
    ),
    "The logo must be a PNG or JPEG image; this file is not one.": t(
        "Logo musi być obrazem PNG lub JPEG; ten plik nim nie jest.",
        "Логотип должен быть изображением PNG или JPEG; этот файл им не является.",
        "徽标必须是 PNG 或 JPEG 图片；此文件不是。",
    ),
    "The logo must be a PNG or JPEG image, not %(kind)s.": t(
        "Logo musi być obrazem PNG lub JPEG, a nie %(kind)s.",
        "Логотип должен быть изображением PNG или JPEG, а не %(kind)s.",
        "徽标必须是 PNG 或 JPEG 图片，而不是 %(kind)s。",
    ),
    "The logo is %(width)s by %(height)s pixels; it may be at most 2000 pixels a side.": t(
        "Logo ma %(width)s na %(height)s pikseli; każdy bok może mieć najwyżej 2000 pikseli.",
        "Размер логотипа %(width)s на %(height)s пикселей; каждая сторона может быть не больше 2000 пикселей.",
        "徽标为 %(width)s × %(height)s 像素；每边最多 2000 像素。",
    ),
    # ---- surveys/branding.py: email kinds and placeholders
    "Survey invitation": t("Zaproszenie do ankiety", "Приглашение к опросу", "调查邀请"),
    "Survey reminder": t("Przypomnienie o ankiecie", "Напоминание об опросе", "调查提醒"),
    "Offer for a passive": t(
        "Oferta dla neutralnego klienta", "Предложение нейтральному клиенту", "给中立者的优惠"
    ),
    "Reward for a promoter": t("Nagroda dla promotora", "Награда промоутеру", "给推荐者的奖励"),
    "Apology to a detractor": t("Przeprosiny dla krytyka", "Извинение критику", "给贬损者的致歉"),
    "A brace is not closed. Write a placeholder as {name}, and a brace that is meant as text as {{ or }}.": t(
        "Nawias klamrowy nie jest zamknięty. Zmienną wpisz jako {name}, a nawias, który ma być tekstem, jako {{ lub }}.",
        "Фигурная скобка не закрыта. Подстановку пишите как {name}, а скобку, которая должна остаться текстом, — как {{ или }}.",
        "有花括号未闭合。占位符请写成 {name}，作为文字的花括号请写成 {{ 或 }}。",
    ),
    "Unknown placeholder %(unknown)s. This email can use: %(allowed)s.": t(
        "Nieznana zmienna %(unknown)s. Ten e-mail może używać: %(allowed)s.",
        "Неизвестная подстановка %(unknown)s. В этом письме можно использовать: %(allowed)s.",
        "未知占位符 %(unknown)s。此邮件可使用：%(allowed)s。",
    ),
    # ---- surveys/branding.py: the texts shipped as defaults
    "We would like to know how we are doing.": t(
        "Chcielibyśmy wiedzieć, jak nam idzie.",
        "Нам важно знать, насколько хорошо мы работаем.",
        "我们想了解我们做得怎么样。",
    ),
    "Thank you,\n{sender_name}": t(
        "Dziękujemy,\n{sender_name}", "Спасибо!\n{sender_name}", "谢谢！\n{sender_name}"
    ),
    "Reminder: {question}": t(
        "Przypomnienie: {question}", "Напоминание: {question}", "提醒：{question}"
    ),
    "A few days ago we asked you one question. If you have a moment, we would still love to hear from you.": t(
        "Kilka dni temu zadaliśmy Państwu jedno pytanie. Jeśli znajdą Państwo chwilę, bardzo chętnie poznamy odpowiedź.",
        "Несколько дней назад мы задали вам один вопрос. Если у вас найдётся минутка, мы будем рады узнать ваше мнение.",
        "几天前我们向您提了一个问题。如果您有空，我们仍然非常期待听到您的回答。",
    ),
    "Thank you for your feedback: an offer for you": t(
        "Dziękujemy za opinię — mamy dla Państwa ofertę",
        "Спасибо за отзыв — у нас есть предложение для вас",
        "感谢您的反馈：为您准备的专属优惠",
    ),
    "Thank you for rating us {score} out of 10. We want to earn a 10 from you, so here is something just for you:": t(
        "Dziękujemy za ocenę {score} na 10. Chcemy zasłużyć u Państwa na 10, dlatego przygotowaliśmy coś specjalnie dla Państwa:",
        "Спасибо за оценку {score} из 10. Мы хотим заслужить у вас 10 баллов, поэтому подготовили кое-что специально для вас:",
        "感谢您给我们打了 {score} 分（满分 10 分）。我们希望赢得您的 10 分，因此为您准备了一份专属礼遇：",
    ),
    "Kind regards,\n{sender_name}": t(
        "Z poważaniem,\n{sender_name}", "С уважением,\n{sender_name}", "此致敬礼，\n{sender_name}"
    ),
    "Thank you for recommending us": t(
        "Dziękujemy za polecenie nas", "Спасибо, что рекомендуете нас", "感谢您推荐我们"
    ),
    "Thank you for rating us {score} out of 10. Customers like you are why we do what we do, and we would like to say thank you:": t(
        "Dziękujemy za ocenę {score} na 10. To dla takich klientów jak Państwo robimy to, co robimy, i chcemy podziękować:",
        "Спасибо за оценку {score} из 10. Ради таких клиентов, как вы, мы и работаем, и хотим сказать вам спасибо:",
        "感谢您给我们打了 {score} 分（满分 10 分）。正是像您这样的客户让我们的工作充满意义，我们想向您表示感谢：",
    ),
    "With gratitude,\n{sender_name}": t(
        "Z wdzięcznością,\n{sender_name}",
        "С благодарностью,\n{sender_name}",
        "衷心感谢，\n{sender_name}",
    ),
    "We are sorry, and we will make it right": t(
        "Przepraszamy i naprawimy to",
        "Приносим извинения — мы всё исправим",
        "非常抱歉，我们会妥善解决",
    ),
    "Thank you for telling us how we did. A score of {score} out of 10 means we let you down, and we are sorry.": t(
        "Dziękujemy, że podzielili się Państwo swoją opinią. Ocena {score} na 10 oznacza, że Państwa zawiedliśmy — bardzo przepraszamy.",
        "Спасибо, что рассказали нам о своём опыте. Оценка {score} из 10 означает, что мы вас подвели, и нам очень жаль.",
        "感谢您告诉我们您的体验。{score} 分（满分 10 分）说明我们让您失望了，我们深表歉意。",
    ),
    # ---- surveys/models.py: Brand, EmailText, the audit trail
    "Branding or email texts changed": t(
        "Zmieniono markę lub teksty e-maili",
        "Изменены бренд или тексты писем",
        "品牌或邮件文本已更改",
    ),
    "Test email sent": t("Wysłano testowy e-mail", "Отправлено тестовое письмо", "已发送测试邮件"),
    "company name": t("nazwa firmy", "название компании", "公司名称"),
    "Shown at the top of survey pages and emails. Empty: no name is shown.": t(
        "Wyświetlana u góry stron ankiet i e-maili. Puste: nazwa nie jest wyświetlana.",
        "Показывается вверху страниц опроса и писем. Пусто: название не показывается.",
        "显示在调查页面和邮件顶部。留空：不显示名称。",
    ),
    "logo": t("logo", "логотип", "徽标"),
    "logo type": t("typ logo", "тип логотипа", "徽标类型"),
    "logo digest": t("skrót logo", "хеш логотипа", "徽标摘要"),
    "primary colour": t("kolor główny", "основной цвет", "主色"),
    "Headers and buttons, under white text (#rrggbb).": t(
        "Nagłówki i przyciski, pod białym tekstem (#rrggbb).",
        "Заголовки и кнопки, под белым текстом (#rrggbb).",
        "标题和按钮的底色，上面是白色文字（#rrggbb）。",
    ),
    "accent colour": t("kolor akcentu", "акцентный цвет", "强调色"),
    "Codes, links and the reward button in emails (#rrggbb).": t(
        "Kody, linki i przycisk nagrody w e-mailach (#rrggbb).",
        "Коды, ссылки и кнопка награды в письмах (#rrggbb).",
        "邮件中的代码、链接和奖励按钮（#rrggbb）。",
    ),
    "sender name": t("nazwa nadawcy", "имя отправителя", "发件人名称"),
    'Who emails come from, and their signature. Empty: "Customer care" in the customer\'s language.': t(
        "Od kogo przychodzą e-maile i ich podpis. Puste: „Dział obsługi klienta” w języku klienta.",
        "От кого приходят письма и их подпись. Пусто: «Служба заботы о клиентах» на языке клиента.",
        "邮件的发件人及其签名。留空：使用客户语言的“客户关怀团队”。",
    ),
    "sender address": t("adres nadawcy", "адрес отправителя", "发件人地址"),
    "The From address of every email. Empty: the server's DEFAULT_FROM_EMAIL.": t(
        "Adres From każdego e-maila. Puste: DEFAULT_FROM_EMAIL serwera.",
        "Адрес From каждого письма. Пусто: DEFAULT_FROM_EMAIL сервера.",
        "每封邮件的发件地址（From）。留空：使用服务器的 DEFAULT_FROM_EMAIL。",
    ),
    "brand": t("marka", "бренд", "品牌"),
    "Brand": t("Marka", "Бренд", "品牌"),
    "opening": t("początek", "вступление", "开头"),
    "closing": t("zakończenie", "завершение", "结尾"),
    "email text": t("tekst e-maila", "текст письма", "邮件文本"),
    "email texts": t("teksty e-maili", "тексты писем", "邮件文本"),
    # ---- followups/branding/admin.py and its preview page
    "A PNG or JPEG image, at most 256 KB and 2000 pixels a side.": t(
        "Obraz PNG lub JPEG, najwyżej 256 KB i 2000 pikseli na bok.",
        "Изображение PNG или JPEG, не больше 256 КБ и 2000 пикселей по стороне.",
        "PNG 或 JPEG 图片，最大 256 KB，每边最多 2000 像素。",
    ),
    "Logo": t("Logo", "Логотип", "徽标"),
    "Remove the logo": t("Usuń logo", "Удалить логотип", "删除徽标"),
    "Colours": t("Kolory", "Цвета", "颜色"),
    "Sender": t("Nadawca", "Отправитель", "发件人"),
    "current logo": t("obecne logo", "текущий логотип", "当前徽标"),
    "No logo: the company name is shown instead.": t(
        "Brak logo: zamiast niego wyświetlana jest nazwa firmy.",
        "Логотипа нет: вместо него показывается название компании.",
        "没有徽标：改为显示公司名称。",
    ),
    "Empty: the text shown greyed is used, translated.": t(
        "Puste: używany jest tekst pokazany na szaro, przetłumaczony.",
        "Пусто: используется текст, показанный серым, в переводе.",
        "留空：使用灰色显示的文本（已翻译）。",
    ),
    "written for": t("napisane dla", "написано для", "已撰写的语言"),
    "defaults only": t("tylko domyślne", "только по умолчанию", "仅默认文本"),
    "placeholders": t("zmienne", "подстановки", "占位符"),
    "Texts may use:": t("Teksty mogą używać:", "В текстах можно использовать:", "文本可使用："),
    "preview": t("podgląd", "предпросмотр", "预览"),
    "Preview": t("Podgląd", "Предпросмотр", "预览"),
    "Preview: %(email)s": t("Podgląd: %(email)s", "Предпросмотр: %(email)s", "预览：%(email)s"),
    "A test email is on its way to %(address)s, through the outbox.": t(
        "Testowy e-mail jest w drodze do %(address)s, przez skrzynkę nadawczą.",
        "Тестовое письмо отправляется на %(address)s через очередь исходящих.",
        "测试邮件正通过发件箱发往 %(address)s。",
    ),
    "Sample survey": t("Przykładowa ankieta", "Пример опроса", "示例调查"),
    "An offer": t("Oferta", "Предложение", "一项优惠"),
    "A reward": t("Nagroda", "Награда", "一项奖励"),
    "The delivery came two days late.": t(
        "Dostawa przyszła dwa dni za późno.",
        "Доставка опоздала на два дня.",
        "送货晚了两天。",
    ),
    "Your user has no email address: add one to your profile to receive a test.": t(
        "Twoje konto nie ma adresu e-mail: dodaj go w profilu, aby otrzymać test.",
        "У вашей учётной записи нет адреса электронной почты: добавьте его в профиль, чтобы получить тест.",
        "您的用户没有电子邮件地址：请在个人资料中添加一个以接收测试邮件。",
    ),
    "Language": t("Język", "Язык", "语言"),
    "Subject:": t("Temat:", "Тема:", "主题："),
    "Made with sample data and the brand and texts as saved now.": t(
        "Przygotowany z przykładowymi danymi oraz marką i tekstami w obecnie zapisanej postaci.",
        "Составлено на примерных данных, с брендом и текстами в том виде, в каком они сохранены сейчас.",
        "使用示例数据以及当前已保存的品牌和文本生成。",
    ),
    "HTML part": t("Część HTML", "HTML-часть", "HTML 部分"),
    "The email as HTML": t("E-mail jako HTML", "Письмо в HTML", "HTML 格式的邮件"),
    "Text part": t("Część tekstowa", "Текстовая часть", "纯文本部分"),
    "Send me this test email": t(
        "Wyślij mi ten testowy e-mail", "Отправить мне это тестовое письмо", "将此测试邮件发给我"
    ),
    "To %(address)s, through the outbox like every email.": t(
        "Na %(address)s, przez skrzynkę nadawczą, jak każdy e-mail.",
        "На %(address)s, через очередь исходящих, как и любое письмо.",
        "发往 %(address)s，与所有邮件一样经过发件箱。",
    ),
}
