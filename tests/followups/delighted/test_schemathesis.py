"""The Delighted-compatible API's OpenAPI description (generated from its
views, at /api/delighted/v1/openapi.json): valid, warning-free, naming every
route and no other, and true of the running API: schemathesis sends generated
requests (valid ones, and invalid ones the description forbids) to every
operation through the real WSGI stack with a key holding every scope; none
gets a server error, every answer's status and content type are documented
and its body matches the description, and invalid input is refused."""

from __future__ import annotations

import base64
import itertools
import re
import time
from collections import Counter, defaultdict

import pytest
import schemathesis
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from followups.delighted.urls import v1
from surveys.models import ApiScope
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory
from tests.surveys.api.conftest import make_token
from tests.surveys.api.test_schema import wsgi_app  # noqa: F401 - a fixture

SCHEMA = "/api/delighted/v1/openapi.json"
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 20}
MIN_CASES = 1000
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
]
pytestmark = pytest.mark.django_db


def _route_as_openapi(route: str) -> str:
    return "/api/delighted/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace(
        "{pk}", "{id}"
    )


def test_description_is_valid_and_free_of_warnings(client):
    GENERATOR_STATS.reset()
    answer = client.get(SCHEMA)

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache)
    document = answer.json()
    validate_schema(document)
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["delightedKey"] == {
        "type": "http",
        "scheme": "basic",
        "description": document["components"]["securitySchemes"]["delightedKey"]["description"],
    }


def test_description_names_every_route_and_no_other(client):
    paths = set(client.get(SCHEMA).json()["paths"])

    assert paths == {_route_as_openapi(str(entry.pattern)) for entry in v1}


def test_each_path_and_its_json_twin_have_their_own_operation_ids(client):
    document = client.get(SCHEMA).json()
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]

    assert len(ids) == len(set(ids)) == 21


def test_the_products_schema_leaves_the_compat_api_out(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert paths
    assert not [path for path in paths if path.startswith("/api/delighted/")]


def test_the_docs_page_links_the_description(client):
    page = client.get("/api/delighted/").content.decode()

    assert f'href="{SCHEMA}"' in page


@pytest.mark.parametrize(
    ("scopes", "status"), [(None, 401), ([ApiScope.INGEST], 403)], ids=["no key", "no scope"]
)
def test_refusals_are_documented_and_match_the_description(wsgi_app, settings, scopes, status):  # noqa: F811
    settings.NPS_DELIGHTED_SURVEY = "delighted"
    SurveyFactory(slug="delighted")
    headers = {}
    if scopes is not None:
        key = make_token("refused", scopes)
        headers["Authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    operation = schemathesis.openapi.from_wsgi(SCHEMA, wsgi_app)["/api/delighted/v1/metrics"]["GET"]
    case = operation.Case()

    response = case.call_and_validate(headers=headers, checks=CHECKS)

    assert response.status_code == status
    assert response.json()["status"] == status


def _point_at_real_rows(case, rows: dict) -> None:
    """Half of the valid cases name rows that exist, so that success answers
    are generated and checked too, not only 404s and 422s."""
    params = case.path_parameters or {}
    if "identifier" in params:
        # A person of its own each time, so that erasing one succeeds.
        customer = CustomerFactory()
        params["identifier"] = str(customer.pk)
    if "email" in params:
        params["email"] = rows["customer"].email
    if "id" in params:
        params["id"] = str(rows["answer"].pk)
    body = case.body if isinstance(case.body, dict) else None
    if body is not None and case.method == "POST" and "/people" in case.path:
        # Someone new each time: a known person asked within the throttle days is no failure.
        body.pop("phone_number", None)
        body["email"] = f"person{next(rows['count'])}@example.com"
    if body is not None and "person" in body:
        body["person"] = rows["customer"].pk
    if body is not None and "person_email" in body:
        body["person_email"] = rows["customer"].email
    if case.query:
        if "person_id" in case.query:
            case.query["person_id"] = rows["customer"].pk
        case.query.pop("trend", None)


def _fuzz(operation, mode, examples: int, headers: dict, rows: dict, statuses: Counter):
    @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
    @hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def run(case, real):
        if real and mode is GenerationMode.POSITIVE:
            _point_at_real_rows(case, rows)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[response.status_code] += 1

    run()


def test_generated_requests_get_no_server_error_and_match_the_description(wsgi_app, settings):  # noqa: F811
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    rates.update(ingest="100000/min", read="100000/min", user="100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    settings.NPS_DELIGHTED_SURVEY = "delighted"
    survey = SurveyFactory(slug="delighted", throttle_days=0)
    customer = CustomerFactory(email="ada@example.com")
    answer = ResponseFactory(survey=survey, customer=customer)
    rows = {"customer": customer, "answer": answer, "count": itertools.count()}
    key = make_token("fuzzer", list(ApiScope.values))
    headers = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}

    schema = schemathesis.openapi.from_wsgi(SCHEMA, wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 21

    statuses: dict[str, Counter] = defaultdict(Counter)
    started = time.monotonic()
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            _fuzz(operation, mode, examples, headers, rows, statuses[operation.label])
    elapsed = time.monotonic() - started

    cases = sum(sum(counts.values()) for counts in statuses.values())
    print(f"\nschemathesis: {cases} cases, {len(operations)} operations, {elapsed:.1f}s")
    for label, counts in sorted(statuses.items()):
        print(f"  {label}: {dict(sorted(counts.items()))}")
    assert cases >= MIN_CASES
    never_succeeded = [
        label for label, counts in statuses.items() if not any(200 <= c < 300 for c in counts)
    ]
    assert never_succeeded == []
