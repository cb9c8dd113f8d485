"""schemathesis over the invitation API: generated requests (valid ones, and
invalid ones the schema forbids) through the real WSGI stack get no server
error, and every documented answer matches the schema."""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from surveys.models import ApiScope
from tests.factories import CustomerFactory, InvitationFactory, SurveyFactory
from tests.surveys.api.conftest import make_token
from tests.surveys.api.test_schema import wsgi_app  # noqa: F401 - a fixture

OPERATIONS = r"^/api/v1/invitations/"
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 20}
MIN_CASES = 200


def _point_at_real_rows(case, rows: dict) -> None:
    """Half of the valid cases name rows that exist, so that success answers
    are generated and checked too, not only 400s and 404s."""
    if "id" in case.path_parameters:
        # A scheduled invitation of its own each time, so DELETE can succeed.
        case.path_parameters["id"] = InvitationFactory(
            survey=rows["survey"], sent_at=None, scheduled_at=timezone.now()
        ).pk
    body = case.body if isinstance(case.body, dict) else None
    items = [body] if body is not None and "survey" in body else []
    if body is not None and isinstance(body.get("invitations"), list):
        items = [item for item in body["invitations"] if isinstance(item, dict)]
    for item in items:
        item["survey"] = rows["survey"].slug
        item["channel"] = "email"
        # A customer the product can write: generated phone strings that fit
        # the schema's pattern are rarely numbers a country uses.
        item["customer"] = {"email": rows["customer"].email}
    if case.query and "customer" in case.query:
        case.query["customer"] = rows["customer"].pk


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
def test_generated_requests_get_no_server_error_and_match_the_schema(wsgi_app, settings):  # noqa: F811
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    rates.update(ingest="100000/min", read="100000/min", user="100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    survey = SurveyFactory(slug="support", throttle_days=0)
    rows = {"survey": survey, "customer": CustomerFactory()}
    token = make_token(
        "fuzzer", [ApiScope.INVITATIONS_READ, ApiScope.INVITATIONS_WRITE, ApiScope.CUSTOMERS_WRITE]
    )
    headers = {"Authorization": f"Token {token}"}

    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app).include(path_regex=OPERATIONS)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5

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
