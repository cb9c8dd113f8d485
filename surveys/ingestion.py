"""Answers and customer details arriving from integrations: one answer at a
time through the recording services, or up to a thousand in a few queries.

Both paths apply the same rules in the same order (idempotency key, survey,
customer, survey status, erasure, submission time) and report the same
messages, so a client sees one behaviour whichever endpoint it uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import fields as drf_fields
from rest_framework.settings import api_settings

from . import handoff, services, stats
from .models import Channel, Customer, Response, Survey
from .scores import ScoreInvalid, score_parse
from .text import single_line

MAX_BULK_ITEMS = 1000
MAX_SUBMISSION_SKEW = timedelta(minutes=5)  # as services.response_record allows
INGEST_ATTEMPTS = 3

# Field sizes of the ingestion payload (the model's, where there is one).
SURVEY_MAX_LENGTH = Survey._meta.get_field("slug").max_length
EMAIL_MAX_LENGTH = Customer._meta.get_field("email").max_length
NAME_MAX_LENGTH = Customer._meta.get_field("name").max_length
EXTERNAL_ID_MAX_LENGTH = Customer._meta.get_field("external_id").max_length
SEGMENT_MAX_LENGTH = Customer._meta.get_field("segment").max_length
LOCALE_MAX_LENGTH = 35  # a BCP 47 tag as a client may send it; normalized on the way in
COMMENT_MAX_LENGTH = Response._meta.get_field("comment").max_length
IDEMPOTENCY_KEY_MAX_LENGTH = Response._meta.get_field("idempotency_key").max_length

# Messages: DRF's own (lazy, so translated like every other API message) and
# the services' wording for the domain rules.
REQUIRED = drf_fields.Field.default_error_messages["required"]
NULL = drf_fields.Field.default_error_messages["null"]
BLANK = drf_fields.CharField.default_error_messages["blank"]
NOT_A_STRING = drf_fields.CharField.default_error_messages["invalid"]
TOO_LONG = drf_fields.CharField.default_error_messages["max_length"]
NOT_AN_OBJECT = "Invalid data. Expected a dictionary, but got {datatype}."
NOT_A_DATETIME = drf_fields.DateTimeField.default_error_messages["invalid"]
DATETIME_OUT_OF_RANGE = drf_fields.DateTimeField.default_error_messages["overflow"]
DATETIME_FORMAT_HINT = "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]"
NULL_CHARACTERS = ProhibitNullCharactersValidator.message
SURROGATES = "Surrogate characters are not allowed: U+{code_point:X}."
INVALID_EMAIL = drf_fields.EmailField.default_error_messages["invalid"]
UNKNOWN_SURVEY = "No survey with the slug '{slug}'."
CLOSED_SURVEY = "The survey '{slug}' is {status} and takes no answers."
CUSTOMER_ID_REFUSED = "Answers name their customer by email or external_id, never by database id."
IDENTITY_REQUIRED = "An email address or an external id is required."
NEW_CUSTOMER_NEEDS_EMAIL = "A new customer needs an email address."
EMAIL_TAKEN = "A customer with this email already exists."
ERASED_CUSTOMER = "This customer was erased; no answer can be added."
FUTURE_SUBMISSION = "The submission time is in the future."

_ACCEPTING = frozenset({Survey.Status.ACTIVE, Survey.Status.PAUSED})
_CUSTOMER_DETAILS = ("email", "name", "external_id", "segment", "locale")


# --- One answer -------------------------------------------------------------


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
        existing = (
            Response.objects.select_related("survey")
            .filter(idempotency_key=key)
            .filter(_keys_of(api_client))
            .order_by(F("api_client").asc(nulls_last=True))  # the client's own first
            .first()
        )
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
        )


def _keys_of(api_client) -> Q:
    """Whose idempotency keys a client's retry may hit: its own, then those of
    answers stored before keys were per client (no ``api_client``), so that a
    retry across that upgrade does not record the answer twice."""
    return Q(api_client=api_client) | Q(api_client__isnull=True)


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
    except services.CustomerConflict as exc:
        raise services.CustomerConflict(_prefixed(exc, "customer")) from exc
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


def customer_update(*, customer: Customer, **changes) -> Customer:
    """Change a customer's details as given (``None`` clears an optional one).
    An erased customer stays erased: nothing can be written back."""
    if "locale" in changes:
        changes["locale"] = services.normalize_locale(changes["locale"])
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.is_erased:
            raise ValidationError("This customer was erased and cannot be updated.")
        for name, value in changes.items():
            if name in ("name", "segment", "locale") and value is None:
                value = ""
            setattr(customer, name, value)
        customer.full_clean()
        try:
            with transaction.atomic():
                customer.save(update_fields=[*changes, "updated_at"])
        except IntegrityError:
            # Taken concurrently, after full_clean looked.
            raise ValidationError(
                {"__all__": "A customer with this email or external id already exists."}
            ) from None
    return customer


# --- Many answers -----------------------------------------------------------


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


CREATED, EXISTING, INVALID = "created", "existing", "invalid"
BULK_STATUSES = (CREATED, EXISTING, INVALID)


class _Item:
    __slots__ = (
        "comment",
        "email",
        "external_id",
        "idempotency_key",
        "index",
        "locale",
        "name",
        "score",
        "segment",
        "submitted_at",
        "survey",
    )


def responses_record_bulk(
    items: Sequence, *, api_client=None, update_customers: bool = False
) -> list[BulkResult]:
    """Record up to ``MAX_BULK_ITEMS`` answers in one transaction, with one
    result per item, in order.

    Each item has the shape of one API answer and follows the same rules as
    ``response_ingest``; an invalid item is reported and never blocks the
    others. Idempotency keys are ``api_client``'s own (as for one answer).
    Within the batch the first item with an idempotency key wins and
    later ones report ``existing``. Stored customers change only with
    ``update_customers`` (as for one answer). Surveys, customers and known
    keys are each read with one query; new customers and answers are written
    with ``bulk_create``; routing gets every new id in one hand-off after
    commit.
    """
    if len(items) > MAX_BULK_ITEMS:
        raise ValueError(f"At most {MAX_BULK_ITEMS} items per call.")
    results: list[BulkResult | None] = [None] * len(items)
    parsed: list[_Item] = []
    for index, raw in enumerate(items):
        item, errors = _parse_item(index, raw)
        if errors:
            results[index] = BulkResult(index, INVALID, errors=errors)
        else:
            parsed.append(item)
    for attempt in range(1, INGEST_ATTEMPTS + 1):
        try:
            for result in _record_parsed(parsed, api_client, update_customers):
                results[result.index] = result
            break
        except (IntegrityError, _ConcurrentChange):
            # Another request wrote the same key, email or external id between
            # our reads and our writes; everything here was rolled back, so
            # read again and redo the batch.
            if attempt == INGEST_ATTEMPTS:
                raise
    return results  # type: ignore[return-value]


class _ConcurrentChange(Exception):
    pass


def _record_parsed(items: list[_Item], api_client, update_customers: bool) -> list[BulkResult]:
    now = timezone.now()
    latest_allowed = now + MAX_SUBMISSION_SKEW
    surveys = {s.slug: s for s in Survey.objects.filter(slug__in={i.survey for i in items})}
    keys = {i.idempotency_key for i in items if i.idempotency_key}
    stored_keys = (
        {
            key: (pk, category)
            # Legacy rows (no api_client) first, so the client's own win.
            for key, pk, category in Response.objects.filter(
                _keys_of(api_client), idempotency_key__in=keys
            )
            .order_by(F("api_client").asc(nulls_first=True))
            .values_list("idempotency_key", "pk", "category")
        }
        if keys
        else {}
    )
    book = _CustomerBook.load(items)

    results: list[BulkResult] = []
    claimed: dict[str, _Item] = {}  # idempotency key -> the batch item that takes it
    duplicates: list[tuple[_Item, _Item]] = []
    accepted: list[tuple[_Item, _Customer, Survey, str, str]] = []
    for item in items:
        key = item.idempotency_key
        if key is not None:
            if key in stored_keys:
                pk, category = stored_keys[key]
                results.append(BulkResult(item.index, EXISTING, pk, category))
                continue
            if key in claimed:
                duplicates.append((item, claimed[key]))
                continue
        survey = surveys.get(item.survey)
        if survey is None:
            results.append(_invalid(item, "survey", UNKNOWN_SURVEY.format(slug=item.survey)))
            continue
        customer, change, errors = book.resolve(item)
        if errors:
            results.append(BulkResult(item.index, INVALID, errors=errors))
            continue
        if change and not update_customers:
            change = {}  # named, not changed: the caller may not write customers
        if survey.status not in _ACCEPTING:
            message = CLOSED_SURVEY.format(slug=survey.slug, status=survey.status)
            results.append(_invalid(item, "survey", message))
            continue
        if customer.erased_at is not None:
            results.append(_invalid(item, "customer", ERASED_CUSTOMER))
            continue
        if item.submitted_at is not None and item.submitted_at > latest_allowed:
            results.append(_invalid(item, "submitted_at", FUTURE_SUBMISSION))
            continue
        book.apply(customer, change)
        if key is not None:
            claimed[key] = item
        # Snapshots as services.response_record takes them, once the
        # customer's details from this item are applied.
        accepted.append((item, customer, survey, customer.segment, customer.locale))

    if not accepted:
        return results
    with transaction.atomic():
        book.save(now)
        rows = [
            Response(
                survey_id=survey.pk,
                customer_id=customer.pk,
                score=item.score,
                category=stats.classify(item.score),
                comment=item.comment,
                channel=Channel.API,
                submitted_at=item.submitted_at or now,
                segment=segment,
                locale=locale or survey.default_locale,
                idempotency_key=item.idempotency_key,
                api_client=api_client,
            )
            for item, customer, survey, segment, locale in accepted
        ]
        Response.objects.bulk_create(rows)
        new_ids = [row.pk for row in rows]
        transaction.on_commit(lambda: handoff.response_recorded(new_ids))

    by_item = {}
    for (item, *_), row in zip(accepted, rows, strict=True):
        by_item[id(item)] = row
        results.append(BulkResult(item.index, CREATED, row.pk, row.category))
    for item, winner in duplicates:
        row = by_item.get(id(winner))
        results.append(BulkResult(item.index, EXISTING, row.pk, row.category))
    return results


def _invalid(item: _Item, path: str, message: str) -> BulkResult:
    return BulkResult(item.index, INVALID, errors={path: [message]})


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
    COLUMNS = ("pk", "email", "name", "external_id", "segment", "locale", "erased_at")
    DETAILS = ("email", "name", "external_id", "segment", "locale")

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))

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
            lookup |= Q(email_lower__in=set(email_keys.values()))
        if external_ids:
            lookup |= Q(external_id__in=external_ids)
        if not lookup:
            return cls([], email_keys)
        rows = (
            Customer.objects.annotate(email_lower=Lower("email"))
            .filter(lookup)
            .values_list(*_Customer.COLUMNS, "email_lower")
        )
        columns = (*_Customer.COLUMNS, "email_lower")
        customers = [_Customer(**dict(zip(columns, row, strict=True))) for row in rows]
        return cls(customers, email_keys)

    def resolve(self, item: _Item):
        """``(customer, changes, errors)`` for one item, changing nothing yet;
        ``changes`` is None for a customer still to be created."""
        email, external_id = item.email, item.external_id
        if not email and not external_id:
            return None, None, {"customer.email": [IDENTITY_REQUIRED]}
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
                return None, None, {"customer.email": [NEW_CUSTOMER_NEEDS_EMAIL]}
            return _Customer(**fields, email_lower=self.email_keys[email]), None, None
        try:
            services.customer_identity_check(
                customer=customer, email=email, external_id=external_id
            )
        except services.CustomerConflict as exc:
            return None, None, _prefixed(exc, "customer")
        changes = {k: v for k, v in fields.items() if v and getattr(customer, k) != v}
        if "email" in changes:
            holder = self.by_email.get(self.email_keys[email])
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
                .filter(email_lower__in=[c.email_lower for c in self.new])
                .values_list("email_lower", "pk")
            )
            for customer in self.new:
                customer.pk = stored.get(customer.email_lower)
                if customer.pk is None:
                    # Skipped for its external id, taken in the meantime.
                    raise _ConcurrentChange
        by_fields: dict[tuple[str, ...], list[Customer]] = {}
        for pk, names in self.changed.items():
            by_fields.setdefault(tuple(sorted(names)), []).append(self.by_id[pk])
        for names, customers in by_fields.items():
            changed = []
            for customer in customers:
                row = customer.as_model(names)
                row.updated_at = now
                changed.append(row)
            Customer.objects.bulk_update(changed, [*names, "updated_at"])


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


# --- Reading one item -------------------------------------------------------
#
# Plain Python, because a thousand DRF serializer runs would cost more than the
# writes. The rules and messages are those of serializers.ResponseInSerializer;
# tests/api compare the two item by item.


def _parse_item(index: int, raw) -> tuple[_Item | None, dict[str, list[str]] | None]:
    if not isinstance(raw, dict):
        return None, {
            api_settings.NON_FIELD_ERRORS_KEY: [NOT_AN_OBJECT.format(datatype=type(raw).__name__)]
        }
    errors: dict[str, list] = {}
    item = _Item()
    item.index = index
    item.survey = _text(raw, "survey", "survey", errors, SURVEY_MAX_LENGTH, required=True)
    _parse_customer(raw, item, errors)
    item.score = _score(raw, errors)
    item.comment = _text(raw, "comment", "comment", errors, COMMENT_MAX_LENGTH) or ""
    item.submitted_at = _datetime(raw, "submitted_at", errors)
    item.idempotency_key = (
        _text(raw, "idempotency_key", "idempotency_key", errors, IDEMPOTENCY_KEY_MAX_LENGTH) or None
    )
    if errors:
        return None, {path: [str(m) for m in messages] for path, messages in errors.items()}
    return item, None


def _parse_customer(raw: dict, item: _Item, errors: dict) -> None:
    item.email = item.external_id = None
    item.name = item.segment = item.locale = ""
    if "customer" not in raw:
        errors["customer"] = [REQUIRED]
        return
    reference = raw["customer"]
    if reference is None:
        errors["customer"] = [NULL]
        return
    if not isinstance(reference, dict):
        errors["customer"] = [NOT_AN_OBJECT.format(datatype=type(reference).__name__)]
        return
    if reference.get("id") is not None:
        errors["customer.id"] = [CUSTOMER_ID_REFUSED]
    item.email = (
        _text(
            reference,
            "email",
            "customer.email",
            errors,
            EMAIL_MAX_LENGTH,
            check=_email,
            not_text=INVALID_EMAIL,  # DRF's EmailField says this for a non-string too
        )
        or None
    )
    item.name = (
        _text(reference, "name", "customer.name", errors, NAME_MAX_LENGTH, clean=single_line) or ""
    )
    item.external_id = (
        _text(reference, "external_id", "customer.external_id", errors, EXTERNAL_ID_MAX_LENGTH)
        or None
    )
    item.segment = (
        _text(
            reference, "segment", "customer.segment", errors, SEGMENT_MAX_LENGTH, clean=single_line
        )
        or ""
    )
    locale = _text(reference, "locale", "customer.locale", errors, LOCALE_MAX_LENGTH) or ""
    item.locale = services.normalize_locale(locale)


def _email(value: str) -> str | None:
    try:
        validate_email(value)
    except ValidationError:
        return INVALID_EMAIL
    return None


def _text(
    raw: dict,
    key: str,
    path: str,
    errors: dict,
    max_length: int,
    check=None,
    required=False,
    not_text=NOT_A_STRING,
    clean=None,
):
    """As a DRF ``CharField(allow_null=not required, allow_blank=not required)``,
    with ``check`` returning a message as one more validator, and ``clean``
    applied before validation (as ``SingleLineField`` does)."""
    if key not in raw:
        if required:
            errors[path] = [REQUIRED]
        return None
    value = raw[key]
    if value is None:
        if required:
            errors[path] = [NULL]
        return None
    if isinstance(value, str):
        value = value.strip()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value).strip()
    else:
        errors[path] = [not_text]
        return None
    if clean is not None:
        value = clean(value)
    if not value:
        if required:
            errors[path] = [BLANK]
        return ""
    messages = []
    if len(value) > max_length:
        messages.append(TOO_LONG.format(max_length=max_length))
    if "\x00" in value:
        messages.append(NULL_CHARACTERS)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            messages.append(SURROGATES.format(code_point=ord(exc.object[exc.start])))
    if check is not None and (message := check(value)):
        messages.append(message)
    if messages:
        errors[path] = messages
        return None
    return value


def _score(raw: dict, errors: dict):
    if "score" not in raw:
        errors["score"] = [REQUIRED]
        return None
    if raw["score"] is None:
        errors["score"] = [NULL]
        return None
    try:
        return score_parse(raw["score"])
    except ScoreInvalid as exc:
        errors["score"] = exc.messages
        return None


def _datetime(raw: dict, key: str, errors: dict) -> datetime | None:
    """As a DRF ``DateTimeField(allow_null=True, default_timezone=UTC)``."""
    value = raw.get(key)
    if value is None:
        return None
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    if parsed is None:
        errors[key] = [NOT_A_DATETIME.format(format=DATETIME_FORMAT_HINT)]
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        errors[key] = [DATETIME_OUT_OF_RANGE]
        return None
