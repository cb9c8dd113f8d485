"""POST /api/v1/responses/bulk/: up to 1000 answers, one result per item."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys import customers, ingestion
from surveys.models import Customer, Response, Survey
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory

from .test_responses import INVALID

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses/bulk/"


@pytest.fixture
def survey():
    return SurveyFactory(slug="checkout")


def item(n: int, **overrides) -> dict:
    data = {
        "survey": "checkout",
        "customer": {"email": f"c{n}@example.com", "segment": "smb"},
        "score": n % 11,
        "idempotency_key": f"key-{n}",
    }
    data.update(overrides)
    return data


def api_client():
    """The user the ``api`` fixture's key acts as: its idempotency keys."""
    return get_user_model().objects.get(username="integration")


def post(client, items, url=URL):
    # Encoded here, not by the test client, so that lone surrogates travel as
    # JSON escapes the way a real client may send them.
    body = {"responses": items} if url == URL else items
    return client.generic("POST", url, json.dumps(body), content_type="application/json")


def test_mixed_batch_reports_each_item_and_records_only_the_valid_ones(api, survey):
    stored = ResponseFactory(
        survey=survey, score=4, idempotency_key="already-stored", api_client=api_client()
    )
    items = [
        item(0, score=9),
        item(1, score=11),  # invalid
        item(2, idempotency_key="already-stored"),  # existing in the database
        item(3, idempotency_key="key-0"),  # duplicate of item 0 in this batch
        item(4, survey="nope"),  # invalid
        item(5, score=7),
    ]

    reply = post(api, items)

    assert reply.status_code == 200, reply.json()
    body = reply.json()
    first, last = (
        Response.objects.get(idempotency_key="key-0"),
        Response.objects.get(idempotency_key="key-5"),
    )
    assert body["results"] == [
        {"index": 0, "status": "created", "id": first.pk, "category": "promoter", "errors": {}},
        {
            "index": 1,
            "status": "invalid",
            "id": None,
            "category": None,
            "errors": {"score": ["The score must be a whole number from 0 to 10."]},
        },
        {"index": 2, "status": "existing", "id": stored.pk, "category": "detractor", "errors": {}},
        {"index": 3, "status": "existing", "id": first.pk, "category": "promoter", "errors": {}},
        {
            "index": 4,
            "status": "invalid",
            "id": None,
            "category": None,
            "errors": {"survey": ["No survey with the slug 'nope'."]},
        },
        {"index": 5, "status": "created", "id": last.pk, "category": "passive", "errors": {}},
    ]
    assert (body["created"], body["existing"], body["invalid"]) == (2, 2, 2)
    assert Response.objects.count() == 3


def test_stored_rows_match_what_one_by_one_recording_stores(api, survey):
    CustomerFactory(email="Ada@Example.com", external_id="crm-1", segment="smb", locale="en")
    submitted = "2025-11-20T14:03:00+01:00"
    reply = post(
        api,
        [
            item(
                0,
                customer={"external_id": "crm-1", "segment": "vip", "locale": "pl_PL"},
                comment="  Slow  ",
                submitted_at=submitted,
            )
        ],
    )

    assert reply.json()["created"] == 1
    response = Response.objects.select_related("customer").get()
    assert (response.channel, response.comment, response.segment, response.locale) == (
        "api",
        "Slow",
        "vip",
        "pl",
    )
    assert response.submitted_at.isoformat() == "2025-11-20T13:03:00+00:00"
    assert response.routed_at is None
    assert (response.customer.segment, response.customer.locale) == ("vip", "pl")


def test_a_key_first_held_by_an_invalid_item_goes_to_the_next_valid_one(api, survey):
    reply = post(api, [item(0, score=99, idempotency_key="k"), item(1, idempotency_key="k")])

    statuses = [r["status"] for r in reply.json()["results"]]
    assert statuses == ["invalid", "created"]


