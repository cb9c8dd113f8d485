"""The survey page in a real browser: a phone, a desktop, and a keyboard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from followups.models import FollowUpCase
from surveys import scanners
from surveys.models import Response
from tests.factories import CustomerFactory, InvitationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def sent_long_ago(monkeypatch):
    """The factory's invitations were sent this instant; the customer opens
    them later than a scanner at the receiving server would."""
    monkeypatch.setattr(scanners, "PREFETCH_WINDOW", timedelta(0))


PHONE = {"width": 375, "height": 812}
# Headless Chromium names itself "HeadlessChrome", as scanners' browsers do, and
# the survey page records nothing for those: these phones are the customer's.
PHONE_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
        user_agent=PHONE_AGENT,
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


def _emailed_link(live_server, settings, score: int, **customer) -> tuple[str, object]:
    """The link for ``score`` in a real invitation email, sent to ``live_server``."""
    from django.test import TestCase

    from followups.invitations.emails import invitation_send
    from followups.models import OutboundMessage
    from tests.factories import SurveyFactory

    settings.PUBLIC_BASE_URL = live_server.url
    survey = SurveyFactory(question="How likely are you to recommend us?")
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation = invitation_send(survey=survey, customer=CustomerFactory(**customer))
    email = OutboundMessage.objects.get(template="invitation")
    assert email.status == "sent"
    link = next(
        line.split(": ", 1)[1]
        for line in email.body_text.splitlines()
        if line.startswith(f"{score}: ")
    )
    assert link.startswith(live_server.url) and link.endswith(f"?score={score}")
    return link, invitation


def recorded_score(page, score: int) -> None:
    """Wait until the page says the score is recorded."""
    page.locator("#recorded", has_text=f" {score} ").wait_for()


def test_phone_email_link_records_the_score_without_a_click_then_takes_a_comment(
    live_server, phone, screenshot, settings
):
    link, invitation = _emailed_link(live_server, settings, 3)
    phone.goto(link)

    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert score_rows(phone) == 2
    assert phone.get_by_label("3", exact=True).is_checked()
    box = phone.locator("label[for=score-0]").bounding_box()
    assert box["width"] >= 44
    assert box["height"] >= 44

    # No click: the page's script recorded the score the email link carried.
    recorded_score(phone, 3)
    response = Response.objects.get()
    assert (response.invitation_id, response.score, response.routed_at) == (
        invitation.pk,
        3,
        None,
    )
    assert not phone.get_by_role("button", name="Send my answer").is_visible()
    screenshot(phone, "survey-page-phone")

    phone.get_by_label("What is the main reason for your score?").fill("Delivery took two weeks.")
    assert horizontal_overflow(phone) <= 0
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
    assert response.routed_at is not None
    assert FollowUpCase.objects.get().response == response


@pytest.fixture
def phone_pl(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="pl-PL",
        user_agent=PHONE_AGENT,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_phone_in_polish_changes_the_recorded_score_and_is_routed_once(
    live_server, phone_pl, screenshot, settings
):
    link, _ = _emailed_link(live_server, settings, 2, locale="pl")
    phone_pl.goto(link)
    recorded_score(phone_pl, 2)
    assert phone_pl.locator("html").get_attribute("lang") == "pl"

    phone_pl.locator("#score-6").tap()
    recorded_score(phone_pl, 6)
    assert Response.objects.get().score == 6
    assert horizontal_overflow(phone_pl) <= 0
    screenshot(phone_pl, "survey-page-phone-pl-changed")

    # Reloading shows the same answer, still changeable: no "reused link".
    phone_pl.reload()
    recorded_score(phone_pl, 6)
    assert phone_pl.locator("#score-6").is_checked()

    phone_pl.locator("#comment").fill("Za długo czekałem.")
    phone_pl.locator("[data-more] button[type=submit]").tap()
    phone_pl.locator(".done").wait_for()

    response = Response.objects.get()
    assert (response.score, response.comment) == (6, "Za długo czekałem.")
    assert FollowUpCase.objects.filter(response=response).count() == 1
    assert FollowUpCase.objects.count() == 1


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

    # Each choice is recorded as it is made; the last one stands.
    recorded_score(page, 8)
    assert Response.objects.get().score == 8
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "comment"


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
