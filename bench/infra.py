"""What every benchmark stands on: its own PostgreSQL database and Redis
database, a real Celery worker subprocess, an SMTP sink, bounded waits, and a
CPU meter that says where the time went.

The bench never touches the test suite's services (database ``nps`` /
``test_nps``, Redis DB 15): it creates ``nps_bench`` and uses Redis DB 14.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nps_bench")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
QUEUES = "routing,email,default"
CONCURRENCY = 2
# The test suite's services: never dropped, never flushed by the bench.
FORBIDDEN_DATABASES = {"nps", "test_nps", "postgres", "template0", "template1"}
FORBIDDEN_REDIS_DBS = {"15"}


class BenchError(RuntimeError):
    """A benchmark could not produce a figure; the message says why."""


# --- Environment ------------------------------------------------------------


@dataclass
class Environment:
    """The settings the bench process and every worker it starts share."""

    @property
    def database_name(self) -> str:
        return urlsplit(self.database_url).path.lstrip("/")

    database_url: str = DATABASE_URL
    broker_url: str = BROKER_URL
    secret_key: str = field(default_factory=lambda: "bench-" + secrets.token_urlsafe(64))
    email_url: str = "dummymail://"

    def check(self) -> None:
        db_name = urlsplit(self.database_url).path.lstrip("/")
        if db_name in FORBIDDEN_DATABASES:
            raise BenchError(f"Refusing to use the database {db_name!r}: it is not the bench's.")
        redis_db = urlsplit(self.broker_url).path.lstrip("/") or "0"
        if redis_db in FORBIDDEN_REDIS_DBS:
            raise BenchError(f"Refusing to use Redis DB {redis_db}: the test suite uses it.")

    def variables(self) -> dict[str, str]:
        return {
            "DJANGO_SETTINGS_MODULE": "nps_project.settings.production",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": self.database_url,
            "CONN_MAX_AGE": "600",
            "CELERY_BROKER_URL": self.broker_url,
            "EMAIL_URL": self.email_url,
            "EMAIL_TIMEOUT": "10",
            "LOG_LEVEL": "WARNING",
        }

    def subprocess_env(self) -> dict[str, str]:
        return {**os.environ, **self.variables()}

    def apply(self) -> None:
        """Configure this process (before Django is set up)."""
        os.environ.update(self.variables())


def recreate_database(database_url: str) -> None:
    """Drop and create the bench database (never one of the test suite's)."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if name in FORBIDDEN_DATABASES or not name.replace("_", "").isalnum():
        raise BenchError(f"Refusing to recreate the database {name!r}.")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def migrate(env: Environment, timeout: float = 300) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise BenchError(f"manage.py migrate failed:\n{result.stdout}\n{result.stderr}")


def flush_broker(broker_url: str) -> None:
    """Empty the bench's own Redis database: no message of an earlier run survives."""
    redis_db = urlsplit(broker_url).path.lstrip("/") or "0"
    if redis_db in FORBIDDEN_REDIS_DBS:
        raise BenchError(f"Refusing to flush Redis DB {redis_db}.")
    client = redis.Redis.from_url(broker_url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def install_signal_handlers() -> None:
    """SIGTERM unwinds like Ctrl-C, so every ``finally`` stops what it started."""

    def _terminate(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _terminate)


# --- Waiting ----------------------------------------------------------------


def wait_until(
    predicate: Callable[[], bool],
    *,
    deadline: float,
    interval: float,
    what: str,
    status: Callable[[], str] = lambda: "",
) -> float:
    """Poll ``predicate`` until it holds; returns the ``perf_counter`` time it
    was first seen true. ``deadline`` is a ``perf_counter`` value."""
    while True:
        if predicate():
            return time.perf_counter()
        if time.perf_counter() >= deadline:
            raise BenchError(f"Timed out waiting for {what}. {status()}".strip())
        time.sleep(interval)


# --- SMTP sink --------------------------------------------------------------


class _CountingHandler:
    """Accepts every message and only counts recipients: as cheap as a mail
    server can be, so the bench measures the sender, not the sink."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        # One event-loop thread writes; the bench thread only reads.
        self.count += len(envelope.rcpt_tos)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    def __init__(self) -> None:
        self.handler = _CountingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def count(self) -> int:
        return self.handler.count

    def reset(self) -> None:
        self.handler.count = 0


# --- Worker -----------------------------------------------------------------


class Worker:
    """``celery -A <app> worker`` in its own session (its pool children with
    it), stopped by its own process group id only."""

    def __init__(self, env: Environment, *, app: str, label: str) -> None:
        self.env = env
        self.app = app
        self.hostname = f"bench-{label}-{os.getpid()}@{socket.gethostname()}"
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            mode="w+", prefix=f"nps-bench-{label}-", suffix=".log", delete=False
        )
        self.process: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            self.app,
            "worker",
            "-Q",
            QUEUES,
            "--concurrency",
            str(CONCURRENCY),
            "-P",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
            "--hostname",
            self.hostname,
        ]

    def start(self, ping: Callable[[str], bool], timeout: float = 60) -> Worker:
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env.subprocess_env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"The worker exited at start:\n{self.output_tail()}")
            if ping(self.hostname):
                return self
            time.sleep(0.2)
        raise BenchError(
            f"The worker did not answer a ping in {timeout:.0f} s:\n{self.output_tail()}"
        )

    def output_tail(self, chars: int = 4000) -> str:
        with contextlib.suppress(OSError):
            return Path(self.log.name).read_text(errors="replace")[-chars:]
        return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def celery_ping(app) -> Callable[[str], bool]:
    def ping(hostname: str) -> bool:
        try:
            return bool(app.control.ping(destination=[hostname], timeout=0.5))
        except Exception:
            return False

    return ping


# --- Where the CPU went -----------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[str, int, float]]:
    """{pid: (command name, process group, CPU seconds incl. reaped children)}"""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        cpu = sum(int(fields[i]) for i in (11, 12, 13, 14)) / _TICK
        found[int(entry.name)] = (comm, int(fields[2]), cpu)
    return found


def _postgres_client_database(pid: int) -> str | None:
    """The database a PostgreSQL backend serves, from its process title
    ("postgres: 15/main: user db 127.0.0.1(port) idle"); None for the server's
    own processes (WAL writer, checkpointer, ...)."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    words = title.split()
    for index, word in enumerate(words):
        if "(" in word or word == "[local]":
            return words[index - 1] if index >= 1 else None
    return None


class CpuMeter:
    """CPU seconds spent by the worker (parent and pool children), PostgreSQL
    (the bench database's backends and the server's own processes), Redis, this
    bench process (incl. the SMTP sink), and anything else on the machine
    ("other": a busy neighbour makes the figures noisy), between ``start()`` and
    ``stop()``."""

    def __init__(self, worker_pgid: int | None, database: str) -> None:
        self.worker_pgid = worker_pgid
        self.database = database
        self.before: dict[int, tuple[str, int, float]] = {}
        self.started = 0.0
        self.result: dict[str, float] = {}

    def _group(self, pid: int, comm: str, pgid: int) -> str:
        if self.worker_pgid is not None and pgid == self.worker_pgid:
            return "worker"
        if comm.startswith("postgres"):
            # Backends of other databases (another session's tests) are not ours.
            database = _postgres_client_database(pid)
            return "postgres" if database in (None, self.database) else "other"
        if comm.startswith("redis-server"):
            return "redis"
        if pid == os.getpid():
            return "bench"
        return "other"

    def start(self) -> CpuMeter:
        self.before = _processes()
        self.started = time.perf_counter()
        return self

    def stop(self) -> dict[str, float]:
        wall = time.perf_counter() - self.started
        after = _processes()
        groups = dict.fromkeys(("worker", "postgres", "redis", "bench", "other"), 0.0)
        for pid, (comm, pgid, cpu) in after.items():
            previous = self.before.get(pid)
            used = cpu - previous[2] if previous and previous[0] == comm else cpu
            groups[self._group(pid, comm, pgid)] += max(used, 0.0)
        capacity = wall * (os.cpu_count() or 1)
        groups["idle"] = max(capacity - sum(groups.values()), 0.0)
        self.result = {"wall": wall, **groups}
        return self.result
