"""The floor of the loop benchmark: a Celery app configured exactly like
``nps_project.celery`` (same Django settings, same ``CELERY_`` options) with one
empty task, so a worker started with ``-A bench.celery_floor`` runs on the same
worker settings as ``-A nps_project``.
"""

from __future__ import annotations

import os

import redis
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_project.settings.production")

# Not the current app: in the bench process the project's shared tasks must
# keep binding to ``nps_project.celery.app``.
app = Celery("bench_floor", set_as_current=False)
app.config_from_object("django.conf:settings", namespace="CELERY")

_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _client  # one connection per worker process, made after the fork
    if _client is None:
        _client = redis.Redis.from_url(app.conf.broker_url)
    return _client


@app.task(
    name="bench.noop",
    queue="routing",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def noop(counter_key: str) -> None:
    """Does nothing but count itself (one INCR), so the bench sees when every
    message has run."""
    _redis().incr(counter_key)
