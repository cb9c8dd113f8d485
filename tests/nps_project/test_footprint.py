"""What a web process holds before it serves a request: libraries that only one
feature needs (Slack's Block Kit, Twilio's client, Pillow, the phone number
metadata) are loaded by the code that uses them, not by every process that
starts Django and reads the URLs (``make bench``: ``export.peak_mb_budget``)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOADED_WHERE_USED = ("slack_sdk", "twilio.rest", "twilio.http", "PIL", "phonenumbers")

STARTUP = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every URL module, so every view and admin
print(json.dumps(sorted(sys.modules)))
"""


def modules_after_startup() -> set[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nps_project.settings.production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": "sqlite:///:memory:",
        "CELERY_BROKER_URL": "memory://",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
    }
    shown = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", STARTUP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    return set(json.loads(shown.stdout.strip().splitlines()[-1]))


def test_a_web_process_loads_single_feature_libraries_only_when_used():
    loaded = modules_after_startup()
    assert "followups.chat.blocks" in loaded  # the walk reached the modules that use them
    assert "surveys.phones" in loaded
    assert "surveys.branding" in loaded
    early = sorted(
        name
        for name in loaded
        for library in LOADED_WHERE_USED
        if name == library or name.startswith(library + ".")
    )
    assert early == []
