"""Reports and exports read from a PostgreSQL replica when one is configured.

``DATABASE_REPLICA_URL`` adds a ``replica`` database alias (streaming
replication of the primary, read-only). Only code that says so reads from it:
a view, an API method or a command wrapped in ``replica_reads`` (a decorator
and a context manager) marks its reads as report reads, and ``ReplicaRouter``
sends them to the replica. Everything else, every write and every migration
goes to ``default``, the primary.

Inside a ``replica_reads`` block, a read stays on the primary when:

- it happens inside a transaction on the primary (``transaction.atomic``):
  a transaction sees its own rows, and only the primary has them;
- the block has already written (read-your-writes): after the first write,
  every later read of the block goes to the primary, for a replica lags by
  the time it takes to replay the write. Appending to the audit trail
  (``JOURNAL_MODELS``) does not count: no report reads it back, and an export
  records itself before its rows are streamed;
- the model is one of access and identity (``PRIMARY_ONLY_APPS`` and
  ``PRIMARY_ONLY_MODELS``): users, groups, sessions, API keys, lockouts.
  Authentication and permissions always see the latest grant or revocation.

A block opened inside another (a view calling a decorated helper) is the
outer block: a write in either keeps the later reads of both on the primary.

Read-your-writes also holds across requests of one browser: a request that
wrote to the primary (a case closed, a wave sent) sets a short-lived cookie,
and for ``NPS_REPLICA_PIN_SECONDS`` (default 5) that browser's reports read
the primary too (``ReplicaPinMiddleware``): the dashboard a manager opens right
after closing a case counts it, however far behind the replica is. A client
that forges the cookie only chooses the primary, which it may read anyway.
API clients hold no cookie: an API write and a report read that must see it
are two requests a client spaces by the replica's lag, or reads back the row it
wrote (those reads are on the primary).

A streamed export runs its query after the view has returned, outside the
block: ``pinned(queryset)`` fixes the alias while the block is still open.

A replica that cannot be connected to sends the reads to the primary, with a
warning, for ``REPLICA_RETRY_SECONDS``; then it is tried again.

Without ``DATABASE_REPLICA_URL`` there is no ``replica`` alias and the router
answers ``default`` for everything: the code paths are the same.
``NPS_REPLICA_READS=0`` sends every read back to the primary (a replica too
far behind) without removing the alias.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import ContextDecorator
from contextvars import ContextVar, Token
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase

REPLICA = "replica"
# Identity and access: never read from a copy that may lag.
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "admin", "contenttypes", "axes", "authtoken"})
PRIMARY_ONLY_MODELS = frozenset({"surveys.apikey", "followups.staffprofile"})
# Append-only journals that no replica read depends on.
JOURNAL_MODELS = frozenset({"surveys.auditevent"})

Q = TypeVar("Q", bound=QuerySet)
# A replica that cannot be reached: its reads go to the primary, and it is
# tried again (and the warning logged again) after this many seconds.
REPLICA_RETRY_SECONDS = 10.0
_replica_down_until = 0.0  # time.monotonic()

logger = logging.getLogger(__name__)


class _Block:
    """One ``replica_reads`` block: whether it has written yet."""

    __slots__ = ("wrote",)

    def __init__(self) -> None:
        self.wrote = False


_block: ContextVar[_Block | None] = ContextVar("replica_reads", default=None)


class _Request:
    """One request seen by ``ReplicaPinMiddleware``: whether its browser is
    pinned to the primary, and whether the request has written."""

    __slots__ = ("pinned", "wrote")

    def __init__(self, *, pinned: bool) -> None:
        self.pinned = pinned
        self.wrote = False


_request: ContextVar[_Request | None] = ContextVar("replica_pin", default=None)
# The cookie's value is the Unix time the pin ends; its max-age says the same.
PIN_COOKIE = "nps_primary_until"


def replica_configured() -> bool:
    """Whether report reads may go to the replica: the alias exists and
    NPS_REPLICA_READS (on when DATABASE_REPLICA_URL is set) allows it."""
    return settings.NPS_REPLICA_READS and REPLICA in settings.DATABASES


class replica_reads(ContextDecorator):
    """Mark the reads of a report, a dashboard or an export as replica reads."""

    def __init__(self) -> None:
        self._tokens: list[Token] = []

    def _recreate_cm(self) -> replica_reads:
        # One instance decorates a view that threads may run at once: each
        # call gets its own block.
        return type(self)()

    def __enter__(self) -> replica_reads:
        # A block inside another is part of it: a write of either sends the
        # reads of both to the primary (read-your-writes).
        self._tokens.append(_block.set(_block.get() or _Block()))
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _block.reset(self._tokens.pop())


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


def _may_use_replica(model: type[Model]) -> bool:
    return not (model._meta.app_label in PRIMARY_ONLY_APPS or _label(model) in PRIMARY_ONLY_MODELS)


def reads_alias(model: type[Model]) -> str:
    """The alias a read of ``model`` goes to, here and now."""
    block = _block.get()
    if block is None or block.wrote or not replica_configured():
        return DEFAULT_DB_ALIAS
    request = _request.get()
    if request is not None and (request.pinned or request.wrote):
        return DEFAULT_DB_ALIAS
    if not _may_use_replica(model) or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if _replica_reachable() else DEFAULT_DB_ALIAS


def _replica_reachable() -> bool:
    """Whether the replica connection is open or opens. Not: a warning, and
    the primary for ``REPLICA_RETRY_SECONDS`` (a report is slower, not a 500)."""
    global _replica_down_until
    now = time.monotonic()
    if now < _replica_down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except OperationalError as exc:
        _replica_down_until = now + REPLICA_RETRY_SECONDS
        logger.warning(
            "The read replica is unreachable (%s): reports read the primary for %s s.",
            exc,
            REPLICA_RETRY_SECONDS,
        )
        return False
    return True


def pinned(queryset: Q) -> Q:
    """``queryset`` bound to the alias its reads go to now: for a query that
    runs later (a streamed export), after the ``replica_reads`` block."""
    return queryset.using(reads_alias(queryset.model))


class ReplicaRouter:
    """DATABASE_ROUTERS entry: report reads to the replica, the rest to default."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return reads_alias(model)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        if _label(model) not in JOURNAL_MODELS:
            block = _block.get()
            if block is not None:
                block.wrote = True
            request = _request.get()
            # A session, a key's last use, a login attempt: no report reads
            # them back, so they pin nothing.
            if request is not None and _may_use_replica(model):
                request.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Rows read from the replica are rows of the primary.
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _pinned_by_cookie(request: HttpRequest) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "")) > time.time()
    except ValueError:
        return False


class ReplicaPinMiddleware:
    """Keeps a browser's reports on the primary for ``NPS_REPLICA_PIN_SECONDS``
    after one of its requests wrote there (read-your-writes across requests).
    Does nothing when no replica is configured or the setting is 0."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = settings.NPS_REPLICA_PIN_SECONDS
        if not seconds or not replica_configured():
            return self.get_response(request)
        state = _Request(pinned=_pinned_by_cookie(request))
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if state.wrote:
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response
