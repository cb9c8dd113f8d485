"""Sending a survey to an audience, as a manager does it in a real browser: choose
a segment, read the preview, send, and watch the wave page count an answer as
it arrives (the page polls its results; nobody reloads it)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from surveys.models import Invitation, Wave
from surveys.services import response_record
from tests.factories import CustomerFactory, SurveyFactory, manager

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ((1366, 768), (390, 844))
# What sticks out of the window sideways, to name it when a page does.
WIDER_THAN_THE_WINDOW = """
() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map((e) => `${e.tagName}.${e.className}#${e.id}`).slice(0, 8)
"""


def shots(page, screenshot, name: str) -> None:
    """The page at a laptop's and a phone's size, and nothing spilling sideways."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, f"{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (
            name,
            width,
            page.evaluate(WIDER_THAN_THE_WINDOW),
        )
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})


@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_manager_sends_to_a_segment_and_sees_the_answer_arrive(
    live_server, browser, screenshot, language
):
    survey = SurveyFactory(slug=f"nps-{language}", name="Customer NPS", throttle_days=30)
    segment = f"vip-{language}"
    CustomerFactory.create_batch(3, segment=segment, locale=language)
    CustomerFactory(segment=segment, name="Olga Left", unsubscribed_at=timezone.now())
    CustomerFactory(segment="retail")
    manager("boss")
    context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/surveys/survey/{survey.pk}/change/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")

    page.click(f'a[href="/admin/surveys/survey/{survey.pk}/audience/"]')
    page.check('input[name="kind"][value="segment"]')
    page.select_option("#id_segment", segment)
    shots(page, screenshot, f"audience-choose-{language}")
    page.click('input[name="preview"]')

    assert page.locator("#to-invite").inner_text().startswith("3 ")
    assert page.locator("#skipped td.count").all_inner_texts() == ["1"]
    assert "Olga Left" in page.locator("#skipped").inner_text()
    shots(page, screenshot, f"audience-preview-{language}")
    page.dblclick('input[name="send"]')  # a double click starts one wave

    page.wait_for_selector(".wave-page")
    wave = Wave.objects.get(survey=survey)
    assert page.locator('[data-number="invited"]').inner_text() == "3"
    assert page.locator('[data-number="answered"]').inner_text() == "0"
    invitation = Invitation.objects.filter(wave=wave).first()
    response_record(survey=survey, customer=invitation.customer, score=9, invitation=invitation)
    page.wait_for_function(
        "document.querySelector('[data-number=\"answered\"]').textContent.trim() === '1'"
    )
    point = "," if language == "pl" else "."
    assert page.locator('[data-number="nps"]').inner_text() == f"100{point}0"
    assert page.locator('[data-number="response_rate"]').inner_text() == f"33{point}3 %"
    shots(page, screenshot, f"audience-wave-{language}")
    context.close()
