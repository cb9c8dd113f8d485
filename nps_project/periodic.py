"""Celery beat's schedule, run in this process: the periodic jobs of
``make run`` (sweeper, escalation, reminders, waves, due invitations, the
digest), with no broker and no beat process.

Each due task runs eagerly in a background thread (``Task.apply``), and what it
publishes runs in-process too under ``CELERY_TASK_ALWAYS_EAGER``. Production
runs ``celery beat`` and workers instead.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import Celery
from celery.schedules import BaseSchedule
from celery.schedules import schedule as every
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)


@dataclass
class _Entry:
    name: str
    task: str
    schedule: BaseSchedule
    last_run_at: datetime


class InProcessBeat:
    """Runs the entries of a beat schedule when they are due.

    Interval jobs run once at start (a demo shows its overdue cases escalated
    at once, not after five minutes), then every interval; crontab jobs (the
    Monday digest) only at their time.
    """

    def __init__(self, app: Celery, beat_schedule: dict) -> None:
        self.app = app
        now = app.now()
        self.entries = []
        for name, entry in beat_schedule.items():
            schedule = _as_schedule(entry["schedule"], app)
            started = now - _interval(schedule) if isinstance(schedule, every) else now
            self.entries.append(_Entry(name, entry["task"], schedule, started))
        self._stopped = threading.Event()

    def tick(self) -> float:
        """Run every entry that is due; return the seconds until the next one is."""
        waits = []
        for entry in self.entries:
            due, wait = entry.schedule.is_due(entry.last_run_at)
            if due:
                entry.last_run_at = self.app.now()
                self._run(entry)
                due, wait = entry.schedule.is_due(entry.last_run_at)
            waits.append(wait)
        return min(waits, default=60.0)

    def _run(self, entry: _Entry) -> None:
        try:
            result = self.app.tasks[entry.task].apply()
            if result.failed():
                logger.warning("Periodic job %s failed: %r", entry.name, result.result)
            else:
                logger.debug("Periodic job %s ran.", entry.name)
        except Exception:
            # A job that fails now runs again at its next time, as under beat.
            logger.warning("Periodic job %s failed.", entry.name, exc_info=True)

    def run_forever(self, *, max_wait: float = 5.0) -> None:
        """Tick until ``stop``; wakes at least every ``max_wait`` seconds."""
        try:
            while not self._stopped.is_set():
                # As around a request: a connection broken by a job, or past
                # CONN_MAX_AGE, is not carried into the next.
                close_old_connections()
                wait = self.tick()
                close_old_connections()
                self._stopped.wait(max(0.05, min(wait, max_wait)))
        finally:
            connections.close_all()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="periodic-jobs", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stopped.set()


def beat_entries_summary(beat: InProcessBeat) -> list[str]:
    """One line per job, for the console: its name and how often it runs."""
    lines = []
    for entry in beat.entries:
        if isinstance(entry.schedule, every):
            when = _every(_interval(entry.schedule))
        else:
            when = str(entry.schedule)
        lines.append(f"{entry.name} ({when})")
    return lines


def _as_schedule(value, app: Celery) -> BaseSchedule:
    """A beat entry's schedule: a crontab as it is, a number of seconds or a
    timedelta as an interval."""
    return value if isinstance(value, BaseSchedule) else every(run_every=value, app=app)


def _interval(schedule: every) -> timedelta:
    return timedelta(seconds=schedule.seconds)


def _every(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    if seconds % 3600 == 0:
        return f"every {seconds // 3600} h"
    if seconds % 60 == 0:
        return f"every {seconds // 60} min"
    return f"every {seconds} s"
