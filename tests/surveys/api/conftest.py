"""API clients holding real keys, made the way an operator makes them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from surveys.api_keys import api_key_create
from surveys.models import ApiScope

# The surveys API's scopes, as most tests need them all.
SURVEY_API_SCOPES = [
    ApiScope.INGEST,
    ApiScope.REPORTS_READ,
    ApiScope.CUSTOMERS_READ,
    ApiScope.CUSTOMERS_WRITE,
    ApiScope.CUSTOMERS_ERASE,
]
SCOPE_SETS = {
    "ingest": [ApiScope.INGEST],
    "read": [ApiScope.REPORTS_READ, ApiScope.CUSTOMERS_READ],
    "write": [ApiScope.CUSTOMERS_WRITE],
    "both": SURVEY_API_SCOPES,
}


def make_token(username: str, scope: str | list[str] | None) -> str:
    """A key from ``manage.py api_token create`` acting as a new user;
    ``scope``: one of SCOPE_SETS, a list of scopes, or None (a key with no
    scope at all)."""
    scopes = SCOPE_SETS.get(scope, scope) if isinstance(scope, str) else scope
    if not scopes:
        user, _ = get_user_model().objects.get_or_create(username=username)
        return api_key_create(user=user, name=username, scopes=[], via="test").secret
    out = StringIO()
    args = [arg for scope_ in scopes for arg in ("--scope", str(scope_))]
    call_command(
        "api_token", "create", username, "--create-user", *args, stdout=out, stderr=StringIO()
    )
    return out.getvalue().strip()


def grant(username: str, *permissions: str) -> None:
    """Give an existing user Django permissions (``app.codename``) directly."""
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.get(username=username)
    for permission in permissions:
        app, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )


def key_for(user, *scopes: str) -> str:
    """A key acting as an existing user (staff working cases, managers)."""
    name = f"{user.get_username()} key"
    return api_key_create(user=user, name=name, scopes=scopes, via="test").secret


def client_with(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def ingest_client(db):
    return client_with(make_token("shop", "ingest"))


@pytest.fixture
def writer_client(db):
    """customers:write alone: may change customers, never read them."""
    return client_with(make_token("crm", "write"))


@pytest.fixture
def read_client(db):
    return client_with(make_token("reporting", "read"))


@pytest.fixture
def api(db):
    """Every scope of the surveys API, as most tests need to write and then read."""
    return client_with(make_token("integration", "both"))


@pytest.fixture
def unscoped_client(db):
    return client_with(make_token("nobody", None))
