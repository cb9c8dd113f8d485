"""The receiving end of ``surveys.handoff``: what follows a recorded answer."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from .models import OutboundEmail


def enqueue_routing(response_ids: Sequence[int]) -> None:
    """Publish routing work in batches. A failure here loses nothing: the
    responses stay unrouted in the database and the sweeper finds them."""
    from .tasks import route_responses

    size = settings.NPS_ROUTING_BATCH_SIZE
    for start in range(0, len(response_ids), size):
        route_responses.delay(list(response_ids[start : start + size]))


def scrub_customer(customer_id: int) -> None:
    """Erasure: remove the customer's address and the text of every email to
    them, and cancel what was not sent yet."""
    with transaction.atomic():
        OutboundEmail.objects.filter(
            customer_id=customer_id, status__in=[OutboundEmail.Status.QUEUED]
        ).update(status=OutboundEmail.Status.FAILED, last_error="Customer erased before sending.")
        OutboundEmail.objects.filter(customer_id=customer_id).update(
            to_email="", subject="[erased]", body_text="[erased]", body_html=""
        )
