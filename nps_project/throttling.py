"""Request rates counted as one number per client and window, not as a list
of every request time.

DRF's ``SimpleRateThrottle`` keeps the time of every request of the window
in the cache and reads and writes the whole list on each request: at a high
rate that is hundreds of pickled floats a request. Here each rate has a
counter per fixed window (``INCR`` and ``EXPIRE``; on Redis one pipeline for
all of a request's rates), and the rate over the last ``duration`` seconds is
estimated from the current window's count and the previous one's, weighted
by how much of the previous window that sliding duration still covers (the
approximation rate limiters commonly use; it takes the previous window's
requests as spread evenly).

A refused request is taken back out of the counts, as DRF records only the
requests it lets through. A cache that does not answer raises, as DRF's
throttles do: no request is let through uncounted.

On Redis, a process takes a busy client's counts a block at a time (a
``Lease``: 1% of the rate, at most 32), and only while the whole block fits
under the rate; the requests the block covers need no round trip. Near the
limit blocks do not fit, and each request is counted on its own, as above.
So no more than the rate is ever let through; the price is that counts one
process took and has not used yet count against the client in the others
(at most 1% of the rate per other process), and a block's unused counts are
given back when its window ends.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


@dataclass(frozen=True)
class Rate:
    """``num_requests`` per ``duration`` seconds, counted under ``name`` (a
    rate's name in ``DEFAULT_THROTTLE_RATES``: ``user``, ``ingest``...)."""

    name: str
    num_requests: int
    duration: int


@dataclass(frozen=True)
class Window:
    """One rate's counts for one client: the current window's (the request
    being checked included, under cache key ``key``) and the previous one's."""

    rate: Rate
    key: str
    current: int
    previous: int
    elapsed: float  # seconds since the current window began

    @property
    def estimate(self) -> float:
        """Requests in the last ``duration`` seconds, this one included."""
        share = 1 - self.elapsed / self.rate.duration
        return self.previous * share + self.current

    @property
    def allows(self) -> bool:
        return self.estimate <= self.rate.num_requests

    def wait(self) -> float:
        """Seconds until a request would be let through if no other came in
        meanwhile (the refused one not counted)."""
        limit, duration = self.rate.num_requests, self.rate.duration
        counted = self.current - 1
        if counted < limit and self.previous:
            # Later in this window, once enough of the previous one slid out.
            slid_out = 1 - (limit - 1 - counted) / self.previous
            return max(duration * slid_out - self.elapsed, 0.001)
        # In the next window, whose previous window is this one.
        slid_out = 1 - (limit - 1) / counted if counted else 0.0
        return duration - self.elapsed + duration * max(slid_out, 0.0)


def windows_count(cache: BaseCache, rates: dict[str, Rate], now: float) -> list[Window]:
    """Count one request at ``now`` against each of ``rates`` (the client's
    cache key for a rate -> the rate) in a cache other than Redis (local
    memory in development and tests; Redis: ``leased_count``) and return each
    rate's windows. A window's counter lives two durations: while it is the
    current or the previous window."""
    planned = []
    for key, rate in rates.items():
        index = math.floor(now / rate.duration)
        planned.append((rate, f"{key}_{index}", f"{key}_{index - 1}", now - index * rate.duration))
    keys = [(current, previous, rate.duration * 2) for rate, current, previous, _ in planned]
    counts = _count(cache, keys)
    return [
        Window(rate, current_key, current, previous, elapsed)
        for (rate, current_key, _, elapsed), (current, previous) in zip(
            planned, counts, strict=True
        )
    ]


def windows_uncount(cache: BaseCache, windows: Sequence[Window]) -> None:
    """Take a refused request back out of the windows it was counted in."""
    for window in windows:
        # Expired meanwhile: nothing left to take back.
        with contextlib.suppress(ValueError):
            cache.decr(window.key)


# The Redis client of each of the caches' connection pools (see _redis_client).
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _redis_client(cache: RedisCache):
    """The cache's Redis client for writes, made once per connection pool:
    Django's ``get_client`` makes a new one for every call, and redis-py
    builds its table of reply handlers in each (a third of the throttle's
    CPU). A client is safe to share: each command or pipeline takes its own
    connection from the pool."""
    backend = cache._cache
    pool = backend._get_connection_pool(write=True)  # type: ignore[attr-defined]  # Django's own
    client = _clients.get(pool)
    if client is None:
        # The client class get_client makes (redis.Redis).
        client = _clients[pool] = backend._client(connection_pool=pool)  # type: ignore[attr-defined]
    return client


def _count(cache: BaseCache, keys: list[tuple[str, str, int]]) -> list[tuple[int, int]]:
    # Any other cache (local memory in development and tests): its own add
    # and incr, atomic each.
    previous = cache.get_many([prev for _, prev, _ in keys])
    counts = []
    for current, prev, timeout in keys:
        cache.add(current, 0, timeout)
        try:
            count = cache.incr(current)
        except ValueError:  # expired between add and incr
            cache.add(current, 1, timeout)
            count = 1
        counts.append((count, int(previous.get(prev) or 0)))
    return counts


# --- Counts taken ahead, on Redis ----------------------------------------------

LEASE_SHARE = 100  # a block is at most 1/LEASE_SHARE of the rate...
LEASE_MAX = 32  # ... and at most this many counts


def lease_size(rate: Rate) -> int:
    """Counts a process takes at once for ``rate``; below 2, one at a time."""
    size = min(LEASE_MAX, rate.num_requests // LEASE_SHARE)
    return size if size >= 2 else 1


@dataclass
class Lease:
    key: str  # the window's counter the counts were taken from
    left: int  # taken and not used yet


class LeaseBook:
    """One process's leases, by the client's rate key (its window's number
    left out). Safe to share between threads; emptied in a forked child (the
    counts are its parent's)."""

    def __init__(self) -> None:
        self._leases: dict[str, Lease] = {}
        self._lock = threading.Lock()

    def take(self, rate_key: str, window_key: str) -> bool:
        """One count from the lease on ``window_key``, if one is left."""
        with self._lock:
            lease = self._leases.get(rate_key)
            if lease is None or lease.key != window_key or lease.left <= 0:
                return False
            lease.left -= 1
            return True

    def stale(self, rate_key: str, window_key: str) -> Lease | None:
        """Remove and return the lease of an earlier window, if counts are
        left in it (to be given back to its counter)."""
        with self._lock:
            lease = self._leases.get(rate_key)
            if lease is None or lease.key == window_key:
                return None
            del self._leases[rate_key]
            return lease if lease.left > 0 else None

    def grant(self, rate_key: str, window_key: str, left: int) -> None:
        with self._lock:
            lease = self._leases.get(rate_key)
            if lease is not None and lease.key == window_key:
                lease.left += left  # two threads refilled at once: nothing lost
            else:
                self._leases[rate_key] = Lease(window_key, left)

    def put_back(self, rate_key: str, window_key: str) -> bool:
        """A count taken for a refused request, back into its lease (False
        when the lease is gone: then the counter must be decremented)."""
        with self._lock:
            lease = self._leases.get(rate_key)
            if lease is None or lease.key != window_key:
                return False
            lease.left += 1
            return True

    def clear(self) -> None:
        with self._lock:
            self._leases.clear()


LEASES = LeaseBook()
os.register_at_fork(after_in_child=LEASES.clear)


@dataclass
class Counted:
    """One request counted on Redis: the windows counted there (exact counts,
    this request included) and the rates served from leases."""

    windows: list[Window]
    leased: list[tuple[str, str]]  # (rate key, window key)

    @property
    def refused(self) -> list[Window]:
        return [window for window in self.windows if not window.allows]


@dataclass(frozen=True)
class _Planned:
    rate_key: str
    rate: Rate
    current: str  # the window's counter
    previous: str  # the previous window's
    elapsed: float
    size: int  # counts to take: a block, or 1


def leased_count(
    cache: RedisCache, rates: dict[str, Rate], now: float, book: LeaseBook = LEASES
) -> Counted:
    """Count one request at ``now`` against each of ``rates`` (the client's
    key for a rate -> the rate) on Redis: from this process's lease where one
    has counts left, else in one pipeline that takes a new block (or a single
    count for a small rate) and gives back what an earlier window's lease
    left. A block that would not fit under its rate is given back at once
    (one more round trip) and the request is counted alone."""
    counted = Counted([], [])
    planned = []
    for rate_key, rate in rates.items():
        index = math.floor(now / rate.duration)
        current = f"{rate_key}_{index}"
        size = lease_size(rate)
        if size > 1 and book.take(rate_key, current):
            counted.leased.append((rate_key, current))
        else:
            elapsed = now - index * rate.duration
            previous = f"{rate_key}_{index - 1}"
            planned.append(_Planned(rate_key, rate, current, previous, elapsed, size))
    if planned:
        _count_planned(cache, planned, counted, book)
    return counted


def _count_planned(
    cache: RedisCache, planned: list[_Planned], counted: Counted, book: LeaseBook
) -> None:
    client = _redis_client(cache)
    pipeline = client.pipeline(transaction=False)
    for plan in planned:
        stale = book.stale(plan.rate_key, plan.current)
        # Given back only to the previous window, which still weighs in the
        # estimate; an older one weighs nothing, and its counter may be gone
        # (a decrement would make a new one, that never expires).
        if stale is not None and stale.key == plan.previous:
            name = cache.make_and_validate_key(stale.key)
            pipeline.decrby(name, stale.left)
            # Needed to the end of the current window, less than a duration
            # away: it lives that long, and no longer if it had just expired.
            pipeline.expire(name, plan.rate.duration)
    given_back = len(pipeline)
    for plan in planned:
        name = cache.make_and_validate_key(plan.current)
        pipeline.incrby(name, plan.size)
        pipeline.expire(name, plan.rate.duration * 2)
        pipeline.get(cache.make_and_validate_key(plan.previous))
    replies = pipeline.execute()[given_back:]
    too_big = client.pipeline(transaction=False)
    for i, plan in enumerate(planned):
        count, previous = int(replies[3 * i]), int(replies[3 * i + 2] or 0)
        window = Window(plan.rate, plan.current, count, previous, plan.elapsed)
        if plan.size > 1 and window.allows:
            # The whole block fits: this request uses one count of it.
            book.grant(plan.rate_key, plan.current, plan.size - 1)
            counted.leased.append((plan.rate_key, plan.current))
            continue
        if plan.size > 1:
            too_big.decrby(cache.make_and_validate_key(plan.current), plan.size - 1)
            window = Window(plan.rate, plan.current, count - plan.size + 1, previous, plan.elapsed)
        counted.windows.append(window)
    if len(too_big):
        too_big.execute()


def leased_uncount(cache: RedisCache, counted: Counted, book: LeaseBook = LEASES) -> None:
    """Take a refused request back out: into the leases it drew on, and out of
    the counters it was counted in."""
    pipeline = _redis_client(cache).pipeline(transaction=False)
    for window in counted.windows:
        pipeline.decr(cache.make_and_validate_key(window.key))
    for rate_key, window_key in counted.leased:
        if not book.put_back(rate_key, window_key):
            pipeline.decr(cache.make_and_validate_key(window_key))
    if len(pipeline):
        pipeline.execute()


class WindowRateThrottle(SimpleRateThrottle):
    """A throttle over several rates at once, each counted in windows
    (``windows_count``) under DRF's cache key for it
    (``throttle_<rate name>_<ident>``, the window's number after it). The
    ident is the user's id, else the client's address (DRF's ``get_ident``).
    Subclasses say which rates a request is held to (``rates``)."""

    cache_alias = "default"

    def __init__(self) -> None:
        # Not DRF's: its rate is one rate, read from settings at import.
        self.refused: list[Window] = []

    def rates(self, request, view) -> list[Rate]:
        raise NotImplementedError(".rates() must be overridden")

    def allow_request(self, request, view) -> bool:
        rates = self.rates(request, view)
        if not rates:
            return True
        if request.user and request.user.is_authenticated:
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        keyed = {self.cache_format % {"scope": rate.name, "ident": ident}: rate for rate in rates}
        cache = caches[self.cache_alias]  # the backend itself, not the proxy to it
        if isinstance(cache, RedisCache):
            counted = leased_count(cache, keyed, self.timer())
            self.refused = counted.refused
            if self.refused:
                leased_uncount(cache, counted)
            return not self.refused
        windows = windows_count(cache, keyed, self.timer())
        self.refused = [window for window in windows if not window.allows]
        if self.refused:
            windows_uncount(cache, windows)
        return not self.refused

    def wait(self) -> float | None:
        return max((window.wait() for window in self.refused), default=None)

    def rate_named(self, name: str, rates: dict) -> Rate | None:
        """The rate ``name`` of ``rates`` (``DEFAULT_THROTTLE_RATES``), None
        when it is not set."""
        text = rates.get(name)
        if not text:
            return None
        num_requests, duration = self.parse_rate(str(text))
        if num_requests is None or duration is None:
            return None
        return Rate(name, num_requests, duration)


class UserWindowThrottle(WindowRateThrottle):
    """DRF's per-user rate (``user``, the client's address for a request
    without a user) counted in windows under the same keys as the API views'
    ``ApiScopeRateThrottle``, so every view draws on one budget per user."""

    def rates(self, request, view) -> list[Rate]:
        rate = self.rate_named("user", api_settings.DEFAULT_THROTTLE_RATES)
        return [rate] if rate else []
