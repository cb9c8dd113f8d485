"""Celery entry points of the surveys app. Thin: they take ids and call services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import answer_imports, imports

# An unfinished import without progress for this long lost its task.
IMPORT_IDLE_SECONDS = 5 * 60


# Both kinds of import: at least once, the database's errors retried, and
# checking every row of a large file is one step (room for it).
IMPORT_TASK: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "max_retries": 5,
    "soft_time_limit": 10 * 60,
    "time_limit": 11 * 60,
}


def _import_step(task, job_id: int, *, run, abort) -> None:
    """One time-budgeted step of an import; the next is queued until it is
    finished. Safe to run twice."""
    budget = settings.NPS_IMPORT_TIME_BUDGET_SECONDS
    try:
        finished = run(job_id=job_id, time_budget=budget)
    except DatabaseError:
        raise  # retried: the database may answer later
    except Exception:
        # A bug or a time limit would fail the same way on every resume: stop here.
        abort(job_id=job_id, reason=_("The import stopped on an unexpected error."))
        raise
    if not finished:
        task.delay(job_id)


@shared_task(name="surveys.import_customers", **IMPORT_TASK)
def customer_import_run_task(job_id: int) -> None:
    """Check the file, then write it chunk by chunk. Safe to run twice."""
    _import_step(
        customer_import_run_task,
        job_id,
        run=imports.customer_import_run,
        abort=imports.customer_import_abort,
    )


@shared_task(name="surveys.import_answers", **IMPORT_TASK)
def answer_import_run_task(job_id: int) -> None:
    """Check every row, then write the good ones chunk by chunk. Safe to run twice."""
    _import_step(
        answer_import_run_task,
        job_id,
        run=answer_imports.answer_import_run,
        abort=answer_imports.answer_import_abort,
    )


# One beat entry for every kind of import (its name predates answer imports).
@shared_task(name="surveys.resume_customer_imports", ignore_result=True)
def stalled_imports_resume_task() -> None:
    """Queue again the imports whose task was lost (broker down, worker killed),
    and empty the answer uploads never confirmed."""
    for job_id in imports.stalled_imports_list(idle_seconds=IMPORT_IDLE_SECONDS):
        customer_import_run_task.delay(job_id)
    for job_id in answer_imports.stalled_answer_imports_list(idle_seconds=IMPORT_IDLE_SECONDS):
        answer_import_run_task.delay(job_id)
    answer_imports.unconfirmed_answer_imports_drop()
