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

``bound_cursor``: a cursor that sends its values apart from the statement,
so psycopg prepares a statement the connection has run ``prepare_threshold``
times (settings) and PostgreSQL plans it once per connection. The hot paths'
statements written once per process go through it (``surveys.answer_sql``,
``followups.outbox.ledger``); the ORM's queries keep their values quoted in.
"""

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import DataError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model
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
