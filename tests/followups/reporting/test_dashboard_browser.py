"""The dashboard on the demo data, in a real browser."""

import io

import pytest
from django.core.management import call_command

from followups.reporting import reports
from surveys.models import Survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_shows_the_demo_data_and_its_charts_show_the_right_numbers(
    live_server, page, screenshot
):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/dashboard/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "demo-manager-2026")
    page.click("input[type=submit]")
    page.wait_for_selector("#panel-trend svg")
    screenshot(page, "dashboard-demo")

    survey = Survey.objects.get(slug=page.locator("#id_survey").input_value())
    selection, problems = _selection_shown(page, survey)
    assert problems == []
    expected = reports.nps_panel(selection).current
    shown = page.locator("#panel-nps .dash-big").get_attribute("data-nps")
    assert float(shown) == pytest.approx(expected.nps)
    points = page.locator("#panel-trend circle")
    trend = reports.trend(selection)
    assert points.count() == len([s for _, s in trend if s.nps is not None])
    for (period, summary), index in zip(trend, range(points.count()), strict=False):
        mark = points.nth(index)
        assert mark.get_attribute("data-period") == period.strftime("%Y-%m")
        assert float(mark.get_attribute("data-nps")) == pytest.approx(summary.nps, abs=0.05)
    bars = page.locator("#panel-distribution rect")
    assert [int(bars.nth(i).get_attribute("data-count")) for i in range(11)] == (
        reports.distribution(selection)
    )
    # Printable: the filter form is hidden in print.
    page.emulate_media(media="print")
    assert not page.locator(".dash-form").is_visible()


def _selection_shown(page, survey):
    from django.utils import timezone

    from followups.reporting.dashboard import selection_from

    params = {
        "survey": survey.slug,
        "from": page.locator("#id_from").input_value(),
        "to": page.locator("#id_to").input_value(),
    }
    return selection_from(params, now=timezone.now())


# Every text box of every chart, in page coordinates, and the pairs that overlap
# (by more than a rounding pixel).
OVERLAPS_JS = """
() => {
  const found = [];
  document.querySelectorAll("svg.chart").forEach((chart, index) => {
    const boxes = [...chart.querySelectorAll("text")]
      .map((text) => [text.textContent, text.getBoundingClientRect()])
      .filter(([, box]) => box.width > 0);
    boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
      const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (x > 0.5 && y > 0.5) found.push(`chart ${index}: "${a}" over "${b}"`);
    }));
  });
  return found;
}
"""


# Words of the dashboard's tables drawn over more than one line: a cell too
# narrow for its words, cut into letters (a table that scrolls in its card
# keeps them whole). Hyphens, dashes and slashes may end a line.
BROKEN_WORDS_JS = r"""
() => {
  const broken = [];
  document.querySelectorAll(".dash-card th, .dash-card td").forEach((cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.textContent.matchAll(/[^\s\-\u2013\u2014\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
        if (lines.size > 1) broken.push(`${cell.closest("section").id}: ${word[0]}`);
      }
    }
  });
  return broken;
}
"""


@pytest.mark.parametrize("language", ["en", "pl"])
def test_dashboard_text_never_overlaps_and_fits_a_laptop_and_a_phone(
    live_server, browser, screenshot, language
):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "demo-manager-2026")
    page.click("input[type=submit]")
    # Customer surveys: an employee survey's page has no charts (test_enps.py).
    for survey in Survey.objects.exclude(status=Survey.Status.DRAFT).filter(
        kind=Survey.Kind.CUSTOMER
    ):
        for by in ("month", "week"):
            for width, height in ((1366, 768), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{live_server.url}/admin/dashboard/?survey={survey.slug}&by={by}")
                page.wait_for_selector("#panel-trend svg")
                where = f"{survey.slug}, by {by}, {width} px, {language}"
                assert page.evaluate(OVERLAPS_JS) == [], where
                assert page.evaluate(BROKEN_WORDS_JS) == [], where
                # Nothing spills out of the page sideways (wide charts scroll in their card).
                assert page.evaluate("document.documentElement.scrollWidth") <= width, where
                if by == "week":
                    screenshot(page, f"dashboard-{survey.slug}-week-{width}-{language}")
    context.close()


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_enps_page_never_overlaps_and_fits_a_laptop_and_a_phone(live_server, browser, language):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "demo-manager-2026")
    page.click("input[type=submit]")
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/admin/dashboard/?survey=staff-pulse")
        page.wait_for_selector("#panel-teams [data-suppressed]")
        where = f"staff-pulse, {width} px, {language}"
        assert page.evaluate(OVERLAPS_JS) == [], where
        assert page.evaluate("document.documentElement.scrollWidth") <= width, where
    context.close()
