"""Counts taken a block at a time on Redis (nps_project.throttling.leased_count):
fewer round trips for a busy client, never more than the rate let through,
however many processes share it, and nothing a refused request or an
ended window leaves behind counted against the client."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from nps_project.throttling import (
    LEASES,
    LeaseBook,
    Rate,
    lease_size,
    leased_count,
    leased_uncount,
)

REDIS_URL = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
# A thousand a minute: blocks of ten.
RATE = Rate("ingest", 1000, 60)
KEY = "throttle_ingest_7"
NOW = 6000.0  # the start of a minute: window 100


@pytest.fixture
def cache():
    prefix = f"lease-test-{uuid.uuid4().hex}"
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    yield cache
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def _stored(cache, window: int) -> int:
    return int(cache.get(f"{KEY}_{window}") or 0)


def _allowed(cache, book: LeaseBook, rates=None, now: float = NOW) -> bool:
    counted = leased_count(cache, rates or {KEY: RATE}, now, book)
    if counted.refused:
        leased_uncount(cache, counted, book)
    return not counted.refused


@pytest.mark.parametrize(
    "num_requests, size",
    [(100, 1), (199, 1), (200, 2), (1000, 10), (1200, 12), (6000, 32), (10**6, 32)],
)
def test_a_block_is_a_hundredth_of_the_rate_at_most_32(num_requests, size):
    assert lease_size(Rate("user", num_requests, 60)) == size


def test_a_busy_client_takes_its_counts_a_block_at_a_time(cache, monkeypatch):
    book = LeaseBook()
    trips: list[int] = []
    execute = redis.client.Pipeline.execute

    def counted_execute(self, *args, **kwargs):
        trips.append(len(self))
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_execute)

    assert all(_allowed(cache, book) for _ in range(25))

    assert _stored(cache, 100) == 30  # three blocks of ten
    assert len(trips) == 3


def test_processes_sharing_a_client_never_let_more_than_the_rate_through(cache):
    books = [LeaseBook() for _ in range(3)]
    answers = [_allowed(cache, books[i % 3]) for i in range(1200)]

    allowed = sum(answers)
    # Each of the two other processes may hold up to nine counts unused.
    assert 1000 - 2 * 9 <= allowed <= 1000
    # A process may still serve from its block after another was refused,
    # but once every block is used up, every request is refused.
    assert not any(answers[-100:])
    assert allowed <= _stored(cache, 100) <= 1000


def test_a_block_that_would_not_fit_is_given_back_and_the_request_counted_alone(cache):
    cache.set(f"{KEY}_100", 995, timeout=120)

    assert _allowed(cache, LeaseBook())

    assert _stored(cache, 100) == 996


def test_at_the_limit_one_process_refuses_exactly_past_it(cache):
    cache.set(f"{KEY}_100", 998, timeout=120)
    book = LeaseBook()

    assert [_allowed(cache, book) for _ in range(4)] == [True, True, False, False]
    assert _stored(cache, 100) == 1000  # refused requests are not counted


def test_a_refused_request_goes_back_into_the_lease_it_drew_on(cache):
    book = LeaseBook()
    small = Rate("read", 1, 60)  # counted one at a time: refuses the second request
    rates = {KEY: RATE, "throttle_read_7": small}

    assert _allowed(cache, book, rates)
    assert not _allowed(cache, book, rates)
    assert not _allowed(cache, book, rates)

    # One block taken, one count of it used; the refusals left it as it was.
    assert _stored(cache, 100) == 10
    assert book.take(KEY, f"{KEY}_100")
    assert sum(book.take(KEY, f"{KEY}_100") for _ in range(20)) == 8
    assert int(cache.get("throttle_read_7_100")) == 1


def test_a_lease_left_unused_is_given_back_when_its_window_ends(cache):
    book = LeaseBook()
    for _ in range(3):
        assert _allowed(cache, book)
    assert _stored(cache, 100) == 10

    assert _allowed(cache, book, now=NOW + 60)

    # The previous window counts the three requests it had, not the block.
    assert _stored(cache, 100) == 3
    assert _stored(cache, 101) == 10


def test_a_forked_child_does_not_use_its_parents_leases():
    # The process's own book (a web server forks its workers).
    LEASES.grant(KEY, f"{KEY}_100", 5)
    try:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: the counts are its parent's
            try:
                os.write(write, b"1" if LEASES.take(KEY, f"{KEY}_100") else b"0")
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        assert os.read(read, 1) == b"0"
        assert LEASES.take(KEY, f"{KEY}_100")  # the parent keeps its own
    finally:
        LEASES.clear()


def test_a_lease_older_than_the_previous_window_is_dropped_not_given_back(cache):
    book = LeaseBook()
    assert _allowed(cache, book)
    cache.delete(f"{KEY}_100")  # expired, as it may be two windows later

    assert _allowed(cache, book, now=NOW + 120)

    # Window 100 weighs nothing in window 102: no counter made for it.
    assert cache.get(f"{KEY}_100") is None
    assert _stored(cache, 102) == 10


def test_a_counter_given_back_to_lives_no_longer_than_the_current_window(cache):
    book = LeaseBook()
    assert _allowed(cache, book)
    client = redis.Redis.from_url(REDIS_URL)

    assert _allowed(cache, book, now=NOW + 60)

    ttl = client.ttl(cache.make_and_validate_key(f"{KEY}_100"))
    assert 0 < ttl <= 60
