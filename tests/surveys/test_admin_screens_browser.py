"""Admin pages of the SMS, driver and bonus features as a manager sees them in
a real browser: a 1366 px laptop and a 390 px phone, in English and Polish.
Each test holds one thing a look at the page found wrong.

Screenshots go to test-artifacts/screenshots/ (git-ignored; CI keeps them)."""

import pytest

from surveys.models import DriverChoice
from tests.factories import SurveyFactory, manager
from tests.followups.cases.test_case_list_browser import LAPTOP, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Long labels in every language, as a real "main reason" question has.
CHOICES = [
    ("price", "Price", "Cena", "Цена", "价格"),
    ("quality", "Product quality", "Jakość produktu", "Качество продукта", "产品质量"),
    ("support", "Customer support", "Obsługa klienta", "Поддержка клиентов", "客户支持"),
    ("ease", "Ease of use", "Łatwość obsługi", "Простота использования", "易用性"),
]

# How far an element reaches past the right edge of its fieldset (0 when inside).
PAST_FIELDSET_JS = """(selector) => {
    const element = document.querySelector(selector);
    const edge = element.closest("fieldset").getBoundingClientRect().right;
    return Math.max(0, element.getBoundingClientRect().right - edge);
}"""


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_driver_choices_inline_fits_a_laptop_page(live_server, browser, lang):
    survey = SurveyFactory(name="Relationship", driver_question="What mattered most?")
    for position, (key, label, pl, ru, zh) in enumerate(CHOICES):
        DriverChoice.objects.create(
            survey=survey,
            key=key,
            label=label,
            label_pl=pl,
            label_ru=ru,
            label_zh_hans=zh,
            position=position,
        )
    manager("boss")
    context, page = log_in(browser, live_server.url, "boss", viewport=LAPTOP, lang=lang)

    page.goto(f"{live_server.url}/admin/surveys/survey/{survey.pk}/change/")

    assert page.evaluate(PAST_FIELDSET_JS, "#drivers-group table") <= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    shot(page, f"survey-drivers-inline-laptop-{lang}")
    context.close()
