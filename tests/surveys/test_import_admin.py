"""The admin's customer import: the upload page checks the file and queues a
job without importing anything in the request; the job page shows progress and
the line-numbered report; only those who may add and change customers get in."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import AuditEvent, Customer, CustomerImport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:surveys_customer_import")


def csv_file(text, name="customers.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def rows(count):
    return "email,name\n" + "".join(f"c{n}@example.com,C {n}\n" for n in range(count))


def job_url(job):
    return reverse("admin:surveys_customerimport_change", args=[job.pk])


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    return client


@pytest.fixture
def changer_client(client):
    changer = UserFactory(username="changer")
    changer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "change_customer"])
    )
    client.force_login(changer)
    return client


def test_the_upload_request_queues_the_file_and_imports_nothing(admin_client):
    # Not in the request: its queries do not grow with the rows, and no customer
    # exists when it answers (the job runs on commit, in a worker).
    counts = []
    for count in (5, 300):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(UPLOAD, {"file": csv_file(rows(count))})
        job = CustomerImport.objects.order_by("pk").last()
        assert response.status_code == 302
        assert response["Location"] == job_url(job)
        assert job.status == CustomerImport.Status.QUEUED
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert not Customer.objects.exists()


def test_upload_then_job_page_then_report(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(UPLOAD, {"file": csv_file(rows(3))})
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert b"3 created, 0 updated, 0 unchanged." in page.content
    assert b'http-equiv="refresh"' not in page.content
    job = CustomerImport.objects.get()
    assert (job.status, job.rows_processed, job.rows_total) == ("done", 3, 3)
    assert job.created_by.username == "root"
    assert Customer.objects.count() == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert (event.actor_label, event.via, event.object_ids, event.count) == (
        "root",
        "admin",
        [job.pk],
        3,
    )
    assert event.details == {"status": "done", "created": 3, "updated": 0, "unchanged": 0}


def test_the_job_page_reports_every_bad_line_and_nothing_is_imported(
    admin_client, django_capture_on_commit_callbacks
):
    text = "email,name\nok@example.com,Ok\nnope,Bad\n,Empty\nok@example.com,Twice\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(UPLOAD, {"file": csv_file(text)})
    page = admin_client.get(response["Location"]).content.decode()
    assert "Nothing was imported: 3 lines have errors." in page
    for line, message in [
        (3, "email: Enter a valid email address."),
        (4, "email: A customer needs an email address."),
        (5, "email: the same email as line 2."),
    ]:
        assert f"<td>{line}</td><td>{message}</td>" in page
    report = admin_client.get(reverse("admin:surveys_customerimport_report", args=[job_id()]))
    assert report.content.decode().splitlines()[1:] == [
        "line 3: email: Enter a valid email address.",
        "line 4: email: A customer needs an email address.",
        "line 5: email: the same email as line 2.",
    ]
    assert not Customer.objects.exists()


def job_id():
    return CustomerImport.objects.get().pk


def test_an_unfinished_job_page_refreshes_itself(admin_client):
    response = admin_client.post(UPLOAD, {"file": csv_file(rows(2))})
    page = admin_client.get(response["Location"])
    assert b'http-equiv="refresh"' in page.content
    assert b"Queued" in page.content


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name\nAna\n", "no &#x27;email&#x27; column"),
        ("email,name\nz@example.com,Zo\xeb\n".encode("latin-1"), "not UTF-8"),
        (b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_on_the_upload_page(
    admin_client, content, message
):
    upload = SimpleUploadedFile("c.csv", content, content_type="text/csv")
    response = admin_client.post(UPLOAD, {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CustomerImport.objects.exists()


def test_the_customer_list_links_to_the_import_and_the_jobs_are_listed(admin_client):
    admin_client.post(UPLOAD, {"file": csv_file(rows(1))})
    listing = admin_client.get(reverse("admin:surveys_customer_changelist"))
    assert UPLOAD.encode() in listing.content
    jobs = admin_client.get(reverse("admin:surveys_customerimport_changelist"))
    assert jobs.status_code == 200
    assert b"customers.csv" in jobs.content


def test_a_user_who_may_change_customers_but_not_import_can_neither_upload_nor_see_jobs(
    changer_client,
):
    job = CustomerImport.objects.create(file_name="x.csv", data=b"email\na@b.co\n")
    assert changer_client.get(UPLOAD).status_code == 403
    forged = changer_client.post(UPLOAD, {"file": csv_file(rows(2))})
    assert forged.status_code == 403
    assert CustomerImport.objects.count() == 1
    for url in (
        job_url(job),
        reverse("admin:surveys_customerimport_report", args=[job.pk]),
        reverse("admin:surveys_customerimport_changelist"),
    ):
        assert changer_client.get(url).status_code == 403, url
    listing = changer_client.get(reverse("admin:surveys_customer_changelist"))
    assert UPLOAD.encode() not in listing.content


def test_the_import_permission_and_reading_jobs_are_what_importing_needs(client):
    importer = UserFactory(username="importer")
    importer.user_permissions.add(
        *Permission.objects.filter(codename__in=["import_customer", "view_customerimport"])
    )
    client.force_login(importer)
    assert client.get(UPLOAD).status_code == 200
    response = client.post(UPLOAD, {"file": csv_file(rows(1))})
    assert client.get(response["Location"]).status_code == 200


def test_the_upload_page_explains_the_file_in_the_users_language(admin_client):
    page = admin_client.get(UPLOAD, HTTP_ACCEPT_LANGUAGE="pl")

    assert "UTF-8, z wierszem nagłówka; kolumny: email, name" in page.content.decode()
