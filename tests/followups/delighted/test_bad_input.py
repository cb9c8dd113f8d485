"""Whatever Delighted's endpoints are sent (hostile query parameters, JSON
of any shape, odd person identifiers), they answer below 500, and every
refusal comes in Delighted's error shape. These send what an OpenAPI
description would forbid (nasty text anywhere, JSON of any shape); the
schemathesis run over the compat API's own description is
test_schemathesis.py."""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from surveys.models import ApiScope
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory
from tests.surveys.api.conftest import make_token
from tests.test_bad_input_properties import NASTY, PROPERTY, parameters

pytestmark = pytest.mark.django_db

BASE = "/api/delighted/v1/"
LISTS = {
    "people": ["per_page", "page_info", "since", "until", "email", "phone_number", "trend"],
    "survey_responses": [
        "per_page",
        "page",
        "since",
        "until",
        "updated_since",
        "updated_until",
        "trend",
        "person_id",
        "person_email",
        "order",
        "expand[]",
    ],
    "metrics": ["since", "until", "trend"],
    "unsubscribes": ["per_page", "page", "since", "until"],
    "bounces": ["per_page", "page", "since", "until"],
}
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | NASTY,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(NASTY, children, max_size=3),
    max_leaves=8,
)
BODIES = {
    "people": [
        "email",
        "phone_number",
        "name",
        "delay",
        "send",
        "channel",
        "properties",
        "last_sent_at",
    ],
    "survey_responses": ["person", "score", "comment", "person_properties", "created_at"],
    "unsubscribes": ["person_email"],
}


@pytest.fixture
def client(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    rates.update(ingest="100000/min", read="100000/min", user="100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    settings.NPS_DELIGHTED_SURVEY = "delighted"
    survey = SurveyFactory(slug="delighted")
    ResponseFactory(survey=survey, score=3, customer=CustomerFactory(phone="+48601234567"))
    key = make_token("fuzzer", list(ApiScope.values))
    client = APIClient()
    credentials = base64.b64encode(f"{key}:".encode()).decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    return client


def assert_answered(reply) -> None:
    assert reply.status_code < 500, reply.content
    if reply.status_code >= 400:
        body = reply.json()
        assert body["status"] == reply.status_code and body["message"]


@PROPERTY
@given(
    resource=st.sampled_from(sorted(LISTS)),
    params=st.data(),
    suffix=st.sampled_from(["", ".json"]),
)
def test_lists_answer_any_query_below_500(client, resource, params, suffix):
    query = params.draw(parameters(LISTS[resource]))

    assert_answered(client.get(f"{BASE}{resource}{suffix}", query))


@PROPERTY
@given(resource=st.sampled_from(sorted(BODIES)), data=st.data())
def test_writes_answer_any_json_below_500(client, resource, data):
    body = data.draw(
        st.fixed_dictionaries({}, optional=dict.fromkeys(BODIES[resource], JSON)) | JSON
    )

    assert_answered(client.post(f"{BASE}{resource}", body, format="json"))


@PROPERTY
@given(
    kind=st.sampled_from(["", "email:", "phone_number:", "other:"]),
    value=NASTY,
    pending=st.booleans(),
)
def test_person_paths_answer_any_identifier_below_500(client, kind, value, pending):
    identifier = quote(f"{kind}{value}", safe="")
    path = f"{BASE}people/{identifier}" + ("/survey_requests/pending" if pending else "")

    assert_answered(client.delete(path))


@PROPERTY
@given(value=NASTY | st.integers().map(str))
def test_survey_response_path_answers_any_id_below_500(client, value):
    assert_answered(client.get(f"{BASE}survey_responses/{quote(value, safe='')}"))


@PROPERTY
@given(
    resource=st.sampled_from(sorted(BODIES)),
    form=st.dictionaries(
        st.sampled_from(["email", "score", "person", "properties", "person_email"])
        | st.builds("{}[{}]".format, st.sampled_from(["properties", "email", "x"]), NASTY),
        NASTY.filter(lambda text: "\x00" not in text),
        max_size=5,
    ),
)
def test_writes_answer_any_form_below_500(client, resource, form):
    reply = client.post(
        f"{BASE}{resource}", urlencode(form), content_type="application/x-www-form-urlencoded"
    )

    assert reply.status_code != 415  # read as a form, as Delighted's curl examples send
    assert_answered(reply)
