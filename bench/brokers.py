"""The bench on either broker: Redis (``BENCH_BROKER_URL``) or RabbitMQ
(``BENCH_AMQP_BROKER_URL``, a vhost of its own), and worker nodes of a given
pool size. Shared by ``bench.scale`` and ``bench.soak``."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from . import infra

AMQP_URL = os.environ.get("BENCH_AMQP_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/nps_bench")
# Processes of the broker servers, for the CPU meter.
BROKER_COMMANDS = ("redis-server", "beam.smp", "erl_child_setup", "inet_gethost", "epmd")


def is_amqp(url: str) -> bool:
    from nps_project.brokers import is_amqp as project_is_amqp

    return project_is_amqp(url)


def _vhost(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/")) or "/"


def _amqp_connect(url: str) -> None:
    from kombu import Connection

    with Connection(url, connect_timeout=3) as conn:
        conn.ensure_connection(max_retries=1)


def amqp_ready(url: str = AMQP_URL) -> None:
    """Connect to RabbitMQ; create the bench's vhost with ``rabbitmqctl`` when
    it is missing and the command is here. Raises BenchError saying what to do."""
    try:
        _amqp_connect(url)
        return
    except Exception as exc:
        first = exc
    vhost = _vhost(url)
    if vhost == "/" or shutil.which("rabbitmqctl") is None:
        raise infra.BenchError(f"RabbitMQ at {url.rsplit('@', 1)[-1]}: {first}")
    user = unquote(urlsplit(url).username or "guest")
    for argv in (
        ["rabbitmqctl", "add_vhost", vhost],
        ["rabbitmqctl", "set_permissions", "-p", vhost, user, ".*", ".*", ".*"],
    ):
        subprocess.run(argv, capture_output=True, timeout=60, check=False)
    try:
        _amqp_connect(url)
    except Exception as exc:
        raise infra.BenchError(
            f"RabbitMQ at {url.rsplit('@', 1)[-1]}: {exc}. Start it (rabbitmq-server -detached) "
            f"and create the vhost: rabbitmqctl add_vhost {vhost}; "
            f"rabbitmqctl set_permissions -p {vhost} {user} '.*' '.*' '.*'"
        ) from exc


def flush(url: str) -> None:
    """Empty the bench's broker: its Redis database, or its RabbitMQ vhost's
    work and delayed-delivery queues (the workers declare them again)."""
    if not is_amqp(url):
        infra.flush_broker(url)
        return
    from kombu import Connection
    from kombu.transport.native_delayed_delivery import MAX_LEVEL, level_name

    from nps_project.brokers import QUEUES

    with Connection(url, connect_timeout=3) as conn:
        channel = conn.channel()
        for name in (*QUEUES, *(level_name(level) for level in range(MAX_LEVEL + 1))):
            channel.queue_delete(name)


def queue_depth(url: str) -> int:
    """Messages waiting in the work queues, or taken and not yet acknowledged
    (Redis: the ``unacked`` hash; RabbitMQ counts only ready ones here)."""
    from nps_project.brokers import QUEUES

    if not is_amqp(url):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5)
        try:
            return sum(client.llen(name) for name in QUEUES) + client.hlen("unacked")
        finally:
            client.close()
    from kombu import Connection

    with Connection(url, connect_timeout=3) as conn:
        channel = conn.channel()
        return sum(channel.queue_declare(name, passive=True).message_count for name in QUEUES)


def _reset_app(app) -> None:
    app._pool = None
    app.__dict__.pop("amqp", None)


@contextlib.contextmanager
def publishing_to(url: str) -> Iterator:
    """This process's Celery app publishing to ``url``, with the settings a
    deployment on that broker has (nps_project.brokers). Yields the app."""
    from django.conf import settings

    from nps_project.brokers import amqp_options
    from nps_project.celery import app

    options = {"broker_url": url}
    if is_amqp(url):
        options.update(amqp_options(settings.CELERY_BROKER_TRANSPORT_OPTIONS))
    saved = {key: app.conf.get(key) for key in options}
    # Celery reads CELERY_BROKER_URL from the environment before its settings.
    saved_environ = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(options)
    _reset_app(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        if saved_environ is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ
        _reset_app(app)


class Worker(infra.Worker):
    """``celery -A nps_project worker`` with a pool of ``concurrency`` processes."""

    def __init__(self, env: infra.Environment, *, label: str, concurrency: int) -> None:
        super().__init__(env, app="nps_project", label=label)
        self.concurrency = concurrency

    @property
    def command(self) -> list[str]:
        command = super().command
        command[command.index("--concurrency") + 1] = str(self.concurrency)
        return command


class CpuMeter(infra.CpuMeter):
    """infra.CpuMeter over several worker nodes, with either broker's server
    counted as the broker (RabbitMQ's Erlang VM is not "other")."""

    GROUPS = ("worker", "postgres", "broker", "bench")

    def __init__(self, worker_pgids: list[int], database: str) -> None:
        super().__init__(None, database)
        self.worker_pgids = set(worker_pgids)

    def _group(self, pid: int, comm: str, pgid: int) -> str:
        if pgid in self.worker_pgids:
            return "worker"
        if comm.startswith(BROKER_COMMANDS):
            return "broker"
        return super()._group(pid, comm, pgid)


def worker_rss_bytes(pgids: list[int]) -> int:
    """Resident memory of the worker nodes (parents and pool children)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    wanted = set(pgids)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[2]) in wanted:  # field 5 of stat, the process group
                with open(f"/proc/{entry.name}/statm") as statm:
                    total += int(statm.read().split()[1]) * page
    return total
