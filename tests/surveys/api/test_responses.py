"""POST /api/v1/responses/ (one answer) and reading answers back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.models import Customer, Response, Survey
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses/"


def answer(**overrides) -> dict:
    data = {
        "survey": "checkout",
        "customer": {
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "external_id": "crm-1815",
            "segment": "enterprise",
            "locale": "pl-PL",
        },
        "score": 3,
        "comment": "  Slow delivery  ",
        "submitted_at": "2025-11-20T14:03:00+01:00",
        "idempotency_key": "order-51023",
    }
    data.update(overrides)
    return data


@pytest.fixture
def survey():
    return SurveyFactory(slug="checkout")


@pytest.fixture
def handed_over(settings):
    """What the routing seam receives (after commit)."""
    received: list[int] = []
    settings.NPS_HANDOFF = {"response_recorded": "tests.surveys.api.test_responses._capture"}
    _capture.sink = received
    return received


def _capture(ids):
    _capture.sink.extend(ids)


def test_post_records_the_answer_and_returns_it_with_201(api, survey):
    reply = api.post(URL, answer(), format="json")

    assert reply.status_code == 201, reply.json()
    stored = Response.objects.get()
    body = reply.json()
    assert body == {
        "id": stored.pk,
        "survey": "checkout",
        "customer": stored.customer_id,
        "score": 3,
        "category": "detractor",
        "comment": "Slow delivery",
        "driver": None,
        "channel": "api",
        "submitted_at": "2025-11-20T13:03:00Z",
        "segment": "enterprise",
        "locale": "pl",
        "properties": {},
        "idempotency_key": "order-51023",
        "excluded": False,
        "exclusion_reason": "",
        "recorded_at": body["recorded_at"],
        "routed_at": None,
    }
    assert reply["Location"].endswith(f"/api/v1/responses/{stored.pk}/")
    customer = Customer.objects.get()
    assert (customer.email, customer.external_id, customer.segment, customer.locale) == (
        "ada@example.com",
        "crm-1815",
        "enterprise",
        "pl",
    )


def test_post_hands_the_answer_over_for_routing_after_commit(
    api, survey, handed_over, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = api.post(URL, answer(), format="json")

    assert handed_over == [reply.json()["id"]]


def test_same_idempotency_key_returns_the_stored_answer_with_200_and_changes_nothing(api, survey):
    first = api.post(URL, answer(), format="json")
    again = api.post(
        URL,
        answer(score=10, customer={"email": "ada@example.com", "segment": "smb"}),
        format="json",
    )

    assert again.status_code == 200
    assert again.json() == first.json()
    assert Response.objects.count() == 1
    assert Customer.objects.get().segment == "enterprise"


def test_an_existing_customer_is_found_by_external_id_and_updated(api, survey):
    customer = CustomerFactory(email="ada@example.com", external_id="crm-1815", segment="smb")

    reply = api.post(URL, answer(), format="json")

    assert reply.status_code == 201
    customer.refresh_from_db()
    assert reply.json()["customer"] == customer.pk
    assert customer.segment == "enterprise"
    assert reply.json()["segment"] == "enterprise"


def test_a_customer_found_by_email_gets_the_external_id_it_lacked(api, survey):
    customer = CustomerFactory(email="ada@example.com", external_id=None)

    assert api.post(URL, answer(), format="json").status_code == 201

    customer.refresh_from_db()
    assert customer.external_id == "crm-1815"


def test_an_existing_customer_is_found_by_email_in_any_case(api, survey):
    customer = CustomerFactory(email="Ada@Example.com", segment="smb")

    reply = api.post(URL, answer(customer={"email": "ada@example.COM"}), format="json")

    assert reply.json()["customer"] == customer.pk
    assert reply.json()["segment"] == "smb"
    assert Customer.objects.count() == 1


def test_the_email_is_matched_on_the_unique_index_expression(api, survey):
    # LOWER(email), as the unique index has it, so the lookup reads one row of
    # the index; iexact's UPPER() would read every customer on every answer.
    CustomerFactory(email="Ada@Example.com")

    with CaptureQueriesContext(connection) as queries:
        reply = api.post(URL, answer(customer={"email": "ada@example.COM"}), format="json")

    assert reply.status_code == 201
    lookups = [
        q["sql"]
        for q in queries
        if 'FROM "surveys_customer"' in q["sql"]
        # the locked read again, by primary key
        and 'WHERE "surveys_customer"."id" =' not in q["sql"]
    ]
    assert lookups
    assert all('LOWER("surveys_customer"."email")' in sql for sql in lookups), lookups
    assert not [sql for sql in lookups if "UPPER(" in sql], lookups


def test_recording_one_answer_reads_no_row_it_already_holds(api, survey):
    CustomerFactory(email="ada@example.com")

    with CaptureQueriesContext(connection) as queries:
        reply = api.post(URL, answer(customer={"email": "ada@example.com"}), format="json")

    assert reply.status_code == 201
    statements = [q["sql"] for q in queries]
    # token + user, permissions (2), the key, the survey, the customer, the key
    # again inside the transaction, the insert, and savepoints: the survey and
    # the customer are not read again, and no query re-checks a constraint the
    # database enforces on insert.
    assert not [sql for sql in statements if sql.startswith("SELECT 1 AS")], statements
    # One more since a key's scopes are checked against its user's permissions
    # on every request (the permission cache is per request).
    assert len(statements) <= 13, statements


def test_a_paused_survey_still_takes_answers(api, survey):
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.PAUSED)

    assert api.post(URL, answer(), format="json").status_code == 201


def test_submitted_at_defaults_to_now_and_a_naive_time_is_utc(api, survey):
    before = timezone.now()
    reply = api.post(URL, answer(submitted_at=None, idempotency_key=None), format="json")
    assert reply.status_code == 201
    assert Response.objects.get().submitted_at >= before

    naive = api.post(
        URL, answer(submitted_at="2025-01-02T03:04:05", idempotency_key="k2"), format="json"
    )
    assert naive.json()["submitted_at"] == "2025-01-02T03:04:05Z"


INVALID = {
    "score 11": (lambda: answer(score=11), {"score"}),
    "score 7.5": (lambda: answer(score=7.5), {"score"}),
    "score '7.5'": (lambda: answer(score="7.5"), {"score"}),
    "score true": (lambda: answer(score=True), {"score"}),
    "score missing": (lambda: {k: v for k, v in answer().items() if k != "score"}, {"score"}),
    "survey missing": (lambda: {k: v for k, v in answer().items() if k != "survey"}, {"survey"}),
    "unknown survey": (lambda: answer(survey="nope"), {"survey"}),
    "bad email": (lambda: answer(customer={"email": "not-an-email"}), {"customer.email"}),
    "no email, no external id": (lambda: answer(customer={"name": "Ada"}), {"customer.email"}),
    "new customer without email": (
        lambda: answer(customer={"external_id": "unknown-1"}),
        {"customer.email"},
    ),
    "customer not an object": (lambda: answer(customer="ada@example.com"), {"customer"}),
    "unknown customer id": (lambda: answer(customer={"id": 999999}), {"customer.id"}),
    "customer by database id": (lambda: answer(customer={"id": 1}), {"customer.id"}),
    "customer id with details": (
        lambda: answer(customer={"id": 1, "email": "a@example.com"}),
        {"customer.id"},
    ),
    "future submitted_at": (
        lambda: answer(submitted_at=(timezone.now() + timedelta(hours=1)).isoformat()),
        {"submitted_at"},
    ),
    "not a date": (lambda: answer(submitted_at="yesterday"), {"submitted_at"}),
    "comment too long": (lambda: answer(comment="x" * 5001), {"comment"}),
    "null character": (lambda: answer(comment="a\x00b"), {"comment"}),
    "several fields": (lambda: answer(score=-1, survey=""), {"score", "survey"}),
}


@pytest.mark.parametrize("case", INVALID.values(), ids=INVALID.keys())
def test_invalid_answers_are_refused_with_400_and_field_errors(api, survey, case):
    make, fields = case
    reply = api.post(URL, make(), format="json")

    assert reply.status_code == 400, reply.json()
    error = reply.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert set(error["fields"]) == fields
    assert not Response.objects.exists()


@pytest.mark.parametrize("status", [Survey.Status.DRAFT, Survey.Status.ARCHIVED])
def test_a_survey_that_takes_no_answers_is_a_400_on_survey(api, survey, status):
    Survey.objects.filter(pk=survey.pk).update(status=status)

    reply = api.post(URL, answer(), format="json")

    assert reply.status_code == 400
    assert reply.json()["error"]["fields"] == {
        "survey": [f"The survey 'checkout' is {status} and takes no answers."]
    }


def test_a_refused_answer_leaves_no_new_customer_behind(api, survey):
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.ARCHIVED)

    api.post(URL, answer(), format="json")

    assert not Customer.objects.exists()


def test_a_score_given_as_a_numeric_string_is_accepted(api, survey):
    reply = api.post(URL, answer(score="8"), format="json")

    assert (reply.status_code, reply.json()["category"]) == (201, "passive")


def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(api, survey):
    reply = api.generic("POST", URL, "{not json", content_type="application/json")

    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "parse_error"


def test_a_form_encoded_body_is_refused_with_415(api, survey):
    reply = api.post(URL, {"survey": "checkout"})

    assert reply.status_code == 415
    assert reply.json()["error"]["code"] == "unsupported_media_type"


# --- Reading ----------------------------------------------------------------


def test_list_returns_answers_newest_first_paginated(read_client):
    older = ResponseFactory(submitted_at=timezone.now() - timedelta(days=2))
    newer = ResponseFactory(submitted_at=timezone.now() - timedelta(days=1))

    reply = read_client.get(URL)

    assert reply.status_code == 200
    body = reply.json()
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0]["survey"] == newer.survey.slug


def test_list_page_size_is_capped(read_client):
    ResponseFactory.create_batch(3)

    reply = read_client.get(URL, {"page_size": 2})

    assert len(reply.json()["results"]) == 2
    assert reply.json()["next"]


def test_list_filters(read_client):
    checkout, support = SurveyFactory(slug="checkout"), SurveyFactory(slug="support")
    now = timezone.now()
    a = ResponseFactory(survey=checkout, score=2, segment="smb", submitted_at=now)
    b = ResponseFactory(survey=checkout, score=9, segment="vip", submitted_at=now)
    c = ResponseFactory(survey=support, score=2, segment="smb", exclusion_reason="spam")
    old = ResponseFactory(survey=checkout, score=2, submitted_at=now - timedelta(days=40))

    def ids(**params):
        reply = read_client.get(URL, params)
        assert reply.status_code == 200, reply.json()
        return {r["id"] for r in reply.json()["results"]}

    assert ids(survey="checkout") == {a.pk, b.pk, old.pk}
    assert ids(category="detractor") == {a.pk, c.pk, old.pk}
    assert ids(segment="smb") == {a.pk, c.pk}
    assert ids(excluded="true") == {c.pk}
    assert ids(excluded="false") == {a.pk, b.pk, old.pk}
    assert ids(**{"from": (now - timedelta(days=1)).date().isoformat()}) == {a.pk, b.pk, c.pk}
    assert ids(to=(now - timedelta(days=30)).date().isoformat()) == {old.pk}
    assert ids(customer=a.customer_id) == {a.pk}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"category": "angry"}, "category"),
        ({"from": "last week"}, "from"),
        ({"to": "2025-13-01"}, "to"),
    ],
)
def test_list_refuses_invalid_filters_with_400(read_client, params, field):
    reply = read_client.get(URL, params)

    assert reply.status_code == 400
    assert set(reply.json()["error"]["fields"]) == {field}


def test_list_page_out_of_range_is_a_404_in_the_error_shape(read_client):
    reply = read_client.get(URL, {"page": 9})

    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"


def test_list_costs_the_same_queries_at_3_and_30_rows(read_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ResponseFactory.create_batch(3)
    read_client.get(URL)  # the key's first use records it (once a minute): not counted
    with CaptureQueriesContext(connection) as few:
        assert read_client.get(URL).status_code == 200
    ResponseFactory.create_batch(27)
    with django_assert_num_queries(len(few)):
        reply = read_client.get(URL)
    assert len(reply.json()["results"]) == 30


def test_detail_returns_one_answer(read_client):
    response = ResponseFactory(score=7)

    reply = read_client.get(f"{URL}{response.pk}/")

    assert reply.status_code == 200
    assert (reply.json()["id"], reply.json()["category"]) == (response.pk, "passive")


def test_detail_of_an_unknown_answer_is_a_404(read_client):
    reply = read_client.get(f"{URL}424242/")

    assert reply.status_code == 404
    assert reply.json()["error"] == {
        "status": 404,
        "code": "not_found",
        "message": "Not found.",
        "fields": {},
    }


def test_a_bad_score_is_explained_in_the_language_the_client_asks_for(api, survey):
    reply = api.post(URL, answer(score=11), format="json", HTTP_ACCEPT_LANGUAGE="pl")

    assert reply.json()["error"]["fields"]["score"] == [
        "Ocena musi być liczbą całkowitą od 0 do 10."
    ]


@pytest.mark.postgres
def test_a_clients_next_answer_costs_only_the_statements_recording_it_needs(ingest_client, survey):
    # The key was found on the first answer and is kept (surveys.api_keys):
    # the next one reads the survey, the idempotency key's answer and the
    # customer in one statement, then inserts in one more, which takes the
    # customer's row locked only while it is not erased (surveys.answer_sql).
    # Queries per POST are what the ingest bench's single_post figure mostly
    # pays for (bench/results/post-profile.md).
    CustomerFactory(email="ada@example.com")
    body = answer(customer={"email": "ada@example.com"}, idempotency_key="first")
    assert ingest_client.post(URL, body, format="json").status_code == 201

    with CaptureQueriesContext(connection) as queries:
        reply = ingest_client.post(URL, {**body, "idempotency_key": "second"}, format="json")

    assert reply.status_code == 201
    statements = [" ".join(q["sql"].split()) for q in queries]
    # The customer stays as stored (an ingest-only key): the insert is the
    # only write, and needs no transaction of its own (no BEGIN / COMMIT in
    # production, no savepoint inside the test's transaction here).
    assert [sql.split()[0] for sql in statements] == ["SELECT", "WITH"], statements
    lookup, insert = statements
    for table in ("surveys_survey", "surveys_response", "surveys_customer"):
        assert f'"{table}"' in lookup
    assert "FOR NO KEY UPDATE" in insert and "erased_at IS NULL" in insert
    assert 'INSERT INTO "surveys_response"' in insert


def test_an_ingest_only_answer_has_the_recorded_fields_as_the_whole_answer_has_them(survey):
    from surveys.serializers import (
        ResponseSerializer,
        ResponseWrittenSerializer,
        response_recorded_data,
    )

    stored = ResponseFactory(survey=survey)
    whole = ResponseSerializer(stored).data

    assert response_recorded_data(stored) == {
        name: whole[name] for name in ResponseWrittenSerializer.RECORDED_FIELDS
    }


@pytest.fixture
def erased_after_the_match(monkeypatch):
    """An erasure that commits between the customer's match and the write."""
    from surveys import services

    matched = services.customer_match

    def match_then_erase(**details):
        match = matched(**details)
        if match.customer is not None:
            services.customer_erase(customer=match.customer)
        return match

    monkeypatch.setattr(services, "customer_match", match_then_erase)


