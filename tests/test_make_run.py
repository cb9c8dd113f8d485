"""What `make run` relies on: the periodic jobs in the server process, one
file per email in var/mail/, and links that follow the port it serves on."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from followups.models import FollowUpCase
from nps_project.celery import app
from nps_project.mail import OneFilePerMessageBackend
from nps_project.periodic import InProcessBeat, beat_entries_summary
from tests.factories import ResponseFactory

ROOT = Path(__file__).resolve().parent.parent

_runs: list[int] = []
_ran = threading.Event()


@app.task(name="tests.periodic_probe")
def periodic_probe() -> None:
    _runs.append(1)
    if len(_runs) >= 3:
        _ran.set()


@app.task(name="tests.periodic_failure")
def periodic_failure() -> None:
    raise RuntimeError("a job that fails")


# --- Periodic jobs in-process -----------------------------------------------------


def test_tick_runs_interval_jobs_at_once_and_again_when_due():
    _runs.clear()
    beat = InProcessBeat(app, {"probe": {"task": "tests.periodic_probe", "schedule": 60.0}})

    wait = beat.tick()
    assert len(_runs) == 1
    assert 59 <= wait <= 60

    beat.tick()
    assert len(_runs) == 1  # not due again yet
    beat.entries[0].last_run_at -= timedelta(seconds=61)
    beat.tick()
    assert len(_runs) == 2


def test_crontab_jobs_wait_for_their_time():
    from celery.schedules import crontab

    _runs.clear()
    beat = InProcessBeat(
        app, {"digest": {"task": "tests.periodic_probe", "schedule": crontab(minute=0, hour=7)}}
    )

    beat.tick()

    assert _runs == []


def test_a_failing_job_does_not_stop_the_others():
    _runs.clear()
    beat = InProcessBeat(
        app,
        {
            "failing": {"task": "tests.periodic_failure", "schedule": 60.0},
            "probe": {"task": "tests.periodic_probe", "schedule": 60.0},
        },
    )

    beat.tick()

    assert _runs == [1]


def test_background_thread_runs_the_schedule_until_stopped():
    _runs.clear()
    _ran.clear()
    beat = InProcessBeat(app, {"probe": {"task": "tests.periodic_probe", "schedule": 0.05}})

    thread = beat.start()
    try:
        assert _ran.wait(timeout=10)
    finally:
        beat.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.mark.django_db
def test_the_projects_schedule_escalates_an_overdue_case_in_process(settings):
    response = ResponseFactory(score=2)
    from followups.routing import responses_route

    responses_route(response_ids=[response.pk])
    case = FollowUpCase.objects.get()
    FollowUpCase.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=2))
    schedule = {
        name: entry
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] == "followups.escalate_cases"
    }

    InProcessBeat(app, schedule).tick()

    assert FollowUpCase.objects.get().escalation_level == 1


def test_every_job_of_the_beat_schedule_is_known_and_listed(settings):
    beat = InProcessBeat(app, settings.CELERY_BEAT_SCHEDULE)

    summary = beat_entries_summary(beat)

    assert len(summary) == len(settings.CELERY_BEAT_SCHEDULE)
    assert "sweep-lost-work (every 30 s)" in summary
    for entry in beat.entries:
        assert entry.task in app.tasks


# --- One file per email ------------------------------------------------------------


def test_each_message_of_one_connection_gets_its_own_eml_file(tmp_path):
    connection = get_connection(
        "nps_project.mail.OneFilePerMessageBackend", file_path=str(tmp_path)
    )
    connection.open()
    messages = [
        EmailMessage(f"Subject {n}", f"Body {n}", "nps@example.com", [f"c{n}@example.com"])
        for n in range(3)
    ]
    assert connection.send_messages(messages) == 3
    connection.close()

    files = sorted(tmp_path.iterdir())
    assert [path.suffix for path in files] == [".eml"] * 3
    subjects = {message_from_bytes(path.read_bytes())["Subject"] for path in files}
    assert subjects == {"Subject 0", "Subject 1", "Subject 2"}


def test_a_message_without_recipients_writes_no_file(tmp_path):
    backend = OneFilePerMessageBackend(file_path=str(tmp_path))

    assert backend.send_messages([EmailMessage("No one", "Body", "nps@example.com", [])]) == 0
    assert list(tmp_path.iterdir()) == []


# --- Links follow the port -------------------------------------------------------------


def _dev_setting(name: str, **environ: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PUBLIC_BASE_URL", "PORT"}}
    env.update(environ, DJANGO_SETTINGS_MODULE="nps_project.settings.dev")
    env["DATABASE_URL"] = "sqlite://:memory:"
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_dev_links_follow_the_port_make_run_serves_on():
    assert _dev_setting("PUBLIC_BASE_URL", PORT="8771") == "http://127.0.0.1:8771"
    assert (
        _dev_setting("PUBLIC_BASE_URL", PUBLIC_BASE_URL="http://localhost:9000/", PORT="8771")
        == "http://localhost:9000"
    )
    assert _dev_setting("EMAIL_BACKEND") == "nps_project.mail.OneFilePerMessageBackend"


def test_make_run_passes_its_host_and_port_to_the_links():
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8771"],  # noqa: S607 - make from the PATH, as a developer runs it
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "PUBLIC_BASE_URL=http://127.0.0.1:8771" in dry.stdout
    assert "manage.py run_demo 127.0.0.1:8771" in dry.stdout


@pytest.mark.django_db
def test_invitation_links_use_the_configured_base_url(settings):
    from tests.factories import InvitationFactory

    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8771"
    invitation = InvitationFactory()

    assert invitation.public_url(3).startswith("http://127.0.0.1:8771/s/")
