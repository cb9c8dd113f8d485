"""Every 4xx of the API has one shape: {"error": {status, code, message, fields}}."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions

from nps_project.api import exception_handler, field_errors, flatten_errors
from tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db

SHAPE = {"status", "code", "message", "fields"}


def assert_error_shape(reply, status: int) -> dict:
    assert reply.status_code == status
    assert reply["Content-Type"] == "application/json"
    body = reply.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == SHAPE
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body["error"]


def test_400_names_every_field_by_its_path(api):
    SurveyFactory(slug="checkout")

    reply = api.post(
        "/api/v1/responses/",
        {"survey": "checkout", "customer": {"email": "nope", "name": "x" * 201}, "score": 11},
        format="json",
    )

    error = assert_error_shape(reply, 400)
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "customer.email": ["Enter a valid email address."],
        "customer.name": ["Ensure this field has no more than 200 characters."],
        "score": ["The score must be a whole number from 0 to 10."],
    }
    assert error["message"] == (
        "customer.email: Enter a valid email address. (and 2 more field errors)"
    )


def test_unknown_survey_in_a_post_is_a_400_on_survey_not_a_404(api):
    reply = api.post(
        "/api/v1/responses/",
        {"survey": "nope", "customer": {"email": "a@example.com"}, "score": 9},
        format="json",
    )

    error = assert_error_shape(reply, 400)
    assert error["fields"] == {"survey": ["No survey with the slug 'nope'."]}
    assert error["message"] == "survey: No survey with the slug 'nope'."


def test_401_has_the_shape(anonymous):
    assert assert_error_shape(anonymous.get("/api/v1/surveys/"), 401)["code"] == (
        "not_authenticated"
    )


def test_403_has_the_shape(unscoped_client):
    assert assert_error_shape(unscoped_client.get("/api/v1/surveys/"), 403)["code"] == (
        "permission_denied"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/surveys/nope/",
        "/api/v1/responses/0/",
        "/api/v1/responses/99999999999999999999999/",
        "/api/v1/customers/abc/",
        "/api/v1/surveys/checkout/nps/more/",
        "/api/v1/responses/bulk/extra/",
    ],
)
def test_404_has_the_shape_even_for_paths_no_view_matches(read_client, path):
    assert assert_error_shape(read_client.get(path), 404)["code"] == "not_found"


def test_a_known_path_without_its_slash_still_redirects(read_client):
    reply = read_client.get("/api/v1/surveys")

    assert reply.status_code == 301
    assert reply["Location"].endswith("/api/v1/surveys/")


def test_405_has_the_shape(read_client):
    error = assert_error_shape(read_client.delete("/api/v1/surveys/"), 405)
    assert error["code"] == "method_not_allowed"


def test_a_django_validation_error_escaping_a_view_is_a_400_not_a_500():
    reply = exception_handler(
        DjangoValidationError({"score": ["Too high."], "__all__": ["Inconsistent."]}), {}
    )

    assert reply.status_code == 400
    assert reply.data["error"]["fields"] == {
        "score": ["Too high."],
        "non_field_errors": ["Inconsistent."],
    }


def test_nested_and_listed_errors_flatten_to_dotted_paths():
    detail = exceptions.ValidationError(
        {
            "customer": {"email": ["Bad."], "non_field_errors": ["Id or details."]},
            "responses": [{}, {"score": ["Bad."]}],
            "items": {3: ["Not a string."]},
        }
    ).detail

    assert flatten_errors(detail) == {
        "customer.email": ["Bad."],
        "customer": ["Id or details."],
        "responses.1.score": ["Bad."],
        "items.3": ["Not a string."],
    }


def test_field_errors_prefix_and_plain_messages():
    assert field_errors(DjangoValidationError("Nope.")) == {"non_field_errors": ["Nope."]}
    assert field_errors(DjangoValidationError({"email": "Bad."}), "customer") == {
        "customer.email": ["Bad."]
    }


def test_an_unknown_api_address_answers_json_in_the_error_shape(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get("/no-such-page/").status_code == 404
