"""The case list and page on a working day, in a real browser: a 1366 px laptop
and a 390 px phone, a manager and a staff member, in English and Polish; and
the reassignment race (a manager reassigns while the owner types a note).

Screenshots go to test-artifacts/screenshots/ (git-ignored; CI keeps them)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from followups.models import CaseEvent, FollowUpCase
from tests.conftest import ARTIFACTS
from tests.factories import manager, staff_member
from tests.followups.cases import open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # the factories' password
SHOTS = ARTIFACTS / "screenshots"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
LOCALES = {"en": "en-US", "pl": "pl-PL"}
LIST = "/admin/followups/followupcase/"
NOTE = "Called at noon: she wants a refund, not a voucher. Promised an answer by Friday."

COMMENTS = [
    "The parcel came a week late and the box was crushed, so I had to send it back twice.",
    "Support never answered my emails.",
    "Too expensive for what it does; the new price list is confusing and nobody explained it.",
    "",
]


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")  # where CI finds the evidence
    return path


def log_in(browser, base, username, *, viewport, lang):
    context = browser.new_context(viewport=viewport, locale=LOCALES[lang])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return context, page


def working_day():
    """A team's morning: cases in every state, long comments, full names."""
    sam = staff_member("sam", first_name="Samantha", last_name="Reyes-Oliveira")
    kim = staff_member("kim", first_name="Kim", last_name="Lee")
    boss = manager("boss", first_name="Magdalena", last_name="Brandt")
    now = timezone.now()
    cases = []
    for index in range(8):
        case = open_case(
            owner=[sam, kim, None, boss][index % 4],
            score=index % 7,
            comment=COMMENTS[index % 4],
            name=f"Customer with a rather long name {index}",
            created_at=now - timedelta(hours=[1, 5, 20, 30][index % 4]),
            phone=f"+4812345678{index}",
        )
        cases.append(case)
    FollowUpCase.objects.filter(pk=cases[3].pk).update(escalation_level=2)
    return {"sam": sam, "kim": kim, "boss": boss}, cases


def table_fits(page) -> dict:
    """Widths that show whether the list needs a sideways scroll: the page's,
    the results box's (the admin scrolls the table inside it) and where the
    owner column ends."""
    return page.evaluate(
        """() => {
            const root = document.documentElement;
            const results = document.querySelector('#changelist .results');
            const owner = document.querySelector('#result_list th.column-owner_name');
            const box = owner.getBoundingClientRect();
            return {pageScroll: root.scrollWidth, pageClient: root.clientWidth,
                    tableScroll: results.scrollWidth, tableClient: results.clientWidth,
                    tableRight: results.getBoundingClientRect().right,
                    ownerRight: box.right, ownerWidth: box.width};
        }"""
    )


@pytest.mark.parametrize("lang", ["en", "pl"])
@pytest.mark.parametrize("who", ["boss", "sam"])
def test_the_case_list_fits_a_laptop_with_the_owner_visible(live_server, browser, lang, who):
    _, cases = working_day()
    context, page = log_in(browser, live_server.url, who, viewport=LAPTOP, lang=lang)
    page.goto(f"{live_server.url}{LIST}")
    page.locator("#result_list").wait_for()
    fit = table_fits(page)
    shot(page, f"case-list-1366-{who}-{lang}")
    assert fit["pageScroll"] <= fit["pageClient"], fit
    assert fit["tableScroll"] <= fit["tableClient"], fit
    assert fit["ownerWidth"] > 0, fit
    assert fit["ownerRight"] <= min(fit["tableRight"], LAPTOP["width"]), fit
    owners = page.locator("#result_list td.field-owner_name").all_inner_texts()
    assert "Samantha Reyes-Oliveira" in owners
    assert "sam" not in owners
    # The owner filter names people the same way.
    if who == "boss":
        assert page.locator("#changelist-filter").get_by_text("Kim Lee").count() == 1

    page.locator("#result_list a", has_text=f"#{cases[0].pk}").first.click()
    page.locator("#timeline-h").wait_for()
    shot(page, f"case-page-1366-{who}-{lang}")
    assert page.locator("a[href='tel:+48123456780']").count() == 1
    context.close()


@pytest.mark.parametrize("lang", ["en", "pl"])
@pytest.mark.parametrize("who", ["boss", "sam"])
def test_the_case_list_and_page_work_on_a_phone(live_server, browser, lang, who):
    _, cases = working_day()
    context, page = log_in(browser, live_server.url, who, viewport=PHONE, lang=lang)
    page.goto(f"{live_server.url}{LIST}")
    page.locator("#result_list").wait_for()
    shot(page, f"case-list-390-{who}-{lang}")
    assert "Samantha Reyes-Oliveira" in page.locator("#result_list").inner_text()
    page.goto(f"{live_server.url}{LIST}{cases[0].pk}/change/")
    page.locator("#timeline-h").wait_for()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    shot(page, f"case-page-390-{who}-{lang}")
    assert width <= PHONE["width"], width
    context.close()


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_note_typed_while_the_case_is_reassigned_is_kept_with_a_clear_message(
    live_server, browser, lang
):
    people, cases = working_day()
    case = cases[0]  # Samantha's
    base = live_server.url
    staff_context, staff = log_in(browser, base, "sam", viewport=LAPTOP, lang=lang)
    staff.goto(f"{base}{LIST}{case.pk}/change/")
    staff.fill("textarea[name=text]", NOTE)

    boss_context, boss = log_in(browser, base, "boss", viewport=LAPTOP, lang=lang)
    boss.goto(f"{base}{LIST}{case.pk}/change/")
    boss.select_option("select[name=owner]", str(people["kim"].pk))
    boss.click("form[action$='/workflow/assign/'] input[type=submit]")
    boss.locator(".messagelist .success").wait_for()
    shot(boss, f"case-reassigned-by-manager-{lang}")

    staff.click("form[action$='/workflow/note/'] input[type=submit]")
    staff.locator(".errornote").wait_for()
    shot(staff, f"case-reassigned-note-kept-{lang}")
    assert "Kim Lee" in staff.locator(".errornote").inner_text()
    assert staff.locator("textarea[readonly]").input_value() == NOTE
    staff_context.close()
    boss_context.close()

    case.refresh_from_db()
    assert case.owner == people["kim"]
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_a_call_logged_on_the_page_is_first_contact(live_server, browser):
    _, cases = working_day()
    case = cases[0]
    context, page = log_in(browser, live_server.url, "sam", viewport=LAPTOP, lang="en")
    page.goto(f"{live_server.url}{LIST}{case.pk}/change/")
    page.select_option("select[name=outcome]", "reached")
    page.fill("textarea[name=note]", "Agreed on a refund.")
    page.click("form[action$='/workflow/call/'] input[type=submit]")
    page.wait_for_selector("text=Call logged.")
    timeline = page.locator("#timeline-h + ol").inner_text()
    shot(page, "case-call-logged")
    context.close()
    assert "Agreed on a refund." in timeline
    assert "Samantha Reyes-Oliveira" in timeline
    case.refresh_from_db()
    assert (case.status, case.first_contact_at is not None) == ("in_progress", True)
