"""/healthz answers 200 when the database and broker answer, 503 naming the part that does not."""

import pytest
from django.db import connection

from nps_project import health

pytestmark = pytest.mark.django_db


def test_healthy_in_embedded_mode_with_tasks_in_process(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "in-process"},
    }


def test_unreachable_broker_is_named_in_a_503(client, celery_conf):
    celery_conf(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("unavailable")


def test_failing_database_is_named_in_a_503(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", lambda: broken_cursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("unavailable")


@pytest.mark.redis
def test_real_redis_broker_is_reported_ok(client, celery_conf, settings):
    celery_conf(task_always_eager=False, broker_url=settings.CELERY_BROKER_URL)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
