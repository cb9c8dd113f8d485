# ruff: noqa: E501, RUF001 -- a table of sentences in three languages and scripts
"""Translations of review and referral tracking (tracked reward links, their
clicks, referral codes and their uses), for tools/fill_translations.py."""


def t(pl, ru, zh):
    return {"pl": pl, "ru": ru, "zh_Hans": zh}


T = {
    # ---- followups/models.py: the reward's link, the grant's tracking, clicks, uses
    "Review page or referral programme, where it applies. Emails carry each customer's own tracked link to it.": t(
        "Strona opinii lub programu poleceń, jeśli dotyczy. E-maile zawierają prowadzący do niej osobisty, śledzony link każdego klienta.",
        "Страница отзывов или реферальной программы, если применимо. Письма содержат личную отслеживаемую ссылку каждого клиента на неё.",
        "评价页面或推荐计划页面（如适用）。邮件中包含每位客户指向该页面的专属跟踪链接。",
    ),
    "link token": t("token linku", "токен ссылки", "链接令牌"),
    "referral code": t("kod polecający", "реферальный код", "推荐码"),
    "first clicked at": t("pierwsze kliknięcie", "первый переход", "首次点击时间"),
    "Desktop browser": t("Przeglądarka na komputerze", "Браузер на компьютере", "桌面浏览器"),
    "Mobile browser": t("Przeglądarka mobilna", "Мобильный браузер", "移动浏览器"),
    "Scanner or preview": t("Skaner lub podgląd", "Сканер или предпросмотр", "扫描器或预览"),
    "Other": t("Inne", "Другое", "其他"),
    "HEAD request": t("Żądanie HEAD", "Запрос HEAD", "HEAD 请求"),
    "Known scanner or preview": t(
        "Znany skaner lub podgląd", "Известный сканер или предпросмотр", "已知的扫描器或预览"
    ),
    "No user agent": t("Brak agenta użytkownika", "Нет user agent", "无用户代理"),
    "Seconds after sending": t(
        "Kilka sekund po wysłaniu", "Через несколько секунд после отправки", "发送后数秒内"
    ),
    "user agent class": t("rodzaj agenta użytkownika", "тип user agent", "用户代理类别"),
    "prefetch": t("pobranie wstępne", "предзагрузка", "预取"),
    "Why it was not counted as a click; empty for a counted click.": t(
        "Dlaczego nie policzono tego jako kliknięcia; puste dla policzonego kliknięcia.",
        "Почему это не засчитано как переход; пусто для засчитанного перехода.",
        "未计为点击的原因；计入的点击此项为空。",
    ),
    "link click": t("kliknięcie linku", "переход по ссылке", "链接点击"),
    "link clicks": t("kliknięcia linków", "переходы по ссылкам", "链接点击"),
    "order": t("zamówienie", "заказ", "订单"),
    "used at": t("użyto", "использован", "使用时间"),
    "reported by": t("zgłoszone przez", "кем сообщено", "报告者"),
    "referral use": t("użycie kodu polecającego", "использование реферального кода", "推荐码使用"),
    "referral uses": t(
        "użycia kodów polecających", "использования реферальных кодов", "推荐码使用次数"
    ),
    # ---- surveys/models.py: the API scope
    "Report orders placed with referral codes": t(
        "Zgłaszanie zamówień złożonych z kodami polecającymi",
        "Сообщать о заказах, сделанных с реферальными кодами",
        "报告使用推荐码下的订单",
    ),
    # ---- followups/incentives/admin.py: the reward's figures and the lists behind them
    "grants": t("przyznane", "выдано", "发放数"),
    "grants clicked": t("przyznane i kliknięte", "выдано и открыто", "已点击的发放"),
    "clicks": t("kliknięcia", "переходы", "点击"),
    "prefetches (not counted)": t(
        "pobrania wstępne (niepoliczone)", "предзагрузки (не засчитаны)", "预取（不计入）"
    ),
    "clicked": t("kliknięte", "открыто", "已点击"),
    "Yes": t("Tak", "Да", "是"),
    "No": t("Nie", "Нет", "否"),
    "counted as a click": t("policzone jako kliknięcie", "засчитано как переход", "计为点击"),
    "No: a prefetch": t("Nie: pobranie wstępne", "Нет: предзагрузка", "否：预取"),
    # ---- the reward email
    "Your referral code for friends:": t(
        "Twój kod polecający dla znajomych:",
        "Ваш реферальный код для друзей:",
        "您给朋友的推荐码：",
    ),
    "Friends who mention it when they order count as your referrals.": t(
        "Znajomi, którzy podadzą go przy zamówieniu, liczą się jako Twoje polecenia.",
        "Друзья, которые укажут его при заказе, засчитываются как ваши рекомендации.",
        "朋友下单时提供此码，即计为您的推荐。",
    ),
    # ---- the dashboard
    "%(name)s: grants / clicked / clicks / referral uses": t(
        "%(name)s: przyznane / kliknięte / kliknięcia / użycia kodów",
        "%(name)s: выдано / открыто / переходы / использования кодов",
        "%(name)s：发放 / 已点击 / 点击 / 推荐码使用",
    ),
}
