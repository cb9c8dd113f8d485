"""One answer from an integration: find its survey and customer, then record
it through ``services.response_record``, idempotently per API client."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Subquery

from .. import services
from ..answer_sql import answer_lookup
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
    driver: str | None = None,
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
    read = _looked_up(survey, key, api_client, customer)
    existing = _stored(read.stored_id)
    if existing is not None:
        return services.Recorded(existing, created=False)
    found = read.survey
    if found is None:
        raise ValidationError({"survey": UNKNOWN_SURVEY.format(slug=survey)})
    choice = services.driver_choice_find(survey=found, value=driver)
    match = _customer_match(customer, update_existing=update_customers, read=read)

    def record(customer: Customer, customer_lock=None) -> services.Recorded:
        return services.response_record(
            survey=found,
            customer=customer,
            score=score,
            comment=comment or "",
            driver=choice,
            channel=Channel.API,
            submitted_at=submitted_at,
            idempotency_key=key,
            api_client=api_client,
            idempotency_checked=True,
            customer_lock=customer_lock,
        )

    if match.customer is not None and not match.writes:
        # The customer stays as stored: the answer's insert is the only write,
        # and it takes the customer's row locked (on PostgreSQL in the same
        # statement, else in a transaction of its own): an erasure committed
        # since the match is refused, not answered for.
        return record(match.customer, customer_lock=lambda: _customer_locked(match))
    with transaction.atomic():
        # One transaction: a refused answer leaves no new or changed customer.
        with _customer_errors():
            written, _created = services.customer_match_apply(match)
        return record(written)


@dataclass(frozen=True)
class _Read:
    """What the answer needs from the database before anything is checked:
    the survey, the id of the answer a retry with the key means, and (when
    ``identifiers`` says with which email and external id it was looked for)
    the customer."""

    survey: Survey | None
    stored_id: int | None
    customer: Customer | None = None
    identifiers: tuple[str | None, str | None] | None = None


def _looked_up(slug: str, key: str | None, api_client, reference: Mapping) -> _Read:
    """On PostgreSQL one statement (``answer_sql.answer_lookup``), compiled
    once: every answer pays for the key's look-up and a retry is rare. The
    ORM's queries elsewhere; there the customer is looked up by the match."""
    if connection.vendor == "postgresql":
        email, external_id = services.customer_identifiers(
            email=reference.get("email"), external_id=reference.get("external_id")
        )
        found = answer_lookup(
            slug=slug, key=key, api_client=api_client, email=email, external_id=external_id
        )
        return _Read(found.survey, found.stored_id, found.customer, (email, external_id))
    survey, stored_id = _survey_and_stored(slug, key, api_client)
    return _Read(survey, stored_id if survey is not None else _stored_id_for(key, api_client))


def _survey_and_stored(slug: str, key: str | None, api_client) -> tuple[Survey | None, int | None]:
    """The survey, and the id of the answer a retry with ``key`` means, in one
    query. The client's own answer comes before one stored before keys were
    per client (at most one of each, by unique constraints)."""
    surveys = Survey.objects.filter(slug=slug)
    if key:
        stored = (
            Response.objects.filter(idempotency_key=key)
            .keys_visible_to(api_client)
            .order_by(F("api_client").asc(nulls_last=True))
            .values("pk")[:1]
        )
        surveys = surveys.annotate(stored_id=Subquery(stored))
    found = surveys.first()
    return found, getattr(found, "stored_id", None)


def _stored(pk: int | None) -> Response | None:
    # Deleted in between (a customer's rows removed): the answer is recorded anew.
    if pk is None:
        return None
    return Response.objects.select_related("survey").filter(pk=pk).first()


def _stored_id_for(key: str | None, api_client) -> int | None:
    """The id of the answer a retry with this key means when no survey has
    the slug given (a retry is answered with its stored answer whatever else
    it says, as ``_survey_and_stored`` does when the survey is there): the
    client's own, else one stored before keys were per client."""
    if not key:
        return None
    matches = list(
        Response.objects.filter(idempotency_key=key)
        .keys_visible_to(api_client)
        .values_list("pk", "api_client_id")[:2]
    )
    if not matches:
        return None
    own = [pk for pk, client in matches if client is not None]
    return own[0] if own else matches[0][0]


def _customer_match(
    reference: Mapping, *, update_existing: bool, read: _Read
) -> services.CustomerMatch:
    # A database id would let a client that cannot read customers address
    # (and send an apology or a code to) any of them: details only.
    if reference.get("id") is not None:
        raise ValidationError({"customer.id": CUSTOMER_ID_REFUSED})

    def find(*, email: str | None, external_id: str | None) -> Customer | None:
        if read.identifiers == (email, external_id):
            return read.customer  # read with the survey, by the same identifiers
        return services.customer_find(email=email, external_id=external_id)

    with _customer_errors():
        return services.customer_match(
            **{name: reference.get(name) or "" for name in _CUSTOMER_DETAILS},
            update_existing=update_existing,
            find=find,
        )


def _customer_locked(match: services.CustomerMatch) -> Customer:
    with _customer_errors():
        return services.customer_match_locked(match)


@contextmanager
def _customer_errors():
    """A customer's errors under ``customer`` in the answer's field paths."""
    try:
        yield
    except CustomerConflict as exc:
        raise CustomerConflict(_prefixed(exc, "customer")) from exc
    except ValidationError as exc:
        raise ValidationError(_prefixed(exc, "customer")) from exc


def _prefixed(error: ValidationError, prefix: str) -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        return {prefix: list(error.messages)}
    return {
        prefix if field in ("__all__", "customer") else f"{prefix}.{field}": messages
        for field, messages in error.message_dict.items()
    }
