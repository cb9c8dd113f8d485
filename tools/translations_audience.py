# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of "send to an audience from the admin" (segments, uploaded
lists and saved filters; the preview of who is skipped; the wave page), for
tools/fill_translations.py.
"""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- surveys/models.py: SavedFilter, CustomerList, Wave
    "saved filter": t("zapisany filtr", "сохранённый фильтр", "已保存的筛选"),
    "saved filters": t("zapisane filtry", "сохранённые фильтры", "已保存的筛选"),
    "joined on or after": t("dołączył w dniu lub po", "присоединился не раньше", "加入日期不早于"),
    "joined on or before": t(
        "dołączył w dniu lub przed", "присоединился не позже", "加入日期不晚于"
    ),
    "The customer's creation date.": t(
        "Data utworzenia klienta.", "Дата создания клиента.", "客户的创建日期。"
    ),
    "The last day comes before the first: swap the two dates.": t(
        "Ostatni dzień jest przed pierwszym: zamień daty miejscami.",
        "Последний день раньше первого: поменяйте даты местами.",
        "结束日期早于开始日期：请交换这两个日期。",
    ),
    "customer list": t("lista klientów", "список клиентов", "客户名单"),
    "customer lists": t("listy klientów", "списки клиентов", "客户名单"),
    "customer list member": t("pozycja listy klientów", "запись списка клиентов", "客户名单成员"),
    "customer list members": t("pozycje listy klientów", "записи списка клиентов", "客户名单成员"),
    "lines": t("wiersze", "строки", "行"),
    "lines naming no customer": t(
        "wiersze bez znanego klienta", "строки без известного клиента", "未对应任何客户的行"
    ),
    "lines naming a customer again": t(
        "wiersze powtarzające klienta", "строки с повторным клиентом", "重复列出客户的行"
    ),
    "lines naming a customer already listed": t(
        "wiersze z klientem już wymienionym wcześniej",
        "строки с клиентом, уже указанным выше",
        "列出已出现过的客户的行",
    ),
    "started by": t("uruchomił", "запустил", "发起人"),
    "Show the customers": t("Pokaż klientów", "Показать клиентов", "查看客户"),
    # ---- surveys/audiences.py
    "The first line must name the column(s) %(columns)s, each once: a column of emails, of external ids, or both.": t(
        "Pierwszy wiersz musi nazywać kolumnę lub kolumny %(columns)s, każdą raz: kolumnę adresów e-mail, identyfikatorów zewnętrznych albo obie.",
        "Первая строка должна называть столбец или столбцы %(columns)s, каждый один раз: столбец адресов e-mail, внешних идентификаторов или оба.",
        "第一行必须列出列名 %(columns)s，每个只出现一次：电子邮件列、外部编号列，或两者都有。",
    ),
    "names no customer: give an email or an external id.": t(
        "nie wskazuje klienta: podaj e-mail lub identyfikator zewnętrzny.",
        "не указывает клиента: укажите e-mail или внешний идентификатор.",
        "未指明客户：请填写电子邮件或外部编号。",
    ),
    "the email and the external id name two customers.": t(
        "e-mail i identyfikator zewnętrzny wskazują dwóch różnych klientów.",
        "e-mail и внешний идентификатор указывают на двух разных клиентов.",
        "电子邮件和外部编号分别对应两位不同的客户。",
    ),
    # ---- surveys/admin_audiences.py, customer list
    "Save these filters as an audience": t(
        "Zapisz te filtry jako grupę odbiorców",
        "Сохранить эти фильтры как аудиторию",
        "将这些筛选条件保存为受众",
    ),
    # ---- followups/invitations/waves.py
    "every customer": t("wszyscy klienci", "все клиенты", "所有客户"),
    "the list “%(name)s”": t("lista „%(name)s”", "список «%(name)s»", "名单“%(name)s”"),
    "the saved filter “%(name)s”": t(
        "zapisany filtr „%(name)s”", "сохранённый фильтр «%(name)s»", "已保存的筛选“%(name)s”"
    ),
    "the segment “%(name)s”": t("segment „%(name)s”", "сегмент «%(name)s»", "细分“%(name)s”"),
    # ---- followups/invitations/admin.py
    "audience": t("odbiorcy", "аудитория", "受众"),
    "No such survey.": t("Nie ma takiej ankiety.", "Такого опроса нет.", "没有这个调查。"),
    "No such wave.": t("Nie ma takiej wysyłki.", "Такой рассылки нет.", "没有这次发送。"),
    "Wave of “%(survey)s”": t(
        "Wysyłka ankiety „%(survey)s”", "Рассылка опроса «%(survey)s»", "“%(survey)s”的发送"
    ),
    "wave #%(id)s": t("wysyłka nr %(id)s", "рассылка № %(id)s", "第 %(id)s 次发送"),
    "outcome": t("wynik", "результат", "结果"),
    "sent": t("wysłane", "отправлено", "已发送"),
    # ---- followups/invitations/admin_audience.py
    "A segment": t("Segment", "Сегмент", "一个细分"),
    "An uploaded list": t("Przesłana lista", "Загруженный список", "上传的名单"),
    "A saved filter": t("Zapisany filtr", "Сохранённый фильтр", "已保存的筛选"),
    "Send to": t("Wyślij do", "Отправить", "发送给"),
    "List file (CSV)": t("Plik listy (CSV)", "Файл списка (CSV)", "名单文件（CSV）"),
    "UTF-8, with a header line naming a column email, external_id or both; one customer a line.": t(
        "UTF-8, z wierszem nagłówka nazywającym kolumnę email, external_id lub obie; jeden klient w wierszu.",
        "UTF-8, со строкой заголовка, где есть столбец email, external_id или оба; один клиент в строке.",
        "UTF-8 编码，首行为列名 email、external_id 或两者；每行一位客户。",
    ),
    "or a list uploaded before": t(
        "lub lista przesłana wcześniej", "или список, загруженный ранее", "或之前上传的名单"
    ),
    "Saved filter": t("Zapisany filtr", "Сохранённый фильтр", "已保存的筛选"),
    "Choose a segment.": t("Wybierz segment.", "Выберите сегмент.", "请选择一个细分。"),
    "Upload a list, or choose one uploaded before.": t(
        "Prześlij listę albo wybierz przesłaną wcześniej.",
        "Загрузите список или выберите загруженный ранее.",
        "请上传名单，或选择之前上传的名单。",
    ),
    "Choose a saved filter.": t(
        "Wybierz zapisany filtr.", "Выберите сохранённый фильтр.", "请选择一个已保存的筛选。"
    ),
    "Line %(line)d: %(message)s": t(
        "Wiersz %(line)d: %(message)s",
        "Строка %(line)d: %(message)s",
        "第 %(line)d 行：%(message)s",
    ),
    "…and %(count)d more bad line.": t(
        [
            "…i jeszcze %(count)d błędny wiersz.",
            "…i jeszcze %(count)d błędne wiersze.",
            "…i jeszcze %(count)d błędnych wierszy.",
            "…i jeszcze %(count)d błędnego wiersza.",
        ],
        [
            "…и ещё %(count)d ошибочная строка.",
            "…и ещё %(count)d ошибочные строки.",
            "…и ещё %(count)d ошибочных строк.",
            "…и ещё %(count)d ошибочной строки.",
        ],
        ["……另有 %(count)d 行有误。"],
    ),
    "Nothing was stored: correct these lines and upload the file again.": t(
        "Nic nie zostało zapisane: popraw te wiersze i prześlij plik ponownie.",
        "Ничего не сохранено: исправьте эти строки и загрузите файл снова.",
        "未保存任何内容：请更正这些行后重新上传文件。",
    ),
    "Send “%(survey)s” to an audience": t(
        "Wyślij ankietę „%(survey)s” do grupy odbiorców",
        "Отправить опрос «%(survey)s» аудитории",
        "将“%(survey)s”发送给受众",
    ),
    "Sending “%(survey)s” to %(audience)s.": t(
        "Wysyłanie ankiety „%(survey)s”: %(audience)s.",
        "Опрос «%(survey)s» отправляется: %(audience)s.",
        "正在将“%(survey)s”发送给%(audience)s。",
    ),
    "Only an active survey can be sent: “%(name)s” is %(status)s.": t(
        "Wysłać można tylko aktywną ankietę: „%(name)s” ma status %(status)s.",
        "Отправить можно только активный опрос: у «%(name)s» статус %(status)s.",
        "只能发送进行中的调查：“%(name)s”的状态为%(status)s。",
    ),
    # ---- followups/templates/followups/admin/*.html
    "Send to an audience": t("Wyślij do grupy odbiorców", "Отправить аудитории", "发送给受众"),
    "Choose who receives this survey. The next page shows how many will be invited, who is skipped and why; nothing is sent before you confirm there.": t(
        "Wybierz, kto otrzyma tę ankietę. Następna strona pokaże, ile osób zostanie zaproszonych, kto zostanie pominięty i dlaczego; nic nie zostanie wysłane, dopóki tego nie potwierdzisz.",
        "Выберите, кто получит этот опрос. На следующей странице будет видно, сколько человек получат приглашение, кто будет пропущен и почему; ничего не отправится, пока вы не подтвердите.",
        "选择接收此调查的人。下一页会显示将邀请多少人、谁会被跳过及原因；在您确认之前不会发送任何内容。",
    ),
    'A saved filter is made in <a href="%(add_filter)s">Saved filters</a>, or from the customer list\'s filters.': t(
        'Zapisany filtr tworzy się w <a href="%(add_filter)s">Zapisanych filtrach</a> albo z filtrów listy klientów.',
        'Сохранённый фильтр создаётся в разделе <a href="%(add_filter)s">Сохранённые фильтры</a> или из фильтров списка клиентов.',
        '已保存的筛选可在<a href="%(add_filter)s">已保存的筛选</a>中创建，也可从客户列表的筛选条件创建。',
    ),
    "Preview": t("Podgląd", "Предпросмотр", "预览"),
    "Audience: %(audience_text)s.": t(
        "Odbiorcy: %(audience_text)s.", "Аудитория: %(audience_text)s.", "受众：%(audience_text)s。"
    ),
    "%(counter)s customer will be invited.": t(
        [
            "%(counter)s klient zostanie zaproszony.",
            "%(counter)s klientów zostanie zaproszonych.",
            "%(counter)s klientów zostanie zaproszonych.",
            "%(counter)s klienta zostanie zaproszonego.",
        ],
        [
            "Приглашение получит %(counter)s клиент.",
            "Приглашение получат %(counter)s клиента.",
            "Приглашение получат %(counter)s клиентов.",
            "Приглашение получат %(counter)s клиента.",
        ],
        ["将邀请 %(counter)s 位客户。"],
    ),
    "95%% interval: %(low)s to %(high)s": t(
        "przedział 95%%: od %(low)s do %(high)s",
        "95%% интервал: от %(low)s до %(high)s",
        "95%% 置信区间：%(low)s 至 %(high)s",
    ),
    "Not invited": t("Niezaproszeni", "Не приглашены", "不邀请"),
    "Why": t("Powód", "Причина", "原因"),
    "How many": t("Ile", "Сколько", "人数"),
    "For example": t("Na przykład", "Например", "例如"),
    "Nobody is skipped.": t("Nikt nie zostanie pominięty.", "Никто не пропущен.", "没有人被跳过。"),
    "Language missing from the survey": t(
        "Brak języka w ankiecie", "В опросе нет языка", "调查缺少的语言"
    ),
    "Choose another audience": t(
        "Wybierz innych odbiorców", "Выбрать другую аудиторию", "选择其他受众"
    ),
    "Last waves": t("Ostatnie wysyłki", "Последние рассылки", "最近的发送"),
    "%(counter)s invited": t(
        [
            "%(counter)s zaproszony",
            "%(counter)s zaproszonych",
            "%(counter)s zaproszonych",
            "%(counter)s zaproszonego",
        ],
        [
            "%(counter)s приглашён",
            "%(counter)s приглашено",
            "%(counter)s приглашено",
            "%(counter)s приглашено",
        ],
        ["已邀请 %(counter)s 人"],
    ),
    "Sent to %(audience)s; started: %(started)s": t(
        "Wysłano do: %(audience)s; rozpoczęto: %(started)s",
        "Отправлено: %(audience)s; начато: %(started)s",
        "发送给%(audience)s；开始于：%(started)s",
    ),
    "Started by %(name)s.": t(
        "Uruchomił(a): %(name)s.", "Запустил(а): %(name)s.", "发起人：%(name)s。"
    ),
    "parts done": t("części gotowych", "частей готово", "部分已完成"),
    "Every invitation is out; answers keep coming in.": t(
        "Wszystkie zaproszenia wysłane; odpowiedzi wciąż napływają.",
        "Все приглашения отправлены; ответы продолжают поступать.",
        "所有邀请均已发出；回答仍在陆续到来。",
    ),
    "Refresh": t("Odśwież", "Обновить", "刷新"),
    "Invited": t("Zaproszeni", "Приглашено", "已邀请"),
    "Bounced": t("Odbite", "Возвраты", "退信"),
    "NPS so far": t("NPS do tej pory", "NPS на данный момент", "目前的 NPS"),
    "By language": t("Według języka", "По языкам", "按语言"),
    "Language": t("Język", "Язык", "语言"),
    "Nobody invited yet.": t(
        "Nikt jeszcze nie został zaproszony.", "Пока никто не приглашён.", "尚未邀请任何人。"
    ),
}
