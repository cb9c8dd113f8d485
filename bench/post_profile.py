"""Where one ``POST /api/v1/responses/`` spends its time: counts that noise
does not change (SQL statements, Redis commands, broker connections opened)
and a cProfile of N requests split by step.

```sh
.venv/bin/python -m bench.post_profile            # N = 500
.venv/bin/python -m bench.post_profile --n 200 --top 40
```

Runs in this process, through Django's test client with production settings
(the real URL, middleware, view, token, permissions, throttles in Redis,
validation, ingestion and the hand-off to routing on commit, published to
Redis; no worker runs), on a database of its own (the bench database's name
with ``_profile`` after it, dropped and created) and the bench's Redis DB,
flushed before and after. Redis commands are counted in redis-py (each
command this process sends, whoever else uses the server); statements with
``CaptureQueriesContext``. Not a figure of ``python -m bench``: its output is
the table ``bench/results/post-profile.md`` quotes.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import os
import pstats
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from . import infra

# As bench.ingest has them (importing it needs Django set up).
API_PATH = "/api/v1/responses/"
PROXY_HEADERS = {"Host": "localhost", "X-Forwarded-Proto": "https"}
THROTTLE_RATE = "1000000/s"

# The steps of a request, each the cumulative time of the function(s) that
# do it: (file suffix, function name).
STEPS: dict[str, list[tuple[str, str]]] = {
    "whole request (test client)": [("django/test/client.py", "request")],
    "middleware + view (handler)": [("django/core/handlers/base.py", "get_response")],
    "authentication (API key)": [("rest_framework/request.py", "_authenticate")],
    "permissions (scopes)": [("rest_framework/views.py", "check_permissions")],
    "throttles": [("rest_framework/views.py", "check_throttles")],
    "body parsing (JSON)": [("rest_framework/request.py", "_parse")],
    "validation (serializer)": [
        ("rest_framework/serializers.py", "is_valid"),
        ("surveys/ingestion/parsing.py", "answer_read"),
    ],
    "ingestion: survey + idempotency + customer look-up": [
        ("surveys/ingestion/single.py", "_looked_up")
    ],
    "ingestion: customer match (and write)": [
        ("surveys/ingestion/single.py", "_customer_match"),
        ("surveys/services.py", "customer_match_apply"),
    ],
    "ingestion: response_record (insert)": [("surveys/services.py", "response_record")],
    "commit + on-commit hooks": [("django/db/transaction.py", "__exit__")],
    "publish to the broker (on commit)": [("surveys/handoff.py", "response_recorded")],
    "answer (serializer + render)": [
        ("surveys/api.py", "_response_answer"),
        ("rest_framework/response.py", "rendered_content"),
    ],
    "logging": [("logging/__init__.py", "handle")],
}


class RedisCounter:
    """Counts the commands redis-py sends from this process, by name, and the
    connections it opens (the broker's and the cache's alike)."""

    def __init__(self) -> None:
        self.commands: collections.Counter[str] = collections.Counter()
        self.round_trips = 0  # a command, or a whole pipeline
        self.connections = 0

    def install(self) -> None:
        from redis import connection

        counter = self
        cls = connection.AbstractConnection
        send_command, pack_commands = cls.send_command, cls.pack_commands
        on_connect = cls.on_connect_check_health

        def counted_send_command(self, *args, **kwargs):
            counter.round_trips += 1
            counter.commands[str(args[0]).split()[0].upper()] += 1
            return send_command(self, *args, **kwargs)

        def counted_pack_commands(self, commands):  # a pipeline
            commands = list(commands)
            counter.round_trips += 1
            for args in commands:
                counter.commands[str(args[0]).split()[0].upper()] += 1
            return pack_commands(self, commands)

        def counted_on_connect(self, *args, **kwargs):
            counter.connections += 1
            return on_connect(self, *args, **kwargs)

        cls.send_command = counted_send_command
        cls.pack_commands = counted_pack_commands
        cls.on_connect_check_health = counted_on_connect

    def reset(self) -> None:
        self.commands.clear()
        self.round_trips = 0
        self.connections = 0


def _environment() -> infra.Environment:
    parts = urlsplit(infra.DATABASE_URL)
    name = parts.path.lstrip("/") + "_profile"
    env = infra.Environment(database_url=urlunsplit(parts._replace(path=f"/{name}")))
    env.extra.update(
        {
            "CACHE_URL": env.broker_url,
            "API_THROTTLE_USER": THROTTLE_RATE,
            "API_THROTTLE_INGEST": THROTTLE_RATE,
        }
    )
    return env


def _requests(n: int, prefix: str) -> tuple[str, list[str]]:
    from . import ingest
    from .ingest import _api_token, _survey

    if (ingest.API_PATH, ingest.PROXY_HEADERS, ingest.THROTTLE_RATE) != (
        API_PATH,
        PROXY_HEADERS,
        THROTTLE_RATE,
    ):
        raise infra.BenchError("bench.post_profile no longer requests what bench.ingest does.")
    from .loop import _reset

    survey = _survey()
    specs = _reset(n)
    token = _api_token()
    bodies = ingest.api_bodies(survey, specs, prefix)
    return token, bodies


def _post_all(client, token: str, bodies: list[str]) -> None:
    headers = {
        "HTTP_AUTHORIZATION": f"Token {token}",
        "HTTP_HOST": PROXY_HEADERS["Host"],
        "HTTP_X_FORWARDED_PROTO": PROXY_HEADERS["X-Forwarded-Proto"],
    }
    for body in bodies:
        reply = client.post(API_PATH, data=body, content_type="application/json", **headers)
        if reply.status_code != 201:
            raise infra.BenchError(f"{API_PATH} answered {reply.status_code}: {reply.content!r}")


def _steps(stats: pstats.Stats, n: int) -> list[tuple[str, float]]:
    by_function: dict[tuple[str, str], float] = collections.defaultdict(float)
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        by_function[(filename.replace(os.sep, "/"), function)] += cumulative
    rows = []
    for step, functions in STEPS.items():
        total = sum(
            seconds
            for (filename, function), seconds in by_function.items()
            for suffix, name in functions
            if function == name and filename.endswith(suffix)
        )
        rows.append((step, total / n * 1000))
    return rows


def profile(n: int, top: int, sort: str = "cumulative") -> str:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    redis_counter = RedisCounter()
    redis_counter.install()
    token, bodies = _requests(n + 20, "profile-")
    client = Client()
    _post_all(client, token, bodies[:20])  # warm: imports, connections, caches

    redis_counter.reset()
    counted = n // 2
    with CaptureQueriesContext(connection) as captured:
        _post_all(client, token, bodies[20 : 20 + counted])
    queries = list(captured)
    statements = collections.Counter(q["sql"].split()[0] for q in queries)
    commands = dict(redis_counter.commands)
    opened = redis_counter.connections
    round_trips = redis_counter.round_trips
    one_request = [" ".join(q["sql"].split()) for q in queries[-len(queries) // counted :]]

    profiler = cProfile.Profile(time.process_time)  # CPU: waits for others are not ours
    rest = bodies[20 + counted :]
    profiler.enable()
    _post_all(client, token, rest)
    profiler.disable()
    stats = pstats.Stats(profiler)
    out = io.StringIO()
    lines = [
        f"# POST {API_PATH}: {counted} requests counted, {len(rest)} profiled",
        "",
        f"SQL statements per request: {len(queries) / counted:.2f} "
        f"({', '.join(f'{k} {v / counted:.2f}' for k, v in statements.most_common())})",
        f"Redis commands per request: {sum(commands.values()) / counted:.2f} "
        f"({', '.join(f'{k} {v / counted:.2f}' for k, v in sorted(commands.items()))})",
        f"Redis round trips per request (a pipeline is one): {round_trips / counted:.2f}",
        f"Redis connections opened per request: {opened / counted:.3f}",
        "",
        "Statements of the last request:",
        *(f"  {sql[:160]}" for sql in one_request),
        "",
        "Step, ms of CPU per request under cProfile (cumulative; steps nest):",
        *(f"  {step:<40} {ms:7.3f}" for step, ms in _steps(stats, len(rest))),
        "",
    ]
    stats.stream = out
    stats.sort_stats(sort).print_stats(top)
    return "\n".join(lines) + "\n" + out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.post_profile", description=__doc__)
    parser.add_argument("--n", type=int, default=500, help="requests profiled (default: 500)")
    parser.add_argument("--top", type=int, default=30, help="functions listed (default: 30)")
    parser.add_argument(
        "--sort",
        choices=("cumulative", "tottime"),
        default="cumulative",
        help="functions by their time with what they call, or without (default: cumulative)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    env = _environment()
    env.check()
    env.apply()
    infra.recreate_database(env.database_url)
    infra.migrate(env)
    infra.flush_broker(env.broker_url)
    import django

    django.setup()
    try:
        print(profile(args.n, args.top, args.sort))
    except infra.BenchError as exc:
        print(f"post_profile: FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        infra.flush_broker(env.broker_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
