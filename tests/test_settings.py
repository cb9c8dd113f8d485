"""Production settings: no secret has a default, and the deploy check is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 10 + "3f9c1b7e5a0d4c2f8e6b9a1d7c3e5f0a2b4d6e8f1a3c5e7b"


def _manage(*args, env_overrides):
    # Only what a deployment would have: no test-process switches.
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


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
