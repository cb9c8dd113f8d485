"""``customer_from_contact``: the customer a set of contact details names,
found by external id, email or phone, updated with only what was given."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from surveys import services
from surveys.customers import CustomerConflict, customer_from_contact
from surveys.models import Customer
from surveys.phones import phone_normalize
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_phone_is_stored_in_e164_whatever_the_spacing():
    assert phone_normalize(" +48 601-234-567 ") == "+48601234567"
    assert phone_normalize("0048601234567") == "+48601234567"
    assert phone_normalize("") is None


@pytest.mark.parametrize("bad", ["601234567", "+48 12", "call me", "+999 1234567"])
def test_a_phone_number_without_country_code_or_impossible_is_refused(bad):
    with pytest.raises(ValidationError):
        phone_normalize(bad)


@pytest.mark.parametrize(
    "bad",
    [
        "+48 601 234 5678",  # a digit too many: a possible length, nobody's number
        "+48 000 000 000",  # a range no operator has
    ],
)
def test_a_phone_number_of_a_possible_length_but_no_valid_number_is_refused(bad):
    with pytest.raises(ValidationError) as error:
        phone_normalize(bad)
    assert error.value.code == "invalid"


@pytest.mark.parametrize(
    "with_extension", ["+48 22 123 45 67 ext. 12", "+1 (201) 555-0123 x45", "+44 7911 123456#"]
)
def test_a_phone_number_with_an_extension_is_refused_not_cut_short(with_extension):
    with pytest.raises(ValidationError) as error:
        phone_normalize(with_extension)
    assert error.value.code == "extension"
    assert "extension" in error.value.messages[0]


def test_a_new_customer_is_created_with_the_details_given():
    customer, created = customer_from_contact(
        email="Ann@Example.com ", phone="+48 601 234 567", name="Ann", locale="pl-PL"
    )
    assert created
    customer.refresh_from_db()
    assert (customer.email, customer.phone, customer.name, customer.locale) == (
        "Ann@Example.com",
        "+48601234567",
        "Ann",
        "pl",
    )


def test_found_by_email_in_any_case_and_only_the_given_fields_change():
    stored = CustomerFactory(email="ann@example.com", name="Ann", segment="smb")
    customer, created = customer_from_contact(email="ANN@example.com", segment="enterprise")
    assert not created
    assert customer.pk == stored.pk
    customer.refresh_from_db()
    assert (customer.name, customer.segment) == ("Ann", "enterprise")


def test_found_by_phone_alone():
    stored = CustomerFactory(phone="+48601234567")
    customer, created = customer_from_contact(phone="+48 601 234 567", name="Renamed")
    assert (customer.pk, created) == (stored.pk, False)
    assert Customer.objects.get(pk=stored.pk).name == "Renamed"


def test_found_by_external_id_first_and_given_a_phone():
    stored = CustomerFactory(external_id="crm-1", email="b@example.com")
    customer, _ = customer_from_contact(external_id="crm-1", phone="+14155550123")
    assert customer.pk == stored.pk
    assert Customer.objects.get(pk=stored.pk).phone == "+14155550123"


def test_another_customers_phone_is_a_conflict_and_nothing_changes():
    CustomerFactory(email="owner@example.com", phone="+48601234567")
    other = CustomerFactory(email="other@example.com", name="Other")
    with pytest.raises(CustomerConflict) as caught:
        customer_from_contact(email="other@example.com", phone="+48601234567", name="New name")
    assert "phone" in caught.value.message_dict
    assert Customer.objects.get(pk=other.pk).name == "Other"


def test_external_id_of_a_customer_with_another_email_is_a_conflict():
    CustomerFactory(external_id="crm-2", email="first@example.com")
    with pytest.raises(CustomerConflict) as caught:
        customer_from_contact(external_id="crm-2", email="second@example.com")
    assert "external_id" in caught.value.message_dict


def test_no_identifier_at_all_is_refused():
    with pytest.raises(ValidationError) as caught:
        customer_from_contact(name="Nobody")
    assert "email" in caught.value.message_dict
    assert not Customer.objects.exists()


def test_a_new_customer_needs_an_email():
    with pytest.raises(ValidationError) as caught:
        customer_from_contact(phone="+48601234567")
    assert "email" in caught.value.message_dict
    assert not Customer.objects.exists()


def test_a_bad_email_or_phone_is_reported_on_its_field():
    with pytest.raises(ValidationError) as caught:
        customer_from_contact(email="not-an-email")
    assert "email" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        customer_from_contact(email="fine@example.com", phone="12")
    assert "phone" in caught.value.message_dict
    assert not Customer.objects.exists()


def test_an_erased_customer_is_returned_unchanged():
    stored = CustomerFactory(external_id="crm-3")
    # Erasure empties the external id: keep one to find them by.
    services.customer_erase(customer=stored)
    Customer.objects.filter(pk=stored.pk).update(external_id="crm-3")
    customer, created = customer_from_contact(external_id="crm-3", name="Back again")
    assert (customer.pk, created) == (stored.pk, False)
    assert Customer.objects.get(pk=stored.pk).name == ""


def test_erasure_removes_the_phone_number():
    stored = CustomerFactory(phone="+48601234567")
    services.customer_erase(customer=stored)
    assert Customer.objects.get(pk=stored.pk).phone is None


def test_the_customers_api_shows_and_finds_the_phone():
    from surveys.models import ApiScope
    from tests.surveys.api.conftest import client_with, make_token

    stored = CustomerFactory(phone="+48601234567")
    CustomerFactory()
    reader = client_with(make_token("crm-reader", [ApiScope.CUSTOMERS_READ]))
    found = reader.get("/api/v1/customers/", {"phone": "+48 601 234 567"}).json()
    assert [row["id"] for row in found["results"]] == [stored.pk]
    assert found["results"][0]["phone"] == "+48601234567"
    assert reader.get("/api/v1/customers/", {"phone": "nonsense"}).json()["count"] == 0
