"""Customers from CSV: matched by email whatever its case, bad rows reported
with their line and reason while the good ones import, and idempotent."""

import io

import pytest
from django.core.management import CommandError, call_command

from surveys.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    "email,name,segment,locale,external_id\n"
    "ana@example.com,Ana,smb,pl-PL,\n"
    "not-an-email,Bad,smb,en,\n"
    ",Nobody,smb,en,\n"
    "cat@example.com,Cat,consumer,zh_CN,crm-3\n"
)


def run(tmp_path, text, *args):
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_customers", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_valid_rows_import_and_each_bad_row_is_reported_with_its_line(tmp_path):
    out, err = run(tmp_path, GOOD_AND_BAD)
    assert "2 created, 0 updated, 0 unchanged, 2 rejected" in out
    assert "line 3: email: Enter a valid email address." in err
    assert "line 4: A customer needs an email address." in err
    ana = Customer.objects.get(email="ana@example.com")
    assert (ana.locale, ana.external_id, ana.segment) == ("pl", None, "smb")
    assert Customer.objects.get(external_id="crm-3").locale == "zh-hans"


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    run(tmp_path, GOOD_AND_BAD)
    before = list(Customer.objects.order_by("pk").values())
    out, _ = run(tmp_path, GOOD_AND_BAD)
    assert "0 created, 0 updated, 2 unchanged" in out
    assert list(Customer.objects.order_by("pk").values()) == before


def test_email_matches_an_existing_customer_whatever_its_case(tmp_path):
    existing = CustomerFactory(email="Bob@Example.com", segment="smb")
    out, _ = run(tmp_path, "email,segment\nBOB@example.COM,enterprise\n")
    assert "0 created, 1 updated" in out
    existing.refresh_from_db()
    assert existing.segment == "enterprise"
    assert Customer.objects.count() == 1


def test_dry_run_saves_nothing(tmp_path):
    out, _ = run(tmp_path, GOOD_AND_BAD, "--dry-run")
    assert out.startswith("Dry run:")
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [("name,segment\nAna,smb\n", "no 'email' column"), ("email,colour\na@b.co,red\n", "colour")],
)
def test_a_file_with_wrong_columns_is_refused_clearly(tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, text)


def test_a_missing_file_is_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_customers", str(tmp_path / "nope.csv"))


def test_the_admin_offers_the_same_import(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    response = client.get("/admin/surveys/customer/import/")
    assert response.status_code == 200
    assert b"email" in response.content
