"""What every benchmark stands on: its own PostgreSQL database and Redis
database, a real Celery worker subprocess, an SMTP sink, bounded waits, and a
CPU meter that says where the time went.

The bench never touches the test suite's services (database ``nps`` /
``test_nps``, Redis DB 15): it creates ``nps_bench`` and uses Redis DB 14.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nps_bench")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
QUEUES = "routing,email,default"
# The worker's pool size, the same for the loop and its floor: the documented
# `celery -A nps_project worker --concurrency` (see the Makefile).
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
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
    # More variables for the processes the bench starts (a benchmark's own settings).
    extra: dict[str, str] = field(default_factory=dict)

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
            "DEBUG": "0",  # production refuses DEBUG, whatever the shell says
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": self.database_url,
            "CONN_MAX_AGE": "600",
            "CELERY_BROKER_URL": self.broker_url,
            "EMAIL_URL": self.email_url,
            "EMAIL_TIMEOUT": "10",
            "LOG_LEVEL": "WARNING",
            **self.extra,
        }

    def subprocess_env(self) -> dict[str, str]:
        return {**os.environ, **self.variables()}

    def apply(self) -> None:
        """Configure this process (before Django is set up)."""
        os.environ.update(self.variables())


def psycopg_url(database_url: str, *, database: str | None = None) -> str:
    """``DATABASE_URL`` (``postgres://``) as psycopg takes it, optionally
    naming another database on the same server."""
    parts = urlsplit(database_url)._replace(scheme="postgresql")
    if database is not None:
        parts = parts._replace(path=f"/{database}")
    return urlunsplit(parts)


def recreate_database(database_url: str) -> None:
    """Drop and create the bench database (never one of the test suite's)."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if name in FORBIDDEN_DATABASES or not name.replace("_", "").isalnum():
        raise BenchError(f"Refusing to recreate the database {name!r}.")
    with psycopg.connect(
        psycopg_url(database_url, database="postgres"), autocommit=True, connect_timeout=5
    ) as conn:
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


# --- Progress ---------------------------------------------------------------


def loop_progress() -> dict[str, int]:
    """How far the loop is, from the database: responses stored and not yet
    routed, and emails by outbox status (Django must be set up)."""
    from django.db.models import Count

    from followups.models import OutboundMessage
    from surveys.models import Response

    emails = dict(
        OutboundMessage.objects.order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return {
        "responses": Response.objects.count(),
        "unrouted": Response.objects.filter(routed_at__isnull=True).count(),
        "queued": emails.get(OutboundMessage.Status.QUEUED, 0),
        "sending": emails.get(OutboundMessage.Status.SENDING, 0),
        "sent": emails.get(OutboundMessage.Status.SENT, 0),
        "failed": emails.get(OutboundMessage.Status.FAILED, 0),
    }


def loop_backlog() -> dict[str, int]:
    """What is still to do, counted only through the partial indexes that
    hold it (``response_unrouted``, ``outbox_pending``, ``outbox_failed``):
    cheap however many rows are done. ``loop_progress`` counts the outbox by
    status, a scan of the whole (wide) table: fine once at the end, but a
    long run sampling it every few seconds would mostly measure itself."""
    from followups.models import OutboundMessage
    from surveys.models import Response

    statuses = OutboundMessage.Status
    return {
        "unrouted": Response.objects.filter(routed_at__isnull=True).count(),
        "unsent": OutboundMessage.objects.filter(
            status__in=[statuses.QUEUED, statuses.SENDING]
        ).count(),
        "failed": OutboundMessage.objects.filter(status=statuses.FAILED).count(),
    }


# --- Autovacuum -------------------------------------------------------------
#
# A production PostgreSQL runs autovacuum; the server of the machines this
# bench runs on may have it turned off (a CI setting, for the tests). A run that
# updates each row three times for half an hour would otherwise measure a
# database no one runs: every row version kept, the tables and their indexes
# growing four times over. AutovacuumStandIn does autovacuum's work for the
# bench's database when the server does not: PostgreSQL's default thresholds,
# naptime and cost-based delay, so the run pays what it would pay in production.


class AutovacuumStandIn:
    """While the server's ``autovacuum`` is off: every ``naptime`` seconds,
    ``VACUUM`` each table of ``database_url`` whose dead rows exceed
    ``autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor x rows``
    (50 + 20%), and ``ANALYZE`` each whose changes since the last analyze
    exceed 50 + 10%, at autovacuum's default cost limit and delay. Does
    nothing when the server vacuums by itself, unless told ``always`` (the
    tests, on a server that may vacuum or not). ``runs`` lists what it did."""

    VACUUM = "SELECT relname FROM pg_stat_user_tables WHERE n_dead_tup > 50 + 0.2 * n_live_tup"
    ANALYZE = (
        "SELECT relname FROM pg_stat_user_tables WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup"
    )

    def __init__(self, database_url: str, *, naptime: float = 60.0, always: bool = False) -> None:
        self.database_url = psycopg_url(database_url)
        self.naptime = naptime
        self.always = always
        self.runs: list[tuple[float, str, str, float]] = []  # (t, command, table, seconds)
        self.needed = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def __enter__(self) -> AutovacuumStandIn:
        with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as conn:
            self.needed = self.always or conn.execute("SHOW autovacuum").fetchone()[0] != "on"
        if self.needed:
            self._thread = threading.Thread(target=self._run, name="autovacuum", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=600)

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as conn:
                # autovacuum_vacuum_cost_delay and _limit's defaults (PostgreSQL 12+).
                conn.execute("SET vacuum_cost_delay = '2ms'")
                conn.execute("SET vacuum_cost_limit = 200")
                while not self._stop.wait(self.naptime):
                    for command, query in (("VACUUM", self.VACUUM), ("ANALYZE", self.ANALYZE)):
                        for (table,) in conn.execute(query).fetchall():
                            if self._stop.is_set():
                                return
                            started = time.perf_counter()
                            conn.execute(f'{command} "{table}"')
                            self.runs.append(
                                (started - t0, command, table, time.perf_counter() - started)
                            )
        except BaseException as exc:  # reported by the caller: a run without it is not valid
            self.error = exc

    def check(self) -> None:
        if self.error is not None:
            raise BenchError(f"The autovacuum stand-in failed: {self.error!r}")

    def summary(self) -> str:
        if not self.needed:
            return "the server's own autovacuum"
        if not self.runs:
            return "stand-in (the server's autovacuum is off): nothing was due"
        seconds = sum(run[3] for run in self.runs)
        vacuums = sum(1 for run in self.runs if run[1] == "VACUUM")
        return (
            f"stand-in (the server's autovacuum is off): {vacuums} VACUUM and "
            f"{len(self.runs) - vacuums} ANALYZE runs, {seconds:.0f} s in all"
        )


# --- SMTP sink --------------------------------------------------------------
#
# A mail server that accepts everything and only counts. Not aiosmtpd: that
# parses every line of every message in Python and costs the machine about
# 3 ms of CPU per message, more than the worker spends sending it; on a
# 2-core machine the bench would mostly measure its own sink. This one speaks
# just enough SMTP for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
# offers PIPELINING (RFC 2920) as Postfix does, and finds the end of DATA with
# one bytes search.


class _SinkProtocol(asyncio.Protocol):
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink
        self.buffer = b""
        self.in_data = False
        self.searched = 0  # how far the DATA buffer has been searched for its end
        self.recipients = 0

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(b"220 bench-smtp ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n", max(self.searched - 4, 0))
                if end < 0:
                    self.searched = len(self.buffer)
                    return
                self.buffer = self.buffer[end + 5 :]
                self.in_data = False
                # One event-loop thread writes; the bench thread only reads.
                self.sink.last_at = time.perf_counter()
                self.sink.count += self.recipients
                self.recipients = 0
                self.transport.write(b"250 OK\r\n")
                continue
            line, found, rest = self.buffer.partition(b"\r\n")
            if not found:
                return
            self.buffer = rest
            self.transport.write(self._reply(line[:4].upper()))
            if line[:4].upper() == b"QUIT":
                self.transport.close()
                return

    def _reply(self, verb: bytes) -> bytes:
        if verb == b"EHLO":
            # Pipelined input is read like any other: commands are taken
            # one line at a time from the buffer, DATA's end found in it.
            return b"250-bench-smtp\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
        if verb in (b"MAIL", b"RSET"):
            self.recipients = 0
        elif verb == b"RCPT":
            self.recipients += 1
        elif verb == b"DATA":
            self.in_data = True
            # The end marker is CRLF.CRLF; the CRLF before DATA's first line counts.
            self.buffer = b"\r\n" + self.buffer
            self.searched = 0
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        elif verb == b"QUIT":
            return b"221 Bye\r\n"
        return b"250 OK\r\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """Counts the recipients of every message it accepts, on 127.0.0.1, and
    notes when it accepted the last one (``time.perf_counter()``, this process)."""

    def __init__(self) -> None:
        self.count = 0
        self.last_at = 0.0
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="smtp-sink", daemon=True)
        self.server: asyncio.base_events.Server | None = None

    def __enter__(self) -> SmtpSink:
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(
            self.loop.create_server(lambda: _SinkProtocol(self), "127.0.0.1", self.port),
            self.loop,
        )
        self.server = future.result(timeout=10)
        return self

    def __exit__(self, *exc) -> None:
        if self.server is not None:
            self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.count = 0
        self.last_at = 0.0


class _Shared:
    """An attribute kept in a ``multiprocessing.Value`` (the instance's
    ``_<name>``): what a sink in another process counts, read here."""

    def __set_name__(self, owner, name: str) -> None:
        self.value_name = f"_{name}"

    def __get__(self, instance, owner=None):
        return getattr(instance, self.value_name).value

    def __set__(self, instance, value) -> None:
        getattr(instance, self.value_name).value = value


class _SharedCounts:
    """The sink protocol's ``count`` and ``last_at`` (as on ``SmtpSink``), in
    shared memory."""

    count = _Shared()
    last_at = _Shared()

    def __init__(self, count, last_at) -> None:
        self._count, self._last_at = count, last_at


def _sink_serve(port: int, count, last_at, ready) -> None:
    """The child process of ``SmtpSinkProcess``: the sink's protocol until killed."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    counts = _SharedCounts(count, last_at)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(loop.create_server(lambda: _SinkProtocol(counts), "127.0.0.1", port))
    ready.set()
    loop.run_forever()


class SmtpSinkProcess:
    """``SmtpSink`` in a process of its own. For a run that also works in the
    bench process for its whole length (the soak posts every second): a sink
    sharing that process's interpreter lock answers the workers late while a
    post runs, and the workers would wait on the bench rather than on the
    product. The count and the last acceptance (``time.perf_counter()``: the
    monotonic clock, the same in every process) are in shared memory."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self._count = context.Value("q", 0, lock=False)
        self._last_at = context.Value("d", 0.0, lock=False)
        self._ready = context.Event()
        self.process = context.Process(
            target=_sink_serve,
            args=(self.port, self._count, self._last_at, self._ready),
            name="smtp-sink",
            daemon=True,
        )

    def __enter__(self) -> SmtpSinkProcess:
        self.process.start()
        if not self._ready.wait(timeout=30):
            self.process.kill()
            raise BenchError("The SMTP sink's process did not start listening within 30 s.")
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.join(timeout=10)

    count = _Shared()
    last_at = _Shared()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.count = 0
        self.last_at = 0.0


# --- Webhook receiver -------------------------------------------------------
#
# An HTTP/1.1 server that answers every POST 204 and keeps what it was sent:
# enough HTTP for http.client (Content-Length bodies, keep-alive or not), one
# bytes search per request, in an event loop thread of the bench process, like
# the SMTP sink. ``down()`` closes its listening socket and every connection,
# so deliveries meet "connection refused" until ``up()`` listens again on the
# same port.


class _ReceiverProtocol(asyncio.Protocol):
    def __init__(self, receiver: WebhookReceiver) -> None:
        self.receiver = receiver
        self.buffer = b""

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.receiver.connections.add(self)
        self.receiver.connections_opened += 1

    def connection_lost(self, exc) -> None:
        self.receiver.connections.discard(self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self.receiver.requests.append((headers, body))
            close = headers.get("connection", "").lower() == "close"
            self.transport.write(
                b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n"
                + (b"Connection: close\r\n\r\n" if close else b"\r\n")
            )
            if close:
                self.transport.close()
                return


class WebhookReceiver:
    """Takes every webhook POSTed to ``url`` (answered 204) on 127.0.0.1 and
    keeps its headers and body (``requests``, in arrival order)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.connections: set[_ReceiverProtocol] = set()
        self.connections_opened = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="webhook-receiver", daemon=True
        )
        self.server: asyncio.base_events.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        self.up()
        return self

    def __exit__(self, *exc) -> None:
        self.down()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def up(self) -> None:
        """Listen (again) on the same port."""

        async def listen():
            return await self.loop.create_server(
                lambda: _ReceiverProtocol(self), "127.0.0.1", self.port, reuse_address=True
            )

        self.server = self._call(listen())

    def down(self) -> None:
        """Stop listening and drop every open connection: deliveries are refused."""

        async def close():
            self.server.close()
            for connection in list(self.connections):
                connection.transport.abort()
            await self.server.wait_closed()

        if self.server is not None:
            self._call(close())
            self.server = None

    def ids(self) -> list[str]:
        """The webhook-id of every request received, repeats included."""
        return [headers.get("webhook-id", "") for headers, _ in list(self.requests)]

    def reset(self) -> None:
        self.requests = []
        self.connections_opened = 0


# --- Worker -----------------------------------------------------------------


class Service:
    """A server the bench starts: a subprocess in its own session (its children
    with it), its output in a temporary log, stopped by its own process group
    id only (SIGTERM, then SIGKILL after ``STOP_SECONDS``). Subclasses give the
    ``command``, the process ``environment`` and when it is ``ready``."""

    STOP_SECONDS = 20.0

    def __init__(self, *, label: str) -> None:
        self.label = label
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            mode="w+", prefix=f"nps-bench-{label}-", suffix=".log", delete=False
        )
        self.process: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        raise NotImplementedError

    @property
    def environment(self) -> dict[str, str]:
        raise NotImplementedError

    def ready(self) -> bool:
        raise NotImplementedError

    def start(self, timeout: float = 60, *, waiting_for: str = "to be ready"):
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.label} exited at start:\n{self.output_tail()}")
            if self.ready():
                return self
            time.sleep(0.2)
        raise BenchError(
            f"{self.label} did not start {waiting_for} in {timeout:.0f} s:\n{self.output_tail()}"
        )

    def check_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise BenchError(f"{self.label} is not running:\n{self.output_tail()}")

    def output_tail(self, chars: int = 4000) -> str:
        with contextlib.suppress(OSError):
            return Path(self.log.name).read_text(errors="replace")[-chars:]
        return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=self.STOP_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Worker(Service):
    """``celery -A <app> worker``, ready when it answers a ping."""

    def __init__(self, env: Environment, *, app: str, label: str, queues: str = QUEUES) -> None:
        super().__init__(label=f"worker {label}")
        self.env = env
        self.app = app
        self.queues = queues
        self.hostname = f"bench-{label}-{os.getpid()}@{socket.gethostname()}"
        self.ping: Callable[[str], bool] = lambda hostname: False

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
            self.queues,
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

    @property
    def environment(self) -> dict[str, str]:
        return self.env.subprocess_env()

    def ready(self) -> bool:
        return self.ping(self.hostname)

    def start(self, ping: Callable[[str], bool], timeout: float = 60) -> Worker:
        self.ping = ping
        return super().start(timeout, waiting_for="answering a ping")


