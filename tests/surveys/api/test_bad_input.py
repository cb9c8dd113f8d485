"""Input no client should send still gets a clear 4xx in the API's one error
shape, never a 500: dates at the ends of the calendar, JSON nested past
Python's recursion limit, a body larger than the server accepts."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from tests.factories import SurveyFactory, manager
from tests.surveys.api.test_errors import assert_error_shape

pytestmark = pytest.mark.django_db

NESTED = "[" * 5000 + "]" * 5000


@pytest.fixture
def manager_api():
    client = APIClient()
    client.force_authenticate(manager("boss"))
    return client


@pytest.mark.parametrize(
    "params",
    [
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"from": "9999-12-31", "to": "9999-12-31"},
    ],
)
def test_kpi_report_with_a_date_at_the_end_of_the_calendar_is_a_400(manager_api, params):
    SurveyFactory(slug="rel")

    reply = manager_api.get("/api/v1/reports/kpis/", {"survey": "rel", **params})

    error = assert_error_shape(reply, 400)
    assert set(error["fields"]) <= {"from", "to"}
    assert error["fields"]


@pytest.mark.parametrize("path", ["/api/v1/responses/", "/api/v1/responses/bulk/"])
@pytest.mark.parametrize(
    "body",
    [NESTED, '{"survey": ' + NESTED + "}", '{"responses": [' + NESTED + "]}"],
    ids=["array", "in-object", "in-bulk"],
)
def test_json_nested_5000_deep_is_a_400_in_the_error_shape(api, path, body):
    reply = api.post(path, body, content_type="application/json")

    error = assert_error_shape(reply, 400)
    assert error["code"] == "parse_error"


def test_a_body_over_the_size_limit_is_a_413_in_the_error_shape(api, settings):
    body = json.dumps({"survey": "x", "comment": "a" * (10 * 1024 * 1024)})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    reply = api.post("/api/v1/responses/", body, content_type="application/json")

    error = assert_error_shape(reply, 413)
    assert error["code"] == "too_large"


def test_a_bulk_body_over_the_size_limit_is_a_413_in_the_error_shape(api):
    items = [{"survey": "x", "comment": "a" * 10_000} for _ in range(1000)]

    reply = api.post("/api/v1/responses/bulk/", {"responses": items}, format="json")

    assert assert_error_shape(reply, 413)["code"] == "too_large"
