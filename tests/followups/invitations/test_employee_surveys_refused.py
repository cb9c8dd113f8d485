"""An employee survey is never sent to or answered by customers: every path
that asks or records customers refuses it with a clear error and writes
nothing (waves, the scheduler, the admin's send and audience pages, the
invitations API, the Delighted API, ``response_record``)."""

from __future__ import annotations

import base64

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from followups.invitations.waves import (
    Audience,
    due_waves_start,
    survey_wave_start,
    wave_plan,
    wave_start,
)
from surveys.models import ApiScope, EmployeeSurveyRefused, Invitation, Response, Survey, Wave
from tests.factories import CustomerFactory, SurveyFactory, UserFactory
from tests.surveys.api.conftest import make_token

pytestmark = pytest.mark.django_db

REFUSAL = "is an employee survey"


@pytest.fixture
def staff_survey():
    CustomerFactory(email="c@example.com")
    return SurveyFactory(slug="staff-pulse", kind=Survey.Kind.EMPLOYEE)


def test_waves_refuse_an_employee_survey(staff_survey):
    with pytest.raises(EmployeeSurveyRefused, match=REFUSAL):
        wave_plan(survey=staff_survey)
    with pytest.raises(EmployeeSurveyRefused, match=REFUSAL):
        wave_start(survey=staff_survey, audience=Audience(segment=""))
    assert survey_wave_start(survey_id=staff_survey.pk) is None
    assert not Wave.objects.exists() and not Invitation.objects.exists()


def test_the_scheduler_starts_no_wave_of_an_employee_survey(staff_survey):
    # Stored before recurrence was refused for employee surveys.
    Survey.objects.filter(pk=staff_survey.pk).update(recurrence="monthly")
    SurveyFactory(slug="checkout", recurrence="monthly")

    assert list(due_waves_start(now=timezone.now())) == ["checkout"]
    assert not Wave.objects.filter(survey=staff_survey).exists()


def test_an_employee_survey_cannot_repeat(staff_survey, client):
    staff_survey.recurrence = "monthly"
    with pytest.raises(ValidationError) as raised:
        staff_survey.full_clean()
    assert "recurrence" in raised.value.message_dict

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:surveys_survey_change", args=[staff_survey.pk]))
    assert 'name="recurrence"' not in page.content.decode()
    customers = SurveyFactory(slug="checkout")
    page = client.get(reverse("admin:surveys_survey_change", args=[customers.pk]))
    assert 'name="recurrence"' in page.content.decode()


def test_the_admin_sends_no_wave_of_an_employee_survey(staff_survey, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    reply = client.post(
        reverse("admin:surveys_survey_changelist"),
        {"action": "send_wave", "_selected_action": [staff_survey.pk], "confirm": "1"},
        follow=True,
    )

    assert any(REFUSAL.split()[0] in str(m) for m in get_messages(reply.wsgi_request))
    assert "never sent to customers" in reply.content.decode()
    assert not Wave.objects.exists()


def test_the_audience_page_refuses_an_employee_survey(staff_survey, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:surveys_survey_audience", args=[staff_survey.pk])

    for reply in (
        client.get(url, follow=True),
        client.post(url, {"segment": "", "send": "1"}, follow=True),
    ):
        assert REFUSAL in reply.content.decode()
    assert not Wave.objects.exists()


@pytest.fixture
def api():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token('shop', list(ApiScope.values))}")
    return client


def test_the_invitations_api_refuses_an_employee_survey(staff_survey, api):
    one = {"survey": "staff-pulse", "customer": {"email": "c@example.com"}}

    reply = api.post("/api/v1/invitations/", one, format="json")
    bulk = api.post("/api/v1/invitations/bulk/", {"invitations": [one]}, format="json")

    assert reply.status_code == 400
    assert REFUSAL in str(reply.json()["error"]["fields"]["survey"])
    assert bulk.status_code == 200 and REFUSAL in str(bulk.json())
    assert not Invitation.objects.exists()


def test_the_answers_api_refuses_an_employee_survey(staff_survey, api):
    reply = api.post(
        "/api/v1/responses/",
        {"survey": "staff-pulse", "customer": {"email": "c@example.com"}, "score": 2},
        format="json",
    )

    assert reply.status_code == 400 and REFUSAL in str(reply.json())
    assert not Response.objects.exists()


def test_the_delighted_api_refuses_an_employee_survey(staff_survey, settings):
    settings.NPS_DELIGHTED_SURVEY = "staff-pulse"
    key = make_token("delighted", list(ApiScope.values))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{key}:".encode()).decode())
    person = CustomerFactory(email="d@example.com")

    people = client.post("/api/delighted/v1/people.json", {"email": "e@example.com"}, format="json")
    answer = client.post(
        "/api/delighted/v1/survey_responses.json", {"person": person.pk, "score": 2}, format="json"
    )

    # Delighted's shape: invalid input is a 422 with its message.
    assert people.status_code == 422 and REFUSAL in str(people.json())
    assert answer.status_code == 422 and REFUSAL in str(answer.json())
    assert not Response.objects.exists() and not Invitation.objects.exists()
    assert not type(person).objects.filter(email="e@example.com").exists()
