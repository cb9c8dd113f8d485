"""The demo seed's guards: it never resets a password and never runs by accident."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from followups.management.commands import seed_demo

pytestmark = pytest.mark.django_db


def run_seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def test_ensure_demo_users_returns_every_login_with_its_role():
    logins = seed_demo.ensure_demo_users()

    assert [(login.username, login.role) for login in logins] == [
        ("admin", "admin"),
        ("manager", "manager"),
        ("staff1", "staff"),
        ("staff2", "staff"),
    ]
    assert all(len(login) == 3 for login in logins)


def test_existing_demo_user_keeps_the_password_someone_changed():
    get_user_model().objects.create_user(username="manager", password="changed-by-owner")

    seed_demo.ensure_demo_users()

    assert get_user_model().objects.get(username="manager").check_password("changed-by-owner")


def test_refuses_to_seed_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="published"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="admin").exists()
