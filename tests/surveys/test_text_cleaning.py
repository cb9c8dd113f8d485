"""A customer's name and segment are one line without control characters,
whichever way they come in (API, bulk API, admin, CSV import), and a line
break in a name never reaches an email's headers or forges a line in its body."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from followups.outbox.transports.email import build_message
from followups.routing import responses_route
from surveys.models import Customer, Response
from surveys.text import single_line
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, UserFactory
from tests.surveys.api.conftest import client_with, make_token

pytestmark = pytest.mark.django_db

DIRTY_NAME = "Anna\r\nBcc: x@y\x00 Kowalska"
CLEAN_NAME = "Anna Bcc: x@y Kowalska"
DIRTY_SEGMENT = "\tvip\x1b[0m\n"
CLEAN_SEGMENT = "vip[0m"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (DIRTY_NAME, CLEAN_NAME),
        ("Zoë\u2028Ünal", "Zoë Ünal"),
        ("a\x7fb\x85c", "ab c"),
        ("👩\u200d👩\u200d👧 family", "👩\u200d👩\u200d👧 family"),
        ("  plain  ", "plain"),
    ],
)
def test_single_line_keeps_text_and_drops_control_characters(given, kept):
    assert single_line(given) == kept


@pytest.fixture
def api():
    return client_with(make_token("integration", "both"))


def _customer(email):
    return Customer.objects.get(email=email)


def test_the_api_stores_a_clean_name_and_segment(api):
    SurveyFactory(slug="checkout")
    customer = {"email": "anna@example.com", "name": DIRTY_NAME, "segment": DIRTY_SEGMENT}

    reply = api.post(
        "/api/v1/responses/",
        {"survey": "checkout", "customer": customer, "score": 9},
        format="json",
    )

    assert reply.status_code == 201, reply.json()
    stored = _customer("anna@example.com")
    assert (stored.name, stored.segment) == (CLEAN_NAME, CLEAN_SEGMENT)
    assert Response.objects.get().segment == CLEAN_SEGMENT


def test_the_bulk_api_stores_a_clean_name_and_segment(api):
    SurveyFactory(slug="checkout")
    customer = {"email": "anna@example.com", "name": DIRTY_NAME, "segment": DIRTY_SEGMENT}
    item = {"survey": "checkout", "customer": customer, "score": 9}

    reply = api.post("/api/v1/responses/bulk/", {"responses": [item]}, format="json")

    assert reply.status_code == 200, reply.json()
    assert reply.json()["results"][0]["status"] == "created", reply.json()
    stored = _customer("anna@example.com")
    assert (stored.name, stored.segment) == (CLEAN_NAME, CLEAN_SEGMENT)


def test_the_customer_update_api_stores_a_clean_name_and_segment(api):
    customer = CustomerFactory(email="anna@example.com")

    reply = api.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"name": DIRTY_NAME, "segment": DIRTY_SEGMENT},
        format="json",
    )

    assert reply.status_code == 200, reply.json()
    customer.refresh_from_db()
    assert (customer.name, customer.segment) == (CLEAN_NAME, CLEAN_SEGMENT)


def test_the_admin_form_stores_a_clean_name_and_segment(client):
    client.force_login(UserFactory(username="root", is_superuser=True))

    reply = client.post(
        reverse("admin:surveys_customer_add"),
        {"email": "anna@example.com", "name": DIRTY_NAME, "segment": DIRTY_SEGMENT, "locale": ""},
    )

    assert reply.status_code == 302, reply.context["adminform"].form.errors
    stored = _customer("anna@example.com")
    assert (stored.name, stored.segment) == (CLEAN_NAME, CLEAN_SEGMENT)


def test_the_csv_import_stores_a_clean_name_and_segment(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(
        'email,name,segment\nanna@example.com,"Anna\r\nBcc: x@y Kowalska","\tvip\x1b[0m"\n',
        encoding="utf-8",
        newline="",
    )

    call_command("import_customers", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    stored = _customer("anna@example.com")
    assert (stored.name, stored.segment) == (CLEAN_NAME, CLEAN_SEGMENT)


def test_a_line_break_in_a_stored_name_never_reaches_an_emails_headers_or_body(
    django_capture_on_commit_callbacks,
):
    customer = CustomerFactory(email="anna@example.com")
    # A row written before names were cleaned (PostgreSQL refuses the NUL).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_customer SET name = %s WHERE id = %s",
            ["Anna\r\nBcc: x@y", customer.pk],
        )
    response = ResponseFactory(customer=customer, score=2, submitted_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        responses_route(response_ids=[response.pk])

    email = response.emails.get()
    message = build_message(email, connection=mail.get_connection()).message()
    raw = message.as_bytes().decode()
    assert "Bcc" not in message
    assert "\nBcc:" not in raw
    assert "Anna Bcc: x@y" in email.body_text
