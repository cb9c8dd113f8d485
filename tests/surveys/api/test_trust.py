"""What a key may do with other people's data: only what its scopes say, and
never by a side door (a write that answers a record, an id it was never
shown, an idempotency key another client chose)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from followups.models import OutboundMessage
from surveys.models import AuditEvent, Customer, Response
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory

from .conftest import client_with, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger():
    return CustomerFactory(email="stranger@example.com", external_id="crm-7", name="Stranger")


def test_an_ingest_key_cannot_patch_a_customer(ingest_client, stranger):
    reply = ingest_client.patch(
        f"/api/v1/customers/{stranger.pk}/", {"name": "Changed"}, format="json"
    )

    assert reply.status_code == 403
    assert "stranger@example.com" not in reply.content.decode()
    stranger.refresh_from_db()
    assert stranger.name == "Stranger"


def test_an_ingest_key_cannot_unsubscribe_a_customer(ingest_client, stranger):
    reply = ingest_client.post(f"/api/v1/customers/{stranger.pk}/unsubscribe/", format="json")

    assert reply.status_code == 403
    stranger.refresh_from_db()
    assert stranger.unsubscribed_at is None


def test_an_ingest_key_cannot_erase_a_customer(ingest_client, stranger):
    reply = ingest_client.post(f"/api/v1/customers/{stranger.pk}/erase/", format="json")

    assert reply.status_code == 403
    stranger.refresh_from_db()
    assert (stranger.email, stranger.erased_at) == ("stranger@example.com", None)


def test_a_known_external_id_with_another_email_is_a_409_not_a_silent_move(api, stranger):
    reply = api.post(
        "/api/v1/customers/",
        {"external_id": "crm-7", "email": "attacker@example.com"},
        format="json",
    )

    assert reply.status_code == 409
    error = reply.json()["error"]
    assert error["code"] == "conflict"
    assert "external_id" in error["fields"]
    stranger.refresh_from_db()
    assert stranger.email == "stranger@example.com"


def test_an_answer_with_a_known_external_id_and_another_email_is_a_409(api, stranger):
    SurveyFactory(slug="checkout")

    reply = api.post(
        "/api/v1/responses/",
        {
            "survey": "checkout",
            "customer": {"external_id": "crm-7", "email": "attacker@example.com"},
            "score": 9,
        },
        format="json",
    )

    assert reply.status_code == 409
    assert "customer.external_id" in reply.json()["error"]["fields"]
    stranger.refresh_from_db()
    assert stranger.email == "stranger@example.com"
    assert not Response.objects.exists()


def test_a_bulk_item_with_a_known_external_id_and_another_email_is_refused(api, stranger):
    SurveyFactory(slug="checkout")
    item = {
        "survey": "checkout",
        "customer": {"external_id": "crm-7", "email": "attacker@example.com"},
        "score": 9,
    }

    reply = api.post("/api/v1/responses/bulk/", {"responses": [item]}, format="json")

    assert reply.status_code == 200
    [result] = reply.json()["results"]
    assert result["status"] == "invalid"
    assert "customer.external_id" in result["errors"]
    stranger.refresh_from_db()
    assert stranger.email == "stranger@example.com"


def test_ingestion_refuses_a_customer_database_id(ingest_client, stranger):
    SurveyFactory(slug="checkout")

    reply = ingest_client.post(
        "/api/v1/responses/",
        {"survey": "checkout", "customer": {"id": stranger.pk}, "score": 0},
        format="json",
    )

    assert reply.status_code == 400
    assert "customer.id" in reply.json()["error"]["fields"]
    assert not Response.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_bulk_ingestion_refuses_a_customer_database_id(ingest_client, stranger):
    SurveyFactory(slug="checkout")
    item = {"survey": "checkout", "customer": {"id": stranger.pk}, "score": 0}

    reply = ingest_client.post("/api/v1/responses/bulk/", {"responses": [item]}, format="json")

    [result] = reply.json()["results"]
    assert result["status"] == "invalid"
    assert "customer.id" in result["errors"]
    assert not Response.objects.exists()


def _answer(client, email: str, score: int, comment: str, key: str = "order-1"):
    return client.post(
        "/api/v1/responses/",
        {
            "survey": "checkout",
            "customer": {"email": email},
            "score": score,
            "comment": comment,
            "idempotency_key": key,
        },
        format="json",
    )


def test_idempotency_keys_are_per_client():
    SurveyFactory(slug="checkout")
    shop_a = client_with(make_token("shop-a", "both"))
    shop_b = client_with(make_token("shop-b", "both"))
    first = _answer(shop_a, "a@example.com", 2, "A's secret complaint")

    reply = _answer(shop_b, "b@example.com", 10, "B's praise")

    assert (first.status_code, reply.status_code) == (201, 201)
    assert "A's secret complaint" not in reply.content.decode()
    assert Response.objects.count() == 2
    b_answer = Response.objects.get(customer__email="b@example.com")
    assert (b_answer.score, b_answer.comment) == (10, "B's praise")


def test_bulk_idempotency_keys_are_per_client():
    SurveyFactory(slug="checkout")
    shop_a = client_with(make_token("shop-a", "both"))
    shop_b = client_with(make_token("shop-b", "both"))
    _answer(shop_a, "a@example.com", 2, "A's secret complaint")
    item = {
        "survey": "checkout",
        "customer": {"email": "b@example.com"},
        "score": 10,
        "idempotency_key": "order-1",
    }

    reply = shop_b.post("/api/v1/responses/bulk/", {"responses": [item]}, format="json")

    [result] = reply.json()["results"]
    assert result["status"] == "created"
    assert Customer.objects.get(email="b@example.com").responses.get().score == 10


def test_a_retry_after_the_upgrade_finds_the_answer_stored_before_it(api):
    # Answers stored before API keys existed have no api_client; a client
    # retrying one across the upgrade must not store it (and email) twice.
    legacy = ResponseFactory(
        survey=SurveyFactory(slug="checkout"), idempotency_key="order-1", api_client=None
    )

    again = _answer(api, "a@example.com", 9, "retried")

    assert (again.status_code, again.json()["id"]) == (200, legacy.pk)
    assert Response.objects.get().pk == legacy.pk
    assert not OutboundMessage.objects.exists()


def test_a_retry_finds_the_clients_own_answer_before_one_stored_before_the_upgrade(api):
    survey = SurveyFactory(slug="checkout")
    ResponseFactory(survey=survey, idempotency_key="order-1", api_client=None)
    client = get_user_model().objects.get(username="integration")  # the api key's user
    own = ResponseFactory(survey=survey, idempotency_key="order-1", api_client=client)

    again = _answer(api, "a@example.com", 9, "retried")

    assert (again.status_code, again.json()["id"]) == (200, own.pk)


def test_a_retry_naming_no_known_survey_still_gets_its_stored_answer(api):
    SurveyFactory(slug="checkout")
    first = _answer(api, "a@example.com", 9, "first")

    again = api.post(
        "/api/v1/responses/",
        {
            "survey": "renamed",
            "customer": {"email": "a@example.com"},
            "score": 9,
            "idempotency_key": "order-1",
        },
        format="json",
    )

    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


def test_a_bulk_retry_after_the_upgrade_finds_the_answer_stored_before_it(api):
    legacy = ResponseFactory(
        survey=SurveyFactory(slug="checkout"), idempotency_key="order-1", api_client=None
    )
    item = {
        "survey": "checkout",
        "customer": {"email": "a@example.com"},
        "score": 9,
        "idempotency_key": "order-1",
    }

    reply = api.post("/api/v1/responses/bulk/", {"responses": [item]}, format="json")

    [result] = reply.json()["results"]
    assert (result["status"], result["id"]) == ("existing", legacy.pk)
    assert Response.objects.get().pk == legacy.pk


def test_the_same_client_gets_its_own_answer_back(api):
    SurveyFactory(slug="checkout")
    first = _answer(api, "a@example.com", 2, "first")

    again = _answer(api, "a@example.com", 9, "second")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Response.objects.get().score == 2


def test_a_write_without_customers_read_answers_only_the_id(writer_client, stranger):
    reply = writer_client.patch(
        f"/api/v1/customers/{stranger.pk}/", {"name": "Renamed"}, format="json"
    )

    assert reply.status_code == 200
    assert reply.json() == {"id": stranger.pk}
    stranger.refresh_from_db()
    assert stranger.name == "Renamed"


def test_an_upsert_without_customers_read_answers_only_the_id(writer_client, stranger):
    reply = writer_client.post(
        "/api/v1/customers/", {"external_id": "crm-7", "segment": "vip"}, format="json"
    )

    assert (reply.status_code, reply.json()) == (200, {"id": stranger.pk})


def test_an_api_erasure_is_audited_under_the_key(stranger):
    eraser = client_with(make_token("dpo-tool", ["customers:erase"]))

    reply = eraser.post(f"/api/v1/customers/{stranger.pk}/erase/", format="json")

    assert (reply.status_code, reply.json()) == (200, {"id": stranger.pk})
    event = AuditEvent.objects.get(action=AuditEvent.Action.CUSTOMER_ERASED)
    assert (event.actor_label, event.via, event.object_ids) == (
        "api:dpo-tool",
        "api",
        [stranger.pk],
    )
    stranger.refresh_from_db()
    assert stranger.erased_at is not None


def _stranger_answer(stranger, **fields):
    return {
        "survey": "checkout",
        "customer": {
            "email": stranger.email,
            "name": "Overwritten",
            "segment": "vip",
            "locale": "pl",
            **fields,
        },
        "score": 3,
        "comment": "slow",
    }


def _stored(customer):
    customer.refresh_from_db()
    return (customer.name, customer.segment, customer.locale, customer.updated_at)


def test_an_ingest_key_answers_without_the_customer_it_cannot_read(ingest_client, stranger):
    SurveyFactory(slug="checkout")
    stranger.segment, stranger.locale = "smb", "en"
    stranger.save()

    reply = ingest_client.post("/api/v1/responses/", _stranger_answer(stranger), format="json")

    assert reply.status_code == 201
    answer = Response.objects.get()
    assert reply.json() == {
        "id": answer.pk,
        "category": "detractor",
        "recorded_at": reply.json()["recorded_at"],
    }


def test_an_ingest_key_leaves_an_existing_customer_as_stored(ingest_client, stranger):
    SurveyFactory(slug="checkout")
    stranger.segment, stranger.locale = "smb", "en"
    stranger.save()
    before = _stored(stranger)

    reply = ingest_client.post("/api/v1/responses/", _stranger_answer(stranger), format="json")

    assert reply.status_code == 201
    assert _stored(stranger) == before
    answer = Response.objects.get()
    assert (answer.customer_id, answer.segment, answer.locale) == (stranger.pk, "smb", "en")


def test_a_bulk_ingest_key_leaves_an_existing_customer_as_stored(ingest_client, stranger):
    SurveyFactory(slug="checkout")
    stranger.segment, stranger.locale = "smb", "en"
    stranger.save()
    before = _stored(stranger)

    reply = ingest_client.post(
        "/api/v1/responses/bulk/", {"responses": [_stranger_answer(stranger)]}, format="json"
    )

    assert reply.json()["created"] == 1
    assert _stored(stranger) == before
    answer = Response.objects.get()
    assert (answer.customer_id, answer.segment, answer.locale) == (stranger.pk, "smb", "en")


def test_an_ingest_key_still_creates_a_missing_customer(ingest_client):
    SurveyFactory(slug="checkout")
    new = CustomerFactory.build(email="new@example.com")

    single = ingest_client.post("/api/v1/responses/", _stranger_answer(new), format="json")
    item = _stranger_answer(new, email="other@example.com")
    bulk = ingest_client.post("/api/v1/responses/bulk/", {"responses": [item]}, format="json")

    assert (single.status_code, bulk.json()["created"]) == (201, 1)
    stored = Customer.objects.order_by("email").values_list("email", "name", "segment", "locale")
    assert list(stored) == [
        ("new@example.com", "Overwritten", "vip", "pl"),
        ("other@example.com", "Overwritten", "vip", "pl"),
    ]


@pytest.mark.parametrize("path", ["/api/v1/responses/", "/api/v1/responses/bulk/"])
def test_a_key_with_customers_write_updates_the_customer_it_answers_for(path, stranger):
    SurveyFactory(slug="checkout")
    client = client_with(make_token("crm-shop", ["ingest", "customers:write"]))
    body = _stranger_answer(stranger)

    reply = client.post(path, body if path.endswith("s/") else {"responses": [body]}, format="json")

    assert reply.status_code in (200, 201)
    stranger.refresh_from_db()
    assert (stranger.name, stranger.segment, stranger.locale) == ("Overwritten", "vip", "pl")
    assert Response.objects.get().segment == "vip"
