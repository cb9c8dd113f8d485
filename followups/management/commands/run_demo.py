"""The development server with the periodic jobs running in it: what
``make run`` starts, so the demo shows the loop alive (overdue cases
escalated, reminders and waves sent, lost work swept) without Redis, a worker
or beat."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import (
    Command as RunserverCommand,
)

from nps_project.celery import app
from nps_project.periodic import InProcessBeat, beat_entries_summary


class Command(RunserverCommand):
    help = (
        "Run the development server and, in a background thread of the serving "
        "process, Celery beat's schedule (the periodic jobs) eagerly."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-jobs",
            action="store_false",
            dest="with_jobs",
            help="Serve only; run no periodic jobs (as plain runserver).",
        )

    def inner_run(self, *args, **options):
        # Here, not in handle(): with the autoreloader, handle() also runs in
        # the watching parent; inner_run only in the process that serves.
        if options.get("with_jobs", True):
            beat = InProcessBeat(app, settings.CELERY_BEAT_SCHEDULE)
            self.stdout.write(
                "Periodic jobs in this process: " + ", ".join(beat_entries_summary(beat))
            )
            beat.start()
        super().inner_run(*args, **options)
