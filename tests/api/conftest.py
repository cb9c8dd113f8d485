"""API clients holding real tokens, made the way an operator makes them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


def make_token(username: str, scope: str | None) -> str:
    """A token from ``manage.py api_token``; ``scope=None``: a user with a
    token but no scope at all."""
    out = StringIO()
    call_command(
        "api_token",
        username,
        "--create-user",
        "--scope",
        scope or "read",
        stdout=out,
        stderr=StringIO(),
    )
    key = out.getvalue().strip()
    if scope is None:
        from django.contrib.auth import get_user_model

        get_user_model().objects.get(username=username).groups.clear()
    return key


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
def read_client(db):
    return client_with(make_token("reporting", "read"))


@pytest.fixture
def api(db):
    """Both scopes, as most tests need to write and then read."""
    return client_with(make_token("integration", "both"))


@pytest.fixture
def unscoped_client(db):
    return client_with(make_token("nobody", None))
