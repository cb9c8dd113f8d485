"""Up to a thousand answers in a few queries, one result per item, under the
rules and messages of a single answer (``single.response_ingest``).

An invalid item is reported and never blocks the others. Surveys, customers
and known keys are each read with one query; new customers and answers are
written with ``bulk_create``; routing gets every new id in one hand-off after
commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from nps_project.api import field_errors
from nps_project.db import RowMaker
from nps_project.numbers import whole_number

from .. import handoff, services, stats
from ..customers import CustomerConflict, customer_identity_check, locale_normalize
from ..models import Channel, Customer, DriverChoice, Response, Survey
from .parsing import MAX_BULK_ITEMS, answers_read
from .single import UNKNOWN_SURVEY

INGEST_ATTEMPTS = 3
EMAIL_TAKEN = "A customer with this email already exists."

CREATED, EXISTING, INVALID = "created", "existing", "invalid"
BULK_STATUSES = (CREATED, EXISTING, INVALID)


@dataclass(frozen=True, slots=True)
class BulkResult:
    index: int
    status: str  # "created" | "existing" | "invalid"
    id: int | None = None
    category: str | None = None
    errors: Mapping[str, list[str]] | None = None

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "status": self.status,
            "id": self.id,
            "category": self.category,
            "errors": self.errors or {},
        }


@dataclass(slots=True)
class _Item:
    """One valid item, as the batch works with it."""

    index: int
    survey: str
    score: int
    email: str | None
    name: str
    external_id: str | None
    segment: str
    locale: str
    comment: str
    driver: str
    submitted_at: datetime | None
    idempotency_key: str | None

    @classmethod
    def of(cls, index: int, data: Mapping) -> _Item:
        customer = data["customer"]
        return cls(
            index=index,
            survey=data["survey"],
            score=data["score"],
            email=customer.get("email") or None,
            name=customer.get("name") or "",
            external_id=customer.get("external_id") or None,
            segment=customer.get("segment") or "",
            locale=locale_normalize(customer.get("locale")),
            comment=data.get("comment") or "",
            driver=str(data.get("driver") or "").strip(),
            submitted_at=data.get("submitted_at"),
            idempotency_key=data.get("idempotency_key") or None,
        )


def responses_ingest(
    *, items: Sequence, api_client=None, update_customers: bool = False
) -> list[BulkResult]:
    """Record up to ``MAX_BULK_ITEMS`` answers in one transaction, with one
    result per item, in order.

    Each item has the shape of one API answer and follows the same rules as
    ``response_ingest``. Idempotency keys are ``api_client``'s own (as for one
    answer). Within the batch the first item with an idempotency key wins and
    later ones report ``existing``. Stored customers change only with
    ``update_customers`` (as for one answer).
    """
    if len(items) > MAX_BULK_ITEMS:
        raise ValueError(f"At most {MAX_BULK_ITEMS} items per call.")
    results: list[BulkResult | None] = [None] * len(items)
    valid: list[_Item] = []
    for index, (data, errors) in enumerate(answers_read(items)):
        if errors:
            results[index] = BulkResult(index, INVALID, errors=errors)
        else:
            valid.append(_Item.of(index, data))  # type: ignore[arg-type]  # no errors: data
    for attempt in range(1, INGEST_ATTEMPTS + 1):
        try:
            batch = _Batch(valid, api_client=api_client, update_customers=update_customers)
            for result in batch.record():
                results[result.index] = result
            break
        except (IntegrityError, _ConcurrentChange):
            # Another request wrote the same key, email or external id between
            # our reads and our writes; everything here was rolled back, so
            # read again and redo the batch.
            if attempt == INGEST_ATTEMPTS:
                raise
    return results  # type: ignore[return-value]


# The columns of a stored answer, in the order _Batch._write gives them.
_RESPONSE_ROW = RowMaker(
    Response,
    (
        "survey_id",
        "customer_id",
        "score",
        "category",
        "comment",
        "driver_id",
        "channel",
        "submitted_at",
        "segment",
        "locale",
        "idempotency_key",
        "api_client_id",
    ),
)


class _ConcurrentChange(Exception):
    pass


class _Batch:
    """One attempt at recording the valid items: what the database holds for
    them, read once, and the fate of each item."""

    def __init__(self, items: list[_Item], *, api_client, update_customers: bool):
        self.items = items
        self.api_client = api_client
        self.update_customers = update_customers
        self.now = timezone.now()
        slugs = {i.survey for i in items}
        self.surveys = {s.slug: s for s in Survey.objects.filter(slug__in=slugs)}
        self.stored_keys = _stored_keys(items, api_client)
        self.book = _CustomerBook.load(items)
        self.results: list[BulkResult] = []
        self.claimed: dict[str, _Item] = {}  # idempotency key -> the item that takes it
        self.duplicates: list[tuple[_Item, _Item]] = []
        # Each with the customer's segment and locale as services.response_record
        # takes them: once this item's details are applied.
        self.accepted: list[tuple[_Item, _Customer, Survey, str, str]] = []
        self.drivers = _drivers_of(self.surveys.values())

    def record(self) -> list[BulkResult]:
        for item in self.items:
            self._sort(item)
        if self.accepted:
            self._write()
        return self.results

    def _sort(self, item: _Item) -> None:
        key = item.idempotency_key
        if key is not None and key in self.stored_keys:
            pk, category = self.stored_keys[key]
            self.results.append(BulkResult(item.index, EXISTING, pk, category))
            return
        if key is not None and key in self.claimed:
            self.duplicates.append((item, self.claimed[key]))
            return
        customer, change, errors = self._check(item)
        if errors:
            self.results.append(BulkResult(item.index, INVALID, errors=errors))
            return
        if change and not self.update_customers:
            change = {}  # named, not changed: the caller may not write customers
        self.book.apply(customer, change)
        if key is not None:
            self.claimed[key] = item
        survey = self.surveys[item.survey]
        self.accepted.append((item, customer, survey, customer.segment, customer.locale))

    def _check(self, item: _Item):
        """``(customer, changes, errors)``: the rules of one answer, in the
        order ``response_ingest`` applies them."""
        survey = self.surveys.get(item.survey)
        if survey is None:
            return None, None, {"survey": [UNKNOWN_SURVEY.format(slug=item.survey)]}
        if item.driver and self._driver_id(survey, item) is None:
            try:
                services.driver_choice_find(survey=survey, value=item.driver)
            except ValidationError as exc:
                return None, None, field_errors(exc)
        customer, change, errors = self.book.resolve(item)
        if errors:
            return None, None, errors
        try:
            services.answer_acceptable_check(
                survey=survey, customer=customer, submitted_at=item.submitted_at, now=self.now
            )
        except ValidationError as exc:
            return None, None, field_errors(exc)
        return customer, change, None

    def _write(self) -> None:
        client_id = self.api_client.pk if self.api_client is not None else None
        with transaction.atomic():
            self.book.save(self.now)
            rows = [
                _RESPONSE_ROW.make(
                    (
                        survey.pk,
                        customer.pk,
                        item.score,
                        stats.classify(item.score),
                        item.comment,
                        self._driver_id(survey, item),
                        Channel.API,
                        item.submitted_at or self.now,
                        segment,
                        locale or survey.default_locale,
                        item.idempotency_key,
                        client_id,
                    )
                )
                for item, customer, survey, segment, locale in self.accepted
            ]
            Response.objects.bulk_create(rows)
            new_ids = [row.pk for row in rows]
            transaction.on_commit(lambda: handoff.response_recorded(new_ids))
        by_item = {}
        for (item, *_), row in zip(self.accepted, rows, strict=True):
            by_item[id(item)] = row
            self.results.append(BulkResult(item.index, CREATED, row.pk, row.category))
        for item, winner in self.duplicates:
            row = by_item[id(winner)]
            self.results.append(BulkResult(item.index, EXISTING, row.pk, row.category))

    def _driver_id(self, survey: Survey, item: _Item) -> int | None:
        """The id of the active choice the item names (by key or id), if any."""
        if not item.driver:
            return None
        by_key, by_id = self.drivers.get(survey.pk, ({}, set()))
        if item.driver in by_key:
            return by_key[item.driver]
        pk = whole_number(item.driver)
        return pk if pk in by_id else None


def _drivers_of(surveys) -> dict[int, tuple[dict[str, int], set[int]]]:
    """The driver choices the batch's surveys offer, read once: survey id
    -> ({key: id}, {id}). A survey that asks no driver question offers none."""
    drivers: dict[int, tuple[dict[str, int], set[int]]] = {}
    rows = DriverChoice.objects.offered().filter(survey__in=[s.pk for s in surveys])
    for survey_id, key, pk in rows.values_list("survey_id", "key", "pk"):
        by_key, by_id = drivers.setdefault(survey_id, ({}, set()))
        by_key[key] = pk
        by_id.add(pk)
    return drivers


def _stored_keys(items: Sequence[_Item], api_client) -> dict[str, tuple[int, str]]:
    """The batch's idempotency keys already stored: key -> (id, category)."""
    keys = {i.idempotency_key for i in items if i.idempotency_key}
    if not keys:
        return {}
    return {
        key: (pk, category)
        # Legacy rows (no api_client) first, so the client's own win.
        for key, pk, category in Response.objects.keys_visible_to(api_client)
        .filter(idempotency_key__any=keys)
        .order_by(F("api_client").asc(nulls_first=True))
        .values_list("idempotency_key", "pk", "category")
    }


