"""The survey page in a real browser: a phone, a desktop, and a keyboard."""

from __future__ import annotations

import pytest

from followups.models import FollowUpCase
from surveys.models import Response
from tests.factories import CustomerFactory, InvitationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def score_rows(page) -> int:
    tops = page.evaluate(
        "[...document.querySelectorAll('.score label')].map(l => l.getBoundingClientRect().top)"
    )
    return len({round(top) for top in tops})


def test_phone_customer_answers_from_the_email_link_and_adds_a_comment(
    live_server, phone, screenshot, settings
):
    from django.test import TestCase

    from followups.invitations.emails import invitation_send
    from followups.models import OutboundMessage
    from tests.factories import SurveyFactory

    settings.PUBLIC_BASE_URL = live_server.url
    survey = SurveyFactory(question="How likely are you to recommend us?")
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation = invitation_send(survey=survey, customer=CustomerFactory())
    email = OutboundMessage.objects.get(template="invitation")
    assert email.status == "sent"
    link = next(
        line.split(": ", 1)[1] for line in email.body_text.splitlines() if line.startswith("3: ")
    )
    assert link.startswith(live_server.url) and link.endswith("?score=3")
    phone.goto(link)

    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert score_rows(phone) == 2
    assert phone.get_by_label("3", exact=True).is_checked()
    box = phone.locator("label[for=score-0]").bounding_box()
    assert box["width"] >= 44
    assert box["height"] >= 44
    screenshot(phone, "survey-page-phone")

    phone.get_by_role("button", name="Send my answer").click()
    phone.get_by_role("heading", name="Thank you!").wait_for()
    assert horizontal_overflow(phone) <= 0
    phone.get_by_label("What is the main reason for your score?").fill("Delivery took two weeks.")
    screenshot(phone, "survey-follow-up-phone")
    phone.get_by_role("button", name="Send", exact=True).click()

    phone.get_by_role("heading", name="Thank you for your feedback").wait_for()
    screenshot(phone, "survey-thanks-phone")
    response = Response.objects.get()
    assert (response.invitation_id, response.score, response.comment) == (
        invitation.pk,
        3,
        "Delivery took two weeks.",
    )
    assert FollowUpCase.objects.get(response=response)


def test_phone_shows_a_clear_error_when_no_score_was_chosen(live_server, phone, screenshot):
    invitation = InvitationFactory()
    phone.goto(f"{live_server.url}{invitation.get_absolute_url()}")

    phone.get_by_role("button", name="Send my answer").click()

    error = phone.locator("#score-error")
    error.wait_for()
    assert error.inner_text() == "Please choose a score from 0 to 10."
    assert phone.locator("fieldset").get_attribute("aria-describedby") == "score-error"
    assert horizontal_overflow(phone) <= 0
    screenshot(phone, "survey-page-phone-error")
    assert not Response.objects.exists()


def test_desktop_shows_the_scale_in_one_row(live_server, page, screenshot):
    invitation = InvitationFactory(customer__locale="pl")
    page.goto(f"{live_server.url}{invitation.get_absolute_url()}?score=9")

    assert score_rows(page) == 1
    assert page.locator("html").get_attribute("lang") == "pl"
    screenshot(page, "survey-page-desktop-pl")


def test_keyboard_alone_can_answer_with_a_visible_focus(live_server, page):
    invitation = InvitationFactory()
    page.goto(f"{live_server.url}{invitation.get_absolute_url()}")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "score-0"
    outline = page.evaluate(
        "getComputedStyle(document.querySelector('label[for=score-0]')).outlineStyle"
    )
    assert outline == "solid"
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "score-8"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Send my answer"
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Thank you!").wait_for()
    assert Response.objects.get().score == 8


def test_phone_customer_unsubscribes_with_one_button(live_server, phone, screenshot):
    from surveys.links import unsubscribe_path

    customer = CustomerFactory(locale="ru")
    phone.goto(f"{live_server.url}{unsubscribe_path(customer)}")
    assert horizontal_overflow(phone) <= 0
    screenshot(phone, "unsubscribe-phone-ru")

    phone.get_by_role("button", name="Отписаться").click()

    phone.get_by_role("heading", name="Вы отписались").wait_for()
    customer.refresh_from_db()
    assert customer.unsubscribed_at is not None
