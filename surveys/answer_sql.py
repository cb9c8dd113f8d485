"""One API answer's look-up and insert on PostgreSQL as two statements written
once per process from the models, instead of six compiled by the ORM per answer.

``answer_lookup``: the survey by slug, the id of the answer a retry with the
idempotency key means (the client's own, else one stored before keys were per
client) and the customer the details name (by external id, else by email,
case-insensitively), in one ``SELECT``. ``answer_insert_guarded``: the
answer's ``INSERT``, in autocommit when no transaction is open, which takes the
customer's row locked (as ``services.customer_match_locked`` does) and only
while it is as the look-up read it: not erased, the same email and external
id. An answer it does not insert (a key stored meanwhile, a customer erased or
changed since) is left to the ORM's path to explain or record.

Both bind their values on the server (``bound_cursor``), so psycopg prepares
them once a connection has run them ``prepare_threshold`` times (settings):
PostgreSQL then plans each once per connection, not once per answer; planning
the look-up cost it three times what running it does.

The look-up reads of the survey and the customer only the columns an answer
uses (``SURVEY_READ``, ``CUSTOMER_READ``): each column read costs a loader
and a conversion per answer, and most of the survey's are its wording. The
others are deferred, as ``QuerySet.only`` leaves them, read on first use.

The look-up, an answer's first statement, is also the request's health check
of a kept connection (``CONN_HEALTH_CHECKS``): Django's ``SELECT 1`` is not
sent before it, and a connection it finds dead is replaced and the look-up
sent again (``_read_as_health_check``).

tests/surveys/test_answer_sql.py proves both against the ORM's statements,
and that no answer through the API reads a column left out.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connection,
    connections,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.expressions import Col

from nps_project.db import bound_cursor

from .models import Customer, Response, Survey

# What the answer's checks (``ingestion.single``, ``services.response_record``),
# its row, its reply and the guarded insert use of the survey and the customer.
SURVEY_READ = ("id", "slug", "status", "kind", "default_locale", "driver_question")
CUSTOMER_READ = (
    "id",
    "email",
    "name",
    "external_id",
    "segment",
    "locale",
    "time_zone",
    "erased_at",
)


@dataclass(frozen=True)
class Found:
    """What ``answer_lookup`` read: each None when there is none."""

    survey: Survey | None
    stored_id: int | None
    customer: Customer | None


def answer_lookup(
    *, slug: str, key: str | None, api_client, email: str | None, external_id: str | None
) -> Found:
    """The survey, the stored answer's id and the customer, in one statement
    (PostgreSQL only). ``email`` and ``external_id`` as ``customer_match``
    cleans them (None: not given)."""
    sql, survey_part, customer_part = _lookup_statement()
    params = {
        "slug": slug,
        "key": key,
        "client": api_client.pk if api_client is not None else None,
        "email": email,
        "external_id": external_id,
    }
    db = connections[DEFAULT_DB_ALIAS]
    (row,) = _read_as_health_check(db, sql, params)  # one, whatever was found
    survey_values = row[: len(survey_part)]
    customer_values = row[len(survey_part) : len(survey_part) + len(customer_part)]
    return Found(
        survey=_instance(Survey, survey_part, survey_values, db),
        stored_id=row[-1],
        customer=_instance(Customer, customer_part, customer_values, db),
    )


def answer_insert_guarded(response: Response, *, matched: Customer) -> bool:
    """Insert ``response`` (unsaved, checked) unless its idempotency key is
    taken or ``matched``, its customer as the look-up read it, was erased,
    deleted or given another email or external id since; the customer's row
    is locked for the insert, as an erasure locks it, so an erasure either
    waits for the answer and scrubs it, or is seen and refused. Returns
    whether it inserted (then ``response`` has its id)."""
    sql, fields = _insert_statement()
    db = connections[DEFAULT_DB_ALIAS]
    values = [field.get_db_prep_save(field.pre_save(response, True), db) for field in fields]
    with bound_cursor(db) as cursor:
        cursor.execute(sql, [matched.pk, matched.email, matched.external_id, *values])
        row = cursor.fetchone()
    if row is None:
        return False
    response.pk = row[0]
    response._state.adding = False
    response._state.db = db.alias
    return True


def _read_as_health_check(db: BaseDatabaseWrapper, sql: str, params) -> list[tuple]:
    """The rows of ``sql``, a read, sent as the request's health check too.

    With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` on a kept
    connection before the first statement of a request; the look-up is the
    first statement of an answer, so it goes instead, and if it finds the
    connection dead, the connection is closed and the look-up runs once more
    on a new one, as after a failed check: one round trip per answer fewer
    (the answer then had three: the check, the look-up and the insert). Not
    inside a transaction, nor once the request's check was made."""
    # The stubs do not declare the health check's attributes (Django 4.1).
    checking = (
        db.connection is not None
        and db.health_check_enabled  # type: ignore[attr-defined]
        and not db.health_check_done  # type: ignore[attr-defined]
        and not db.in_atomic_block
    )
    if checking:
        db.health_check_done = True  # type: ignore[attr-defined]  # this statement is the check
    try:
        return _fetched(db, sql, params)
    except (OperationalError, InterfaceError):
        # A statement's own error on a live connection is the caller's.
        if not checking or db.is_usable():
            raise
    db.close()
    return _fetched(db, sql, params)


def _fetched(db: BaseDatabaseWrapper, sql: str, params) -> list[tuple]:
    with bound_cursor(db) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- The statements, built once ---------------------------------------------

M = TypeVar("M", bound=Model)

# A model's columns as the statement reads them: (field, its column, converters).
_Part = tuple[tuple[Field, Col, list], ...]


def _q(name: str | None) -> str:
    # A table's, or a concrete field's column: never None.
    return connection.ops.quote_name(str(name))


def _part(model: type[Model], alias: str, names: tuple[str, ...]) -> tuple[str, _Part]:
    """The model's columns ``names`` under ``alias``, in the model's order (as
    ``Model.from_db`` takes them), and how each value read is converted to
    Python (as the ORM's compiler converts it)."""
    fields = [f for f in model._meta.concrete_fields if f.attname in names]
    if len(fields) != len(names):
        raise ImproperlyConfigured(f"{model.__name__} has no column among {names}")
    part = []
    for field in fields:
        column = field.get_col(alias)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        part.append((field, column, converters))
    return ", ".join(f"{alias}.{_q(f.column)}" for f in fields), tuple(part)


def _instance(model: type[M], part: _Part, values, db: BaseDatabaseWrapper) -> M | None:
    if values[0] is None:  # the primary key: no row
        return None
    converted = []
    for (_field, column, converters), value in zip(part, values, strict=True):
        for converter in converters:
            value = converter(value, column, db)
        converted.append(value)
    return model.from_db(db.alias, [field.attname for field, *_ in part], converted)


@functools.cache
def _lookup_statement() -> tuple[str, _Part, _Part]:
    survey_columns, survey_part = _part(Survey, "s", SURVEY_READ)
    customer_columns, customer_part = _part(Customer, "c", CUSTOMER_READ)
    responses, customers = _q(Response._meta.db_table), _q(Customer._meta.db_table)
    # Identifiers from the models, every value a parameter.
    sql = f"""
        SELECT {survey_columns}, {customer_columns}, (
            SELECT r.id FROM {responses} r
            WHERE r.idempotency_key = %(key)s
              AND (r.api_client_id = %(client)s OR r.api_client_id IS NULL)
            ORDER BY r.api_client_id ASC NULLS LAST
            LIMIT 1
        )
        FROM (SELECT 1) AS one
        LEFT JOIN {_q(Survey._meta.db_table)} s ON s.slug = %(slug)s
        LEFT JOIN (
            SELECT * FROM {customers}
            WHERE {customers}.external_id = %(external_id)s
               OR LOWER({customers}."email") = LOWER(%(email)s)  -- the unique index's expression
            ORDER BY CASE WHEN {customers}.external_id = %(external_id)s THEN 0 ELSE 1 END
            LIMIT 1
        ) c ON TRUE
    """  # noqa: S608
    return sql, survey_part, customer_part


@functools.cache
def _insert_statement() -> tuple[str, tuple[Field, ...]]:
    # The columns Django's own INSERT names: not the key, none generated.
    fields = tuple(
        f
        for f in Response._meta.local_concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    )
    columns = ", ".join(_q(f.column) for f in fields)
    # Values sent apart are typed by their columns only in a VALUES list; in
    # this SELECT's an untyped one (a string, a None) would be text. Cast to
    # the column's type without its length: a cast to varchar(10) cuts a
    # longer value short, where the insert refuses it.
    values = ", ".join(f"CAST(%s AS {_unsized(f.cast_db_type(connection))})" for f in fields)
    # Identifiers from the models, every value a parameter.
    sql = f"""
        WITH customer AS (
            SELECT id FROM {_q(Customer._meta.db_table)}
            WHERE id = %s AND erased_at IS NULL
              AND email IS NOT DISTINCT FROM %s AND external_id IS NOT DISTINCT FROM %s
            FOR NO KEY UPDATE
        )
        INSERT INTO {_q(Response._meta.db_table)} ({columns})
        SELECT {values} FROM customer
        ON CONFLICT DO NOTHING
        RETURNING id
    """  # noqa: S608
    return sql, fields


def _unsized(db_type: str | None) -> str:
    """``varchar(10)`` -> ``varchar``; ``numeric(10, 2)`` -> ``numeric``."""
    return re.sub(r"\(\s*\d+(\s*,\s*\d+)?\s*\)$", "", str(db_type))
