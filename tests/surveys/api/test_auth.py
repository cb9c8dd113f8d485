"""API keys, scopes and throttling: who may do what, checked on the server."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.api_keys import api_key_revoke
from surveys.models import ApiKey, AuditEvent, Response
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, manager

from .conftest import client_with, make_token

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


def test_a_key_of_an_inactive_user_is_a_401(read_client):
    get_user_model().objects.filter(username="reporting").update(is_active=False)

    assert read_client.get("/api/v1/surveys/").status_code == 401


def test_a_bearer_key_works_too(ids):
    key = make_token("reporting", "read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    assert client.get("/api/v1/surveys/").status_code == 200


def test_a_revoked_key_is_a_401_at_once(ids):
    key = make_token("reporting", "read")
    api_key_revoke(api_key=ApiKey.objects.get(), via="test")

    assert client_with(key).get("/api/v1/surveys/").status_code == 401


def test_an_expired_key_is_a_401(ids):
    key = make_token("reporting", "read")
    ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert client_with(key).get("/api/v1/surveys/").status_code == 401


@pytest.mark.parametrize("method, url", EVERYTHING)
def test_a_key_without_a_scope_gets_403_everywhere(unscoped_client, ids, method, url):
    reply = call(unscoped_client, method, url, ids)

    assert reply.status_code == 403
    error = reply.json()["error"]
    assert (error["status"], error["code"], error["fields"]) == (403, "permission_denied", {})
    assert "API scope" in error["message"]


@pytest.mark.parametrize("method, url", WRITES)
def test_the_read_scopes_cannot_write(read_client, ids, method, url):
    reply = call(read_client, method, url, ids)

    assert reply.status_code == 403
    assert "API scope" in reply.json()["error"]["message"]


@pytest.mark.parametrize("url", READS)
def test_the_ingest_scope_cannot_read(ingest_client, ids, url):
    reply = ingest_client.get(url.format(**ids))

    assert reply.status_code == 403
    assert ":read' API scope" in reply.json()["error"]["message"]


@pytest.mark.parametrize("url", READS)
def test_the_read_scopes_read_everything(read_client, ids, url):
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


def test_a_key_is_stored_as_a_digest_only():
    key = make_token("shop", "ingest")

    stored = ApiKey.objects.get()
    assert key not in {stored.prefix, stored.digest, str(stored.scopes)}
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(stored.prefix)


def test_last_use_is_recorded_at_most_once_a_minute(ids):
    client = client_with(make_token("reporting", "read"))
    with time_machine.travel("2026-01-01 10:00:00Z", tick=False):
        client.get("/api/v1/surveys/")
    with time_machine.travel("2026-01-01 10:00:30Z", tick=False):
        client.get("/api/v1/surveys/")
    assert ApiKey.objects.get().last_used_at == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    with time_machine.travel("2026-01-01 10:01:01Z", tick=False):
        client.get("/api/v1/surveys/")
    assert ApiKey.objects.get().last_used_at == datetime(2026, 1, 1, 10, 1, 1, tzinfo=UTC)


# --- manage.py api_token ----------------------------------------------------


def api_token(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_api_token_create_makes_a_user_and_a_key_with_its_scopes():
    key, said = api_token(
        "create", "shop", "--scope", "ingest", "--scope", "reports:read", "--create-user"
    )

    stored = ApiKey.objects.get()
    assert stored.user.username == "shop"
    assert not stored.user.has_usable_password()
    assert (stored.name, stored.scopes) == ("shop", ["ingest", "reports:read"])
    assert stored.digest == ApiKey.digest_of(key)
    assert "shown once" in said
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_KEY_CREATED)
    assert (event.object_ids, event.via, event.details["prefix"]) == (
        [stored.pk],
        "cli",
        stored.prefix,
    )


def test_api_token_create_with_expiry():
    api_token("create", "shop", "--scope", "ingest", "--create-user", "--expires-in-days", "30")

    expires = ApiKey.objects.get().expires_at
    assert timedelta(days=29) < expires - timezone.now() <= timedelta(days=30)


def test_api_token_list_shows_prefixes_never_secrets():
    key, _ = api_token("create", "shop", "--scope", "ingest", "--create-user")

    listing, _ = api_token("list")

    assert ApiKey.objects.get().prefix in listing
    assert key not in listing


def test_api_token_revoke_stops_the_key_and_records_it(ids):
    key, _ = api_token("create", "shop", "--scope", "reports:read", "--create-user")

    api_token("revoke", ApiKey.objects.get().prefix)

    assert client_with(key).get("/api/v1/surveys/").status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_REVOKED).count() == 1
    with pytest.raises(CommandError, match="already revoked"):
        api_token("revoke", ApiKey.objects.get().prefix)


def test_api_token_rotate_replaces_the_key_at_once(ids):
    old, _ = api_token("create", "shop", "--scope", "reports:read", "--create-user")

    new, _ = api_token("rotate", ApiKey.objects.get().prefix)

    assert new != old
    assert client_with(old).get("/api/v1/surveys/").status_code == 401
    assert client_with(new).get("/api/v1/surveys/").status_code == 200
    replacement = ApiKey.objects.get(digest=ApiKey.digest_of(new))
    assert (replacement.scopes, replacement.replaces.digest) == (
        ["reports:read"],
        ApiKey.digest_of(old),
    )


def test_api_token_rotate_with_grace_keeps_the_old_key_for_a_while(ids):
    old, _ = api_token("create", "shop", "--scope", "reports:read", "--create-user")

    new, _ = api_token("rotate", ApiKey.objects.get().prefix, "--grace-hours", "1")

    assert client_with(old).get("/api/v1/surveys/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        assert client_with(old).get("/api/v1/surveys/").status_code == 401
        assert client_with(new).get("/api/v1/surveys/").status_code == 200


def test_a_rotated_key_keeps_its_clients_idempotency_keys(ids):
    old, _ = api_token("create", "shop", "--scope", "ingest", "--create-user")
    body = {
        "survey": "checkout",
        "customer": {"email": "a@example.com"},
        "score": 9,
        "idempotency_key": "order-1",
    }
    first = client_with(old).post("/api/v1/responses/", body, format="json")
    new, _ = api_token("rotate", ApiKey.objects.get().prefix)

    again = client_with(new).post("/api/v1/responses/", body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_api_token_refuses_an_unknown_user_without_create_user():
    with pytest.raises(CommandError, match="--create-user"):
        api_token("create", "ghost", "--scope", "ingest")


def test_api_token_refuses_an_inactive_user():
    get_user_model().objects.create(username="gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        api_token("create", "gone", "--scope", "ingest")


def test_api_token_refuses_an_unknown_prefix():
    with pytest.raises(CommandError, match="No key"):
        api_token("revoke", "nps_nothing")


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


def test_throttling_is_per_client(tight_rates, ids):
    one, two = client_with(make_token("one", "read")), client_with(make_token("two", "read"))
    for _ in range(2):
        one.get("/api/v1/surveys/")

    assert one.get("/api/v1/surveys/").status_code == 429
    assert two.get("/api/v1/surveys/").status_code == 200


# --- Keys kept in the process (NPS_API_KEY_CACHE_SECONDS) -------------------


def _apikey_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/surveys/").status_code == 200
    return [q["sql"] for q in queries if "surveys_apikey" in q["sql"] or "auth_perm" in q["sql"]]


def test_a_key_in_use_costs_no_query_to_authenticate_and_check(ids):
    client = client_with(make_token("reporting", "read"))

    assert _apikey_queries(client)  # found, and its user's permissions loaded
    assert _apikey_queries(client) == []


def test_with_no_seconds_to_keep_every_request_looks_the_key_up(ids, settings):
    settings.NPS_API_KEY_CACHE_SECONDS = 0
    client = client_with(make_token("reporting", "read"))

    assert _apikey_queries(client)
    assert _apikey_queries(client)


def test_a_key_in_use_that_is_revoked_is_refused_at_once(ids):
    key = make_token("reporting", "read")
    assert client_with(key).get("/api/v1/surveys/").status_code == 200

    api_key_revoke(api_key=ApiKey.objects.get(), via="test")

    assert client_with(key).get("/api/v1/surveys/").status_code == 401


def test_a_key_in_use_whose_user_is_deactivated_is_refused_at_once(ids):
    key = make_token("reporting", "read")
    assert client_with(key).get("/api/v1/surveys/").status_code == 200
    user = get_user_model().objects.get(username="reporting")
    user.is_active = False
    user.save()

    assert client_with(key).get("/api/v1/surveys/").status_code == 401


def test_a_key_in_use_loses_a_scope_with_its_users_permission_at_once(ids):
    key = make_token("reporting", "read")
    assert client_with(key).get("/api/v1/surveys/").status_code == 200
    user = get_user_model().objects.get(username="reporting")
    user.user_permissions.clear()
    user.groups.clear()

    reply = client_with(key).get("/api/v1/surveys/")

    assert reply.status_code == 403
    assert "API scope" in reply.json()["error"]["message"]


def test_a_key_in_use_stops_working_when_it_expires(ids):
    key = make_token("reporting", "read")
    ApiKey.objects.update(expires_at=timezone.now() + timedelta(minutes=5))
    assert client_with(key).get("/api/v1/surveys/").status_code == 200

    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert client_with(key).get("/api/v1/surveys/").status_code == 401


def test_a_key_revoked_by_another_process_is_refused_once_the_seconds_pass(
    ids, settings, monkeypatch
):
    # Another process's revocation reaches this one only through the database:
    # an UPDATE here sends no signal, as that one's does not.
    settings.NPS_API_KEY_CACHE_SECONDS = 5
    clock = [1000.0]
    monkeypatch.setattr("surveys.api_keys.time.monotonic", lambda: clock[0])
    key = make_token("reporting", "read")
    assert client_with(key).get("/api/v1/surveys/").status_code == 200
    ApiKey.objects.update(revoked_at=timezone.now())

    clock[0] += 4.9
    assert client_with(key).get("/api/v1/surveys/").status_code == 200
    clock[0] += 0.2
    assert client_with(key).get("/api/v1/surveys/").status_code == 401


def test_each_request_gets_its_own_copy_of_a_kept_key_and_user(ids):
    from surveys.api_keys import api_key_find

    key = make_token("reporting", "read")
    first, second = api_key_find(secret=key), api_key_find(secret=key)

    assert first is not None and second is not None
    assert first.pk == second.pk and first is not second
    assert first.user is not second.user
    assert first.user.has_perms(["surveys.view_response"])
    # Nothing one request sets on its copy reaches another's.
    assert first._state is not second._state
    assert first._state.fields_cache is not second._state.fields_cache
    first.name, first.user.username = "changed", "changed"
    assert second.name != "changed" and second.user.username != "changed"
    assert api_key_find(secret=key).user.username != "changed"


def test_the_user_rate_still_counts_every_request_of_a_client(api, settings, ids):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    body = {"survey": "checkout", "customer": {"email": "a@example.com"}, "score": 9}
    assert api.post("/api/v1/responses/", body, format="json").status_code == 201
    assert api.get("/api/v1/surveys/").status_code == 200

    reply = api.get("/api/v1/surveys/")

    assert reply.status_code == 429
    # At most two windows: the last one's requests weigh in the next one too
    # (tests/surveys/api/test_throttling.py).
    assert 0 < int(reply["Retry-After"]) <= 120


def test_a_row_read_while_a_revocation_commits_is_not_kept(ids, settings):
    # Another thread of this process revokes the key: its forget runs inside
    # its transaction, and it commits while this thread reads the old row.
    from surveys.api_keys import api_key_find, verified_keys_forget

    settings.NPS_API_KEY_CACHE_SECONDS = 5
    key = make_token("reporting", "read")
    with transaction.atomic():
        verified_keys_forget()  # the revoking thread, before its commit
        on_commit = [callback for _, callback, _ in connection.run_on_commit]
        connection.run_on_commit.clear()  # what the revoking thread's commit runs
    committed = []

    def revocation_commits_during_the_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not committed and sql.startswith("SELECT") and '"surveys_apikey"' in sql:
            committed.append(True)
            for callback in on_commit:
                callback()
        return result

    with connection.execute_wrapper(revocation_commits_during_the_read):
        assert api_key_find(secret=key) is not None  # the old row, read before the commit
    ApiKey.objects.update(revoked_at=timezone.now())  # what the commit made visible

    assert committed
    assert api_key_find(secret=key) is None
