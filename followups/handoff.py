"""The receiving end of ``surveys.handoff``: what follows a recorded answer."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from surveys.erasure import PersonalData

from . import erasure


def enqueue_routing(response_ids: Sequence[int]) -> None:
    """Publish routing work in batches. A failure here loses nothing: the
    responses stay unrouted in the database and the sweeper finds them."""
    from .tasks import route_responses

    size = settings.NPS_ROUTING_BATCH_SIZE
    for start in range(0, len(response_ids), size):
        route_responses.delay(list(response_ids[start : start + size]))


def scrub_customer(personal: PersonalData) -> None:
    """Erasure: remove what this side holds about the customer."""
    erasure.customer_scrub(personal=personal)
