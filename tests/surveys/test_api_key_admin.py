"""API keys in the admin: listed by prefix, shown once when made here,
revoked by managers; never the secret on a page after that."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from surveys.api_keys import api_key_create
from surveys.models import ApiKey, AuditEvent
from tests.factories import UserFactory, manager, staff_member

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:surveys_apikey_changelist")


@pytest.fixture
def issued():
    return api_key_create(
        user=UserFactory(username="shop", is_superuser=True),
        name="shop",
        scopes=["ingest"],
        via="test",
    )


def test_the_list_shows_prefix_name_and_scopes_never_the_secret(client, issued):
    client.force_login(manager())

    page = client.get(CHANGELIST).content.decode()

    assert issued.api_key.prefix in page
    assert "ingest" in page
    assert issued.secret not in page
    assert issued.api_key.digest not in page


def test_a_key_made_in_the_admin_is_shown_once_and_stored_as_a_digest(client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    owner = UserFactory(username="crm", is_superuser=True)  # may hold any scope

    page = client.post(
        reverse("admin:surveys_apikey_add"),
        {"name": "CRM sync", "user": owner.pk, "scopes": ["customers:read", "customers:write"]},
    )

    assert page.status_code == 200
    key = ApiKey.objects.get()
    secret = page.context["secret"]
    assert key.digest == ApiKey.digest_of(secret)
    assert (key.name, key.user, key.created_by) == ("CRM sync", owner, root)
    assert key.scopes == ["customers:read", "customers:write"]
    assert secret in page.content.decode()
    assert secret not in client.get(CHANGELIST).content.decode()
    detail = client.get(reverse("admin:surveys_apikey_change", args=[key.pk]))
    assert secret not in detail.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_KEY_CREATED)
    assert (event.actor_label, event.via) == ("root", "web")


def test_a_manager_revokes_a_key_and_it_is_audited(client, issued):
    boss = manager()
    client.force_login(boss)

    client.post(CHANGELIST, {"action": "revoke", "_selected_action": [issued.api_key.pk]})

    issued.api_key.refresh_from_db()
    assert issued.api_key.revoked_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_KEY_REVOKED)
    assert (event.actor_label, event.object_ids) == (boss.username, [issued.api_key.pk])


def test_staff_without_the_revoke_permission_cannot_revoke(client, issued):
    member = staff_member("sam")
    member.user_permissions.add(Permission.objects.get(codename="view_apikey"))
    client.force_login(member)

    client.post(CHANGELIST, {"action": "revoke", "_selected_action": [issued.api_key.pk]})

    issued.api_key.refresh_from_db()
    assert issued.api_key.revoked_at is None


def test_a_keys_page_names_its_scopes_in_words_not_json(client, issued):
    client.force_login(manager())

    page = client.get(reverse("admin:surveys_apikey_change", args=[issued.api_key.pk]))

    assert "Record answers (ingest)" in page.content.decode()
    assert '["ingest"]' not in page.content.decode()


def test_the_key_created_page_leads_back_through_the_app_like_every_admin_page(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    page = client.post(
        reverse("admin:surveys_apikey_add"),
        {"name": "CRM sync", "user": UserFactory(username="crm").pk, "scopes": ["ingest"]},
    )

    app_list = reverse("admin:app_list", kwargs={"app_label": "surveys"})
    assert f'<a href="{app_list}">' in page.content.decode()
