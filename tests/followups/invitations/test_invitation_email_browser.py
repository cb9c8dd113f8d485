"""The invitation email, its reminder and the reminder promising a bonus (one
template) opened on a 390 px phone and a 1366 px laptop, in English and
Polish: the 0-10 scale fits the screen, each button a link with its score
and wide enough for its number, the ends of the scale labelled under its
first and last button. A mail app that drops the <style> shows one row of
narrower buttons, which fits as well, down to a 320 px phone."""

from __future__ import annotations

import re

import pytest

from followups.branding.samples import sample_context
from followups.outbox.messages import render
from surveys.branding import EmailKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
LAPTOP = {"width": 1366, "height": 768}

EMAILS = {
    "invitation": (EmailKind.INVITATION, {}),
    "reminder": (EmailKind.REMINDER, {}),
    "bonus-reminder": (
        EmailKind.REMINDER,
        {"bonus": "200 loyalty points on your account", "bonus_until": "1 June 2027"},
    ),
}

# Where the scale's buttons and its two end labels are drawn.
SCALE_JS = """() => {
    const links = [...document.querySelectorAll(".nps-cell a")];
    const score = (a) => new URL(a.href).searchParams.get("score");
    const boxes = links.map((a) => a.getBoundingClientRect());
    const [low, high] = [...document.querySelectorAll(".nps-ends td")].map((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return range.getBoundingClientRect();
    });
    return {
        scores: links.map((a) => `${a.textContent.trim()}=${score(a)}`),
        rows: new Set(boxes.map((b) => Math.round(b.top))).size,
        narrowest: Math.min(...boxes.map((b) => b.width)),
        lowest: Math.min(...boxes.map((b) => b.height)),
        numbers_whole: links.every((a) => a.scrollWidth <= a.clientWidth),
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        labels_below: Math.min(low.top, high.top) >= Math.max(...boxes.map((b) => b.bottom)),
        low_label_under_0: Math.abs(low.left - boxes[0].left) <= 2,
        high_label_under_10: Math.abs(high.right - boxes[10].right) <= 2,
    };
}"""


def email_html(name: str, language: str) -> str:
    kind, extra = EMAILS[name]
    return render("invitation", language, {**sample_context(kind, language), **extra}).body_html


def without_style(html: str) -> str:
    """The email as a mail app that drops <style> shows it."""
    return re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)


def scale_on(browser, html: str, viewport: dict) -> dict:
    page = browser.new_page(viewport=viewport)
    try:
        page.set_content(html)
        return page.evaluate(SCALE_JS)
    finally:
        page.close()


def assert_whole_scale_fits(scale: dict) -> None:
    assert scale["scores"] == [f"{score}={score}" for score in range(11)]
    assert scale["overflow"] <= 0
    assert scale["numbers_whole"]
    assert scale["labels_below"]
    assert scale["low_label_under_0"] and scale["high_label_under_10"]


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("name", EMAILS)
def test_a_phone_shows_the_scale_in_two_rows_of_finger_sized_buttons(browser, name, language):
    scale = scale_on(browser, email_html(name, language), PHONE)

    assert_whole_scale_fits(scale)
    assert scale["rows"] == 2
    assert scale["narrowest"] >= 44 and scale["lowest"] >= 44


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("name", EMAILS)
def test_a_laptop_shows_the_scale_in_one_row(browser, name, language):
    scale = scale_on(browser, email_html(name, language), LAPTOP)

    assert_whole_scale_fits(scale)
    assert scale["rows"] == 1
    assert scale["narrowest"] >= 36


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390", "320"])
@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_mail_app_without_styles_shows_one_row_that_fits_a_phone(browser, language, viewport):
    scale = scale_on(browser, without_style(email_html("bonus-reminder", language)), viewport)

    assert_whole_scale_fits(scale)
    assert scale["rows"] == 1
