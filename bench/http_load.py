"""A real HTTP server and a load generator for it: ``gunicorn`` started the
way the product's image starts it, and a small asyncio HTTP/1.1 client that
sends N prepared requests at a fixed concurrency and records every status and
latency.

Why not ``wrk``: it is not a Python dependency (a system package, which
``make bench`` would have to install as root), it runs for a duration rather
than for N requests (the requests in flight when it stops are stored but not
counted, so "exactly N rows" cannot be checked), and it needs a Lua script to
give every request its own body. This client is CPU-cheap enough on two cores
(it works on raw bytes through ``asyncio.Protocol``, with every request built
before the clock starts), and the bench reports the CPU it took, per request,
next to the server's, so its share of the machine is visible.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import time
from dataclasses import dataclass, field

from .infra import BenchError, Service, free_port

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0  # seconds one request may take before the run fails


# --- The server -------------------------------------------------------------


class Gunicorn(Service):
    """``gunicorn <app> --workers 2 --access-logfile -`` (the Dockerfile's
    command) bound to a free port on 127.0.0.1, ready when it accepts a
    connection."""

    STOP_SECONDS = 30.0

    def __init__(self, env: dict[str, str], *, label: str, workers: int = 2) -> None:
        super().__init__(label=f"gunicorn ({label})")
        self.env = env
        self.workers = workers
        self.port = free_port()

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "nps_project.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--access-logfile",
            "-",
        ]

    @property
    def environment(self) -> dict[str, str]:
        return self.env

    def ready(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 0.5):
            return True
        return False

    def start(self, timeout: float = 60) -> Gunicorn:
        return super().start(timeout, waiting_for=f"listening on port {self.port}")


# --- The client -------------------------------------------------------------


def post_request(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """One HTTP/1.1 POST, as bytes ready to send."""
    lines = [
        f"POST {path} HTTP/1.1",
        *(f"{name}: {value}" for name, value in headers.items()),
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "",
        "",
    ]
    return "\r\n".join(lines).encode("latin-1") + body


class _Exchange(asyncio.Protocol):
    """One client connection, one request at a time: kept alive when the
    server keeps it (gthread, a proxy), reopened when it answers
    ``Connection: close`` (gunicorn's sync workers)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.open = True
        self.eof = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._answer()

    def eof_received(self) -> bool:
        self.eof = True
        self._answer()
        return False

    def connection_lost(self, exc) -> None:
        self.open = False
        self.eof = True
        self._answer()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(
                ConnectionError(f"connection closed before the whole response came ({exc})")
            )

    def send(self, request: bytes) -> asyncio.Future:
        self.buffer.clear()
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.waiter

    def _answer(self) -> None:
        if self.waiter is None or self.waiter.done():
            return
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head = bytes(self.buffer[:head_end]).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", ""):
            self.waiter.set_exception(BenchError("chunked responses are not supported"))
            return
        close = headers.get("connection", "").lower() == "close"
        body_start = head_end + 4
        if "content-length" in headers:
            end = body_start + int(headers["content-length"])
            if len(self.buffer) < end:
                return
        elif self.eof:
            end = len(self.buffer)
        else:
            return  # no length: the body ends when the server closes
        self.waiter.set_result((status, bytes(self.buffer[body_start:end]), close))


@dataclass
class LoadResult:
    """What N requests got: per request (in the order given) its status and
    latency (seconds from sending, or connecting when a new connection was
    needed, to the last byte of the response); the wall time of the whole
    run; and the CPU this process spent generating the load."""

    seconds: float
    statuses: list[int]
    latencies: list[float]
    client_cpu: float
    connections: int
    failures: list[tuple[int, int, bytes]] = field(default_factory=list)  # index, status, body

    @property
    def n(self) -> int:
        return len(self.statuses)

    @property
    def rate(self) -> float:
        return self.n / self.seconds

    @classmethod
    def combined(cls, parts: list[LoadResult]) -> LoadResult:
        """Several runs as one: their requests in turn, their times and CPU summed."""
        return cls(
            seconds=sum(part.seconds for part in parts),
            statuses=[status for part in parts for status in part.statuses],
            latencies=[latency for part in parts for latency in part.latencies],
            client_cpu=sum(part.client_cpu for part in parts),
            connections=sum(part.connections for part in parts),
            failures=[failure for part in parts for failure in part.failures],
        )

    def percentile(self, share: float) -> float:
        """Latency at this share (0..1) of the requests, nearest rank, in seconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def _run(
    port: int, requests: list[bytes], concurrency: int, expected: int, tick, progress: dict
) -> LoadResult:
    loop = asyncio.get_running_loop()
    statuses = [0] * len(requests)
    latencies = [0.0] * len(requests)
    failures: list[tuple[int, int, bytes]] = []
    pending = iter(range(len(requests)))
    connections = 0

    async def client() -> None:
        nonlocal connections
        exchange: _Exchange | None = None
        try:
            for index in pending:
                started = time.perf_counter()
                if exchange is None or not exchange.open or exchange.eof:
                    _, exchange = await loop.create_connection(_Exchange, HOST, port)
                    connections += 1
                status, body, close = await asyncio.wait_for(
                    exchange.send(requests[index]), REQUEST_TIMEOUT
                )
                latencies[index] = time.perf_counter() - started
                statuses[index] = status
                progress["answered"] += 1
                if status != expected:
                    failures.append((index, status, body[:2000]))
                if close:
                    exchange.transport.close()
                    exchange = None
                if tick is not None and index % 50 == 0:
                    tick()
        finally:
            if exchange is not None and exchange.transport is not None:
                exchange.transport.close()

    cpu_before = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return LoadResult(
        seconds=seconds,
        statuses=statuses,
        latencies=latencies,
        client_cpu=time.process_time() - cpu_before,
        connections=connections,
        failures=failures,
    )


def generate_load(
    port: int,
    requests: list[bytes],
    *,
    concurrency: int,
    expected: int,
    timeout: float,
    what: str,
    tick=None,
) -> LoadResult:
    """Send every request once, ``concurrency`` at a time, to 127.0.0.1:port;
    raises ``BenchError`` when one fails, times out, or is answered with
    another status than ``expected``, saying how far the run got."""

    progress = {"answered": 0}

    async def bounded() -> LoadResult:
        run = _run(port, requests, concurrency, expected, tick, progress)
        return await asyncio.wait_for(run, timeout)

    try:
        result = asyncio.run(bounded())
    except TimeoutError:
        raise BenchError(
            f"{what}: {progress['answered']} of {len(requests)} requests were answered "
            f"within {timeout:.0f} s."
        ) from None
    except (OSError, ConnectionError) as exc:
        raise BenchError(
            f"{what}: a request failed after {progress['answered']} of {len(requests)} were "
            f"answered: {exc}"
        ) from exc
    if result.failures:
        index, status, body = result.failures[0]
        raise BenchError(
            f"{what}: {len(result.failures)} of {len(requests)} requests were answered with "
            f"another status than {expected}; the first, request {index}, got {status}: "
            f"{body!r}"
        )
    return result
