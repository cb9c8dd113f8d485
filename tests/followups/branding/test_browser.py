"""The brand in a real browser: a survey page in the brand's colour with its
logo, and the admin's email preview, on a 1366 px laptop and a 390 px phone,
in English and Polish. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from surveys.models import Brand
from tests.conftest import DESKTOP_AGENT
from tests.factories import CustomerFactory, InvitationFactory, manager
from tests.followups.cases.test_case_list_browser import shot
from tests.surveys.test_survey_page_browser import PHONE_AGENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # the factories' password
SCREENS = {
    "1366": ({"width": 1366, "height": 768}, DESKTOP_AGENT),
    "390": ({"width": 390, "height": 844}, PHONE_AGENT),
}
LOCALES = {"en": "en-US", "pl": "pl-PL"}
PURPLE = "#6639ba"


def a_brand() -> Brand:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 60), PURPLE).save(buffer, format="PNG")
    brand = Brand.current()
    brand.company_name = "Brightwave <Telecom>"
    brand.primary_colour = PURPLE
    brand.sender_name = "Brightwave care"
    brand.set_logo(buffer.getvalue(), "image/png")
    brand.save()
    return brand


def open_page(browser, screen: str, lang: str):
    viewport, agent = SCREENS[screen]
    context = browser.new_context(
        viewport=viewport,
        locale=LOCALES[lang],
        user_agent=agent,
        is_mobile=screen == "390",
        has_touch=screen == "390",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "pl"])
@pytest.mark.parametrize("screen", ["1366", "390"])
def test_the_survey_page_wears_the_brand_colour_and_logo(live_server, browser, screen, lang):
    a_brand()
    invitation = InvitationFactory(customer=CustomerFactory(locale=lang, name="Ola"))
    context, page = open_page(browser, screen, lang)

    page.goto(live_server.url + invitation.get_absolute_url())

    logo = page.locator("header.brand img.brand-logo")
    assert logo.get_attribute("alt") == "Brightwave <Telecom>"
    assert page.evaluate("document.querySelector('.brand-logo').naturalWidth") == 240
    page.locator("#score-9").check(force=True)
    # The brand's purple, not the default blue (once the label's transition ends).
    # (Playwright's retrying expectation: a polled page function is an eval the
    # page's policy refuses.)
    expect(page.locator("#score-9 + label")).to_have_css("background-color", "rgb(102, 57, 186)")
    card_top = page.evaluate("getComputedStyle(document.querySelector('.card')).borderTopColor")
    assert card_top == "rgb(102, 57, 186)"
    assert overflow(page) <= 0
    shot(page, f"brand-survey-page-{screen}-{lang}")
    context.close()


def log_in(page, base: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.mark.parametrize("lang", ["en", "pl"])
@pytest.mark.parametrize("screen", ["1366", "390"])
def test_the_email_preview_shows_the_branded_email_and_its_text(
    live_server, browser, settings, screen, lang
):
    settings.PUBLIC_BASE_URL = live_server.url  # the logo in the email loads from here
    a_brand()
    manager("boss", first_name="Morgan", last_name="Example")
    context, page = open_page(browser, screen, lang)
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}/admin/surveys/emailtext/")
    page.locator("#result_list a", has_text=re.compile("Oferta|Offer")).first.click()
    assert overflow(page) <= 0
    shot(page, f"brand-email-text-{screen}-{lang}")
    page.locator(".field-previews a").nth(1 if lang == "pl" else 0).click()

    frame = page.frame_locator("iframe[sandbox]")
    assert "Alex Example" in frame.locator("body").inner_text()
    assert frame.locator("img").get_attribute("alt") == "Brightwave <Telecom>"
    text_part = page.locator(".email-preview pre").inner_text()
    assert "Brightwave care" in text_part
    assert overflow(page) <= 0
    shot(page, f"brand-email-preview-{screen}-{lang}")

    page.locator("input[type=submit]").last.click()
    assert page.locator(".messagelist .success").count() == 1

    page.goto(f"{live_server.url}/admin/surveys/brand/")
    assert page.locator("#id_company_name").input_value() == "Brightwave <Telecom>"
    shot(page, f"brand-admin-{screen}-{lang}")
    context.close()
