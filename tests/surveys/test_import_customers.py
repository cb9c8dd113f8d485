"""Customers from CSV through ``manage.py import_customers``: the whole file is
checked first and a single bad line imports nothing; counts are printed only
for a run that committed; matching is by external id, else by email whatever
its case; importing the same file again changes nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from surveys.models import AuditEvent, Customer, CustomerImport
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "email,name,segment,locale,external_id\n"
    "ana@example.com,Ana,smb,pl-PL,\n"
    "cat@example.com,Cat,consumer,zh_CN,crm-3\n"
)

GOOD_AND_BAD = (
    "email,name,segment,locale,external_id\n"
    "ana@example.com,Ana,smb,pl-PL,\n"
    "not-an-email,Bad,smb,en,\n"
    ",Nobody,smb,en,\n"
    "cat@example.com,Cat,consumer,zh_CN,crm-3\n"
    "ANA@example.com,Ana again,smb,en,\n"
)


def run(tmp_path, text, *args):
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_customers", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_a_nul_byte_in_one_row_imports_nothing_and_reports_no_counts(tmp_path):
    text = "email,name\nana@example.com,Ana\nbob@exa\x00mple.com,Bob\ncat@example.com,Cat\n"
    out, err, error = run(tmp_path, text)
    assert error is not None
    assert "Nothing was imported" in str(error)
    assert "line 3: email: contains a control character (U+0000)" in err
    assert "created" not in out + err
    assert not Customer.objects.exists()


def test_every_bad_line_is_reported_and_nothing_is_written(tmp_path):
    out, err, error = run(tmp_path, GOOD_AND_BAD)
    assert "Nothing was imported: 3 lines have errors" in str(error)
    assert "line 3: email: Enter a valid email address." in err
    assert "line 4: email: A customer needs an email address." in err
    assert "line 6: email: the same email as line 2." in err
    assert "created" not in out
    assert not Customer.objects.exists()
    job = CustomerImport.objects.get()
    assert job.status == CustomerImport.Status.FAILED
    assert [e["line"] for e in job.errors] == [3, 4, 6]


def test_a_valid_file_shows_progress_then_the_committed_counts(tmp_path):
    out, err, error = run(tmp_path, GOOD)
    assert error is None
    assert "2/2" in err
    assert out.strip() == "2 created, 0 updated, 0 unchanged."
    ana = Customer.objects.get(email="ana@example.com")
    assert (ana.locale, ana.external_id, ana.segment) == ("pl", None, "smb")
    assert Customer.objects.get(external_id="crm-3").locale == "zh-hans"
    job = CustomerImport.objects.get()
    assert (job.status, job.rows_processed, job.created_count) == ("done", 2, 2)
    assert job.data == b""  # personal data is not kept once the run is over
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert (event.actor_label, event.via, event.count) == ("system", "command", 2)


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    run(tmp_path, GOOD)
    before = list(Customer.objects.order_by("pk").values())
    out, _, _ = run(tmp_path, GOOD)
    assert out.strip() == "0 created, 0 updated, 2 unchanged."
    assert list(Customer.objects.order_by("pk").values()) == before


def test_email_matches_an_existing_customer_whatever_its_case(tmp_path):
    existing = CustomerFactory(email="Bob@Example.com", segment="smb", name="Bob")
    out, _, _ = run(tmp_path, "email,segment,name\nBOB@example.COM,enterprise,\n")
    assert out.strip() == "0 created, 1 updated, 0 unchanged."
    existing.refresh_from_db()
    assert existing.segment == "enterprise"
    assert existing.name == "Bob"  # a blank cell leaves the stored value alone
    assert Customer.objects.count() == 1


def test_an_email_that_belongs_to_another_customer_is_refused(tmp_path):
    CustomerFactory(email="ana@example.com", external_id="crm-1")
    CustomerFactory(email="bob@example.com", external_id="crm-2")
    _, err, error = run(tmp_path, "email,external_id\nbob@example.com,crm-1\n")
    assert error is not None
    assert "line 2: email: another customer already has this email." in err
    assert Customer.objects.get(external_id="crm-1").email == "ana@example.com"


def test_a_row_cannot_take_over_a_customer_by_its_external_id(tmp_path):
    owner = CustomerFactory(email="owner@example.com", external_id="crm-1")
    _, err, error = run(
        tmp_path, "email,external_id,name\nana@example.com,,Ana\nattacker@example.com,crm-1,\n"
    )
    assert error is not None
    assert "line 3: external_id: An existing customer has this external id" in err
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"
    assert not Customer.objects.filter(email="ana@example.com").exists()  # nothing written


def test_a_row_cannot_replace_a_customers_external_id(tmp_path):
    owner = CustomerFactory(email="owner@example.com", external_id="crm-1")
    _, err, error = run(tmp_path, "email,external_id\nOWNER@example.com,crm-2\n")
    assert error is not None
    assert "line 2: email: An existing customer has this email address" in err
    owner.refresh_from_db()
    assert owner.external_id == "crm-1"


def test_a_row_may_give_a_customer_the_external_id_it_lacks(tmp_path):
    owner = CustomerFactory(email="owner@example.com", external_id=None)
    out, _, error = run(tmp_path, "email,external_id\nowner@example.com,crm-9\n")
    assert error is None and out.strip() == "0 created, 1 updated, 0 unchanged."
    owner.refresh_from_db()
    assert owner.external_id == "crm-9"


def test_dry_run_checks_every_row_and_saves_nothing(tmp_path):
    out, _, error = run(tmp_path, GOOD, "--dry-run")
    assert error is None
    assert out.startswith("Dry run:")
    assert "2 would be created" in out
    assert not Customer.objects.exists()
    assert not CustomerImport.objects.exists()


def test_dry_run_reports_the_bad_lines(tmp_path):
    _, err, error = run(tmp_path, GOOD_AND_BAD, "--dry-run")
    assert "3 lines have errors" in str(error)
    assert "line 3:" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,segment\nAna,smb\n", "no 'email' column"),
        ("email,colour\na@b.co,red\n", "colour"),
        ("", "empty"),
    ],
)
def test_a_file_with_wrong_columns_is_refused_clearly(tmp_path, text, message):
    _, _, error = run(tmp_path, text)
    assert error is not None
    assert message in str(error)
    assert not CustomerImport.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_clearly(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,name\nz@example.com,Zo\xeb\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_customers", str(path))


def test_a_missing_file_is_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_customers", str(tmp_path / "nope.csv"))


def test_a_phone_column_is_stored_in_international_form(tmp_path):
    out, _, error = run(
        tmp_path, "email,name,phone\nana@example.com,Ana,0048 601 234 567\nbob@example.com,Bob,\n"
    )
    assert error is None
    assert out.strip() == "2 created, 0 updated, 0 unchanged."
    assert Customer.objects.get(email="ana@example.com").phone == "+48601234567"
    assert Customer.objects.get(email="bob@example.com").phone is None


def test_a_bad_repeated_or_taken_phone_number_is_a_line_error_and_imports_nothing(tmp_path):
    CustomerFactory(email="owner@example.com", phone="+48601234567", time_zone="Europe/Warsaw")
    _, err, error = run(
        tmp_path,
        "email,phone\n"
        "ana@example.com,12\n"
        "bob@example.com,+44 20 7946 0958\n"
        "cat@example.com,+442079460958\n"
        "dan@example.com,+48 601 234 567\n",
    )
    assert error is not None
    assert "line 2: phone: Enter a phone number in international format" in err
    assert "line 4: phone: the same phone number as line 3." in err
    assert "line 5: phone: another customer has this phone number." in err
    assert Customer.objects.count() == 1
    out, _, error = run(tmp_path, "email,phone\nowner@example.com,+48 601 234 567\n")
    assert (error, out.strip()) == (None, "0 created, 0 updated, 1 unchanged.")  # their own


def test_the_time_zone_column_is_read_checked_and_else_taken_from_the_phone(tmp_path):
    good = (
        "email,phone,time_zone\n"
        "ana@example.com,+48601234567,\n"
        "bob@example.com,+12025550100,America/Chicago\n"
    )
    _out, _err, error = run(tmp_path, good)
    assert error is None
    zones = dict(Customer.objects.values_list("email", "time_zone"))
    assert zones == {"ana@example.com": "Europe/Warsaw", "bob@example.com": "America/Chicago"}

    _out, err, error = run(tmp_path, "email,time_zone\ncat@example.com,Mars/Olympus\n")
    assert error is not None
    assert "time_zone: Enter a time zone by its IANA name" in err
    assert not Customer.objects.filter(email="cat@example.com").exists()
