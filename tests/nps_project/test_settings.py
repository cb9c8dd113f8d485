"""Production settings: no secret has a default, and the deploy check is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
STRONG_KEY = "Zq3-vN8_kT1xW6pR0yL5mC9sF2hJ7dB4gA-uE8iO3nK1tY6wQ0zX5cV9bM2lP7rS4"
# What `openssl rand -hex 32` prints: 16 symbols, but random.
HEX_KEY = "9b1f4c7a2e8d03f65c1a9e7b4d2f08a6c3e5b7d9f1a2c4e6b8d0f2a4c6e8b0d2"


def _run(argv, env_overrides, *, keep_settings_module=True):
    # Only what a deployment would have: no test-process switches.
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    if not keep_settings_module:
        dropped.add("DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - our own interpreter and modules, fixed arguments
        [sys.executable, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _manage(*args, env_overrides, keep_settings_module=True):
    return _run(["manage.py", *args], env_overrides, keep_settings_module=keep_settings_module)


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "nps_project.settings.production",
    "ALLOWED_HOSTS": "nps.example.com",
    "DATABASE_URL": "sqlite:////tmp/nps-deploy-check.sqlite3",
}


def test_deploy_check_is_clean_in_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={**PRODUCTION, "SECRET_KEY": STRONG_KEY},
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "secret_key",
    [
        None,
        "short",
        "django-insecure-" + "x" * 60,
        "dev-only-insecure-key-never-use-in-production-0123456789",
        # Long enough, but five characters over and over: about 2.3 bits each.
        "abcde" * 12,
        "a" * 40 + "0123456789",
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    overrides = dict(PRODUCTION)
    if secret_key is not None:
        overrides["SECRET_KEY"] = secret_key
    result = _manage("check", env_overrides=overrides)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_needs_allowed_hosts():
    overrides = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = _manage("check", env_overrides={**overrides, "SECRET_KEY": STRONG_KEY})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_accepts_a_random_hex_key():
    result = _manage("check", env_overrides={**PRODUCTION, "SECRET_KEY": HEX_KEY})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("debug", ["1", "true", "on"])
def test_production_refuses_debug_which_would_show_secrets_on_error_pages(debug):
    result = _manage(
        "check", env_overrides={**PRODUCTION, "SECRET_KEY": STRONG_KEY, "DEBUG": debug}
    )
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "nps.example.com,*"])
def test_production_refuses_a_wildcard_allowed_host(hosts):
    overrides = {**PRODUCTION, "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": hosts}
    result = _manage("check", env_overrides=overrides)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must name" in result.stderr


UNSET_MODULE = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SETTINGS_MODULE"}


def test_manage_py_without_a_settings_module_runs_the_production_checks():
    result = _manage("check", env_overrides=UNSET_MODULE, keep_settings_module=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_manage_py_without_a_settings_module_uses_dev_settings_only_when_debug_is_set():
    overrides = {"DEBUG": "1", "DATABASE_URL": PRODUCTION["DATABASE_URL"]}
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SETTINGS_MODULE)",
        env_overrides=overrides,
        keep_settings_module=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "nps_project.settings.dev"


@pytest.mark.parametrize("module", ["nps_project.celery", "nps_project.wsgi"])
def test_workers_and_web_without_a_settings_module_run_the_production_checks(module):
    code = f"import django, {module}; django.setup(); print('started')"
    result = _run(["-c", code], UNSET_MODULE, keep_settings_module=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_web_process_never_takes_the_dev_settings_from_debug_alone():
    code = "import nps_project.wsgi"
    result = _run(["-c", code], {**UNSET_MODULE, "DEBUG": "1"}, keep_settings_module=False)
    assert result.returncode != 0
    assert "DEBUG must be off under production settings" in result.stderr


def test_celery_app_without_a_settings_module_loads_production_settings():
    code = (
        "from nps_project.celery import app; from django.conf import settings; "
        "app.loader.import_default_modules(); print(settings.SETTINGS_MODULE)"
    )
    result = _run(
        ["-c", code], {**UNSET_MODULE, "SECRET_KEY": STRONG_KEY}, keep_settings_module=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "nps_project.settings.production"


SCALE_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from nps_project.celery import app
replica = settings.DATABASES.get("replica", {})
print(json.dumps({
    "replica": [replica.get("HOST"), replica.get("NAME"), replica.get("TEST", {}).get("MIRROR")],
    "replica_reads": settings.NPS_REPLICA_READS,
    "routers": settings.DATABASE_ROUTERS,
    "queues": {q.name: [q.exchange.type, q.queue_arguments] for q in app.conf.task_queues or []},
    "transport": app.conf.broker_transport_options,
    "acks_late": app.conf.task_acks_late,
    "prepare_threshold": settings.DATABASES["default"]
        .get("OPTIONS", {})
        .get("prepare_threshold", "unset"),
}))
"""


def _scale_settings(**overrides) -> dict:
    import json

    env = {**PRODUCTION, "SECRET_KEY": STRONG_KEY, "CELERY_BROKER_URL": "redis://x:6379/0"}
    result = _run(["-c", SCALE_PROBE], {**env, **overrides})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_replica_url_adds_a_replica_alias_that_reads_may_use():
    found = _scale_settings(DATABASE_REPLICA_URL="postgres://reader@standby.internal:5432/nps")
    assert found["replica"] == ["standby.internal", "nps", "default"]
    assert found["replica_reads"] is True
    assert found["routers"] == ["nps_project.replica.ReplicaRouter"]
    without = _scale_settings()
    assert without["replica"] == [None, None, None]
    assert without["replica_reads"] is False


def test_an_amqp_broker_gets_quorum_queues_on_a_topic_exchange_and_publisher_confirms():
    found = _scale_settings(CELERY_BROKER_URL="amqp://guest:guest@rabbit.internal:5672/nps")
    assert set(found["queues"]) == {"routing", "email", "default"}
    for exchange_type, arguments in found["queues"].values():
        assert exchange_type == "topic"  # native delayed delivery refuses direct exchanges
        assert arguments["x-queue-type"] == "quorum"
    assert found["transport"]["confirm_publish"] is True
    assert "visibility_timeout" not in found["transport"]  # Redis's own
    assert found["acks_late"] is True
    redis = _scale_settings()
    assert redis["queues"] == {}
    assert "confirm_publish" not in redis["transport"]


def test_prepared_statements_are_on_for_postgresql_and_can_be_turned_off_for_a_pooler():
    postgres = {"DATABASE_URL": "postgres://nps@db.internal:5432/nps"}
    assert _scale_settings(**postgres)["prepare_threshold"] == 5
    off = _scale_settings(**postgres, DATABASE_PREPARED_STATEMENTS="false")
    assert off["prepare_threshold"] is None
    # SQLite's driver has no such option.
    assert _scale_settings()["prepare_threshold"] == "unset"
