"""A real Celery worker in its own process, on the real broker and database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
WORKER_SECRET_KEY = "worker-test-key-" + "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c"


def test_database_url() -> str:
    """The URL of the database this test run uses (pytest-django's test_ copy)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class WorkerProcess:
    """``celery -A nps_project worker`` with production settings, as deployed."""

    def __init__(
        self,
        *,
        broker_url: str,
        email_url: str,
        concurrency: int = 2,
        queues: str = "routing,email,default",
        **env,
    ) -> None:
        self.broker_url = broker_url
        self.email_url = email_url
        self.concurrency = concurrency
        self.queues = queues
        self.extra_env = {k: str(v) for k, v in env.items()}
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            mode="w+", prefix="nps-worker-", suffix=".log", delete=False
        )
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> WorkerProcess:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nps_project.settings.production",
            "SECRET_KEY": WORKER_SECRET_KEY,
            "DEBUG": "False",  # production settings refuse DEBUG; a developer shell may set it
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": test_database_url(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": self.broker_url,
            "EMAIL_URL": self.email_url,
            "EMAIL_TIMEOUT": "5",
            "LOG_LEVEL": "INFO",
            **self.extra_env,
        }
        self.process = subprocess.Popen(  # noqa: S603 - fixed command
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "nps_project",
                "worker",
                "-Q",
                self.queues,
                "--concurrency",
                str(self.concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
                "--hostname",
                f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited at start:\n{self.output()}")
            if " ready." in self.output():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"The worker did not become ready:\n{self.output()}")

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, as a crash or the OOM killer would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.1, message: str = ""):
    """Poll until ``predicate()`` is truthy; fail with ``message`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError((message() if callable(message) else message) or "condition not met")
