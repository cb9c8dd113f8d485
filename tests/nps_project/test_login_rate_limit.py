"""The admin login stops a password guesser: after five wrong passwords for
one username from one address, even the right password is refused for 15
minutes, with a page that says so."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
RIGHT = "correct-horse-battery"  # UserFactory's password


def attempt(client, password, *, username="boss", address="203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def boss():
    return UserFactory(username="boss")


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, boss):
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200
    assert attempt(client, "wrong").status_code == 429, "the fifth failure locks out"

    reply = attempt(client, RIGHT)

    assert reply.status_code == 429
    assert not logged_in(client)
    text = reply.content.decode()
    assert "Too many failed login attempts" in text
    assert "15 minutes" in text


def test_four_wrong_passwords_then_the_right_one_logs_in(client, boss):
    for _ in range(4):
        attempt(client, "wrong")

    reply = attempt(client, RIGHT)

    assert reply.status_code == 302
    assert logged_in(client)


def test_the_lockout_ends_after_15_minutes(client, boss):
    for _ in range(5):
        attempt(client, "wrong")

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        reply = attempt(client, RIGHT)

    assert reply.status_code == 302
    assert logged_in(client)


def test_the_lockout_is_per_username_and_address(client, boss):
    UserFactory(username="colleague")
    for _ in range(5):
        attempt(client, "wrong")

    from_elsewhere = attempt(client, RIGHT, address="198.51.100.2")
    client.logout()
    colleague = attempt(client, RIGHT, username="colleague")

    assert from_elsewhere.status_code == 302
    assert colleague.status_code == 302


def test_a_forwarded_for_header_does_not_reset_the_count_without_a_trusted_proxy(client, boss):
    for n in range(5):
        client.post(
            LOGIN,
            {"username": "boss", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    reply = client.post(
        LOGIN,
        {"username": "boss", "password": RIGHT},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )

    assert reply.status_code == 429


def test_an_ipv6_guesser_cannot_reset_the_count_by_moving_within_its_64(client, boss):
    # One host usually holds a whole /64: each guess from a new address in it.
    for n in range(1, 6):
        attempt(client, "wrong", address=f"2001:db8:0:7::{n:x}")

    reply = attempt(client, RIGHT, address="2001:db8:0:7::abcd")

    assert reply.status_code == 429
    assert not logged_in(client)
    # Another /64 is another client.
    assert attempt(client, RIGHT, address="2001:db8:0:8::1").status_code == 302


def test_the_lockout_page_is_shaped_like_the_login_page_with_no_admin_navigation(client, boss):
    for _ in range(5):
        attempt(client, "wrong")

    text = attempt(client, RIGHT).content.decode()

    assert 'id="nav-sidebar"' not in text
    assert 'id="toggle-nav-sidebar"' not in text
    assert re.search(r'<body class="[^"]*\blogin\b', text)
