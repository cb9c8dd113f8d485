"""The admin's answer import, through the test client: upload (the header is
checked), preview (the first rows as they will be stored, nothing saved), then
a dry run or the import, and the job page with its line-numbered report."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followups.models import OutboundMessage
from surveys.models import AnswerImport, Customer, Response
from tests.factories import SurveyFactory, UserFactory, manager

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:surveys_response_import")
EXPORT = (Path(__file__).parent / "data" / "delighted_export.csv").read_bytes()


def export_file(data=EXPORT, name="delighted.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def survey():
    return SurveyFactory(slug="delighted-nps", name="Delighted NPS")


@pytest.fixture
def boss_client(client):
    client.force_login(manager("boss"))
    return client


def upload(client, survey, data=EXPORT):
    return client.post(
        UPLOAD, {"file": export_file(data), "format": "delighted", "survey": survey.pk}
    )


def test_upload_shows_the_first_rows_as_they_will_be_stored_and_saves_no_answer(
    boss_client, survey
):
    response = upload(boss_client, survey)
    job = AnswerImport.objects.get()
    assert response["Location"] == reverse("admin:surveys_response_import_preview", args=[job.pk])

    page = boss_client.get(response["Location"]).content.decode()

    assert "王小明" in page and "Ольга Иванова" in page and "Zofia Łukasiewicz" in page
    assert "送货太慢了" in page
    assert "Delighted NPS" in page
    assert "properties[Plan]" in page and "properties[delighted_person_id]" in page
    assert "The score must be a whole number from 0 to 10." in page  # line 6, among the first
    assert not Response.objects.exists() and not Customer.objects.exists()
    assert job.confirmed_at is None


def test_confirming_imports_in_the_background_and_the_job_page_reports_each_bad_line(
    boss_client, survey, django_capture_on_commit_callbacks
):
    preview = upload(boss_client, survey)["Location"]

    with django_capture_on_commit_callbacks(execute=True):
        response = boss_client.post(preview, {"import": "Import"})

    job = AnswerImport.objects.get()
    assert response["Location"] == reverse("admin:surveys_answerimport_change", args=[job.pk])
    page = boss_client.get(response["Location"]).content.decode()
    assert "5 answers imported, 0 already there, 4 customers created, 1 unsubscribed" in page
    assert "the same response id as line 2." in page
    assert Response.objects.filter(is_historical=True).count() == 5
    assert not OutboundMessage.objects.exists()
    report = boss_client.get(reverse("admin:surveys_answerimport_report", args=[job.pk]))
    assert "line 7: email: A customer needs an email address." in report.content.decode()


def test_a_dry_run_from_the_preview_checks_every_row_and_saves_nothing(
    boss_client, survey, django_capture_on_commit_callbacks
):
    preview = upload(boss_client, survey)["Location"]

    with django_capture_on_commit_callbacks(execute=True):
        response = boss_client.post(preview, {"dry_run": "Dry run"})

    page = boss_client.get(response["Location"]).content.decode()
    assert "Dry run, nothing saved: 5 answers would be imported" in page
    assert not Response.objects.exists() and not Customer.objects.exists()


def test_a_confirmed_upload_is_not_confirmed_twice(
    boss_client, survey, django_capture_on_commit_callbacks
):
    preview = upload(boss_client, survey)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        boss_client.post(preview, {"import": "Import"})
        again = boss_client.post(preview, {"dry_run": "Dry run"})

    job = AnswerImport.objects.get()
    assert again["Location"] == reverse("admin:surveys_answerimport_change", args=[job.pk])
    assert job.dry_run is False
    assert Response.objects.count() == 5


def test_a_file_that_is_not_an_export_is_refused_on_the_upload_page(boss_client, survey):
    response = upload(boss_client, survey, data=b"Email,Name\nada@example.com,Ada\n")

    assert response.status_code == 200
    assert "The file has no source_id, score, submitted_at column" in response.content.decode()
    assert not AnswerImport.objects.exists()


def test_user_text_in_the_file_is_escaped_on_the_preview(boss_client, survey):
    data = (
        b"Response ID,Email,Score,Comment,Created At\n"
        b"1,ada@example.com,9,<script>alert(1)</script>,2025-03-01\n"
    )
    page = boss_client.get(upload(boss_client, survey, data=data)["Location"]).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_historical_answers_are_shown_and_filtered_in_the_answer_list(
    boss_client, survey, django_capture_on_commit_callbacks
):
    preview = upload(boss_client, survey)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        boss_client.post(preview, {"import": "Import"})

    changelist = reverse("admin:surveys_response_changelist")
    page = boss_client.get(changelist, {"is_historical__exact": "1", "source": "delighted"})

    assert page.status_code == 200
    assert page.context["cl"].result_count == 5
    assert "is_historical__exact=0" in page.content.decode()  # the filter is offered
    assert UPLOAD in boss_client.get(changelist).content.decode()


def test_changing_answers_is_not_enough_to_import_them(client, survey):
    changer = UserFactory(username="changer")
    changer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_response", "change_response"])
    )
    client.force_login(changer)

    assert UPLOAD not in client.get(reverse("admin:surveys_response_changelist")).content.decode()
    assert upload(client, survey).status_code == 403
    assert not AnswerImport.objects.exists()
