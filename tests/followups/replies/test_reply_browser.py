"""A reply by email landing on the case, in a real browser: a staff member
emails the customer from the case page and marks it waiting on them; the
customer's reply comes back through the raw-MIME endpoint and shows on the
timeline, the case back in progress. On a 1366 px laptop and a 390 px phone,
in English and Polish; screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from followups.models import CaseEvent, FollowUpCase, OutboundMessage
from surveys.models import ApiScope
from tests.factories import staff_member
from tests.followups.cases import open_case
from tests.followups.cases.test_case_list_browser import LAPTOP, PHONE, log_in, shot
from tests.followups.replies import reply_mime
from tests.surveys.api.conftest import client_with, make_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "subject": "About your parcel",
        "body": "Dear Ana, a replacement is on its way. Did it arrive?",
        "reply": "Yes, it arrived this morning. Thank you!",
        "quote": "On Tue, Dec 1, 2026 at 10:00 AM Olga Nowak <nps@example.com> wrote:",
        "kind": "Customer replied",
        "who": "the customer",
        "status": "In progress",
    },
    "pl": {
        "subject": "W sprawie paczki",
        "body": "Pani Ano, nowa paczka jest w drodze. Czy dotarła?",
        "reply": "Tak, dotarła dziś rano. Dziękuję!",
        "quote": "W dniu 1.12.2026 o 10:00, Olga Nowak pisze:",
        "kind": "Klient odpisał",
        "who": "klient",
        "status": "W toku",
    },
}


@pytest.mark.parametrize(
    ("device", "lang"),
    [("laptop", "en"), ("phone", "pl"), ("laptop", "pl"), ("phone", "en")],
)
def test_staff_email_the_customer_and_the_reply_lands_on_the_timeline(
    live_server, browser, device, lang
):
    words = WORDS[lang]
    owner = staff_member("olga", first_name="Olga", last_name="Nowak", email="olga@shop.example")
    case = open_case(
        owner=owner, score=3, comment="The parcel never came.", name="Ana Lima", locale=lang
    )
    viewport = LAPTOP if device == "laptop" else PHONE
    context, page = log_in(browser, live_server.url, "olga", viewport=viewport, lang=lang)
    # Eight test runs share two cores: a page may take its time, never a wrong turn.
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/admin/followups/followupcase/{case.pk}/change/")
    email_form = page.locator("form[action$='/email/']")
    email_form.locator("input[name=subject]").fill(words["subject"])
    email_form.locator("textarea[name=body]").fill(words["body"])
    email_form.locator("input[type=submit]").click()
    page.wait_for_load_state()
    page.select_option("select[name=to_status]", FollowUpCase.Status.WAITING)
    page.locator("select[name=to_status]").locator("xpath=ancestor::form").locator(
        "input[type=submit]"
    ).click()
    page.wait_for_load_state()
    shot(page, f"reply-1-emailed-{device}-{lang}")

    sent = OutboundMessage.objects.get(template="case_message", case=case)
    assert sent.status == OutboundMessage.Status.SENT
    [delivered] = [m for m in mail.outbox if m.to == [sent.recipient]]
    assert delivered.reply_to == [sent.reply_to]
    assert delivered.from_email.startswith("Olga Nowak ")
    case.refresh_from_db()
    assert case.status == FollowUpCase.Status.WAITING

    provider = client_with(make_token("inbound-mail", [ApiScope.MAIL_REPLIES]))
    raw = reply_mime(
        to=sent.reply_to,
        sender=case.customer.email,
        text=f"{words['reply']}\n\n{words['quote']}\n> {words['body']}",
    )
    answer = provider.generic("POST", "/api/v1/mail/inbound/", raw, content_type="message/rfc822")
    assert answer.status_code == 202

    page.reload()
    timeline = page.locator("#timeline-h + ol")
    reply_entry = timeline.locator("li.case-reply")
    reply_entry.wait_for()
    shot(page, f"reply-2-landed-{device}-{lang}")
    entry = reply_entry.inner_text()
    assert words["reply"] in entry
    assert words["quote"] not in entry and words["body"] not in entry
    # "Customer replied · the customer": by the customer, not by the system.
    assert entry.splitlines()[0].endswith(f"{words['kind']} · {words['who']}")
    assert re.search(words["status"], page.locator("#content").inner_text())
    # The reply fits the phone's width: nothing to scroll sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]
    context.close()

    case.refresh_from_db()
    assert case.status == FollowUpCase.Status.IN_PROGRESS
    assert case.events.filter(kind=CaseEvent.Kind.CUSTOMER_REPLIED).count() == 1
    assert OutboundMessage.objects.get(template="case_reply").recipient == owner.email
