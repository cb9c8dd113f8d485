"""Customer imports in the background, on real PostgreSQL (and a real worker on
real Redis): progress reaches every row, each chunk commits on its own so a
large file never holds one long transaction, and a stopped run carries on."""

import threading
from datetime import timedelta

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from surveys import imports
from surveys.models import AuditEvent, Customer, CustomerImport
from surveys.tasks import customer_import_run_task, stalled_imports_resume_task
from tests.factories import UserFactory
from tests.worker import WorkerProcess, wait_for
from tests.worker import test_database_url as database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def rows(count):
    return (
        "email,name,external_id\n"
        + "".join(f"c{n}@example.com,C {n},crm-{n}\n" for n in range(count))
    ).encode()


@pytest.fixture
def worker(redis_broker):
    # No time budget: every chunk is a task of its own, queued by the one before.
    process = WorkerProcess(
        broker_url=redis_broker, email_url="consolemail://", NPS_IMPORT_TIME_BUDGET_SECONDS=0
    ).start()
    yield process
    process.stop()


@pytest.mark.redis
def test_a_real_worker_imports_every_row_and_progress_reaches_the_total(worker):
    job = imports.customer_import_create(data=rows(2500), file_name="big.csv")
    customer_import_run_task.delay(job.pk)
    wait_for(
        lambda: CustomerImport.objects.get(pk=job.pk).is_finished,
        timeout=60,
        message=lambda: worker.output()[-3000:],
    )
    job.refresh_from_db()
    assert job.status == CustomerImport.Status.DONE, job.errors
    assert (job.rows_total, job.rows_processed, job.created_count) == (2500, 2500, 2500)
    assert Customer.objects.count() == 2500
    assert worker.output().count("surveys.import_customers[") >= 2 * 3  # received, succeeded


@pytest.mark.redis
def test_the_admin_upload_is_imported_by_a_real_worker_and_the_job_page_reports_it(worker, client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    upload = client.post(
        reverse("admin:surveys_customer_import"),
        {"file": SimpleUploadedFile("c.csv", rows(1500), content_type="text/csv")},
    )
    assert upload.status_code == 302
    page = wait_for(
        lambda: (
            (content := client.get(upload["Location"]).content.decode())
            and "1500 created, 0 updated, 0 unchanged." in content
            and content
        ),
        timeout=60,
        message=lambda: worker.output()[-3000:],
    )
    assert "1500 of 1500 rows" in page
    assert Customer.objects.count() == 1500


def test_each_chunk_of_a_large_file_commits_as_it_goes():
    # Seen from another connection after every chunk: the rows are there
    # already, so no single transaction holds the whole file.
    job = imports.customer_import_create(data=rows(20_000), file_name="large.csv")
    seen = []
    with psycopg.connect(database_url(), autocommit=True) as other:

        def observe(progress):
            count = other.execute("SELECT count(*) FROM surveys_customer").fetchone()[0]
            seen.append((progress.rows_processed, count))

        assert imports.customer_import_run(job_id=job.pk, on_progress=observe)
    expected = [(0, 0)] + [(n, n) for n in range(1000, 20_001, 1000)]
    assert seen == expected
    assert CustomerImport.objects.get(pk=job.pk).status == CustomerImport.Status.DONE


def test_a_stopped_run_carries_on_from_its_last_chunk_and_a_rerun_changes_nothing():
    job = imports.customer_import_create(data=rows(2500), file_name="c.csv")
    # A zero time budget stops after the first chunk, as a killed worker would.
    assert imports.customer_import_run(job_id=job.pk, time_budget=0) is False
    job.refresh_from_db()
    assert (job.status, job.rows_processed, Customer.objects.count()) == ("importing", 1000, 1000)
    assert imports.customer_import_run(job_id=job.pk) is True
    job.refresh_from_db()
    assert (job.status, job.rows_processed, job.created_count) == ("done", 2500, 2500)
    before = list(Customer.objects.order_by("pk").values())
    again = imports.customer_import_create(data=rows(2500), file_name="c.csv")
    imports.customer_import_run(job_id=again.pk)
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2500)
    assert list(Customer.objects.order_by("pk").values()) == before


def test_an_import_whose_task_was_lost_is_queued_again_and_finishes():
    job = imports.customer_import_create(data=rows(3), file_name="lost.csv")
    CustomerImport.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - timedelta(minutes=10)
    )
    fresh = imports.customer_import_create(data=rows(3), file_name="fresh.csv")
    stalled_imports_resume_task()  # tasks run in-process here
    assert CustomerImport.objects.get(pk=job.pk).status == CustomerImport.Status.DONE
    assert CustomerImport.objects.get(pk=fresh.pk).status == CustomerImport.Status.QUEUED


def test_an_import_that_fails_unexpectedly_is_marked_failed_not_resumed_forever():
    job = imports.customer_import_create(data=rows(1500), file_name="c.csv")
    imports.customer_import_run(job_id=job.pk, time_budget=0)
    # The stored file no longer parses (as a bug would): the run cannot go on.
    CustomerImport.objects.filter(pk=job.pk).update(data=b"\xff")
    with pytest.raises(imports.ImportFileError):
        customer_import_run_task.delay(job.pk)
    job.refresh_from_db()
    assert job.status == CustomerImport.Status.FAILED
    assert job.summary.startswith("Stopped after 1000 of 1500 rows")
    assert imports.stalled_imports_list(idle_seconds=0) == []


def test_two_runs_of_one_import_at_once_write_each_row_once():
    job = imports.customer_import_create(data=rows(5000), file_name="twice.csv")
    failures = []

    def run():
        try:
            while not imports.customer_import_run(job_id=job.pk, time_budget=0):
                pass
        except Exception as exc:  # reported below, with the thread's error
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    job.refresh_from_db()
    assert (job.status, job.rows_processed, job.created_count) == ("done", 5000, 5000)
    assert Customer.objects.count() == 5000


def import_events():
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT))


def test_an_import_aborted_after_writing_rows_is_recorded_with_its_status():
    job = imports.customer_import_create(data=rows(1500), file_name="c.csv")
    imports.customer_import_run(job_id=job.pk, time_budget=0)

    imports.customer_import_abort(job_id=job.pk, reason="The worker hit a bug.")

    [event] = import_events()
    assert (event.object_ids, event.count) == ([job.pk], 1000)
    assert event.details == {"status": "failed", "created": 1000, "updated": 0, "unchanged": 0}


def test_an_import_that_fails_on_a_later_chunk_is_recorded_with_the_rows_it_wrote():
    job = imports.customer_import_create(data=rows(1500), file_name="c.csv")
    imports.customer_import_run(job_id=job.pk, time_budget=0)
    # Meanwhile someone else gives a later row's email to another external id.
    Customer.objects.create(email="c1200@example.com", external_id="elsewhere")

    assert imports.customer_import_run(job_id=job.pk) is True

    job.refresh_from_db()
    assert (job.status, job.rows_processed) == ("failed", 1000)
    [event] = import_events()
    assert (event.object_ids, event.count) == ([job.pk], 1000)
    assert event.details["status"] == "failed" and event.details["created"] == 1000


def test_an_import_refused_before_writing_anything_records_no_import():
    job = imports.customer_import_create(data=b"email\nnot-an-email\n", file_name="bad.csv")

    imports.customer_import_run(job_id=job.pk)
    imports.customer_import_abort(job_id=job.pk, reason="again")

    assert CustomerImport.objects.get(pk=job.pk).status == CustomerImport.Status.FAILED
    assert import_events() == []
