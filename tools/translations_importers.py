# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of the text added by the answer importers (historical answers,
the Delighted export and the answers CSV), for tools/fill_translations.py."""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- models: historical answers and answer imports
    "Collected here": t("Zebrane tutaj", "Собран здесь", "在此收集"),
    "Delighted export": t("Eksport z Delighted", "Экспорт из Delighted", "Delighted 导出"),
    "Answers CSV": t("CSV z odpowiedziami", "CSV с ответами", "答复 CSV"),
    "historical": t("historyczna", "исторический", "历史"),
    "Imported from another tool: counted in reports, never routed (no case, offer, reward or email).": t(
        "Zaimportowana z innego narzędzia: liczy się w raportach, nigdy nie jest kierowana dalej (bez sprawy, oferty, nagrody ani e-maila).",
        "Импортирован из другого инструмента: учитывается в отчётах, но никогда не обрабатывается (ни обращения, ни предложения, ни награды, ни письма).",
        "从其他工具导入：计入报告，但从不分派（不建工单、不发优惠、不发奖励、不发邮件）。",
    ),
    "source": t("źródło", "источник", "来源"),
    "source response id": t(
        "identyfikator odpowiedzi w źródle", "идентификатор ответа в источнике", "来源答复 ID"
    ),
    "Can import past answers from a file": t(
        "Może importować dawne odpowiedzi z pliku",
        "Может импортировать прошлые ответы из файла",
        "可以从文件导入以往的答复",
    ),
    "A historical answer is never routed.": t(
        "Odpowiedź historyczna nigdy nie jest kierowana dalej.",
        "Исторический ответ никогда не обрабатывается.",
        "历史答复从不分派。",
    ),
    "format": t("format", "формат", "格式"),
    "For the rows that name no survey (every row of a Delighted export).": t(
        "Dla wierszy bez ankiety (każdy wiersz eksportu z Delighted).",
        "Для строк без опроса (все строки экспорта из Delighted).",
        "用于未指明调查的行（Delighted 导出的每一行）。",
    ),
    "dry run": t("próba", "пробный запуск", "试运行"),
    "Check every row; save nothing.": t(
        "Sprawdź każdy wiersz; nic nie zapisuj.",
        "Проверить каждую строку; ничего не сохранять.",
        "检查每一行；不保存任何内容。",
    ),
    "confirmed at": t("potwierdzono", "подтверждён", "确认时间"),
    "answers imported": t("zaimportowane odpowiedzi", "импортировано ответов", "已导入答复"),
    "answers already there": t("odpowiedzi już obecne", "ответов уже было", "已存在的答复"),
    "customers created": t("utworzeni klienci", "создано клиентов", "新建客户"),
    "customers unsubscribed": t("klienci wypisani", "отписано клиентов", "已退订客户"),
    "lines refused": t("odrzucone wiersze", "отклонено строк", "被拒绝的行"),
    "answer import": t("import odpowiedzi", "импорт ответов", "答复导入"),
    "answer imports": t("importy odpowiedzi", "импорты ответов", "答复导入"),
    "Dry run, nothing saved: %(created)d answers would be imported, %(unchanged)d are already there, %(customers)d customers would be created, %(refused)d lines have errors.": t(
        "Próba, nic nie zapisano: zaimportowanych odpowiedzi byłoby %(created)d, już obecnych jest %(unchanged)d, utworzonych klientów byłoby %(customers)d, wierszy z błędami: %(refused)d.",
        "Пробный запуск, ничего не сохранено: будет импортировано ответов: %(created)d, уже есть: %(unchanged)d, будет создано клиентов: %(customers)d, строк с ошибками: %(refused)d.",
        "试运行，未保存任何内容：将导入 %(created)d 条答复，%(unchanged)d 条已存在，将新建 %(customers)d 位客户，%(refused)d 行有错误。",
    ),
    "%(created)d answers imported, %(unchanged)d already there, %(customers)d customers created, %(unsubscribed)d unsubscribed, %(refused)d lines with errors left out.": t(
        "Zaimportowane odpowiedzi: %(created)d, już obecne: %(unchanged)d, utworzeni klienci: %(customers)d, wypisani: %(unsubscribed)d, pominięte wiersze z błędami: %(refused)d.",
        "Импортировано ответов: %(created)d, уже было: %(unchanged)d, создано клиентов: %(customers)d, отписано: %(unsubscribed)d, пропущено строк с ошибками: %(refused)d.",
        "已导入 %(created)d 条答复，%(unchanged)d 条已存在，新建 %(customers)d 位客户，%(unsubscribed)d 位已退订，%(refused)d 行因错误被跳过。",
    ),
    "Stopped after %(done)d of %(total)d rows (those stay imported): %(reason)s": t(
        "Zatrzymano po %(done)d z %(total)d wierszy (te pozostają zaimportowane): %(reason)s",
        "Остановлено после %(done)d из %(total)d строк (они остаются импортированными): %(reason)s",
        "在 %(total)d 行中的第 %(done)d 行后停止（这些行保持已导入）：%(reason)s",
    ),
    # ---- surveys/answer_imports.py: the file and its lines
    "not imported": t("nie importowane", "не импортируется", "不导入"),
    "Unknown column(s) %(unknown)s. Expected: %(columns)s, and property:<name>.": t(
        "Nieznane kolumny: %(unknown)s. Oczekiwane: %(columns)s oraz property:<nazwa>.",
        "Неизвестные столбцы: %(unknown)s. Ожидаются: %(columns)s и property:<имя>.",
        "未知的列：%(unknown)s。应为：%(columns)s，以及 property:<名称>。",
    ),
    "The file has no %(columns)s column; see the README's “Importing answers”.": t(
        "W pliku brak kolumny %(columns)s; zobacz „Importing answers” w README.",
        "В файле нет столбца %(columns)s; см. «Importing answers» в README.",
        "文件缺少 %(columns)s 列；请参阅 README 中的“Importing answers”。",
    ),
    "“%(value)s” is not a date and time.": t(
        "„%(value)s” nie jest datą i godziną.",
        "«%(value)s» — это не дата и время.",
        "“%(value)s”不是日期和时间。",
    ),
    "The answer cannot come from the future.": t(
        "Odpowiedź nie może pochodzić z przyszłości.",
        "Ответ не может быть из будущего.",
        "答复不能来自未来。",
    ),
    "The comment is longer than %(max)d characters.": t(
        "Komentarz jest dłuższy niż %(max)d znaków.",
        "Комментарий длиннее %(max)d символов.",
        "评论超过 %(max)d 个字符。",
    ),
    "Every answer needs the source's response id.": t(
        "Każda odpowiedź potrzebuje identyfikatora odpowiedzi ze źródła.",
        "Каждому ответу нужен идентификатор ответа из источника.",
        "每条答复都需要来源的答复 ID。",
    ),
    "The response id is longer than %(max)d characters.": t(
        "Identyfikator odpowiedzi jest dłuższy niż %(max)d znaków.",
        "Идентификатор ответа длиннее %(max)d символов.",
        "答复 ID 超过 %(max)d 个字符。",
    ),
    "“%(value)s” is neither yes/no nor a date and time.": t(
        "„%(value)s” nie jest ani tak/nie, ani datą i godziną.",
        "«%(value)s» — это ни да/нет, ни дата и время.",
        "“%(value)s”既不是是/否，也不是日期和时间。",
    ),
    "only NPS answers are imported (survey type “%(type)s”).": t(
        "importowane są tylko odpowiedzi NPS (typ ankiety „%(type)s”).",
        "импортируются только ответы NPS (тип опроса «%(type)s»).",
        "只导入 NPS 答复（调查类型“%(type)s”）。",
    ),
    "the same response id as line %(line)d.": t(
        "ten sam identyfikator odpowiedzi co w wierszu %(line)d.",
        "тот же идентификатор ответа, что в строке %(line)d.",
        "与第 %(line)d 行的答复 ID 相同。",
    ),
    "unknown survey": t("nieznana ankieta", "неизвестный опрос", "未知调查"),
    "another customer already has this phone number.": t(
        "inny klient ma już ten numer telefonu.",
        "этот номер телефона уже есть у другого клиента.",
        "另一位客户已使用此电话号码。",
    ),
    "this customer was erased; their answers are not imported again.": t(
        "dane tego klienta usunięto; jego odpowiedzi nie są ponownie importowane.",
        "данные этого клиента удалены; его ответы повторно не импортируются.",
        "该客户已被删除；其答复不会再次导入。",
    ),
    "no survey has the slug “%(slug)s”.": t(
        "żadna ankieta nie ma identyfikatora „%(slug)s”.",
        "нет опроса с идентификатором «%(slug)s».",
        "没有标识为“%(slug)s”的调查。",
    ),
    "no survey given: add a survey column or choose a survey.": t(
        "nie podano ankiety: dodaj kolumnę survey albo wybierz ankietę.",
        "опрос не указан: добавьте столбец survey или выберите опрос.",
        "未指定调查：请添加 survey 列或选择一个调查。",
    ),
    "Lines %(first)d-%(last)d clash with customers saved by someone else during the import; they were not imported. Import the file again: answers already imported stay unchanged.": t(
        "Wiersze %(first)d-%(last)d kolidują z klientami zapisanymi przez kogoś innego w trakcie importu; nie zostały zaimportowane. Zaimportuj plik ponownie: już zaimportowane odpowiedzi pozostaną bez zmian.",
        "Строки %(first)d-%(last)d конфликтуют с клиентами, которых кто-то сохранил во время импорта; они не импортированы. Импортируйте файл ещё раз: уже импортированные ответы не изменятся.",
        "第 %(first)d-%(last)d 行与导入期间他人保存的客户冲突，未被导入。请再次导入该文件：已导入的答复保持不变。",
    ),
    "Never confirmed; upload the file again.": t(
        "Nigdy nie potwierdzono; prześlij plik ponownie.",
        "Не подтверждено; загрузите файл ещё раз.",
        "从未确认；请重新上传文件。",
    ),
    # ---- the admin's pages
    "Import answers": t("Importuj odpowiedzi", "Импортировать ответы", "导入答复"),
    "Preview of %(file)s": t("Podgląd %(file)s", "Предпросмотр %(file)s", "%(file)s 的预览"),
    "This upload waits for its preview to be confirmed.": t(
        "Ten plik czeka na potwierdzenie podglądu.",
        "Этот файл ждёт подтверждения предпросмотра.",
        "此上传正在等待确认预览。",
    ),
    "Historical answers": t("Odpowiedzi historyczne", "Исторические ответы", "历史答复"),
    "Past answers from another tool: a Delighted export as Delighted writes it, or an answers CSV (UTF-8, with a header line).": t(
        "Dawne odpowiedzi z innego narzędzia: eksport z Delighted w takiej postaci, w jakiej zapisuje go Delighted, albo CSV z odpowiedziami (UTF-8, z wierszem nagłówka).",
        "Прошлые ответы из другого инструмента: экспорт из Delighted в том виде, в каком его записывает Delighted, или CSV с ответами (UTF-8, со строкой заголовка).",
        "来自其他工具的以往答复：Delighted 原样导出的文件，或答复 CSV（UTF-8，带标题行）。",
    ),
    "The answers CSV has the columns %(columns)s, and any number of property:&lt;name&gt; columns; email, score, submitted_at and source_id are required, and survey unless you choose one below.": t(
        "CSV z odpowiedziami ma kolumny %(columns)s oraz dowolną liczbę kolumn property:&lt;nazwa&gt;; email, score, submitted_at i source_id są wymagane, a survey, chyba że wybierzesz ankietę poniżej.",
        "CSV с ответами содержит столбцы %(columns)s и любое число столбцов property:&lt;имя&gt;; email, score, submitted_at и source_id обязательны, а survey — если вы не выберете опрос ниже.",
        "答复 CSV 包含列 %(columns)s，以及任意数量的 property:&lt;名称&gt; 列；email、score、submitted_at 和 source_id 为必填，除非在下方选择调查，否则 survey 也必填。",
    ),
    "Imported answers are historical: they keep their dates and count in reports and trends, but no case, offer, reward or email ever follows them. A line with an error is reported with its number and left out; the other lines are imported, in chunks of %(chunk_size)s in the background. Importing the same file again changes nothing. The next page shows the first rows as they will be stored, before anything is saved.": t(
        "Zaimportowane odpowiedzi są historyczne: zachowują swoje daty i liczą się w raportach i trendach, ale nigdy nie następuje po nich sprawa, oferta, nagroda ani e-mail. Wiersz z błędem jest zgłaszany z numerem i pomijany; pozostałe wiersze są importowane w tle, w porcjach po %(chunk_size)s. Ponowny import tego samego pliku niczego nie zmienia. Następna strona pokazuje pierwsze wiersze tak, jak zostaną zapisane, zanim cokolwiek zostanie zapisane.",
        "Импортированные ответы — исторические: они сохраняют свои даты и учитываются в отчётах и трендах, но за ними никогда не следуют обращение, предложение, награда или письмо. Строка с ошибкой сообщается с номером и пропускается; остальные строки импортируются в фоне порциями по %(chunk_size)s. Повторный импорт того же файла ничего не меняет. Следующая страница показывает первые строки так, как они будут сохранены, до того как что-либо сохранится.",
        "导入的答复为历史答复：保留其日期并计入报告和趋势，但从不跟进工单、优惠、奖励或邮件。有错误的行会连同行号报告并被跳过；其余行在后台按每批 %(chunk_size)s 行导入。再次导入同一文件不会改变任何内容。下一页会在保存任何内容之前，按存储方式显示前几行。",
    ),
    "Upload and preview": t("Prześlij i pokaż podgląd", "Загрузить и просмотреть", "上传并预览"),
    "Columns": t("Kolumny", "Столбцы", "列"),
    "Column": t("Kolumna", "Столбец", "列"),
    "Stored as": t("Zapisywane jako", "Сохраняется как", "存储为"),
    "The first rows as they will be stored": t(
        "Pierwsze wiersze tak, jak zostaną zapisane",
        "Первые строки в том виде, в каком они будут сохранены",
        "前几行的存储效果",
    ),
    "Lines among the first that will be left out": t(
        "Wiersze spośród pierwszych, które zostaną pominięte",
        "Строки из первых, которые будут пропущены",
        "前几行中将被跳过的行",
    ),
    "Dry run: check every row, save nothing": t(
        "Próba: sprawdź każdy wiersz, nic nie zapisuj",
        "Пробный запуск: проверить каждую строку, ничего не сохранять",
        "试运行：检查每一行，不保存任何内容",
    ),
    "Upload another file": t("Prześlij inny plik", "Загрузить другой файл", "上传其他文件"),
}
