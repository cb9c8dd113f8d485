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
"""

from __future__ import annotations

import contextlib
import math
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
    cache key for a rate -> the rate) and return each rate's windows. A
    window's counter lives two durations: while it is the current or the
    previous window."""
    planned = []
    for key, rate in rates.items():
        index = math.floor(now / rate.duration)
        planned.append((rate, f"{key}_{index}", f"{key}_{index - 1}", now - index * rate.duration))
    keys = [(current, previous, rate.duration * 2) for rate, current, previous, _ in planned]
    counts = _redis_count(cache, keys) if isinstance(cache, RedisCache) else _count(cache, keys)
    return [
        Window(rate, current_key, current, previous, elapsed)
        for (rate, current_key, _, elapsed), (current, previous) in zip(
            planned, counts, strict=True
        )
    ]


def windows_uncount(cache: BaseCache, windows: Sequence[Window]) -> None:
    """Take a refused request back out of the windows it was counted in."""
    if isinstance(cache, RedisCache):
        pipeline = _redis_client(cache).pipeline(transaction=False)
        for window in windows:
            pipeline.decr(cache.make_and_validate_key(window.key))
        pipeline.execute()
        return
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
    return client


def _redis_count(cache: RedisCache, keys: list[tuple[str, str, int]]) -> list[tuple[int, int]]:
    # One round trip for every rate. Integers are stored as they are (Django's
    # Redis serializer pickles everything else), so the cache API reads the
    # counters too.
    pipeline = _redis_client(cache).pipeline(transaction=False)
    for current, previous, timeout in keys:
        name = cache.make_and_validate_key(current)
        pipeline.incr(name)
        pipeline.expire(name, timeout)
        pipeline.get(cache.make_and_validate_key(previous))
    replies = pipeline.execute()
    return [(int(replies[i]), int(replies[i + 2] or 0)) for i in range(0, len(replies), 3)]


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