def test_customers_are_created_once_and_matched_in_any_case(api, survey):
    existing = CustomerFactory(email="Known@Example.com", segment="smb")
    reply = post(
        api,
        [
            item(0, customer={"email": "new@example.com", "name": "New"}),
            item(1, customer={"email": "NEW@example.com", "segment": "vip"}),
            item(2, customer={"email": "known@EXAMPLE.com"}),
        ],
    )

    assert reply.json()["created"] == 3
    assert Customer.objects.count() == 2
    new = Customer.objects.get(email__iexact="new@example.com")
    # Item 1 updated the customer item 0 created, as one-by-one upserts would.
    assert (new.email, new.name, new.segment) == ("NEW@example.com", "New", "vip")
    segments = dict(Response.objects.values_list("idempotency_key", "segment"))
    assert segments == {"key-0": "", "key-1": "vip", "key-2": "smb"}
    assert set(Response.objects.values_list("customer_id", flat=True)) == {new.pk, existing.pk}


def test_an_existing_customer_is_updated_with_the_details_given(api, survey):
    customer = CustomerFactory(email="a@example.com", external_id="crm-1", name="A", segment="s")

    post(api, [item(0, customer={"external_id": "crm-1", "email": "a@example.com", "name": "B"})])

    customer.refresh_from_db()
    assert (customer.email, customer.name, customer.segment) == ("a@example.com", "B", "s")


def test_an_external_id_with_another_email_is_refused_for_that_item_only(api, survey):
    CustomerFactory(email="taken@example.com")
    CustomerFactory(email="mine@example.com", external_id="crm-1")

    reply = post(
        api, [item(0, customer={"external_id": "crm-1", "email": "taken@example.com"}), item(1)]
    )

    results = reply.json()["results"]
    assert results[0]["errors"] == {"customer.external_id": [customers.EXTERNAL_ID_CONFLICT]}
    assert results[1]["status"] == "created"
    assert Customer.objects.get(external_id="crm-1").email == "mine@example.com"


def test_an_email_with_another_external_id_is_refused(api, survey):
    CustomerFactory(email="mine@example.com", external_id="crm-1")

    reply = post(api, [item(0, customer={"external_id": "crm-2", "email": "mine@example.com"})])

    assert reply.json()["results"][0]["errors"] == {"customer.email": [customers.EMAIL_CONFLICT]}
    assert Customer.objects.get().external_id == "crm-1"


def test_items_that_are_not_objects_are_invalid_items(api, survey):
    reply = post(api, ["hello", None, 3, item(0)])

    body = reply.json()
    assert [r["status"] for r in body["results"]] == ["invalid"] * 3 + ["created"]
    assert body["results"][0]["errors"] == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got str."]
    }


def test_the_batch_is_handed_over_for_routing_once_after_commit(
    api, survey, settings, django_capture_on_commit_callbacks
):
    calls = []
    settings.NPS_HANDOFF = {"response_recorded": "tests.surveys.api.test_bulk._capture"}
    _capture.sink = calls

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reply = post(api, [item(n) for n in range(5)] + [item(9, score=-1)])

    assert len(callbacks) == 1
    assert calls == [[r["id"] for r in reply.json()["results"][:5]]]


def _capture(ids):
    _capture.sink.append(list(ids))


def test_a_batch_with_nothing_valid_writes_nothing_and_hands_nothing_over(
    api, survey, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        reply = post(api, [item(0, score=11)])

    assert reply.json()["invalid"] == 1
    assert callbacks == []


def test_1000_items_are_accepted(api, survey):
    reply = post(api, [item(n) for n in range(1000)])

    assert reply.json()["created"] == 1000
    assert Response.objects.count() == 1000


def test_1001_items_are_refused_whole_with_400(api, survey):
    reply = post(api, [item(n) for n in range(1001)])

    assert reply.status_code == 400
    assert reply.json()["error"]["fields"] == {
        "responses": ["Ensure this field has no more than 1000 elements."]
    }
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"responses": []}, "responses"),
        ({"responses": "all of them"}, "responses"),
        ({}, "responses"),
        ([item(0)], "non_field_errors"),
    ],
)
def test_a_malformed_envelope_is_a_400(api, survey, body, field):
    reply = api.post(URL, body, format="json")

    assert reply.status_code == 400
    assert set(reply.json()["error"]["fields"]) == {field}


