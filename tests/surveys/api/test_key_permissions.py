"""A key can do no more than the user it acts as: its scopes are limited to
what that user's permissions allow, when it is made and on every request."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from followups import roles
from surveys.api_keys import api_key_create
from surveys.models import ApiKey, ApiScope, AuditEvent
from tests.factories import CustomerFactory, UserFactory

from .conftest import client_with

pytestmark = pytest.mark.django_db


def _data_protection(username="dpo"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=roles.DATA_PROTECTION))
    return user


def test_a_key_cannot_be_given_a_scope_its_user_may_not_use():
    clerk = UserFactory(username="clerk")

    with pytest.raises(ValidationError) as refused:
        api_key_create(user=clerk, name="eraser", scopes=[ApiScope.CUSTOMERS_ERASE], via="test")

    assert "surveys.erase_customer" in " ".join(refused.value.messages)
    assert not ApiKey.objects.exists()


def test_the_admin_form_names_the_missing_permission(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    clerk = UserFactory(username="clerk")

    page = client.post(
        reverse("admin:surveys_apikey_add"),
        {"name": "eraser", "user": clerk.pk, "scopes": ["customers:erase"]},
    )

    assert page.status_code == 200
    assert "surveys.erase_customer" in page.content.decode()
    assert not ApiKey.objects.exists()


def test_a_user_who_loses_a_permission_loses_the_scope():
    dpo = _data_protection()
    key = api_key_create(user=dpo, name="gdpr", scopes=[ApiScope.CUSTOMERS_ERASE], via="test")
    customer = CustomerFactory(email="ada@example.com")
    dpo.groups.clear()

    reply = client_with(key.secret).post(f"/api/v1/customers/{customer.pk}/erase/")

    assert reply.status_code == 403
    customer.refresh_from_db()
    assert (customer.email, customer.erased_at) == ("ada@example.com", None)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CUSTOMER_ERASED).exists()


def test_a_key_erases_while_its_user_may_erase():
    dpo = _data_protection()
    key = api_key_create(user=dpo, name="gdpr", scopes=[ApiScope.CUSTOMERS_ERASE], via="test")
    customer = CustomerFactory(email="ada@example.com")

    reply = client_with(key.secret).post(f"/api/v1/customers/{customer.pk}/erase/")

    assert reply.status_code == 200
    customer.refresh_from_db()
    assert customer.erased_at is not None


def test_a_superuser_key_may_hold_every_scope():
    root = UserFactory(username="root", is_superuser=True)

    issued = api_key_create(user=root, name="all", scopes=ApiScope.values, via="test")

    assert issued.api_key.scopes == list(ApiScope.values)


def test_a_user_created_for_a_key_gets_the_permissions_its_scopes_need():
    out = StringIO()
    call_command(
        "api_token", "create", "crm", "--create-user", "--scope", "customers:write",
        stdout=out, stderr=StringIO(),
    )  # fmt: skip

    key = ApiKey.objects.get()
    assert key.scopes == ["customers:write"]
    assert key.user.has_perms(["surveys.add_customer", "surveys.change_customer"])
    assert not key.user.has_perm("surveys.erase_customer")
