"""A browser that once held the key must not make it usable by other sites:
no Basic prompt is ever asked for, and cross-site requests are refused."""

import base64

import pytest
from rest_framework.test import APIClient

from surveys.models import ApiScope, Customer
from tests.factories import CustomerFactory, SurveyFactory
from tests.surveys.api.conftest import make_token

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def _basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def test_a_refused_key_is_not_asked_for_with_a_basic_challenge():
    reply = APIClient().get("/api/delighted/v1/people.json", HTTP_AUTHORIZATION=_basic("nope"))
    assert reply.status_code == 401
    assert not reply["WWW-Authenticate"].lower().startswith("basic")


def test_a_cross_site_form_carrying_the_key_changes_nothing(settings):
    settings.NPS_DELIGHTED_SURVEY = SurveyFactory(slug="nps").slug
    ada = CustomerFactory(email="ada@example.com")
    key = make_token("all", [ApiScope.CUSTOMERS_WRITE, ApiScope.CUSTOMERS_READ])
    client = APIClient()
    refused = client.post(
        "/api/delighted/v1/unsubscribes.json",
        "person_email=ada%40example.com",
        content_type=FORM,
        HTTP_AUTHORIZATION=_basic(key),
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert refused.status_code == 401
    assert "another site" in refused.json()["message"]
    assert Customer.objects.get(pk=ada.pk).unsubscribed_at is None
    # The same call from a client (no browser marks) works.
    done = client.post(
        "/api/delighted/v1/unsubscribes.json",
        "person_email=ada%40example.com",
        content_type=FORM,
        HTTP_AUTHORIZATION=_basic(key),
    )
    assert done.status_code == 200
    assert Customer.objects.get(pk=ada.pk).unsubscribed_at is not None
