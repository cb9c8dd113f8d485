# ruff: noqa: RUF001  (Cyrillic and Chinese comments are the point)
"""Hand-written labelled detractor comments in the four languages the product
speaks, for the suggestion tests: four per root cause and language to learn
from, and one clear comment per root cause and language to suggest for."""

from __future__ import annotations

TRAINING: dict[str, dict[str, tuple[str, ...]]] = {
    "Slow delivery": {
        "en": (
            "The delivery was two weeks late.",
            "My parcel arrived late again, the courier never came on time.",
            "Shipping takes forever, the order is still not delivered.",
            "Delivery delayed three times this month.",
        ),
        "pl": (
            "Dostawa spóźniła się o dwa tygodnie.",
            "Paczka znowu dotarła z opóźnieniem, kurier się spóźnił.",
            "Przesyłka szła wieki, zamówienie wciąż nie dostarczone.",
            "Dostawa opóźniona trzy razy w tym miesiącu.",
        ),
        "ru": (
            "Доставка опоздала на две недели.",
            "Посылка опять пришла с задержкой, курьер опоздал.",
            "Доставка заказа заняла целую вечность.",
            "Доставку задержали три раза за месяц.",
        ),
        "zh-hans": (
            "送货晚了两个星期。",
            "快递又延迟了，快递员总是迟到。",
            "物流太慢，订单到现在还没送到。",
            "这个月送货延迟了三次。",
        ),
    },
    "Billing error": {
        "en": (
            "The invoice was wrong and I was charged twice.",
            "You billed me for a plan I cancelled, still waiting for the refund.",
            "Double charge on my card again, the invoice makes no sense.",
            "The bill shows fees I never agreed to.",
        ),
        "pl": (
            "Faktura była błędna i pobrano opłatę dwa razy.",
            "Obciążyliście mnie za anulowany plan, czekam na zwrot pieniędzy.",
            "Znowu podwójne obciążenie karty, faktura nie ma sensu.",
            "Na rachunku są opłaty, na które się nie zgodziłem.",
        ),
        "ru": (
            "Счёт был неверный, деньги списали дважды.",
            "Мне выставили счёт за отменённый тариф, жду возврат денег.",
            "Опять двойное списание с карты, счёт непонятный.",
            "В счёте платежи, на которые я не соглашался.",
        ),
        "zh-hans": (
            "发票开错了，还重复扣款。",
            "取消的套餐还在收费，退款一直没到。",
            "信用卡又被重复扣款，账单看不懂。",
            "账单上有我没同意的费用。",
        ),
    },
    "Product defect": {
        "en": (
            "The device broke after two days.",
            "The app crashes every time I open it, a serious bug.",
            "It stopped working after the update, clearly defective.",
            "The screen is broken and the button does not work.",
        ),
        "pl": (
            "Urządzenie zepsuło się po dwóch dniach.",
            "Aplikacja zawiesza się przy każdym uruchomieniu, poważny błąd.",
            "Po aktualizacji przestało działać, jest wadliwe.",
            "Ekran jest uszkodzony, a przycisk nie działa.",
        ),
        "ru": (
            "Устройство сломалось через два дня.",
            "Приложение вылетает при каждом запуске, серьёзная ошибка.",
            "После обновления перестало работать, явный брак.",
            "Экран сломан, кнопка не работает.",
        ),
        "zh-hans": (
            "设备用了两天就坏了。",
            "应用每次打开都崩溃，严重的故障。",
            "更新以后就不能用了，明显有缺陷。",
            "屏幕坏了，按钮也失灵。",
        ),
    },
    "Support experience": {
        "en": (
            "Support took four days to answer and the agent was rude.",
            "I waited on hold for an hour and nobody helped.",
            "Your support team closed my ticket without solving anything.",
            "The agent was unhelpful and I had to repeat everything.",
        ),
        "pl": (
            "Obsługa klienta odpowiadała cztery dni, konsultant był niegrzeczny.",
            "Czekałem na infolinii godzinę i nikt nie pomógł.",
            "Dział obsługi zamknął zgłoszenie bez rozwiązania.",
            "Konsultant nie pomógł, musiałem wszystko powtarzać.",
        ),
        "ru": (
            "Поддержка отвечала четыре дня, оператор грубил.",
            "Я ждал ответа оператора целый час, никто не помог.",
            "Служба поддержки закрыла заявку, ничего не решив.",
            "Оператор поддержки не помог, пришлось всё повторять.",
        ),
        "zh-hans": (
            "客服四天才回复，态度很差。",
            "电话等了一个小时，客服没人帮忙。",
            "客服没解决问题就关闭了工单。",
            "客服人员不耐烦，我只好重复说明。",
        ),
    },
    "Price": {
        "en": (
            "Far too expensive for what you get.",
            "The price went up again, competitors are cheaper.",
            "Overpriced, the cost is not worth it.",
            "Too expensive, I will look for a cheaper price elsewhere.",
        ),
        "pl": (
            "Zdecydowanie za drogo jak na to, co się dostaje.",
            "Cena znowu wzrosła, konkurencja jest tańsza.",
            "Za wysoka cena, koszt się nie opłaca.",
            "Za drogie, poszukam niższej ceny gdzie indziej.",
        ),
        "ru": (
            "Слишком дорого за то, что получаешь.",
            "Цена опять выросла, у конкурентов дешевле.",
            "Завышенная цена, стоимость того не стоит.",
            "Очень дорого, поищу цену пониже.",
        ),
        "zh-hans": (
            "太贵了，不值这个价钱。",
            "价格又涨了，别家更便宜。",
            "价格太高，性价比很低。",
            "太贵，我会去找更便宜的价格。",
        ),
    },
    "Missing feature": {
        "en": (
            "There is no export to Excel, a feature we really need.",
            "Missing an integration with our CRM.",
            "I wish there was an option for dark mode, the feature is missing.",
            "The feature we need is still missing, no API option.",
        ),
        "pl": (
            "Brakuje eksportu do Excela, tej funkcji bardzo potrzebujemy.",
            "Brakuje integracji z naszym CRM.",
            "Chciałbym opcję trybu ciemnego, brakuje tej funkcji.",
            "Wciąż brakuje potrzebnej funkcji, nie ma opcji API.",
        ),
        "ru": (
            "Нет экспорта в Excel, а эта функция нам очень нужна.",
            "Не хватает интеграции с нашей CRM.",
            "Хотелось бы опцию тёмной темы, этой функции нет.",
            "Всё ещё не хватает нужной функции, нет опции API.",
        ),
        "zh-hans": (
            "没有导出到Excel的功能，我们很需要这个功能。",
            "缺少和我们CRM的集成功能。",
            "希望能有深色模式选项，这个功能缺少。",
            "需要的功能还是缺少，没有API选项。",
        ),
    },
    "Onboarding": {
        "en": (
            "The setup was confusing and nobody explained the installation.",
            "Getting started took weeks, the onboarding was rushed.",
            "Setting up the account was hard, the configuration guide is useless.",
            "Onboarding left us alone with a complicated setup.",
        ),
        "pl": (
            "Konfiguracja była zagmatwana, nikt nie wyjaśnił instalacji.",
            "Początki trwały tygodnie, wdrożenie było pośpieszne.",
            "Konfiguracja konta była trudna, instrukcja nic nie daje.",
            "Przy wdrożeniu zostawiono nas z trudną konfiguracją.",
        ),
        "ru": (
            "Настройка была запутанной, никто не объяснил установку.",
            "Начать работу заняло недели, подключение было скомканным.",
            "Настроить аккаунт было трудно, инструкция бесполезна.",
            "При подключении нас оставили одних со сложной настройкой.",
        ),
        "zh-hans": (
            "设置太复杂，没人解释怎么安装。",
            "上手花了好几周，入门培训太仓促。",
            "账户配置很难，配置说明没有用。",
            "入门的时候没人帮忙，设置很复杂。",
        ),
    },
}

