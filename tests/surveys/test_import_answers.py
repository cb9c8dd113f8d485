"""Past answers imported from a Delighted export or the answers CSV: good lines
imported, each bad one reported by its number, nothing imported twice, and
nothing ever routed (no case, grant or email) for an answer from the past."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from followups.models import FollowUpCase, OfferGrant, OutboundMessage, RewardGrant
from followups.routing import responses_route
from followups.sweep import lost_work_sweep
from surveys import answer_imports
from surveys.imports import ImportFileError
from surveys.models import AnswerImport, AuditEvent, Channel, Customer, Response
from surveys.services import customer_erase
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
DELIGHTED = DATA / "delighted_export.csv"
GENERIC = DATA / "answers.csv"


@pytest.fixture
def survey():
    return SurveyFactory(slug="delighted-nps", name="Delighted NPS")


def import_answers(path, *args):
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("import_answers", str(path), *args)


def import_delighted(*args):
    import_answers(DELIGHTED, "--format", "delighted", "--survey", "delighted-nps", *args)


def nothing_follows():
    return (
        FollowUpCase.objects.count(),
        OfferGrant.objects.count(),
        RewardGrant.objects.count(),
        OutboundMessage.objects.count(),
    ) == (0, 0, 0, 0)


def test_a_delighted_export_imports_its_good_lines_and_reports_each_bad_one(survey, capsys):
    import_delighted()

    out, err = capsys.readouterr()
    job = AnswerImport.objects.get()
    assert job.status == AnswerImport.Status.DONE
    assert sorted(Response.objects.values_list("source_id", flat=True)) == [
        "1001",
        "1002",
        "1003",
        "1004",
        "1008",
    ]
    assert [error["line"] for error in job.errors] == [6, 7, 8, 9, 12]
    assert "line 6: score: The score must be a whole number from 0 to 10." in err
    assert "line 7: email: A customer needs an email address." in err
    assert "line 8: submitted_at:" in err
    assert "line 9: source_id: the same response id as line 2." in err
    assert "line 12: only NPS answers are imported" in err
    assert (job.answers_created, job.customers_created, job.rows_refused) == (5, 4, 5)
    assert "5 answers imported" in out


def test_answers_keep_the_files_dates_scores_and_properties(survey):
    import_delighted()

    ada = Response.objects.get(source_id="1001")
    assert ada.submitted_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    assert (ada.score, ada.category, ada.comment) == (10, "promoter", "Great service")
    assert (ada.channel, ada.source, ada.survey) == (Channel.IMPORT, "delighted", survey)
    olga = Response.objects.get(source_id="1003")
    assert olga.submitted_at == datetime.fromtimestamp(1741000000, tz=UTC)
    zofia = Response.objects.get(source_id="1004")  # no zone in the file: UTC
    assert zofia.submitted_at == datetime(2025, 3, 4, 9, 15, tzinfo=UTC)
    second = Response.objects.get(source_id="1008")
    assert second.comment == "Still great,\r\neven after the move."
    assert second.customer == ada.customer  # the same email in another case


def test_person_properties_and_other_columns_become_the_answers_properties(survey):
    import_delighted()

    ada = Response.objects.get(source_id="1001")
    assert ada.properties == {
        "delighted_person_id": "501",
        "Tags": "vip",
        "Plan": "Pro",
        "Country": "UK",
    }
    assert "Called back" not in str(Response.objects.get(source_id="1002").properties)  # notes


def test_a_phone_number_is_stored_in_e164_and_one_held_by_someone_else_is_refused(tmp_path):
    SurveyFactory(slug="nps")
    CustomerFactory(email="holder@example.com", phone="+48601234567")
    path = tmp_path / "export.csv"
    path.write_text(
        "Response ID,Email,Phone Number,Score,Created At\n"
        "1,new@example.com,+44 20 7946 0958,9,2025-03-01\n"
        "2,other@example.com,0048 601 234 567,9,2025-03-01\n"
        "3,bad@example.com,12,9,2025-03-01\n"
    )

    import_answers(path, "--format", "delighted", "--survey", "nps")

    assert Customer.objects.get(email="new@example.com").phone == "+442079460958"
    errors = {e["line"]: e["message"] for e in AnswerImport.objects.get().errors}
    assert errors[3] == "phone: another customer already has this phone number."
    assert errors[4].startswith("phone: Enter a phone number in international format")
    assert Response.objects.count() == 1


def test_names_and_comments_in_other_languages_are_kept(survey):
    import_delighted()

    wang = Customer.objects.get(email="wang@example.com")
    assert (wang.name, wang.locale) == ("王小明", "zh-hans")
    assert Response.objects.get(source_id="1002").comment == "送货太慢了，包装也坏了。"  # noqa: RUF001 - as the customer wrote it
    assert Customer.objects.get(email="olga@example.com").name == "Ольга Иванова"
    zofia = Response.objects.get(source_id="1004")
    assert zofia.customer.name == "Zofia Łukasiewicz"
    assert zofia.comment == "Obsługa była miła, ale czekałam dwa tygodnie."
    assert zofia.locale == "pl"


def test_the_unsubscribed_person_of_the_export_is_unsubscribed_here(survey):
    import_delighted()

    olga = Customer.objects.get(email="olga@example.com")
    assert olga.unsubscribed_at == datetime(2025, 4, 1, 12, 0, tzinfo=UTC)
    assert list(Customer.objects.filter(unsubscribed_at__isnull=False)) == [olga]
    assert AnswerImport.objects.get().customers_unsubscribed == 1


def test_importing_the_same_export_twice_changes_nothing(survey):
    import_delighted()
    answers = list(Response.objects.order_by("pk").values())
    customers = list(Customer.objects.order_by("pk").values())

    import_delighted()

    assert list(Response.objects.order_by("pk").values()) == answers
    assert list(Customer.objects.order_by("pk").values()) == customers
    second = AnswerImport.objects.order_by("-pk").first()
    assert (second.answers_created, second.answers_unchanged, second.customers_created) == (
        0,
        5,
        0,
    )


def test_imported_answers_are_historical_count_in_reports_and_send_nothing(survey):
    import_delighted()

    answers = Response.objects.all()
    assert all(a.is_historical and a.routed_at is not None for a in answers)
    summary = Response.objects.filter(survey=survey).nps_summary(min_sample=1)
    assert (summary.promoters, summary.passives, summary.detractors) == (2, 1, 2)
    assert nothing_follows()


def test_routing_and_the_sweeper_leave_historical_answers_alone(survey):
    import_delighted()
    ids = list(Response.objects.values_list("pk", flat=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = responses_route(response_ids=ids)
        swept = lost_work_sweep(now=timezone.now() + timezone.timedelta(hours=1))

    assert result.routed == [] and swept.responses == 0
    assert nothing_follows()


def test_a_historical_answer_can_never_be_waiting_for_routing():
    answer = ResponseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.filter(pk=answer.pk).update(is_historical=True, routed_at=None)


def test_a_dry_run_saves_nothing_and_says_what_would_be_imported(survey, capsys):
    import_delighted("--dry-run")

    out, err = capsys.readouterr()
    assert not Response.objects.exists()
    assert not Customer.objects.exists()
    job = AnswerImport.objects.get()
    assert (job.dry_run, job.answers_created, job.customers_created) == (True, 5, 4)
    assert "Dry run, nothing saved: 5 answers would be imported" in out
    assert "line 6: score:" in err
    assert "First rows as they will be stored:" in out
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_the_import_is_recorded_in_the_audit_trail_without_personal_data(survey):
    import_delighted()

    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert (event.via, event.object_type, event.count) == ("command", "surveys.answerimport", 5)
    assert event.details["answers_created"] == 5
    assert "example.com" not in str(AuditEvent.objects.filter(pk=event.pk).values().get())


def test_a_customer_we_have_is_not_rewritten_by_an_old_export(survey):
    ada = CustomerFactory(email="ada@example.com", name="Ada King", segment="vip", locale="en")

    import_delighted()

    ada.refresh_from_db()
    assert (ada.name, ada.segment) == ("Ada King", "vip")
    assert Response.objects.filter(customer=ada).count() == 2


def test_an_erased_customer_is_not_brought_back_by_their_answers(survey):
    CustomerFactory(email=None, external_id="crm-1", erased_at=timezone.now())
    SurveyFactory(slug="onboarding")

    import_answers(GENERIC, "--format", "generic", "--survey", "onboarding")

    job = AnswerImport.objects.get()
    assert any(e["line"] == 2 and "erased" in e["message"] for e in job.errors)
    assert not Customer.objects.filter(email="piotr@example.com").exists()


def test_importing_again_after_an_erasure_does_not_bring_the_person_back(survey):
    import_delighted()
    ada = Customer.objects.get(email="ada@example.com")
    customers = Customer.objects.count()
    customer_erase(customer=ada)

    import_delighted()

    assert not Customer.objects.filter(email="ada@example.com").exists()
    assert Customer.objects.count() == customers
    assert Response.objects.filter(customer=ada).exists()  # the answers, kept anonymous


def test_the_answers_csv_names_its_survey_per_row_and_keeps_properties(capsys):
    onboarding = SurveyFactory(slug="onboarding")
    fallback = SurveyFactory(slug="fallback")

    import_answers(GENERIC, "--format", "generic", "--survey", "fallback")

    _, err = capsys.readouterr()
    piotr = Response.objects.get(source_id="ticket-1")
    assert (piotr.survey, piotr.source, piotr.score) == (onboarding, "csv", 9)
    assert piotr.submitted_at == datetime(2024, 11, 2, 8, 0, tzinfo=UTC)
    assert (piotr.customer.external_id, piotr.segment, piotr.locale) == ("crm-1", "smb", "pl")
    assert piotr.properties == {"plan": "Pro", "order": "A-1"}
    assert Response.objects.get(source_id="ticket-3").survey == fallback
    assert "line 5: survey: no survey has the slug “nosuchsurvey”." in err
    assert "line 6: score:" in err
    assert Response.objects.count() == 3
    assert nothing_follows()


def test_an_answers_csv_row_without_survey_needs_one_chosen(capsys):
    SurveyFactory(slug="onboarding")

    import_answers(GENERIC, "--format", "generic")

    _, err = capsys.readouterr()
    assert "line 4: survey: no survey given" in err
    assert Response.objects.count() == 2


def test_a_file_with_an_unknown_column_is_refused_whole(tmp_path):
    SurveyFactory(slug="onboarding")
    path = tmp_path / "answers.csv"
    path.write_text("survey,email,score,submitted_at,source_id,colour\n")

    with pytest.raises(CommandError, match="Unknown column"):
        import_answers(path, "--format", "generic")
    assert not AnswerImport.objects.exists()


def test_a_column_the_file_repeats_is_refused_but_a_property_may_share_a_fields_name():
    with pytest.raises(ImportFileError, match="more than once"):
        answer_imports.file_check(data=b"Response ID,ID,Email,Score,Created At\n", fmt="delighted")
    header = b"survey,email,score,submitted_at,source_id,property:email\n"

    assert answer_imports.file_check(data=header, fmt="generic").properties == {5: "email"}


def test_a_delighted_file_without_a_score_column_is_refused_whole():
    with pytest.raises(ImportFileError, match="score"):
        answer_imports.file_check(data=b"Response ID,Email,Created At\n", fmt="delighted")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01T10:00:00Z", datetime(2025, 3, 1, 10, tzinfo=UTC)),
        ("2025-03-01 12:00:00 +02:00", datetime(2025, 3, 1, 10, tzinfo=UTC)),
        ("2025-03-01 10:00:00 UTC", datetime(2025, 3, 1, 10, tzinfo=UTC)),
        ("2025-03-01", datetime(2025, 3, 1, tzinfo=UTC)),
        ("1740823200", datetime(2025, 3, 1, 10, tzinfo=UTC)),
    ],
)
def test_times_are_read_as_exports_write_them(text, expected):
    assert answer_imports.when_parse(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2025-13-01", "1.5", ""])
def test_what_is_not_a_time_is_refused(text):
    with pytest.raises(ValueError):
        answer_imports.when_parse(text)


def test_a_killed_run_carries_on_and_writes_each_answer_once(survey):
    job = answer_imports.answer_import_create(
        data=DELIGHTED.read_bytes(), file_name="export.csv", fmt="delighted", survey=survey
    )
    answer_imports.answer_import_confirm(job_id=job.pk, dry_run=False)
    rows = answer_imports._validate(AnswerImport.objects.get(pk=job.pk))
    # As if the worker died after the validation committed: a new run resumes.
    assert rows is not None
    assert answer_imports.answer_import_run(job_id=job.pk)
    assert answer_imports.answer_import_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.answers_created, job.rows_refused) == ("done", 5, 5)
    assert Response.objects.count() == 5


def test_an_unconfirmed_upload_does_not_run_and_is_emptied_after_a_day(survey):
    job = answer_imports.answer_import_create(
        data=DELIGHTED.read_bytes(), file_name="export.csv", fmt="delighted", survey=survey
    )

    assert answer_imports.answer_import_run(job_id=job.pk)
    assert not Response.objects.exists()
    AnswerImport.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=2)
    )
    assert answer_imports.unconfirmed_answer_imports_drop() == 1
    job.refresh_from_db()
    assert (job.status, bytes(job.data)) == ("failed", b"")


def test_erasing_a_customer_refuses_a_waiting_answer_import_that_names_them(survey):
    ada = CustomerFactory(email="ada@example.com")
    job = answer_imports.answer_import_create(
        data=DELIGHTED.read_bytes(), file_name="export.csv", fmt="delighted", survey=survey
    )
    answer_imports.answer_import_confirm(job_id=job.pk, dry_run=False)

    customer_erase(customer=ada)

    job.refresh_from_db()
    assert (job.status, bytes(job.data)) == ("failed", b"")
    assert "erased while it waited" in job.summary
    assert answer_imports.answer_import_run(job_id=job.pk)
    assert not Response.objects.exists()
