"""Customers: list, upsert, read, change, erase, unsubscribe."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import Customer
from tests.factories import CustomerFactory, ResponseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


def detail(customer) -> str:
    return f"{URL}{customer.pk}/"


def test_list_returns_customers_with_their_details(read_client):
    customer = CustomerFactory(email="ada@example.com", external_id="crm-1", segment="vip")

    reply = read_client.get(URL)

    assert reply.status_code == 200
    [row] = reply.json()["results"]
    assert row["id"] == customer.pk
    assert {k: row[k] for k in ("email", "external_id", "segment", "unsubscribed_at")} == {
        "email": "ada@example.com",
        "external_id": "crm-1",
        "segment": "vip",
        "unsubscribed_at": None,
    }


def test_list_filters(read_client):
    ada = CustomerFactory(email="Ada@Example.com", segment="vip", external_id="crm-1")
    bob = CustomerFactory(email="bob@example.com", segment="smb")
    bob.unsubscribed_at = bob.created_at
    bob.save()

    def emails(**params):
        reply = read_client.get(URL, params)
        assert reply.status_code == 200, reply.json()
        return {row["email"] for row in reply.json()["results"]}

    assert emails(email="ada@EXAMPLE.com") == {ada.email}
    assert emails(external_id="crm-1") == {ada.email}
    assert emails(segment="smb") == {bob.email}
    assert emails(unsubscribed="true") == {bob.email}
    assert emails(unsubscribed="false") == {ada.email}
    assert emails(erased="false") == {ada.email, bob.email}


def test_list_costs_the_same_queries_at_2_and_20_rows(read_client):
    CustomerFactory.create_batch(2)
    read_client.get(URL)  # the key's first use records it (once a minute): not counted
    with CaptureQueriesContext(connection) as few:
        read_client.get(URL)
    CustomerFactory.create_batch(18)
    with CaptureQueriesContext(connection) as many:
        reply = read_client.get(URL)
    assert len(reply.json()["results"]) == 20
    assert len(many) == len(few)


def test_post_creates_a_customer_with_201(api):
    reply = api.post(
        URL, {"email": " ada@example.com ", "name": "Ada", "locale": "pl-PL"}, format="json"
    )

    assert reply.status_code == 201, reply.json()
    customer = Customer.objects.get()
    assert reply.json()["id"] == customer.pk
    assert (customer.email, customer.locale) == ("ada@example.com", "pl")
    assert reply["Location"].endswith(detail(customer))


def test_post_updates_the_customer_it_finds_with_200(api):
    customer = CustomerFactory(email="ada@example.com", external_id="crm-1", segment="smb")

    reply = api.post(URL, {"external_id": "crm-1", "segment": "vip"}, format="json")

    assert reply.status_code == 200
    customer.refresh_from_db()
    assert (reply.json()["id"], customer.segment) == (customer.pk, "vip")
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "email"),
        ({"external_id": "crm-404"}, "email"),
        ({"email": "nope"}, "email"),
        ({"email": "a@example.com", "segment": "x" * 101}, "segment"),
    ],
)
def test_post_refuses_invalid_details_with_400(api, body, field):
    reply = api.post(URL, body, format="json")

    assert reply.status_code == 400
    assert set(reply.json()["error"]["fields"]) == {field}
    assert not Customer.objects.exists()


def test_detail_returns_the_customer(read_client):
    customer = CustomerFactory()

    reply = read_client.get(detail(customer))

    assert (reply.status_code, reply.json()["email"]) == (200, customer.email)


@pytest.mark.parametrize("suffix", ["", "erase/", "unsubscribe/"])
def test_an_unknown_customer_is_a_404(api, suffix):
    method = api.get if not suffix else api.post
    reply = method(f"{URL}987654/{suffix}")

    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"


def test_patch_changes_the_details_given(api):
    customer = CustomerFactory(email="ada@example.com", name="Ada", segment="smb", locale="en")

    reply = api.patch(
        detail(customer),
        {"segment": "vip", "locale": "ru-RU", "external_id": "crm-9"},
        format="json",
    )

    assert reply.status_code == 200, reply.json()
    customer.refresh_from_db()
    assert (customer.name, customer.segment, customer.locale, customer.external_id) == (
        "Ada",
        "vip",
        "ru",
        "crm-9",
    )
    assert reply.json()["segment"] == "vip"


def test_patch_clears_the_external_id_with_null(api):
    customer = CustomerFactory(external_id="crm-1")

    api.patch(detail(customer), {"external_id": None}, format="json")

    customer.refresh_from_db()
    assert customer.external_id is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "taken@EXAMPLE.com"}, "non_field_errors"),
        ({"external_id": "taken"}, "non_field_errors"),
        ({"email": None}, "email"),
        ({"email": "nope"}, "email"),
        ({"locale": "xx"}, "locale"),
    ],
)
def test_patch_refuses_invalid_changes_with_400(api, body, field):
    CustomerFactory(email="taken@example.com", external_id="taken")
    customer = CustomerFactory(email="ada@example.com")

    reply = api.patch(detail(customer), body, format="json")

    assert reply.status_code == 400, reply.json()
    assert set(reply.json()["error"]["fields"]) == {field}
    customer.refresh_from_db()
    assert customer.email == "ada@example.com"


def test_patch_of_an_erased_customer_is_refused(api):
    customer = CustomerFactory()
    api.post(f"{detail(customer)}erase/")

    reply = api.patch(detail(customer), {"name": "Back"}, format="json")

    assert reply.status_code == 400
    assert reply.json()["error"]["fields"] == {
        "non_field_errors": ["This customer was erased and cannot be updated."]
    }


def test_put_is_not_allowed(api):
    customer = CustomerFactory()

    reply = api.put(detail(customer), {"email": "x@example.com"}, format="json")

    assert reply.status_code == 405
    assert reply.json()["error"]["code"] == "method_not_allowed"


def test_erase_removes_personal_data_and_keeps_the_scores(api):
    customer = CustomerFactory(email="ada@example.com", name="Ada", external_id="crm-1")
    response = ResponseFactory(customer=customer, score=2, comment="My phone is 555-1234")

    reply = api.post(f"{detail(customer)}erase/")

    assert reply.status_code == 200
    body = reply.json()
    assert (body["email"], body["name"], body["external_id"]) == (None, "", None)
    assert body["erased_at"] is not None
    response.refresh_from_db()
    assert (response.score, response.comment) == (2, "")


def test_erasing_twice_changes_nothing(api):
    customer = CustomerFactory()
    first = api.post(f"{detail(customer)}erase/").json()

    again = api.post(f"{detail(customer)}erase/")

    assert again.status_code == 200
    assert again.json()["erased_at"] == first["erased_at"]


def test_unsubscribe_sets_the_time_once(api):
    customer = CustomerFactory()

    first = api.post(f"{detail(customer)}unsubscribe/")
    again = api.post(f"{detail(customer)}unsubscribe/")

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["unsubscribed_at"] is not None
    assert again.json()["unsubscribed_at"] == first.json()["unsubscribed_at"]
    customer.refresh_from_db()
    assert not customer.is_reachable


def test_post_takes_a_time_zone_and_refuses_a_bad_one_clearly(api):
    good = api.post(
        URL, {"email": "ada@example.com", "time_zone": "America/Chicago"}, format="json"
    )
    bad = api.post(URL, {"email": "bob@example.com", "time_zone": "Mars/Olympus"}, format="json")

    assert good.status_code == 201, good.json()
    assert good.json()["time_zone"] == "America/Chicago"
    assert Customer.objects.get(email="ada@example.com").time_zone == "America/Chicago"
    assert bad.status_code == 400
    assert "IANA" in str(bad.json())
    assert not Customer.objects.filter(email="bob@example.com").exists()


def test_a_customer_without_a_time_zone_gets_the_one_of_their_phone_number():
    from surveys.customers import customer_from_contact

    polish, _ = customer_from_contact(email="ola@example.com", phone="+48 601 234 567")
    american, _ = customer_from_contact(email="joe@example.com", phone="+1 202 555 0100")
    russian, _ = customer_from_contact(email="ivan@example.com", phone="+7 916 123 4567")
    chosen, _ = customer_from_contact(
        email="eve@example.com", phone="+48 601 234 568", time_zone="Europe/London"
    )

    assert polish.time_zone == "Europe/Warsaw"
    assert american.time_zone == "America/New_York"  # +1 202: Washington only
    assert russian.time_zone == ""  # Russia spans eleven zones: none guessed
    assert chosen.time_zone == "Europe/London"
    assert Customer.objects.get(pk=polish.pk).time_zone == "Europe/Warsaw"


def test_a_phone_added_later_gives_its_time_zone_to_a_customer_without_one():
    from surveys.customers import customer_from_contact

    customer = CustomerFactory(email="ada@example.com", phone=None, time_zone="")
    customer_from_contact(email="ada@example.com", phone="+44 20 7946 0958")

    customer.refresh_from_db()
    assert (customer.phone, customer.time_zone) == ("+442079460958", "Europe/London")
