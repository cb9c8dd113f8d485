"""Database helpers of the batch paths, where a thousand rows go in or out per call.

``field__any=values``: the rows ``field__in=values`` finds, asked for with one
array parameter on PostgreSQL (``field = ANY(%s)``) instead of one placeholder
per value.

A batch of a thousand answers looks up a thousand idempotency keys and a
thousand emails. With ``__in`` each value is a placeholder of its own that the
driver splices into the statement text and the server parses, plans and
compares one by one: measured on such a batch, about three times the time of
the same rows fetched with ``= ANY(array)``. Other databases, subqueries and
values that are expressions keep ``__in``'s SQL, so the lookup means the same
thing everywhere.

``RowMaker``: unsaved model instances from tuples of values, built through
``Model.__init__``'s positional path, which costs half its keyword path.

``ArrayTextDumper``: lists written as PostgreSQL array literals, as psycopg's
own text dumper writes them, with quotes and backslashes escaped by
``bytes.replace``. Django's bulk insert sends every column as one array
(``UNNEST``), and psycopg escapes each element with a regular expression whose
replacement refers to a group: a Python call per quote. The outbox's HTML
bodies have dozens of quotes each: with this dumper, routing a batch takes
about a tenth less CPU (bench/results/loop-profile.md, round 4).

``TimestamptzLoader``: ``timestamp with time zone`` values read as Django
reads them (the wall time in the connection's zone, with Django's tzinfo),
parsed by psycopg's C loader. Django's own loader subclasses psycopg's
Python one, the only one that can be subclassed: about 5 µs a value, and
sending one email read fourteen (bench/results/loop-profile.md, round 5).

``rows_insert``: unsaved instances stored as ``bulk_create`` stores them
on PostgreSQL (one ``INSERT ... SELECT * FROM UNNEST``), a column at a time:
a column whose values are plain (text, integers, booleans, aware moments,
NULL) goes as it is, where Django prepares every value through its field,
a dozen calls each; the statement is the same for every batch of a model,
so it is prepared. A wave stores two rows per customer this way.

``bound_cursor``: a cursor that sends its values apart from the statement,
so psycopg prepares a statement the connection has run ``prepare_threshold``
times (settings) and PostgreSQL plans it once per connection. The hot paths'
statements written once per process go through it (``surveys.answer_sql``,
``followups.outbox.ledger``); the ORM's queries keep their values quoted in.
"""

import contextlib
import datetime
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import DataError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper
from django.db.models import DateField, Field, Model
from django.db.models.lookups import In
from django.utils.datastructures import OrderedSet
from psycopg.adapt import Loader
from psycopg.types.array import ListBinaryDumper, ListDumper

M = TypeVar("M", bound=Model)


@Field.register_lookup
class AnyOf(In):
    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return self.as_sql(compiler, connection)
        try:
            values = OrderedSet(self.rhs)
            values.discard(None)  # NULL equals nothing, as for __in
        except TypeError:  # unhashable values
            values = [value for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        sqls, params = self.batch_process_rhs(compiler, connection, values)
        if any(sql != "%s" for sql in sqls):  # an expression among the values
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(params))


class RowMaker(Generic[M]):
    """Make unsaved ``model`` instances whose fields ``names`` (attnames, such
    as ``survey_id``) take the values given, and every other field its
    default, as ``model(**dict(zip(names, values)))`` would.

    A callable default (``timezone.now``, ``dict``) is called for each row, so
    no two rows share a mutable value.
    """

    def __init__(self, model: type[M], names: Sequence[str]):
        fields = model._meta.concrete_fields
        position = {field.attname: index for index, field in enumerate(fields)}
        unknown = set(names) - position.keys()
        if unknown:
            raise ValueError(f"{model.__name__} has no concrete fields {sorted(unknown)}.")
        self.model = model
        self.slots = [position[name] for name in names]
        self.template: list = [None] * len(fields)
        self.per_row: list[tuple[int, Callable]] = []
        for index, field in enumerate(fields):
            if field.attname in names:
                continue
            if field.has_default() and callable(field.default):
                self.per_row.append((index, field.get_default))
            else:
                self.template[index] = field.get_default()

    def make(self, values: Iterable) -> M:
        row = self.template.copy()
        for index, value in zip(self.slots, values, strict=True):
            row[index] = value
        for index, default in self.per_row:
            row[index] = default()
        return self.model(*row)


