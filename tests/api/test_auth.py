"""Tokens, scopes and throttling: who may do what, checked on the server."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from surveys.models import Response
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, manager

from .conftest import client_with

pytestmark = pytest.mark.django_db

READS = [
    "/api/v1/responses/",
    "/api/v1/responses/{response}/",
    "/api/v1/customers/",
    "/api/v1/customers/{customer}/",
    "/api/v1/surveys/",
    "/api/v1/surveys/checkout/",
    "/api/v1/surveys/checkout/nps/",
]
WRITES = [
    ("post", "/api/v1/responses/"),
    ("post", "/api/v1/responses/bulk/"),
    ("post", "/api/v1/customers/"),
    ("patch", "/api/v1/customers/{customer}/"),
    ("post", "/api/v1/customers/{customer}/erase/"),
    ("post", "/api/v1/customers/{customer}/unsubscribe/"),
]
EVERYTHING = [("get", url) for url in READS] + WRITES


@pytest.fixture
def ids():
    survey = SurveyFactory(slug="checkout")
    response = ResponseFactory(survey=survey)
    return {"response": response.pk, "customer": CustomerFactory().pk}


def call(client, method, url, ids):
    return getattr(client, method)(url.format(**ids), {}, format="json")


@pytest.mark.parametrize("method, url", EVERYTHING)
def test_without_a_token_every_endpoint_answers_401(anonymous, ids, method, url):
    reply = call(anonymous, method, url, ids)

    assert reply.status_code == 401
    assert reply["WWW-Authenticate"] == "Token"
    assert reply.json() == {
        "error": {
            "status": 401,
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }


def test_an_unknown_token_is_a_401(ids):
    reply = client_with("0" * 40).get("/api/v1/responses/")

    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "authentication_failed"


def test_a_token_of_an_inactive_user_is_a_401(read_client):
    get_user_model().objects.filter(username="reporting").update(is_active=False)

    assert read_client.get("/api/v1/surveys/").status_code == 401


@pytest.mark.parametrize("method, url", EVERYTHING)
def test_a_token_without_a_scope_gets_403_everywhere(unscoped_client, ids, method, url):
    reply = call(unscoped_client, method, url, ids)

    assert reply.status_code == 403
    error = reply.json()["error"]
    assert (error["status"], error["code"], error["fields"]) == (403, "permission_denied", {})
    assert "surveys." in error["message"]


@pytest.mark.parametrize("method, url", WRITES)
def test_the_read_scope_cannot_write(read_client, ids, method, url):
    reply = call(read_client, method, url, ids)

    assert reply.status_code == 403
    assert "'ingest' API scope" in reply.json()["error"]["message"]


@pytest.mark.parametrize("url", READS)
def test_the_ingest_scope_cannot_read(ingest_client, ids, url):
    reply = ingest_client.get(url.format(**ids))

    assert reply.status_code == 403
    assert "'read' API scope" in reply.json()["error"]["message"]


@pytest.mark.parametrize("url", READS)
def test_the_read_scope_reads_everything(read_client, ids, url):
    assert read_client.get(url.format(**ids)).status_code == 200


def test_the_ingest_scope_records_answers(ingest_client, ids):
    reply = ingest_client.post(
        "/api/v1/responses/",
        {"survey": "checkout", "customer": {"email": "a@example.com"}, "score": 9},
        format="json",
    )

    assert reply.status_code == 201
    assert Response.objects.count() == 2


def test_a_manager_signed_in_to_the_admin_may_read_through_the_session(client, ids):
    client.force_login(manager())

    assert client.get("/api/v1/responses/").status_code == 200
    assert client.post("/api/v1/responses/", {}, content_type="application/json").status_code == 403


# --- manage.py api_token ----------------------------------------------------


def api_token(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_api_token_creates_user_token_and_scope_groups():
    key, said = api_token("shop", "--scope", "both", "--create-user")

    user = get_user_model().objects.get(username="shop")
    assert Token.objects.get(user=user).key == key
    assert not user.has_usable_password()
    assert set(user.groups.values_list("name", flat=True)) == {"API ingest", "API read"}
    assert user.has_perms(["surveys.add_response", "surveys.view_response"])
    assert not user.has_perm("surveys.delete_response")
    assert "New token" in said


def test_api_token_returns_the_same_key_and_adds_scopes():
    first, _ = api_token("shop", "--scope", "ingest", "--create-user")
    again, said = api_token("shop", "--scope", "read")

    assert again == first
    assert "Existing token" in said
    user = get_user_model().objects.get(username="shop")
    assert set(user.groups.values_list("name", flat=True)) == {"API ingest", "API read"}


def test_api_token_rotate_replaces_the_key():
    first, _ = api_token("shop", "--create-user")
    second, _ = api_token("shop", "--rotate")

    assert second != first
    assert client_with(first).get("/api/v1/surveys/").status_code == 401
    assert client_with(second).get("/api/v1/surveys/").status_code == 200


def test_api_token_defaults_to_the_read_scope():
    api_token("viewer", "--create-user")

    user = get_user_model().objects.get(username="viewer")
    assert list(user.groups.values_list("name", flat=True)) == ["API read"]


def test_api_token_repairs_a_scope_group_edited_by_hand():
    api_token("shop", "--scope", "ingest", "--create-user")
    group = Group.objects.get(name="API ingest")
    group.permissions.clear()

    api_token("shop", "--scope", "ingest")

    assert group.permissions.count() == 3


def test_api_token_refuses_an_unknown_user_without_create_user():
    with pytest.raises(CommandError, match="--create-user"):
        api_token("ghost")
    assert not get_user_model().objects.filter(username="ghost").exists()


def test_api_token_refuses_an_inactive_user():
    get_user_model().objects.create(username="gone", is_active=False)

    with pytest.raises(CommandError, match="inactive"):
        api_token("gone")


# --- Throttling -------------------------------------------------------------


@pytest.fixture
def tight_rates(settings):
    rates = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "read": "2/min",
        "ingest": "1/min",
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def test_reads_past_the_read_rate_get_429_with_retry_after(api, tight_rates, ids):
    assert api.get("/api/v1/surveys/").status_code == 200
    assert api.get("/api/v1/surveys/").status_code == 200

    reply = api.get("/api/v1/surveys/")

    assert reply.status_code == 429
    assert int(reply["Retry-After"]) > 0
    error = reply.json()["error"]
    assert (error["status"], error["code"], error["fields"]) == (429, "throttled", {})


def test_ingest_and_read_are_counted_apart(api, tight_rates, ids):
    body = {"survey": "checkout", "customer": {"email": "a@example.com"}, "score": 9}
    assert api.post("/api/v1/responses/", body, format="json").status_code == 201
    assert api.post("/api/v1/responses/", body, format="json").status_code == 429
    assert api.get("/api/v1/responses/").status_code == 200


def test_throttling_is_per_token(tight_rates, ids):
    from .conftest import make_token

    one, two = client_with(make_token("one", "read")), client_with(make_token("two", "read"))
    for _ in range(2):
        one.get("/api/v1/surveys/")

    assert one.get("/api/v1/surveys/").status_code == 429
    assert two.get("/api/v1/surveys/").status_code == 200
