"""The API's rates, counted per client and window (nps_project.throttling):
where the limit falls, what Retry-After says, how a window rolls over, and
that the same holds in Redis, in one round trip a request."""

from __future__ import annotations

import math
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
import time_machine
from django.core.cache import caches
from rest_framework.test import APIClient

from nps_project.throttling import Rate, Window
from surveys.api import ApiScopeRateThrottle
from tests.factories import SurveyFactory, manager

from .conftest import client_with, make_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/surveys/"
# The start of a minute: the windows of a per-minute rate begin on the minute.
MINUTE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REDIS_URL = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """The throttles' cache: local memory as in development, or Redis as in
    production (its own key prefix, removed afterwards)."""
    if request.param == "locmem":
        yield request.param
        return
    prefix = f"throttle-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield request.param
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def read_rate(settings):
    """Three reads a minute, no user rate: the read rate alone decides."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "read": "3/min", "user": None}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def reader(db):
    return client_with(make_token("reporting", "read"))


def _statuses(client, n: int) -> list[int]:
    return [client.get(URL).status_code for _ in range(n)]


def test_the_nth_request_of_a_window_passes_and_the_next_is_refused(
    cache_backend, read_rate, reader
):
    with time_machine.travel(MINUTE, tick=False):
        assert _statuses(reader, 4) == [200, 200, 200, 429]


def test_retry_after_is_when_the_previous_window_has_slid_out_enough(
    cache_backend, read_rate, reader
):
    # Three reads 10 s into a minute. In the next minute they count for
    # 3 * (1 - elapsed / 60): a fourth read fits once that is 2, at 20 s.
    with time_machine.travel(MINUTE + timedelta(seconds=10), tick=False) as clock:
        _statuses(reader, 3)
        reply = reader.get(URL)
        assert (reply.status_code, reply["Retry-After"]) == (429, "70")
        error = reply.json()["error"]
        assert (error["status"], error["code"], error["fields"]) == (429, "throttled", {})

        clock.move_to(MINUTE + timedelta(seconds=79))
        assert reader.get(URL).status_code == 429
        clock.move_to(MINUTE + timedelta(seconds=80))
        assert reader.get(URL).status_code == 200


def test_refused_requests_are_not_counted(cache_backend, read_rate, reader):
    with time_machine.travel(MINUTE + timedelta(seconds=10), tick=False) as clock:
        _statuses(reader, 3)
        assert [reader.get(URL)["Retry-After"] for _ in range(5)] == ["70"] * 5
        clock.move_to(MINUTE + timedelta(seconds=80))
        assert reader.get(URL).status_code == 200


def test_a_window_two_durations_later_starts_from_nothing(cache_backend, read_rate, reader):
    with time_machine.travel(MINUTE + timedelta(seconds=59), tick=False) as clock:
        assert _statuses(reader, 4) == [200, 200, 200, 429]
        clock.move_to(MINUTE + timedelta(seconds=120))
        assert _statuses(reader, 4) == [200, 200, 200, 429]


def test_the_previous_window_weighs_less_as_the_current_one_goes_on(
    cache_backend, read_rate, reader
):
    # Three reads at the end of one minute; halfway through the next they
    # count for 1.5, so one more read fits (2.5), a second does not (3.5).
    with time_machine.travel(MINUTE + timedelta(seconds=59), tick=False) as clock:
        _statuses(reader, 3)
        clock.move_to(MINUTE + timedelta(seconds=90))
        assert _statuses(reader, 2) == [200, 429]


def test_each_client_has_its_own_count(cache_backend, read_rate, reader):
    other = client_with(make_token("other", "read"))
    with time_machine.travel(MINUTE, tick=False):
        assert _statuses(reader, 4) == [200, 200, 200, 429]
        assert _statuses(other, 3) == [200, 200, 200]


def test_reads_and_writes_are_counted_apart(cache_backend, settings, db):
    rates = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "ingest": "1/min",
        "read": "2/min",
        "user": None,
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = client_with(make_token("integration", "both"))
    body = {"survey": "nowhere", "customer": {"email": "a@example.com"}, "score": 9}
    with time_machine.travel(MINUTE, tick=False):
        assert client.post("/api/v1/responses/", body, format="json").status_code == 400
        assert client.post("/api/v1/responses/", body, format="json").status_code == 429
        assert _statuses(client, 3) == [200, 200, 429]


def test_the_user_rate_counts_reads_and_writes_together(cache_backend, settings, db):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = client_with(make_token("integration", "both"))
    body = {"survey": "nowhere", "customer": {"email": "a@example.com"}, "score": 9}
    with time_machine.travel(MINUTE, tick=False):
        assert client.post("/api/v1/responses/", body, format="json").status_code == 400
        assert _statuses(client, 2) == [200, 429]


def test_every_view_draws_on_one_user_budget(cache_backend, settings, db):
    # The surveys list counts the user rate in ApiScopeRateThrottle; the KPI
    # report is not an ApiMixin view and counts it in the default throttle.
    # Both count under the same keys: two requests, wherever made, spend it.
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = APIClient()
    client.force_authenticate(manager("boss"))
    kpis = f"/api/v1/reports/kpis/?survey={SurveyFactory().slug}"
    with time_machine.travel(MINUTE, tick=False):
        assert [client.get(url).status_code for url in (URL, kpis, kpis, URL)] == [
            200,
            200,
            429,
            429,
        ]


def test_a_request_over_one_rate_is_counted_in_none(cache_backend, settings, db):
    # Refused by the read rate: the user rate does not count it either.
    rates = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "read": "1/min",
        "user": "2/min",
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = client_with(make_token("integration", "both"))
    body = {"survey": "nowhere", "customer": {"email": "a@example.com"}, "score": 9}
    with time_machine.travel(MINUTE, tick=False):
        assert _statuses(client, 3) == [200, 429, 429]
        assert client.post("/api/v1/responses/", body, format="json").status_code == 400


def test_both_rates_take_one_redis_round_trip(settings, reader, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
        }
    }
    sent: list[list[str]] = []
    pack_command = redis.connection.AbstractConnection.pack_command
    pack_commands = redis.connection.AbstractConnection.pack_commands

    def one(self, *args):
        sent.append([str(args[0])])
        return pack_command(self, *args)

    def pipeline(self, commands):
        commands = list(commands)
        sent.append([str(args[0]) for args in commands])
        return pack_commands(self, commands)

    monkeypatch.setattr(redis.connection.AbstractConnection, "pack_command", one)
    monkeypatch.setattr(redis.connection.AbstractConnection, "pack_commands", pipeline)

    assert reader.get(URL).status_code == 200

    assert sent == [["INCRBY", "EXPIRE", "GET", "INCRBY", "EXPIRE", "GET"]]


def test_the_throttle_makes_its_redis_client_once(settings, reader, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
        }
    }
    assert reader.get(URL).status_code == 200
    made: list[object] = []
    make = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        make(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)

    for _ in range(3):
        assert reader.get(URL).status_code == 200

    assert made == []


def test_with_redis_down_the_request_fails_rather_than_pass_uncounted(settings, reader):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with pytest.raises(redis.exceptions.ConnectionError):
        reader.get(URL)


def test_counters_expire_after_two_windows(settings, reader):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": (prefix := f"throttle-test-{uuid.uuid4().hex}"),
        }
    }
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert reader.get(URL).status_code == 200
        keys = list(client.scan_iter(f"{prefix}:*"))
        assert keys
        # Each rate's first block of counts (nps_project.throttling.lease_size):
        # 1% of read's 600 a minute, and of user's 6000 (at most 32).
        assert sorted(int(client.get(key)) for key in keys) == [6, 32]
        # The longest rate is a minute (read 600/min, user 6000/min): two of them.
        assert all(0 < client.ttl(key) <= 120 for key in keys)
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@pytest.mark.parametrize(
    "current, previous, elapsed, expected",
    [
        # Full in this window alone: in the next, its 3 must weigh 2 or less.
        (4, 0, 0.0, 60 + 60 * (1 - 2 / 3)),
        (4, 0, 30.0, 30 + 60 * (1 - 2 / 3)),
        # Room in this window once the previous one's 3 weigh nothing.
        (3, 3, 10.0, 60 - 10),
        # Or once the previous one's 6 weigh 2.
        (1, 6, 10.0, 60 * (1 - 2 / 6) - 10),
    ],
)
def test_wait_is_when_the_estimate_lets_one_more_through(current, previous, elapsed, expected):
    window = Window(Rate("read", 3, 60), "key", current, previous, elapsed)
    assert not window.allows
    assert math.isclose(window.wait(), expected)


def test_the_throttle_reads_rates_changed_after_import(settings):
    throttle = ApiScopeRateThrottle(with_user_rate=True)
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "read": "7/h", "user": "9/d"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    class Get:
        method = "GET"

    assert throttle.rates(Get(), None) == [Rate("user", 9, 86400), Rate("read", 7, 3600)]
    assert caches["default"]  # untouched by rates