@pytest.mark.parametrize("client_name", ["ingest_client", "api"])
def test_an_erasure_committed_after_the_match_is_refused_not_written_over(
    request, survey, erased_after_the_match, client_name
):
    # ingest_client: the customer stays as stored (the insert alone);
    # api (customers:write): the answer's details would change it.
    stored = CustomerFactory(email="ada@example.com", external_id="crm-1815", name="Ada")
    client = request.getfixturevalue(client_name)

    reply = client.post(URL, answer(), format="json")

    assert reply.status_code == 400, reply.json()
    assert "erased" in reply.json()["error"]["fields"]["customer"][0]
    stored.refresh_from_db()
    assert stored.is_erased
    assert (stored.name, stored.segment, stored.email) == ("", stored.segment, None)
    assert stored.segment != "enterprise" and stored.locale != "pl"
    assert not Response.objects.filter(customer=stored).exists()


def created_concurrently(monkeypatch, **details) -> list:
    """Another request creates a customer with ``details`` after this one
    looked (and checked the new row's constraints), before its insert, which
    then meets the unique constraint."""
    checked = Customer.full_clean
    created: list = []

    def then_created(self, *args, **kwargs):
        checked(self, *args, **kwargs)
        if self.pk is None and not created:
            created.append(CustomerFactory(**details))

    monkeypatch.setattr(Customer, "full_clean", then_created)
    return created


@pytest.mark.parametrize(
    ("stored", "field"),
    [
        ({"email": "other@example.com", "external_id": "crm-1815"}, "customer.external_id"),
        ({"email": "ada@example.com", "external_id": "crm-9999"}, "customer.email"),
    ],
)
def test_a_customer_created_concurrently_with_other_details_is_a_409(
    api, survey, monkeypatch, stored, field
):
    created = created_concurrently(monkeypatch, **stored)

    reply = api.post(URL, answer(), format="json")

    assert reply.status_code == 409, reply.json()
    assert field in reply.json()["error"]["fields"]
    assert not Response.objects.filter(customer=created[0]).exists()


def test_a_customer_created_concurrently_with_the_same_details_gets_the_answer(
    api, survey, monkeypatch
):
    created = created_concurrently(monkeypatch, email="Ada@example.com", external_id="crm-1815")

    reply = api.post(URL, answer(), format="json")

    assert reply.status_code == 201, reply.json()
    assert reply.json()["customer"] == created[0].pk