class ArrayTextDumper(ListDumper):
    """psycopg's ``ListDumper``, byte for byte (tests compare the two on any
    nesting of strings, numbers and NULLs), with cheaper escaping."""

    def _dump_list(self, obj, tokens, needs_quotes) -> None:
        if not obj:
            tokens.append(b"{}")
            return
        dump = self.sub_dumper.dump if self.sub_dumper else self._dump_item
        delimiter = self.delimiter
        tokens.append(b"{")
        for item in obj:
            if item is None:
                tokens.append(b"NULL")
            elif isinstance(item, list):
                self._dump_list(item, tokens, needs_quotes)
            elif (dumped := dump(item)) is None:
                tokens.append(b"NULL")
            else:
                if needs_quotes(dumped):
                    escaped = bytes(dumped).replace(b"\\", b"\\\\").replace(b'"', b'\\"')
                    dumped = b'"' + escaped + b'"'
                tokens.append(dumped)
            tokens.append(delimiter)
        tokens[-1] = b"}"


def arrays_dumped_fast(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """On each new PostgreSQL connection (``connection_created``): lists in
    text format through ``ArrayTextDumper``. The binary dumper is registered
    again after it, then the text one, in psycopg's own order, so that a
    ``%s`` placeholder picks the format it picked before."""
    adapters = getattr(connection.connection, "adapters", None)
    if connection.vendor != "postgresql" or adapters is None:
        return
    adapters.register_dumper(list, ListBinaryDumper)
    adapters.register_dumper(list, ArrayTextDumper)


# psycopg's own loader of timestamptz text: its C one when installed
# (``psycopg[binary]``, ``psycopg[c]``), else its Python one.
_PARSER = psycopg.adapters.get_loader(
    psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT
)


class TimestamptzLoader(Loader):
    """Django's loader of timestamptz text (``psycopg_any.BaseTzLoader``), the
    same values, the same tzinfo: psycopg's parse, then ``timezone`` put in
    place of the session's zone (they name the same zone: Django sets the
    session's). Django reads ``timezone`` to know that the loader is its."""

    timezone = None

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        self._parse = _PARSER(oid, context).load  # type: ignore[misc]

    def load(self, data):
        return self._parse(data).replace(tzinfo=self.timezone)


def timestamps_loaded_fast(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """On each new PostgreSQL connection (``connection_created``): its
    timestamptz text read by ``TimestamptzLoader`` in the zone Django's own
    loader gives (``connection.timezone``)."""
    adapters = getattr(connection.connection, "adapters", None)
    if connection.vendor != "postgresql" or adapters is None:
        return
    loader = type(
        "ConnectionTimestamptzLoader", (TimestamptzLoader,), {"timezone": connection.timezone}
    )
    adapters.register_loader("timestamptz", loader)


# The values a column of these fields takes as they are, by their exact type:
# what the field's ``get_db_prep_save`` returns unchanged on PostgreSQL.
_PLAIN_VALUES: dict[str, tuple[type, ...]] = {
    "CharField": (str,),
    "TextField": (str,),
    "EmailField": (str,),
    "SlugField": (str,),
    "URLField": (str,),
    "IntegerField": (int,),
    "BigIntegerField": (int,),
    "SmallIntegerField": (int,),
    "PositiveIntegerField": (int,),
    "PositiveSmallIntegerField": (int,),
    "PositiveBigIntegerField": (int,),
    "BooleanField": (bool,),
    "DateTimeField": (datetime.datetime,),
}


@functools.cache
def _insert_plan(model: type[Model], db_alias: str) -> tuple[str, tuple[Field, ...]] | None:
    """The statement inserting ``model``'s rows and its fields, or None when
    ``bulk_create`` has to do it (no auto key, a key or value the database
    returns besides it, a field UNNEST cannot carry)."""
    from django.db import connections
    from django.db.models.fields import AutoFieldMixin

    db = connections[db_alias]
    meta = model._meta
    pk = meta.pk
    if db.vendor != "postgresql" or not isinstance(pk, AutoFieldMixin):
        return None
    fields = tuple(f for f in meta.concrete_fields if not f.generated and f is not pk)
    if any(f.db_returning for f in fields) or any(hasattr(f, "get_placeholder") for f in fields):
        return None
    types = []
    for field in fields:
        target = field.target_field if field.is_relation else field
        if target.get_internal_type() not in db.data_types:
            return None
        types.append(field.db_type(db).split("(")[0])
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    arrays = ", ".join(f"(%s)::{db_type}[]" for db_type in types)
    table = quote(meta.db_table)
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model, values parameters
        f"SELECT * FROM UNNEST({arrays}) RETURNING {table}.{quote(pk.column)}"
    )
    return sql, fields


class _Unplain(Exception):
    """A value ``rows_insert`` leaves to ``bulk_create`` (an expression)."""


def _pre_save_matters(field: Field) -> bool:
    """Whether the field's ``pre_save`` may give another value than the
    instance holds (``auto_now``, ``auto_now_add``, a field of its own)."""
    if isinstance(field, DateField):
        return bool(field.auto_now or field.auto_now_add)
    return type(field).pre_save is not Field.pre_save


def _column(field: Field, objs: Sequence[Model], db: BaseDatabaseWrapper) -> list:
    """The values of ``field`` for ``objs``, as ``bulk_create`` sends them."""
    if field.is_relation:
        values = [_related_id(field, obj) for obj in objs]
        if all(value is None or type(value) is int for value in values):
            return values
        return [field.get_db_prep_save(value, connection=db) for value in values]
    plain = _PLAIN_VALUES.get(field.get_internal_type())
    if plain and not _pre_save_matters(field):
        values = [getattr(obj, field.attname) for obj in objs]
        if all(value is None or type(value) in plain for value in values) and (
            plain[0] is not datetime.datetime
            or all(value is None or value.tzinfo is not None for value in values)
        ):
            return values
    values = [field.pre_save(obj, True) for obj in objs]
    if any(hasattr(value, "resolve_expression") for value in values):
        raise _Unplain
    return [field.get_db_prep_save(value, connection=db) for value in values]


def _related_id(field: Field, obj: Model):
    """A foreign key's value as ``bulk_create`` takes it: the id set, else the
    id of the related object given (which must have been saved since)."""
    value = getattr(obj, field.attname)
    if value is None and field.is_cached(obj):  # type: ignore[attr-defined]
        related = field.get_cached_value(obj)  # type: ignore[attr-defined]
        if related is not None:
            if related.pk is None:
                raise ValueError(
                    f"bulk_create() prohibited to prevent data loss due to unsaved "
                    f"related object '{field.name}'."
                )
            value = related.pk
            setattr(obj, field.attname, value)
    return value


def rows_insert(objs: Sequence[M]) -> list[M]:
    """Store unsaved instances of one model, without keys, as
    ``Model.objects.bulk_create(objs)`` does (and through it, where this
    cannot: another database, a field UNNEST cannot carry, an expression
    among the values). Each gets its key. Returns ``objs``."""
    from django.db import connections, router

    if not objs:
        return list(objs)
    model = type(objs[0])
    db_alias = router.db_for_write(model)
    plan = _insert_plan(model, db_alias)
    if plan is None or any(obj.pk is not None or type(obj) is not model for obj in objs):
        return model._default_manager.bulk_create(objs)
    sql, fields = plan
    db = connections[db_alias]
    try:
        columns = [_column(field, objs, db) for field in fields]
    except _Unplain:
        return model._default_manager.bulk_create(objs)
    with bound_cursor(db) as cursor:
        cursor.execute(sql, columns)
        keys = cursor.fetchall()
    for obj, (key,) in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = db_alias
    return list(objs)


class _DebugCursor(CursorDebugWrapper):
    """Logs a statement with its values written in, as Django logs every
    statement under its ``server_side_binding`` option: psycopg keeps no text
    of a prepared statement's run for Django's usual way to read it."""

    def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
        if use_last_executed_query:
            # A value psycopg cannot write in: the statement as written.
            with contextlib.suppress(DataError):
                sql = self.db.ops.compose_sql(sql, params)
        return super().debug_sql(sql, params, use_last_executed_query=False, many=many)


@contextmanager
def bound_cursor(db: BaseDatabaseWrapper) -> Iterator[CursorWrapper]:
    """A cursor that sends the values apart from the statement (as Django's
    own ``server_side_binding`` option does for every query): one psycopg can
    prepare. PostgreSQL only. Connected, checked and wrapped as
    ``connection.cursor()`` is; the ORM's queries keep quoting their values
    into the text."""
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    # The stubs declare the class without psycopg's cursor it subclasses.
    bound = ServerBindingCursor(db.connection)  # type: ignore[call-arg]
    wrapper = _DebugCursor if db.queries_logged else CursorWrapper
    with wrapper(bound, db) as cursor:
        yield cursor
