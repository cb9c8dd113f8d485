"""Up to a thousand invitations in one request, one result per item, under
the rules and messages of a single one (``requests.invitation_ask``), in a
handful of queries whatever the number of items.

Each item is read by the single invitation's serializer, so an invalid one is
reported with the same messages and never blocks the others. The surveys, the
idempotency keys already used, the customers the items name (by external id,
email and phone), their row locks and their throttle are each read with one
query for the whole batch; new customers and the invitations are written with
``bulk_create``; only a stored customer whose details change is saved on its
own. Items are matched in order, as if sent one after the other: a later item
finds the customer an earlier one created, is throttled by an earlier one's
invitation, and reports ``existing`` for a key an earlier one took. The batch
is one transaction; if a concurrent request wrote the same customer or key
meanwhile, it is read again and redone. The invitations due now are published
once it commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from followups.invitations.requests import (
    UNKNOWN_SURVEY,
    _prefixed,
    _request_check,
    due_time,
    send_time,
    skip_reason_for,
)
from followups.invitations.serializers import InvitationBulkItemSerializer, InvitationSerializer
from followups.invitations.waves import _with_throttle
from followups.publish import SEND_INVITATIONS, chunked, tasks_publish_on_commit
from nps_project.api import field_errors, flatten_errors
from surveys.customers import (
    ContactLookup,
    CustomerConflict,
    contact_fields_clean,
    contact_match,
)
from surveys.ingestion.parsing import MAX_BULK_ITEMS
from surveys.models import ApiKey, Channel, Customer, Invitation, Survey

CREATED, EXISTING, SKIPPED, INVALID = "created", "existing", "skipped", "invalid"
STATUSES = (CREATED, EXISTING, SKIPPED, INVALID)
BATCH_ATTEMPTS = 3
_CONTACT_DETAILS = ("email", "phone", "name", "external_id", "segment", "locale", "time_zone")


@dataclass(frozen=True, slots=True)
class BulkResult:
    index: int
    status: str
    invitation: Invitation | None = None
    errors: Mapping[str, list[str]] | None = None

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "status": self.status,
            "invitation": (InvitationSerializer(self.invitation).data if self.invitation else None),
            "errors": self.errors or {},
        }


def _read(raw) -> tuple[Mapping | None, dict[str, list[str]] | None]:
    item = InvitationBulkItemSerializer(data=raw)
    if item.is_valid():
        return item.validated_data, None
    return None, flatten_errors(item.errors)


def invitations_ask(
    *, items: Sequence, api_client: ApiKey | None = None, update_customers: bool = False
) -> list[BulkResult]:
    """Store up to ``MAX_BULK_ITEMS`` invitations, each as ``invitation_ask``
    would (stored customers change only with ``update_customers``), in one
    transaction; returns one result per item, in order."""
    if len(items) > MAX_BULK_ITEMS:
        raise ValueError(f"At most {MAX_BULK_ITEMS} items per call.")
    results: dict[int, BulkResult] = {}
    valid: list[tuple[int, Mapping]] = []
    for index, (data, errors) in enumerate(_read(raw) for raw in items):
        if data is None:
            results[index] = BulkResult(index, INVALID, errors=errors)
        else:
            valid.append((index, data))
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                batch = _Batch(valid, api_client=api_client, update_customers=update_customers)
                results.update(batch.ask())
            break
        except IntegrityError:
            # A concurrent request stored the same customer or key between our
            # reads and our writes; all of this batch was rolled back: redo it.
            if attempt == BATCH_ATTEMPTS:
                raise
    return [results[index] for index in range(len(items))]


class _BatchLookup(ContactLookup):
    """The customers the batch names, read with one query per identifier, and
    those the batch itself creates, found by the items after them."""

    def __init__(self, fields: list[Mapping[str, str | None]]) -> None:
        external_ids = {f["external_id"] for f in fields if f["external_id"]}
        emails = {f["email"].lower() for f in fields if f["email"]}
        phones = {f["phone"] for f in fields if f["phone"]}
        self.external_ids: dict[str, Customer] = {
            c.external_id or "": c for c in Customer.objects.filter(external_id__in=external_ids)
        }
        with_emails = Customer.objects.alias(email_lower=Lower("email")).filter(
            email_lower__in=emails
        )
        self.emails: dict[str, Customer] = {(c.email or "").lower(): c for c in with_emails}
        self.phones: dict[str, Customer] = {
            c.phone or "": c for c in Customer.objects.filter(phone__in=phones)
        }
        # One object per row, whichever identifier found it: changes made for
        # one item are seen by the next.
        rows: dict[int, Customer] = {}
        for index in (self.external_ids, self.emails, self.phones):
            for key, customer in index.items():
                index[key] = rows.setdefault(customer.pk, customer)

    def by_external_id(self, external_id: str) -> Customer | None:
        return self.external_ids.get(external_id)

    def by_email(self, email: str) -> Customer | None:
        return self.emails.get(email.lower())

    def by_phone(self, phone: str) -> Customer | None:
        return self.phones.get(phone)

    def remember(self, customer: Customer) -> None:
        if customer.external_id:
            self.external_ids[customer.external_id] = customer
        if customer.email:
            self.emails[customer.email.lower()] = customer
        if customer.phone:
            self.phones[customer.phone] = customer


@dataclass
class _Item:
    index: int
    data: Mapping
    survey: Survey
    key: str | None
    customer: Customer
    due: datetime
    invitation: Invitation | None = None


class _Batch:
    """One attempt at storing the valid items."""

    def __init__(self, items: list[tuple[int, Mapping]], *, api_client, update_customers):
        self.items = items
        self.api_client = api_client
        self.update_customers = update_customers
        self.now = timezone.now()
        slugs = {data["survey"] for _, data in items}
        self.surveys = {s.slug: s for s in Survey.objects.filter(slug__in=slugs)}
        self.stored = self._stored_keys()
        self.results: dict[int, BulkResult] = {}

    def _stored_keys(self) -> dict[str, Invitation]:
        keys = {k for _, data in self.items if (k := _key(data))}
        if not keys or self.api_client is None:
            return {}
        stored: dict[str, Invitation] = {}
        for invitation in (
            Invitation.objects.filter(
                api_client__user_id=self.api_client.user_id, idempotency_key__in=keys
            )
            .select_related("survey")
            .order_by("-pk")
        ):
            stored[invitation.idempotency_key] = invitation  # type: ignore[index]  # filtered on it
        return stored

    def ask(self) -> dict[int, BulkResult]:
        fields = self._contacts_clean()
        lookup = _BatchLookup(list(fields.values()))
        taken: dict[str, int] = {}  # idempotency key -> the item that takes it
        accepted: list[_Item] = []
        changed: dict[int, tuple[Customer, set[str]]] = {}
        for index, data in self.items:
            if index in self.results:
                continue
            key = _key(data)
            if key and key in taken:
                continue  # settled below, by the item that took it
            item = self._item(index, data, fields[index], lookup, changed)
            if item is not None:
                accepted.append(item)
                if key:
                    taken[key] = index
        self._customers_save(accepted, changed)
        self._invitations_store(accepted)
        self._same_keys_settle(taken, {item.index: item for item in accepted})
        return self.results

    def _contacts_clean(self) -> dict[int, Mapping[str, str | None]]:
        """Each item's contact details, cleaned; items with a known key or bad
        details get their result here."""
        fields: dict[int, Mapping[str, str | None]] = {}
        for index, data in self.items:
            key = _key(data)
            if key and key in self.stored:
                self.results[index] = BulkResult(index, EXISTING, self.stored[key])
                continue
            details = data["customer"]
            try:
                fields[index] = contact_fields_clean(
                    **{name: details.get(name) for name in _CONTACT_DETAILS}
                )
            except ValidationError as exc:
                self.results[index] = BulkResult(index, INVALID, errors=_prefixed(exc, "customer"))
        return fields

    def _item(self, index, data, contact, lookup: _BatchLookup, changed) -> _Item | None:
        survey = self.surveys.get(data["survey"])
        try:
            if survey is None:
                raise ValidationError({"survey": UNKNOWN_SURVEY.format(slug=data["survey"])})
            _request_check(survey=survey, channel=data.get("channel") or Channel.EMAIL)
            match = contact_match(contact, lookup=lookup, update_existing=self.update_customers)
        except CustomerConflict as exc:
            self.results[index] = BulkResult(index, INVALID, errors=_prefixed(exc, "customer"))
            return None
        except ValidationError as exc:
            errors = field_errors(exc)
            if "survey" not in errors and "channel" not in errors:
                errors = _prefixed(exc, "customer")
            self.results[index] = BulkResult(index, INVALID, errors=errors)
            return None
        customer = match.customer
        if match.created:
            lookup.remember(customer)
        elif match.changed:
            lookup.remember(customer)
            changed.setdefault(id(customer), (customer, set()))[1].update(match.changed)
        return _Item(index, data, survey, _key(data), customer, self._due(data))

    def _due(self, data: Mapping) -> datetime:
        return due_time(send_time(data, self.now), self.now)

    def _customers_save(self, accepted: list[_Item], changed) -> None:
        """Create the new customers in one statement, and save the stored ones
        whose details changed (checked as a single request checks them: an
        item whose change breaks a rule is refused, and the customer kept as
        stored)."""
        new: dict[int, Customer] = {}
        for item in accepted:
            if item.customer.pk is None:
                new.setdefault(id(item.customer), item.customer)
        refused: dict[int, dict[str, list[str]]] = {}
        for key, customer in list(new.items()):
            try:
                customer.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                refused[key] = _prefixed(exc, "customer")
                del new[key]
        # In one order for every batch (by email), so two batches writing the
        # same customers wait for each other instead of deadlocking.
        Customer.objects.bulk_create(sorted(new.values(), key=lambda c: (c.email or "").lower()))
        for key, (customer, fields) in sorted(
            changed.items(), key=lambda entry: entry[1][0].pk or 0
        ):
            try:
                customer.full_clean()
            except ValidationError as exc:
                refused[key] = _prefixed(exc, "customer")
                continue
            customer.save(update_fields=[*fields, "updated_at"])
        for item in list(accepted):
            errors = refused.get(id(item.customer))
            if errors is not None:
                self.results[item.index] = BulkResult(item.index, INVALID, errors=errors)
                accepted.remove(item)

    def _invitations_store(self, accepted: list[_Item]) -> None:
        """Lock the customers, judge each item's reach and throttle (an earlier
        item's invitation throttles a later one), and store the invitations."""
        stored_ids = sorted({item.customer.pk for item in accepted})
        locked = Customer.objects.select_for_update().filter(pk__in=stored_ids).order_by("pk")
        fresh = {customer.pk: customer for customer in locked}
        throttled = self._throttled(accepted)
        invited: set[int] = set()
        invitations = []
        for item in accepted:
            customer = fresh.get(item.customer.pk, item.customer)
            reason = skip_reason_for(customer, item.data.get("channel") or Channel.EMAIL)
            if not reason and (
                customer.pk in invited or (item.survey.pk, customer.pk) in throttled
            ):
                reason = Invitation.SkipReason.THROTTLED
            if not reason:
                invited.add(customer.pk)
            item.invitation = Invitation(
                survey=item.survey,
                customer=customer,
                channel=item.data.get("channel") or Channel.EMAIL,
                created_at=self.now,
                scheduled_at=item.due,
                skip_reason=reason,
                properties=item.data.get("properties") or {},
                api_client=self.api_client,
                idempotency_key=item.key,
            )
            item.invitation.prepare_token(now=item.due)
            invitations.append(item.invitation)
        Invitation.objects.bulk_create(invitations)
        due_now = [
            invitation.pk
            for item, invitation in zip(accepted, invitations, strict=True)
            if not invitation.skip_reason and item.due <= self.now
        ]
        tasks_publish_on_commit(
            SEND_INVITATIONS,
            [(chunk,) for chunk in chunked(due_now, settings.NPS_INVITATION_CHUNK_SIZE)],
            what="invitation sending task(s)",
        )
        for item in accepted:
            status = SKIPPED if item.invitation.skip_reason else CREATED  # type: ignore[union-attr]
            self.results[item.index] = BulkResult(item.index, status, item.invitation)

    def _throttled(self, accepted: list[_Item]) -> set[tuple[int, int]]:
        """(survey id, customer id) of the items whose customer was asked, or
        answered, within the survey's throttle days: one query per survey."""
        by_survey: dict[int, tuple[Survey, set[int]]] = {}
        for item in accepted:
            if item.customer.pk is not None:
                by_survey.setdefault(item.survey.pk, (item.survey, set()))[1].add(item.customer.pk)
        throttled: set[tuple[int, int]] = set()
        for survey, customer_ids in by_survey.values():
            marks = _with_throttle(
                Customer.objects.filter(pk__in=customer_ids), survey=survey, now=self.now
            ).values_list("pk", "recently_invited", "recently_answered")
            throttled.update(
                (survey.pk, pk) for pk, invited, answered in marks if invited or answered
            )
        return throttled

    def _same_keys_settle(self, taken: dict[str, int], accepted: dict[int, _Item]) -> None:
        """An item whose key an earlier item of the batch took: that item's
        invitation (``existing``), or its errors."""
        for index, data in self.items:
            key = _key(data)
            if index in self.results or not key or key not in taken:
                continue
            first = self.results[taken[key]]
            if first.invitation is not None:
                self.results[index] = BulkResult(index, EXISTING, first.invitation)
            else:
                self.results[index] = BulkResult(index, INVALID, errors=first.errors)


def _key(data: Mapping) -> str | None:
    return (data.get("idempotency_key") or "").strip() or None
