"""The receiving end of ``surveys.handoff``: what follows a recorded answer."""

from __future__ import annotations

from collections.abc import Sequence

from followups import erasure
from followups.publish import responses_route_later
from surveys.erasure import PersonalData


def enqueue_routing(response_ids: Sequence[int]) -> None:
    """Publish routing work in batches. A failure here loses nothing: the
    responses stay unrouted in the database and the sweeper finds them."""
    responses_route_later(response_ids=response_ids)


def scrub_customer(personal: PersonalData) -> None:
    """Erasure: remove what this side holds about the customer."""
    erasure.customer_scrub(personal=personal)
