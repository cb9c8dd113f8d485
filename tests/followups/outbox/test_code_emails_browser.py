"""The emails that carry a code (offer, reward, the bonus for non-responders)
opened on a 390 px phone: the code stays on one line, whole, so nobody copies
half of it. A phone's mail app shows the HTML part much as Chromium does."""

import pytest

from followups.outbox.messages import render
from tests.followups.cases.test_case_list_browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# The longest codes the app makes (bonus: "BONUS-" and three groups of four).
EMAILS = {
    "offer": {"offer": "15% off", "code": "THX-AB12-CD34-EF56", "expires": "1 June 2027"},
    "reward": {
        "reward": "500 points",
        "code": "VIP-AB12-CD34-EF56",
        "expires": "1 June 2027",
        "kind": "coupon",
        "link": "",
    },
    "bonus": {"bonus": "200 loyalty points", "code": "BONUS-AB12-CD34-EF56", "expires": "1 June"},
}

# The code's box: on how many lines its text is drawn, and whether it ends
# inside the page.
CODE_BOX_JS = """(code) => {
    const box = [...document.querySelectorAll("span")].find((s) => s.textContent.trim() === code);
    const range = document.createRange();
    range.selectNodeContents(box);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    const right = box.getBoundingClientRect().right;
    return {lines, inside: right <= document.documentElement.clientWidth};
}"""


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("template", EMAILS)
def test_the_code_in_an_email_stays_whole_on_a_phone(browser, template, language):
    context = EMAILS[template]
    html = render(template, language, {"customer_name": "Zoë", **context}).body_html
    page = browser.new_page(viewport=PHONE)
    try:
        page.set_content(html)
        assert page.evaluate(CODE_BOX_JS, context["code"]) == {"lines": 1, "inside": True}
    finally:
        page.close()
