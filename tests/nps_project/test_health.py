"""/healthz answers 200 when the database and broker answer, 503 otherwise.
Anonymous callers (load balancers, anyone on the internet) learn only that;
staff see which part failed and why."""

import pytest
from django.db import OperationalError

from nps_project import health
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="ops", is_staff=True))
    return client


def _break_database(monkeypatch):
    def broken_cursor():
        raise OperationalError("connection to db.internal:5432 refused")

    monkeypatch.setitem(health.CHECKS, "database", broken_cursor)


def test_anonymous_caller_sees_only_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_anonymous_caller_sees_only_degraded_when_the_broker_is_down(client, celery_conf):
    celery_conf(task_always_eager=False, broker_url=UNREACHABLE_BROKER)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded"}
    assert "127.0.0.1" not in response.content.decode()


def test_anonymous_caller_sees_no_error_text_when_the_database_fails(client, monkeypatch):
    _break_database(monkeypatch)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded"}
    assert "db.internal" not in response.content.decode()


def test_logged_in_non_staff_user_sees_only_the_status(client):
    client.force_login(UserFactory(username="customer-user", is_staff=False))
    assert client.get("/healthz").json() == {"status": "ok"}


def test_staff_see_each_check_in_embedded_mode(staff_client):
    response = staff_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "in-process"},
    }


def test_staff_see_the_unreachable_broker_named(staff_client, celery_conf):
    celery_conf(task_always_eager=False, broker_url=UNREACHABLE_BROKER)
    response = staff_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("unavailable")


def test_staff_see_the_failing_database_and_its_error(staff_client, monkeypatch):
    _break_database(monkeypatch)
    response = staff_client.get("/healthz")
    assert response.status_code == 503
    database = response.json()["checks"]["database"]
    assert database.startswith("unavailable (OperationalError")
    assert "db.internal:5432 refused" in database


@pytest.mark.redis
def test_real_redis_broker_is_reported_ok(staff_client, celery_conf, settings):
    celery_conf(task_always_eager=False, broker_url=settings.CELERY_BROKER_URL)
    response = staff_client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