# One clear comment per cause and language, not in the training set.
CLEAR: dict[str, dict[str, str]] = {
    "Slow delivery": {
        "en": "The courier was late and the delivery took ages.",
        "pl": "Kurier się spóźnił, dostawa trwała wieki.",
        "ru": "Курьер опоздал, доставка заняла вечность.",
        "zh-hans": "快递太慢了，送货晚了好几天。",
    },
    "Billing error": {
        "en": "I was charged twice and the invoice is wrong.",
        "pl": "Pobrano opłatę dwa razy, faktura jest błędna.",
        "ru": "Деньги списали дважды, счёт неверный.",
        "zh-hans": "被重复扣款了，发票也不对。",
    },
    "Product defect": {
        "en": "It broke after a week and the app crashes.",
        "pl": "Zepsuło się po tygodniu, aplikacja się zawiesza.",
        "ru": "Сломалось через неделю, приложение вылетает.",
        "zh-hans": "用了一周就坏了，应用总是崩溃。",
    },
    "Support experience": {
        "en": "Support was rude and the agent never answered my ticket.",
        "pl": "Obsługa była niegrzeczna, konsultant nie odpowiedział.",
        "ru": "Поддержка грубила, оператор так и не ответил.",
        "zh-hans": "客服态度差，一直没有回复。",
    },
    "Price": {
        "en": "Much too expensive, the price is not worth it.",
        "pl": "O wiele za drogo, cena się nie opłaca.",
        "ru": "Слишком дорого, цена того не стоит.",
        "zh-hans": "价格太贵了，不值这个价。",
    },
    "Missing feature": {
        "en": "The feature we need is missing, no integration option.",
        "pl": "Brakuje funkcji, której potrzebujemy, nie ma integracji.",
        "ru": "Не хватает нужной функции, нет интеграции.",
        "zh-hans": "缺少我们需要的功能，没有集成选项。",
    },
    "Onboarding": {
        "en": "The setup and installation were confusing when getting started.",
        "pl": "Konfiguracja i instalacja na początku były zagmatwane.",
        "ru": "Настройка и установка в начале были запутанными.",
        "zh-hans": "刚上手的时候设置和安装太复杂。",
    },
}
LANGUAGES = ("en", "pl", "ru", "zh-hans")


def training_pairs() -> list[tuple[str, str]]:
    """(comment, root cause) for every training comment."""
    return [
        (comment, cause)
        for cause, by_language in TRAINING.items()
        for comments in by_language.values()
        for comment in comments
    ]
