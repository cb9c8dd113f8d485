"""The one seam between answers and actions.

``surveys`` records answers and never imports ``followups``; what happens next
is named in settings (``NPS_HANDOFF``) and called from here, after the
recording transaction has committed. Nothing else crosses the boundary.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.utils.module_loading import import_string

from .erasure import PersonalData

logger = logging.getLogger(__name__)


def _hook(name: str):
    path = getattr(settings, "NPS_HANDOFF", {}).get(name)
    return import_string(path) if path else None


def response_recorded(response_ids: Sequence[int]) -> None:
    """Hand newly committed responses over for routing.

    Must never raise into the caller: the answer is already stored, and the
    routing sweeper picks up whatever this hand-off could not deliver.
    """
    hook = _hook("response_recorded")
    if hook is None or not response_ids:
        return
    try:
        hook(list(response_ids))
    except Exception:
        logger.warning(
            "Could not hand %d response(s) over for routing now; the sweeper will.",
            len(response_ids),
            exc_info=True,
        )


def customer_erased(personal: PersonalData) -> None:
    """Let the other side remove the customer's personal data it holds. Called
    inside the erasing transaction, and allowed to raise: an erasure that
    cannot be completed everywhere is not done anywhere."""
    hook = _hook("customer_erased")
    if hook is not None:
        hook(personal)


def customer_unsubscribed(customer) -> None:
    """Tell the other side a customer unsubscribed. Called inside the
    unsubscribing transaction (what it records commits with it, or neither does)."""
    hook = _hook("customer_unsubscribed")
    if hook is not None:
        hook(customer)