def celery_ping(app) -> Callable[[str], bool]:
    def ping(hostname: str) -> bool:
        try:
            return bool(app.control.ping(destination=[hostname], timeout=0.5))
        except Exception:
            return False

    return ping


# --- Where the CPU went -----------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _system_cpu() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values
    busy = user + nice + system + irq + softirq + steal
    return busy / _TICK, (idle + iowait) / _TICK


def _processes() -> dict[int, tuple[str, int, float]]:
    """{pid: (command name, process group, CPU seconds of its own)}"""
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
        # utime + stime only: a reaped child's lifetime CPU would land in its
        # parent's cutime all at once, whenever it happens to end.
        cpu = (int(fields[11]) + int(fields[12])) / _TICK
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
    bench process (incl. the SMTP sink), and anything else the machine did
    ("other": a busy neighbour makes the figures noisy), between ``start()`` and
    ``stop()``.

    Call ``sample()`` while waiting: a PostgreSQL backend lives only as long as
    its connection (one task, when Celery closes connections after each), and
    what it used is counted up to the last sample that saw it. A sample reads
    every process's ``/proc`` entry (several milliseconds), so ``sample()``
    scans at most every ``SAMPLE_SECONDS``: called from a timed loop (after
    every tenth answer of the one-by-one path, say), a scan each time took a
    fifth of that loop's time. What a process that lived between two scans
    used is still in "other".
    """

    GROUPS = ("worker", "postgres", "redis", "bench")
    SAMPLE_SECONDS = 0.25

    def __init__(self, worker_pgid: int | None, database: str) -> None:
        self.worker_pgid = worker_pgid
        self.database = database
        # pid -> [command name, group, CPU at start (0 if born later), CPU last seen]
        self.seen: dict[int, list] = {}
        self.before_system = (0.0, 0.0)
        self.started = self.scanned = 0.0
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

    def _scan(self, *, first: bool) -> None:
        for pid, (comm, pgid, cpu) in _processes().items():
            entry = self.seen.get(pid)
            if entry is None or entry[0] != comm:  # new, or the pid was reused
                self.seen[pid] = [comm, self._group(pid, comm, pgid), cpu if first else 0.0, cpu]
                continue
            entry[3] = cpu
            if comm.startswith("postgres"):  # its title names the database once connected
                entry[1] = self._group(pid, comm, pgid)

    def start(self) -> CpuMeter:
        self._scan(first=True)
        self.before_system = _system_cpu()
        self.started = self.scanned = time.perf_counter()
        return self

    def sample(self) -> None:
        now = time.perf_counter()
        if now - self.scanned >= self.SAMPLE_SECONDS:
            self._scan(first=False)
            self.scanned = now

    def stop(self) -> dict[str, float]:
        wall = time.perf_counter() - self.started
        self._scan(first=False)
        (busy_end, idle_end), (busy_start, idle_start) = _system_cpu(), self.before_system
        groups = dict.fromkeys(self.GROUPS, 0.0)
        for _, group, cpu_start, cpu_last in self.seen.values():
            if group in groups:
                groups[group] += max(cpu_last - cpu_start, 0.0)
        # Everything else the machine did (other processes, the kernel), from the
        # machine's own total, so processes that came and went are counted too.
        groups["other"] = max(busy_end - busy_start - sum(groups.values()), 0.0)
        groups["idle"] = max(idle_end - idle_start, 0.0)
        self.result = {"wall": wall, **groups}
        return self.result