def test_the_service_refuses_more_than_the_maximum():
    with pytest.raises(ValueError, match="At most 1000"):
        ingestion.responses_ingest(items=[{}] * 1001)


def test_queries_do_not_grow_with_the_batch(api, survey):
    # Existing customers and known keys, the common shape of a re-sent batch.
    def run(first, count):
        items = [item(n) for n in range(first, first + count)]
        with CaptureQueriesContext(connection) as queries:
            assert post(api, items).json()["created"] == count
        return len(queries)

    run(0, 5)  # creates the customers
    few = run(100, 5)
    many = run(200, 60)
    assert many == few


def test_the_recording_queries_are_few(api, survey):
    items = [item(n) for n in range(50)]
    with CaptureQueriesContext(connection) as queries:
        post(api, items)
    # token + user, permissions (2), survey, keys, customers, savepoint, customer
    # insert + re-read, response insert, release: no query per item.
    assert len(queries) <= 14, [q["sql"][:80] for q in queries]


# --- One behaviour, two paths ---------------------------------------------


@pytest.mark.parametrize("case", INVALID.values(), ids=INVALID.keys())
def test_bulk_reports_the_same_errors_as_a_single_post(api, survey, case):
    make, _fields = case
    data = make()
    single = api.post("/api/v1/responses/", data, format="json")
    in_bulk = post(api, [data])

    assert single.status_code == 400
    assert in_bulk.json()["results"][0]["errors"] == single.json()["error"]["fields"]


PARITY = {
    "id as a float": {"id": 1.0},
    "id as text": {"id": "abc"},
    "id zero": {"id": 0},
    "email blank, external id blank": {"email": "", "external_id": " "},
    "email not text": {"email": ["a@example.com"]},
    "email too long": {"email": "a" * 250 + "@example.com"},
    "name a number": {"email": "n@example.com", "name": 42},
    "segment a bool": {"email": "n@example.com", "segment": True},
    "surrogate": {"email": "n@example.com", "name": "\ud800"},
    "locale unknown": {"email": "n@example.com", "locale": "xx-YY"},
}


@pytest.mark.parametrize("customer", PARITY.values(), ids=PARITY.keys())
def test_customer_details_are_read_alike_on_both_paths(api, survey, customer):
    CustomerFactory(pk=1)
    data = item(0, customer=customer)
    data.pop("idempotency_key")
    single = post(api, data, url="/api/v1/responses/")
    in_bulk = post(api, [data]).json()["results"][0]

    if single.status_code == 400:
        assert in_bulk["errors"] == single.json()["error"]["fields"]
    else:
        assert (in_bulk["status"], single.status_code) == ("created", 201)


@pytest.mark.parametrize(
    "value",
    [
        "2025-11-20",
        "2025-11-20T10:00",
        "20251120T100000Z",
        "2025-02-30T00:00:00Z",
        "0001-01-01T00:00:00+05:00",
        12,
        "",
    ],
)
def test_submission_times_are_read_alike_on_both_paths(api, survey, value):
    data = item(0, submitted_at=value)
    data.pop("idempotency_key")
    single = api.post("/api/v1/responses/", data, format="json")
    in_bulk = post(api, [data]).json()["results"][0]

    if single.status_code == 400:
        assert in_bulk["errors"] == single.json()["error"]["fields"]
    else:
        assert in_bulk["status"] == "created"
        stored = Response.objects.order_by("pk").values_list("submitted_at", flat=True)
        assert stored[0] == stored[1]


def test_a_closed_survey_and_a_future_time_are_invalid_items(api, survey):
    SurveyFactory(slug="old", status=Survey.Status.ARCHIVED)
    future = (timezone.now() + timedelta(hours=1)).isoformat()

    reply = post(api, [item(0, survey="old"), item(1, submitted_at=future)])

    errors = [r["errors"] for r in reply.json()["results"]]
    assert errors == [
        {"survey": ["The survey 'old' is archived and takes no answers."]},
        {"submitted_at": ["The submission time is in the future."]},
    ]
