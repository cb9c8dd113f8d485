"""Every admin list page costs the same queries at 3 rows or 30, and opens."""

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.chat.alerts import chat_alert_create
from followups.models import ChatAlert, WebhookEndpoint
from followups.routing import responses_route
from followups.webhooks.endpoints import webhook_endpoint_create
from followups.webhooks.events import EVENT_TYPES
from surveys.models import CustomerList, CustomerListMember, SavedFilter, Wave
from tests.factories import InvitationFactory, ResponseFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "surveys_customer",
    "surveys_customerimport",
    "surveys_survey",
    "surveys_invitation",
    "surveys_response",
    "followups_followupcase",
    "followups_offergrant",
    "followups_rewardgrant",
    "followups_outboundmessage",
    "followups_webhookendpoint",
    "followups_webhookdelivery",
    "followups_chatalert",
    "followups_chatalertdelivery",
    "followups_offer",
    "followups_reward",
    "followups_rootcause",
    "followups_staffprofile",
    "surveys_apikey",
    "surveys_wave",
    "surveys_savedfilter",
    "surveys_customerlist",
    "surveys_emailtext",
]


def make_rows(count, survey):
    if not WebhookEndpoint.objects.exists():  # so the webhook delivery log has rows
        webhook_endpoint_create(url="http://127.0.0.1:9/hooks", events=list(EVENT_TYPES))
    if not ChatAlert.objects.filter(survey=survey).exists():  # so the Slack log has rows
        chat_alert_create(
            survey=survey,
            url="http://127.0.0.1:9/services/T/B/x",
            categories=["detractor", "passive", "promoter"],
        )
    responses = []
    made = Wave.objects.count()
    for n in range(count):
        invitation = InvitationFactory(survey=survey)
        # A wave to a list and a saved filter, as the admin sends one.
        customer_list = CustomerList.objects.create(name=f"List {made + n}")
        CustomerListMember.objects.create(
            customer_list=customer_list, customer=invitation.customer, line=2
        )
        saved_filter = SavedFilter.objects.create(name=f"Filter {made + n}", segment="retail")
        Wave.objects.create(survey=survey, customer_list=customer_list, saved_filter=saved_filter)
        responses.append(
            ResponseFactory(
                survey=survey, customer=invitation.customer, invitation=invitation, score=n % 11
            ).pk
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=responses)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    return client


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("name", CHANGELISTS)
def test_list_page_queries_do_not_grow_with_rows(admin_client, name):
    survey = SurveyFactory()
    url = reverse(f"admin:{name}_changelist")
    make_rows(3, survey)
    few = queries(admin_client, url)
    make_rows(30, survey)
    assert queries(admin_client, url) == few


@pytest.mark.parametrize(
    "name",
    [
        "surveys_customer",
        "surveys_survey",
        "surveys_response",
        "followups_outboundmessage",
        "followups_webhookendpoint",
        "followups_webhookdelivery",
        "followups_chatalert",
        "followups_chatalertdelivery",
        "surveys_wave",
        "surveys_savedfilter",
        "surveys_customerlist",
    ],
)
def test_change_page_opens(admin_client, name):
    make_rows(3, SurveyFactory())
    from django.apps import apps

    model = apps.get_model(*name.split("_", 1))
    obj = model.objects.first()
    assert admin_client.get(reverse(f"admin:{name}_change", args=[obj.pk])).status_code == 200


def test_the_admin_index_title_is_in_the_readers_language(client):
    from django.contrib import admin
    from django.utils import translation

    client.force_login(UserFactory(username="root", is_superuser=True))

    page = client.get("/admin/", headers={"accept-language": "en"})

    assert page.context["title"] == "Answers, cases and follow-ups"
    # Marked for translation (a plain string stayed English on the Polish
    # index), and translated as each page is drawn, not once at import.
    with translation.override("pl"):
        expected = translation.gettext("Answers, cases and follow-ups")
        assert str(admin.site.index_title) == expected
