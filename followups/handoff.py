"""The receiving end of ``surveys.handoff``: what follows a recorded answer."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from followups import erasure
from followups.outbox.sms import unsent_sms_cancel
from followups.publish import responses_route_later, routing_run_request
from followups.webhooks.emit import Event, webhook_event_emit
from surveys.erasure import PersonalData
from surveys.models import Customer


def enqueue_routing(response_ids: Sequence[int]) -> None:
    """Publish routing work: a batch or more (a bulk import, the bulk API) as
    tasks of NPS_ROUTING_BATCH_SIZE ids; fewer answers (single submissions)
    are left to a coalesced run that routes every answer handed over
    meanwhile. A failure here loses nothing: the responses stay unrouted in
    the database and the sweeper finds them."""
    if len(response_ids) >= settings.NPS_ROUTING_BATCH_SIZE:
        responses_route_later(response_ids=response_ids)
    else:
        routing_run_request()


def scrub_customer(personal: PersonalData) -> None:
    """Erasure: remove what this side holds about the customer."""
    erasure.customer_scrub(personal=personal)
    now = timezone.now()
    customer_id = personal.customer_id
    webhook_event_emit(
        Event(
            "customer.erased",
            f"customer:{customer_id}:erased",
            now,
            {"customer": {"id": customer_id}, "erased_at": now},
        )
    )


def report_unsubscribed(customer: Customer) -> None:
    """A customer unsubscribed: the texts still waiting for them are
    cancelled, and the ``customer.unsubscribed`` webhook queued, in the
    unsubscribing transaction."""
    unsent_sms_cancel(customer_id=customer.pk)
    webhook_event_emit(
        Event(
            "customer.unsubscribed",
            f"customer:{customer.pk}:unsubscribed",
            customer.unsubscribed_at or timezone.now(),
            {"customer": customer, "unsubscribed_at": customer.unsubscribed_at},
        )
    )
