"""The sender's bookkeeping on its rows: the claim, the "accepted" mark and
the "sent" mark, as ``followups.outbox.sending`` runs them for every batch.

On PostgreSQL each is a statement written once per process from the models,
its values sent apart from it (``nps_project.db.bound_cursor``): the text is
the same for every batch (ids go as one array), so psycopg prepares it and
PostgreSQL plans it once per connection, and no batch pays for the ORM
compiling a query. Compiling them was a tenth of the sender's CPU, the
"accepted" mark's ``CASE`` of ten moments most of all
(bench/results/loop-profile.md, round 5). Other databases (SQLite, the
embedded default) run the same changes through the ORM.

Rows are found by id alone, never by an index of their status: a status
that is checked is checked in Python on the locked row, or compared through
``lower()`` (which matches no index), so that in a burst, before the
statistics know of it, the planner does not read every pending row for ten
(``_status_is`` below).

tests/followups/outbox/test_ledger.py runs each on both paths and compares
what they leave.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import connection
from django.db.models import DateTimeField, F, Model
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from followups.models import OutboundMessage
from nps_project.db import bound_cursor

Status = OutboundMessage.Status


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


# The statements: table and column names from the models, quoted; every
# value a parameter (hence the ``noqa: S608`` on each).


def _q(name: str | None) -> str:
    # A table's, or a concrete field's column: never None.
    return connection.ops.quote_name(str(name))


def _column(model: type[Model], name: str) -> str:
    return _q(model._meta.get_field(name).column)  # type: ignore[union-attr]


def _rows(sql: str, params: Sequence) -> list[tuple]:
    with bound_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _run(sql: str, params: Sequence) -> None:
    with bound_cursor(connection) as cursor:
        cursor.execute(sql, params)


def _status_is(status: str) -> Exact:
    """``status = status`` that leaves the rows to be found by their keys.
    Written as it is, the condition lets the planner take an index of that
    status (the outbox's pending rows, the grants' by status and expiry),
    and in a burst, before the statistics know of it, each chunk of ten then
    reads every pending row. ``lower()`` of a status is the status (they are
    lowercase, ``GrantStatus`` and ``OutboundMessage.Status``) and matches
    no index."""
    return Exact(Lower("status"), status)


# --- Locking rows -------------------------------------------------------------


@functools.cache
def _lock_statement(fields: tuple[str, ...], skip_locked: bool) -> str:
    table = _q(OutboundMessage._meta.db_table)
    pk = _column(OutboundMessage, "id")
    columns = ", ".join(_column(OutboundMessage, name) for name in fields)
    # One lock order (the key's) for the sender and the sweeper.
    return (
        f"SELECT {columns} FROM {table} WHERE {pk} = ANY(%s) ORDER BY {pk} "  # noqa: S608
        f"FOR UPDATE{' SKIP LOCKED' if skip_locked else ''}"
    )


def rows_locked(
    message_ids: Sequence[int], fields: tuple[str, ...], *, skip_locked: bool = False
) -> list[tuple]:
    """``fields`` (attnames, ``id`` for the key) of these outbox rows, each
    locked for the caller's transaction, in key order. With ``skip_locked``,
    rows another transaction holds are left out rather than waited for."""
    if _postgresql():
        # Integers, text and moments (timestamptz, aware as the ORM reads
        # them): read as they are, no converter to run.
        return _rows(_lock_statement(fields, skip_locked), [list(message_ids)])
    return list(
        OutboundMessage.objects.select_for_update(skip_locked=skip_locked)
        .filter(pk__in=message_ids)
        .order_by("pk")
        .values_list(*fields)
    )


# --- Marking rows -------------------------------------------------------------


@functools.cache
def _claim_statement() -> str:
    table = _q(OutboundMessage._meta.db_table)
    status, claimed_at, lease, attempts = (
        _column(OutboundMessage, name)
        for name in ("status", "claimed_at", "lease_expires_at", "attempts")
    )
    return (
        f"UPDATE {table} SET {status} = %s, {claimed_at} = %s, {lease} = %s, "  # noqa: S608
        f"{attempts} = {attempts} + 1 WHERE {_column(OutboundMessage, 'id')} = ANY(%s)"
    )


def claimed_mark(message_ids: Sequence[int], *, at: datetime, lease_until: datetime) -> None:
    """These rows (locked, checked queued and due) are the caller's: "sending",
    claimed ``at``, leased until ``lease_until``, one more attempt."""
    if _postgresql():
        _run(_claim_statement(), [Status.SENDING, at, lease_until, list(message_ids)])
        return
    OutboundMessage.objects.filter(pk__in=message_ids).update(
        status=Status.SENDING,
        claimed_at=at,
        lease_expires_at=lease_until,
        attempts=F("attempts") + 1,
    )


@functools.cache
def _moments_statement(model: type[Model], key: str, field: str, also: tuple[str, ...]) -> str:
    table = _q(model._meta.db_table)
    assignments = ", ".join(
        [f"{_column(model, field)} = moments.at"]
        + [f"{_column(model, name)} = %s" for name in also]
    )
    return (
        f"UPDATE {table} SET {assignments} "  # noqa: S608
        "FROM unnest(%s::bigint[], %s::timestamptz[]) AS moments(key, at) "
        f"WHERE {table}.{_column(model, key)} = moments.key "
        f"AND lower({table}.{_column(model, 'status')}) = %s"
    )


def moments_set(
    model: type[Model],
    *,
    key: str,
    field: str,
    moments: Mapping[int, datetime],
    status: str,
    also: Mapping[str, object] | None = None,
) -> None:
    """Each row of ``model`` whose ``key`` is in ``moments`` and whose status is
    ``status`` gets its moment in ``field`` (and the values ``also``): one
    statement, whatever the number of rows."""
    also = dict(also or {})
    if _postgresql():
        sql = _moments_statement(model, key, field, tuple(also))
        _run(sql, [*also.values(), list(moments), list(moments.values()), status])
        return
    model._default_manager.filter(_status_is(status), **{f"{key}__in": list(moments)}).update(
        **{field: _moment_by(_column(model, key), moments)}, **also
    )


def _moment_by(column: str, moments: Mapping[int, datetime]) -> RawSQL:
    """An UPDATE's value per row, ``CASE column WHEN key THEN moment ... END``
    (the values read already: no subquery per row). Written out: Django
    resolves a ``When(pk=...)`` lookup by lookup."""
    adapt = connection.ops.adapt_datetimefield_value
    whens = " ".join(["WHEN %s THEN %s"] * len(moments))
    params = [value for key, at in moments.items() for value in (key, adapt(at))]
    # A quoted column name and placeholders: every value is a parameter.
    return RawSQL(  # noqa: S611
        f"CASE {column} {whens} END", params, output_field=DateTimeField()
    )


@functools.cache
def _sent_statement() -> str:
    table = _q(OutboundMessage._meta.db_table)
    return (
        f"UPDATE {table} SET {_column(OutboundMessage, 'status')} = %s, "  # noqa: S608
        f"{_column(OutboundMessage, 'last_error')} = '' "
        f"WHERE {_column(OutboundMessage, 'id')} = ANY(%s)"
    )


def sent_mark(message_ids: Sequence[int]) -> None:
    """These rows (locked, checked accepted) are "sent", with no error left."""
    if _postgresql():
        _run(_sent_statement(), [Status.SENT, list(message_ids)])
        return
    OutboundMessage.objects.filter(pk__in=message_ids).update(status=Status.SENT, last_error="")


def accepted_mark(accepted_at: Mapping[int, datetime]) -> None:
    """The far end took these messages ({id: when}): their ``sent_at``, if
    they are still "sending"."""
    moments_set(
        OutboundMessage, key="id", field="sent_at", moments=accepted_at, status=Status.SENDING
    )


def without_waiting_for_the_disk() -> None:
    """Let the current transaction commit without waiting for PostgreSQL to
    flush its log to disk (``synchronous_commit`` off for this transaction
    only, as ``SET LOCAL`` would: whatever pooler sits in between). Used for
    the sender's own bookkeeping (claim, "accepted", "sent"), where waiting
    would cost a disk flush per message, more than sending it. What it
    risks: if PostgreSQL itself crashes, the last fraction of a second of
    that bookkeeping is undone, and those emails go out once more, with the
    same Message-ID. Nothing is lost: the queued rows were committed,
    durably, by whoever queued them."""
    if _postgresql():
        # ``set_config``, not ``SET LOCAL``: a SELECT, so it is prepared too.
        _run("SELECT set_config('synchronous_commit', 'off', true)", [])
