"""A hard bounce (the mail server refuses the recipient for good) marks the
customer's address, which is then invited no more; a new address clears it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from followups.invitations.requests import invitation_request
from followups.outbox.messages import email_queue
from followups.outbox.sending import messages_send
from surveys import services
from surveys.customers import customer_from_contact
from surveys.models import Customer, Invitation
from tests.factories import CustomerFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def queue_email(customer, key="k1"):
    return email_queue(
        template="offer",
        dedupe_key=key,
        recipient=customer.email,
        language="en",
        context={"customer_name": "Ana", "score": 7, "offer": "1", "code": "C", "expires": "x"},
        customer=customer,
    )


def test_a_recipient_refused_for_good_marks_the_customer_bounced(smtp):
    customer = CustomerFactory(email="Nobody@Example.com")
    smtp.handler.refused_recipients.add("nobody@example.com")
    email = queue_email(customer)
    messages_send(message_ids=[email.pk])
    customer.refresh_from_db()
    assert customer.email_bounced_at is not None
    assert not customer.is_reachable
    assert not Customer.objects.reachable().filter(pk=customer.pk).exists()
    result = invitation_request(survey=SurveyFactory(), customer=customer)
    assert result.invitation.skip_reason == Invitation.SkipReason.BOUNCED


def test_a_temporary_refusal_is_no_bounce(smtp):
    customer = CustomerFactory()
    smtp.handler.temporary_failures_left = 1
    messages_send(message_ids=[queue_email(customer).pk])
    customer.refresh_from_db()
    assert customer.email_bounced_at is None


def test_a_refusal_of_an_address_the_customer_no_longer_has_marks_nothing(smtp):
    customer = CustomerFactory(email="old@example.com")
    email = queue_email(customer)
    Customer.objects.filter(pk=customer.pk).update(email="new@example.com")
    smtp.handler.refused_recipients.add("old@example.com")
    messages_send(message_ids=[email.pk])
    customer.refresh_from_db()
    assert customer.email_bounced_at is None


def test_a_new_address_clears_the_bounce():
    customer = CustomerFactory(email="old@example.com", email_bounced_at=timezone.now())
    services.customer_update(customer=customer, email="new@example.com")
    assert Customer.objects.get(pk=customer.pk).email_bounced_at is None
    other = CustomerFactory(external_id="crm-9", email_bounced_at=timezone.now())
    customer_from_contact(external_id="crm-9", email=other.email.upper())
    assert Customer.objects.get(pk=other.pk).email_bounced_at is not None
