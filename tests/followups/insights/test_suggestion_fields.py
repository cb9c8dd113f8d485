"""Suggested and confirmed root causes on the case page, in the cases API,
the export and the webhooks; confirming is audited and permissioned."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from followups.cases.exports import case_csv_lines
from followups.cases.workflow import case_assign
from followups.models import CaseEvent, FollowUpCase
from surveys.services import customer_erase
from tests.factories import manager, staff_member
from tests.followups.cases import open_case
from tests.followups.insights.comments import CLEAR
from tests.followups.webhooks import Receiver, endpoint_for, payloads
from tests.surveys.api.conftest import key_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "owner": staff_member("owner"),
        "other": staff_member("other"),
        "manager": manager("boss"),
    }


@pytest.fixture
def case(people, causes):
    case = open_case(owner=people["owner"], comment=CLEAR["Price"]["en"])
    FollowUpCase.objects.filter(pk=case.pk).update(
        suggested_root_cause=causes["Price"],
        suggestion_confidence=0.8125,
        suggestion_words=["expensive", "price"],
        suggestion_model_version=3,
    )
    return FollowUpCase.objects.get(pk=case.pk)


def page(case):
    return reverse("admin:followups_followupcase_change", args=[case.pk])


def confirm(client, case):
    url = reverse("admin:followups_followupcase_operation", args=[case.pk, "root_cause"])
    return client.post(url, {"root_cause": case.suggested_root_cause_id, "version": ""})


def test_the_case_page_shows_the_suggestion_its_confidence_and_words(client, people, case):
    client.force_login(people["owner"])
    text = client.get(page(case)).content.decode()
    assert "Suggested:" in text and "<strong>Price</strong>" in text
    assert "81% confident" in text
    assert "expensive, price" in text
    assert "Confirm suggestion" in text


def test_the_case_page_in_polish_says_the_same(client, people, case):
    client.force_login(people["owner"])
    text = client.get(page(case), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "<strong>Price</strong>" in text and "81%" in text


def test_turned_off_the_case_page_shows_no_suggestion(client, people, case, settings):
    settings.NPS_SUGGESTIONS_ENABLED = False
    client.force_login(people["owner"])
    text = client.get(page(case)).content.decode()
    assert "Confirm suggestion" not in text and "81%" not in text


CONFIRM = {"owner": True, "other": False, "manager": True, None: False}


@pytest.mark.parametrize("who", list(CONFIRM))
def test_confirming_the_suggestion_is_for_the_owner_and_managers(client, people, case, who):
    if who is not None:
        client.force_login(people[who])
    confirm(client, case)
    case.refresh_from_db()
    assert (case.root_cause_id == case.suggested_root_cause_id) is CONFIRM[who]
    events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ROOT_CAUSE_SET)
    assert events.count() == (1 if CONFIRM[who] else 0)


def test_a_confirmation_is_on_the_timeline_and_is_the_next_training_example(
    client, people, case, causes
):
    from followups.insights.suggestions import training_data

    client.force_login(people["owner"])
    response = confirm(client, case)
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ROOT_CAUSE_SET)
    assert event.actor == people["owner"]
    assert event.data["confirmed"] is True and event.data["root_cause_name"] == "Price"
    text = client.get(page(case)).content.decode()
    assert "Confirmed the suggested root cause: Price." in text
    texts, labels = training_data()
    assert (texts, labels) == ([CLEAR["Price"]["en"]], [str(causes["Price"].pk)])


def test_changing_the_suggested_cause_is_recorded_as_overridden(client, people, case, causes):
    client.force_login(people["manager"])
    url = reverse("admin:followups_followupcase_operation", args=[case.pk, "root_cause"])
    client.post(url, {"root_cause": causes["Billing error"].pk, "version": ""})
    case.refresh_from_db()
    assert case.root_cause == causes["Billing error"]
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ROOT_CAUSE_SET)
    assert event.data["confirmed"] is False and event.data["suggested_name"] == "Price"


def test_an_unknown_root_cause_is_refused_with_a_message(client, people, case):
    client.force_login(people["owner"])
    url = reverse("admin:followups_followupcase_operation", args=[case.pk, "root_cause"])
    response = client.post(url, {"root_cause": "999999", "version": ""})
    assert response.status_code == 200
    assert "Choose one of the root causes in use." in response.content.decode()
    case.refresh_from_db()
    assert case.root_cause is None


def test_the_list_filters_by_suggested_root_cause(client, people, case, causes):
    other = open_case(comment="nothing")
    client.force_login(people["manager"])
    url = reverse("admin:followups_followupcase_changelist")
    response = client.get(url, {"suggested_root_cause__id__exact": causes["Price"].pk})
    shown = [row.pk for row in response.context["cl"].result_list]
    assert shown == [case.pk] and other.pk not in shown


def test_the_cases_api_gives_the_suggestion(people, case):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key_for(people['owner'], 'cases:read')}")
    body = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["root_cause"] is None
    assert body["suggested_root_cause"] == {
        "name": "Price",
        "confidence": 0.8125,
        "model_version": 3,
    }
    [row] = [row for row in client.get("/api/v1/cases/").json()["results"] if row["id"] == case.pk]
    assert row["suggested_root_cause"]["name"] == "Price"


def test_the_cases_api_gives_no_suggestion_when_turned_off(people, case, settings):
    settings.NPS_SUGGESTIONS_ENABLED = False
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key_for(people['owner'], 'cases:read')}")
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["suggested_root_cause"] is None


def test_the_export_has_the_suggestion_columns(case):
    rows = list(csv.DictReader(io.StringIO("".join(case_csv_lines(FollowUpCase.objects.all())))))
    assert rows[0]["suggested_root_cause"] == "Price"
    assert rows[0]["suggestion_confidence"] == "0.8125"
    assert rows[0]["suggestion_model_version"] == "3"


def test_webhooks_give_the_root_cause_and_the_suggestion(people, case):
    endpoint = endpoint_for(Receiver(port=1), ["case.assigned"])
    case_assign(case=case, owner=people["manager"], actor=people["manager"])
    [sent] = payloads(endpoint)
    assert sent["data"]["case"]["root_cause"] is None
    assert sent["data"]["case"]["suggested_root_cause"] == {
        "name": "Price",
        "confidence": 0.8125,
        "model_version": 3,
    }


def test_erasure_removes_the_top_words_taken_from_the_comment(case):
    customer_erase(customer=case.customer, actor=None)
    case.refresh_from_db()
    assert case.suggestion_words == []
    assert case.suggested_root_cause is not None


def test_confirming_over_someone_elses_change_is_refused(client, people, case, causes):
    client.force_login(people["owner"])
    seen = client.get(page(case)).content.decode()
    assert 'name="expected_root_cause" value=""' in seen
    # Meanwhile a manager sets another root cause.
    from followups.cases import workflow

    workflow.case_root_cause_set(
        case=case, root_cause=causes["Onboarding"], actor=people["manager"]
    )
    url = reverse("admin:followups_followupcase_operation", args=[case.pk, "root_cause"])
    response = client.post(
        url,
        {"root_cause": causes["Price"].pk, "expected_root_cause": "", "version": ""},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "changed meanwhile" in text
    case.refresh_from_db()
    assert case.root_cause_id == causes["Onboarding"].pk
    # The page given back expects what is there now: sent again, it applies.
    assert f'name="expected_root_cause" value="{causes["Onboarding"].pk}"' in text
    again = client.post(
        url,
        {
            "root_cause": causes["Price"].pk,
            "expected_root_cause": str(causes["Onboarding"].pk),
            "version": "",
        },
    )
    assert again.status_code == 302
    case.refresh_from_db()
    assert case.root_cause_id == causes["Price"].pk


def test_an_inactive_suggested_cause_has_no_confirm_button_and_says_why(
    client, people, case, causes
):
    causes["Price"].is_active = False
    causes["Price"].save()
    client.force_login(people["owner"])
    text = client.get(page(case)).content.decode()
    assert "Confirm suggestion" not in text
    assert "no longer in use, so the suggestion cannot be confirmed" in text
