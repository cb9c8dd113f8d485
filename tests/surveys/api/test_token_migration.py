"""DRF authtoken tokens become API keys: running clients keep working."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection

from tests.factories import UserFactory

from .conftest import client_with

pytestmark = pytest.mark.django_db

migration = importlib.import_module("surveys.migrations.0009_api_keys")
OLD_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"


def _drf_token_table_with(user) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamptz NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [OLD_KEY, user.pk])


def _group(name: str, *codenames: str) -> Group:
    group = Group.objects.create(name=name)
    group.permissions.set(Permission.objects.filter(codename__in=codenames))
    return group


def test_a_drf_token_keeps_working_with_the_scopes_its_groups_gave():
    user = UserFactory(username="shop")
    user.groups.add(
        _group("API ingest", "add_response", "add_customer", "change_customer"),
        _group("API read", "view_response", "view_customer", "view_survey"),
    )
    _drf_token_table_with(user)

    with connection.schema_editor() as editor:
        migration.copy_drf_tokens(apps, editor)

    key = apps.get_model("surveys", "ApiKey").objects.get()
    assert (key.user, key.prefix) == (user, OLD_KEY[:8])
    assert key.scopes == ["ingest", "reports:read", "customers:read", "customers:write"]
    assert "authtoken_token" not in connection.introspection.table_names()
    assert client_with(OLD_KEY).get("/api/v1/customers/").status_code == 200
    assert client_with(OLD_KEY).post(f"/api/v1/customers/{user.pk}/erase/").status_code == 403
