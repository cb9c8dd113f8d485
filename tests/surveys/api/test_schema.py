"""The OpenAPI schema: valid, warning-free, and true of the running API.

The schemathesis run sends generated requests (valid ones, and invalid ones
the schema forbids) to every operation of this API through the real WSGI
stack, and checks that none gets a server error and that every documented
answer matches the schema.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from surveys.models import Survey
from tests.factories import ResponseFactory, SurveyFactory

from .conftest import grant, make_token

# The operations of the surveys app (the cases API has its own tests).
OPERATIONS = r"^/api/v1/(responses|customers|surveys)/"
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 20}
MIN_CASES = 500


def test_schema_is_valid_and_free_of_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )


def test_schema_is_served_and_the_docs_work_offline(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode())
    assert assets
    # Swagger UI from the sidecar package, served by this site: no CDN.
    assert all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets)


@pytest.fixture
def wsgi_app():
    """Django's own WSGI handler. Between requests it would close the
    database connection (and so the test's transaction): not here."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _point_at_real_rows(case, rows: dict) -> None:
    """Half of the valid cases name rows that exist, so that success answers
    are generated and checked too, not only 400s and 404s."""
    path = case.operation.path
    if "slug" in case.path_parameters:
        # An employee survey's eNPS is the one report of its own kind.
        employee = path.endswith("/enps/")
        case.path_parameters["slug"] = rows["employee_survey" if employee else "survey"]
    if "id" in case.path_parameters:
        kind = "response" if path.startswith("/api/v1/responses/") else "customer"
        case.path_parameters["id"] = rows[kind]
    body = case.body if isinstance(case.body, dict) else None
    if body is not None and "survey" in body:
        body["survey"] = rows["survey"]
    if body is not None and isinstance(body.get("responses"), list):
        for item in body["responses"]:
            if isinstance(item, dict):
                item["survey"] = rows["survey"]


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
        response = case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
        statuses[response.status_code] += 1

    run()


@pytest.mark.django_db
def test_generated_requests_get_no_server_error_and_match_the_schema(wsgi_app, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    rates.update(ingest="100000/min", read="100000/min", user="100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    survey = SurveyFactory(slug="checkout")
    stored = [ResponseFactory(survey=survey, score=n * 4) for n in range(3)]
    rows = {"survey": "checkout", "response": stored[0].pk, "customer": stored[1].customer_id}
    rows["employee_survey"] = SurveyFactory(slug="pulse", kind=Survey.Kind.EMPLOYEE).slug
    headers = {"Authorization": f"Token {make_token('fuzzer', 'both')}"}
    grant("fuzzer", "surveys.export_response")  # so the export answers 200 too

    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app).include(path_regex=OPERATIONS)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Each merged branch added one: the eNPS report and the driver report among them.
    assert len(operations) == 16

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
