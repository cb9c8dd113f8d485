"""The HTTP targets' admin pages (Slack alerts and webhook endpoints share
their state fields and enabling by hand) in a real browser: a 1366 px laptop
and a 390 px phone, in English and Polish. A disabled alert shows when and why,
and its secret URL appears only masked.

Screenshots go to test-artifacts/screenshots/ (git-ignored; CI keeps them)."""

import pytest
from django.utils import timezone

from followups.chat.alerts import chat_alert_create
from followups.models import ChatAlert
from followups.webhooks.endpoints import webhook_endpoint_create
from tests.factories import SurveyFactory, UserFactory
from tests.followups.cases.test_case_list_browser import LAPTOP, PHONE, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET_URL = "http://127.0.0.1:9/services/T000/B000/abcdefghijklmnopWXYZ"


@pytest.mark.parametrize("lang", ["en", "pl"])
@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_a_disabled_alert_and_an_endpoint_show_their_state_and_never_the_secret(
    live_server, browser, lang, size
):
    UserFactory(username="root", is_superuser=True)  # webhook endpoints: superusers only
    alert = chat_alert_create(survey=SurveyFactory(name="Onboarding"), url=SECRET_URL)
    ChatAlert.objects.disable(alert.pk, reason="Slack answered 404 no_service: the URL is gone.")
    endpoint = webhook_endpoint_create(url="http://127.0.0.1:9/hooks/nps", events=["case.resolved"])
    type(endpoint).objects.filter(pk=endpoint.pk).update(failing_since=timezone.now())
    viewport = LAPTOP if size == "laptop" else PHONE
    context, page = log_in(browser, live_server.url, "root", viewport=viewport, lang=lang)
    pages = {
        "alerts": "/admin/followups/chatalert/",
        "alert": f"/admin/followups/chatalert/{alert.pk}/change/",
        "endpoint": f"/admin/followups/webhookendpoint/{endpoint.pk}/change/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        html = page.content()
        assert SECRET_URL not in html and "abcdefghijklmnop" not in html
        shot(page, f"http-target-{name}-{size}-{lang}")
    page.goto(f"{live_server.url}{pages['alert']}")
    assert "the URL is gone" in page.inner_text(".field-disabled_reason")
    assert "…WXYZ" in page.inner_text("#content")
    page.goto(f"{live_server.url}{pages['endpoint']}")
    assert page.inner_text(".field-failing_since .readonly").strip() not in ("", "-")
    context.close()