class _Customer:
    """A customer as a batch sees it: the columns it matches and snapshots,
    without the cost of a model instance per row."""

    __slots__ = (
        "email",
        "email_lower",
        "erased_at",
        "external_id",
        "locale",
        "name",
        "pk",
        "segment",
    )
    email: str | None
    email_lower: str | None
    erased_at: datetime | None
    external_id: str | None
    locale: str | None
    name: str | None
    pk: int | None
    segment: str | None
    COLUMNS = ("pk", "email", "name", "external_id", "segment", "locale", "erased_at")
    DETAILS = ("email", "name", "external_id", "segment", "locale")

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))

    @classmethod
    def of_row(cls, row: Sequence) -> _Customer:
        """One row of ``values_list(*COLUMNS, "email_lower")``."""
        customer = cls.__new__(cls)
        for name, value in zip((*cls.COLUMNS, "email_lower"), row, strict=True):
            setattr(customer, name, value)
        return customer

    def as_model(self, names=DETAILS) -> Customer:
        return Customer(pk=self.pk, **{name: getattr(self, name) for name in names})


class _CustomerBook:
    """The customers a batch names, read with one query and changed in memory
    exactly as ``services.customer_upsert`` would change them one item after
    another; ``save`` writes the new and the changed ones in bulk.

    Emails are matched on the database's own ``LOWER()`` (the unique index's
    expression), which for non-ASCII letters need not agree with Python's.
    """

    def __init__(self, customers: Sequence[_Customer], email_keys: dict[str, str]):
        self.email_keys = email_keys  # email as given -> LOWER(email)
        self.by_id = {c.pk: c for c in customers}
        self.by_email = {c.email_lower: c for c in customers if c.email}
        self.by_external_id = {c.external_id: c for c in customers if c.external_id}
        self.new: list[_Customer] = []
        self.changed: dict[int, set[str]] = {}

    @classmethod
    def load(cls, items: Sequence[_Item]) -> _CustomerBook:
        email_keys = _email_keys({i.email for i in items if i.email})
        external_ids = {i.external_id for i in items if i.external_id}
        lookup = Q()
        if email_keys:
            lookup |= Q(email_lower__any=set(email_keys.values()))
        if external_ids:
            lookup |= Q(external_id__any=external_ids)
        if not lookup:
            return cls([], email_keys)
        rows = (
            Customer.objects.annotate(email_lower=Lower("email"))
            .filter(lookup)
            .values_list(*_Customer.COLUMNS, "email_lower")
        )
        return cls([_Customer.of_row(row) for row in rows], email_keys)

    def resolve(self, item: _Item):
        """``(customer, changes, errors)`` for one item, changing nothing yet;
        ``changes`` is None for a customer still to be created."""
        email, external_id = item.email, item.external_id
        if not email and not external_id:
            return None, None, {"customer.email": [services.IDENTITY_REQUIRED]}
        customer = self.by_external_id.get(external_id) if external_id else None
        if customer is None and email:
            customer = self.by_email.get(self.email_keys[email])
        fields = {
            "email": email,
            "name": item.name,
            "external_id": external_id,
            "segment": item.segment,
            "locale": item.locale,
        }
        if customer is None:
            if not email:
                return None, None, {"customer.email": [services.NEW_CUSTOMER_NEEDS_EMAIL]}
            return _Customer(**fields, email_lower=self.email_keys[email]), None, None
        try:
            customer_identity_check(customer=customer, email=email, external_id=external_id)
        except CustomerConflict as exc:
            return None, None, field_errors(exc, "customer")
        changes = {k: v for k, v in fields.items() if v and getattr(customer, k) != v}
        if "email" in changes:
            holder = self.by_email.get(self.email_keys[email])  # type: ignore[index]  # changed: given
            if holder is not None and holder is not customer:
                return None, None, {"customer": [EMAIL_TAKEN]}
        return customer, changes, None

    def apply(self, customer: _Customer, changes: dict | None) -> None:
        if changes is None:
            self.new.append(customer)
        elif not changes:
            return
        else:
            if "email" in changes:
                self.by_email.pop(customer.email_lower, None)
                customer.email_lower = self.email_keys[changes["email"]]
            if "external_id" in changes and customer.external_id:
                self.by_external_id.pop(customer.external_id, None)
            for name, value in changes.items():
                setattr(customer, name, value)
            if customer.pk is not None:
                self.changed.setdefault(customer.pk, set()).update(changes)
        self.by_email[customer.email_lower] = customer
        if customer.external_id:
            self.by_external_id[customer.external_id] = customer

    def save(self, now: datetime) -> None:
        if self.new:
            Customer.objects.bulk_create(
                [customer.as_model() for customer in self.new], ignore_conflicts=True
            )
            # ignore_conflicts gives no ids back: read them by email. A row
            # skipped because another request has just created that customer
            # is found here too, and then it is that customer.
            stored = dict(
                Customer.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__any=[c.email_lower for c in self.new])
                .values_list("email_lower", "pk")
            )
            for customer in self.new:
                customer.pk = stored.get(customer.email_lower)
                if customer.pk is None:
                    # Skipped for its external id, taken in the meantime.
                    raise _ConcurrentChange
        by_fields: dict[tuple[str, ...], list[_Customer]] = {}
        for pk, names in self.changed.items():
            by_fields.setdefault(tuple(sorted(names)), []).append(self.by_id[pk])
        for fields, customers in by_fields.items():
            changed = []
            for book_customer in customers:
                row = book_customer.as_model(fields)
                row.updated_at = now
                changed.append(row)
            Customer.objects.bulk_update(changed, [*fields, "updated_at"])


def _email_keys(emails: set[str]) -> dict[str, str]:
    """Each email's ``LOWER()`` as the database computes it: in Python for
    ASCII (every database agrees), by asking the database otherwise."""
    keys = {email: email.lower() for email in emails if email.isascii()}
    others = [email for email in emails if not email.isascii()]
    for start in range(0, len(others), 500):
        chunk = others[start : start + 500]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["LOWER(%s)"] * len(chunk)), chunk)
            keys.update(zip(chunk, cursor.fetchone(), strict=True))
    return keys
