"""A manager and a staff member work a case in a real browser."""

import re

import pytest

from followups.models import FollowUpCase, OutboundMessage, RootCause
from tests.factories import manager, staff_member
from tests.followups.cases import open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # the factories' password


def log_in(page, base, username):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def test_manager_assigns_and_staff_works_the_case_to_resolution(live_server, browser, screenshot):
    boss = manager("boss", first_name="Magda")
    staff_member("sam", first_name="Sam")
    RootCause.objects.create(name="Carrier delay")
    case = open_case(
        score=2, comment="The parcel came a week late.", email="ana@example.com", name="Ana Lima"
    )
    assert boss.is_staff
    base = live_server.url

    manager_context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = manager_context.new_page()
    log_in(page, base, "boss")
    page.goto(f"{base}/admin/followups/followupcase/?queue=unassigned")
    page.click(f"text=#{case.pk}")
    page.select_option("select[name=owner]", label="Sam (sam)")
    page.click("input[value=Assign]")
    page.wait_for_selector("text=assigned to")
    manager_context.close()
    case.refresh_from_db()
    assert case.owner.username == "sam"

    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = staff_context.new_page()
    log_in(page, base, "sam")
    page.goto(f"{base}/admin/followups/followupcase/")
    page.click("text=My open cases")
    page.wait_for_url(re.compile(r"queue=mine"))
    page.locator("#result_list").get_by_role("link", name=f"#{case.pk}", exact=True).wait_for()
    screenshot(page, "case-list-my-cases")
    page.locator("#result_list").get_by_role("link", name=f"#{case.pk}", exact=True).click()

    page.select_option("select[name=to_status]", "in_progress")
    page.click("input[value='Change status']")
    page.wait_for_selector("text=is now In progress")

    page.fill("input[name=subject]", "About your parcel")
    page.fill("textarea[name=body]", "Dear Ana, we are sending a replacement today.")
    page.click("input[value='Send email']")
    page.wait_for_selector("text=queued")

    page.select_option("select[name=to_status]", "resolved")
    page.select_option("select[name=root_cause]", label="Carrier delay")
    page.fill("textarea[name=resolution_summary]", "Replacement shipped by express.")
    page.click("input[value='Change status']")
    page.wait_for_selector("text=is now Resolved")
    screenshot(page, "case-page-resolved")
    timeline = page.locator("#timeline-h + ol").inner_text()
    staff_context.close()

    case.refresh_from_db()
    assert case.status == FollowUpCase.Status.RESOLVED
    assert case.root_cause.name == "Carrier delay"
    assert case.first_contact_at is not None
    email = OutboundMessage.objects.get(template="case_message")
    assert (email.recipient, email.subject, email.status) == (
        "ana@example.com",
        "About your parcel",
        "sent",
    )
    for text in ("Assigned to", "Email sent to the customer", "In progress → Resolved"):
        assert text in timeline


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, PHONE])
def test_an_escalated_case_reads_in_polish_and_fits_the_screen(
    live_server, browser, screenshot, viewport
):
    manager("boss", first_name="Magda", last_name="Nowak")
    # A long address is one word the page must break rather than widen for.
    case = open_case(
        score=1,
        comment="Paczka przyszła po tygodniu.",
        name="Grzegorz Lewandowski",
        email="grzegorz.lewandowski.109@example.com",
    )
    case.events.create(
        kind="escalated", data={"level": 1, "reason": "unowned"}, created_at=case.created_at
    )
    context = browser.new_context(
        viewport=viewport, locale="pl-PL", is_mobile=viewport is PHONE, has_touch=viewport is PHONE
    )
    page = context.new_page()
    log_in(page, live_server.url, "boss")
    page.goto(f"{live_server.url}/admin/followups/followupcase/{case.pk}/change/")
    timeline = page.locator("#timeline-h + ol").inner_text()
    # A phone widens its layout to fit a page too wide for it: measured
    # against the viewport asked for, not the window's width.
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, f"case-page-pl-{viewport['width']}")
    context.close()

    assert "Eskalowano do poziomu 1: nikt go nie przejął." in timeline
    assert "Otwarto po ocenie 1." in timeline
    assert "Escalated" not in timeline and "Opened" not in timeline
    assert width <= viewport["width"]
