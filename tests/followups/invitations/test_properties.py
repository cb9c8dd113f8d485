"""Properties given with an invitation reach the answer, and answers and
reports filter on them."""

from __future__ import annotations

import pytest
from django.test import TestCase

from followups.invitations.requests import invitation_request
from surveys import services
from surveys.models import ApiScope, Channel, Response
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory
from tests.surveys.api.conftest import client_with, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return SurveyFactory(slug="support")


@pytest.fixture
def reader():
    return client_with(make_token("reports", [ApiScope.REPORTS_READ]))


def test_an_answer_through_an_invitation_keeps_its_properties(survey):
    customer = CustomerFactory()
    invitation = invitation_request(
        survey=survey, customer=customer, properties={"plan": "pro", "seats": 12}
    ).invitation
    with TestCase.captureOnCommitCallbacks(execute=True):
        recorded = services.response_record(
            survey=survey, customer=customer, score=9, invitation=invitation, channel=Channel.EMAIL
        )
    assert Response.objects.get(pk=recorded.response.pk).properties == {"plan": "pro", "seats": 12}


def test_the_answers_list_filters_on_a_property(survey, reader):
    pro = ResponseFactory(survey=survey, properties={"plan": "pro", "seats": 12})
    ResponseFactory(survey=survey, properties={"plan": "free"})
    ResponseFactory(survey=survey)
    listed = reader.get("/api/v1/responses/", {"property": "plan:pro"})
    assert [row["id"] for row in listed.json()["results"]] == [pro.pk]
    assert listed.json()["results"][0]["properties"] == {"plan": "pro", "seats": 12}
    by_number = reader.get("/api/v1/responses/", {"property": "seats:12"})
    assert [row["id"] for row in by_number.json()["results"]] == [pro.pk]


def test_the_nps_report_filters_on_a_property(survey, reader):
    for score in (10, 9, 0):
        ResponseFactory(survey=survey, score=score, properties={"plan": "pro"})
    ResponseFactory(survey=survey, score=0, properties={"plan": "free"})
    report = reader.get("/api/v1/surveys/support/nps/", {"property": "plan:pro"}).json()
    assert (report["total"], report["promoters"], report["detractors"]) == (3, 2, 1)


def test_a_property_filter_without_a_colon_is_a_400(survey, reader):
    reply = reader.get("/api/v1/responses/", {"property": "plan"})
    assert reply.status_code == 400
    assert "property" in reply.json()["error"]["fields"]
    assert reader.get("/api/v1/surveys/support/nps/", {"property": "x"}).status_code == 400


def test_the_answers_admin_shows_properties(survey, admin_client):
    ResponseFactory(survey=survey, properties={"plan": "<b>pro</b>"})
    page = admin_client.get("/admin/surveys/response/").content.decode()
    assert "plan: &lt;b&gt;pro&lt;/b&gt;" in page
