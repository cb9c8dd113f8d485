"""One answer from an integration: find its survey and customer, then record
it through ``services.response_record``, idempotently per API client."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import services
from ..customers import CustomerConflict
from ..models import Channel, Customer, Response, Survey
from .parsing import CUSTOMER_ID_REFUSED

UNKNOWN_SURVEY = "No survey with the slug '{slug}'."

_CUSTOMER_DETAILS = ("email", "name", "external_id", "segment", "locale")


def response_ingest(
    *,
    survey: str,
    customer: Mapping,
    score: int,
    comment: str | None = "",
    submitted_at: datetime | None = None,
    idempotency_key: str | None = None,
    api_client=None,
    update_customers: bool = False,
) -> services.Recorded:
    """Record one answer from an integration: find the survey by slug, find or
    create the customer, and store the answer through
    ``services.response_record`` (which hands it over for routing on commit).

    A known idempotency key returns the stored answer before anything else is
    looked at or changed. Raises ``ValidationError`` with field paths
    (``survey``, ``customer.email`` ...) when the answer cannot be stored; then
    nothing was written. Idempotency keys are ``api_client``'s own. A stored
    customer's details change only with ``update_customers`` (the caller may
    write customers); a missing customer is always created.
    """
    key = (idempotency_key or "").strip() or None
    if key:
        existing = _stored_for(key, api_client)
        if existing is not None:
            return services.Recorded(existing, created=False)
    found = Survey.objects.filter(slug=survey).first()
    if found is None:
        raise ValidationError({"survey": UNKNOWN_SURVEY.format(slug=survey)})
    with transaction.atomic():
        # One transaction: a refused answer leaves no new or changed customer.
        return services.response_record(
            survey=found,
            customer=_customer_for(customer, update_existing=update_customers),
            score=score,
            comment=comment or "",
            channel=Channel.API,
            submitted_at=submitted_at,
            idempotency_key=key,
            api_client=api_client,
            idempotency_checked=True,
        )


def _stored_for(key: str, api_client) -> Response | None:
    """The answer a retry with this key means: the client's own, else one
    stored before keys were per client. At most one of each (unique
    constraints), picked here rather than by an ORDER BY, and without the
    survey: the look-up runs on every answer, a retry is rare."""
    found = list(Response.objects.filter(idempotency_key=key).keys_visible_to(api_client)[:2])
    own = [response for response in found if response.api_client_id is not None]
    return (own or found or [None])[0]


def _customer_for(reference: Mapping, *, update_existing: bool) -> Customer:
    # A database id would let a client that cannot read customers address
    # (and send an apology or a code to) any of them: details only.
    if reference.get("id") is not None:
        raise ValidationError({"customer.id": CUSTOMER_ID_REFUSED})
    try:
        customer, _created = services.customer_upsert(
            **{name: reference.get(name) or "" for name in _CUSTOMER_DETAILS},
            update_existing=update_existing,
        )
    except CustomerConflict as exc:
        raise CustomerConflict(_prefixed(exc, "customer")) from exc
    except ValidationError as exc:
        raise ValidationError(_prefixed(exc, "customer")) from exc
    return customer


def _prefixed(error: ValidationError, prefix: str) -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        return {prefix: list(error.messages)}
    return {
        prefix if field in ("__all__", "customer") else f"{prefix}.{field}": messages
        for field, messages in error.message_dict.items()
    }
