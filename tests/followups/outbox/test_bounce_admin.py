"""Bounced and complaining customers in the admin: found with the "mail"
filter, shown with what the mail server said, and emailed again by a manager
once their address is fixed (audited); bounce records are read-only. And
``manage.py record_bounce`` for a report saved as a file."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from followups.models import MailEvent
from surveys.models import AuditEvent, Customer
from tests.factories import CustomerFactory, manager, staff_member

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:surveys_customer_changelist"
DATA = Path(__file__).parent / "data"


@pytest.fixture
def customers():
    now = timezone.now()
    return {
        "bounced": CustomerFactory(
            email="gone@example.com", email_bounced_at=now, email_problem="5.1.1 550 User unknown"
        ),
        "complained": CustomerFactory(
            email="annoyed@example.com", email_complained_at=now, email_problem="abuse"
        ),
        "fine": CustomerFactory(email="fine@example.com"),
    }


@pytest.mark.parametrize("state", ["bounced", "complained", "fine"])
def test_the_mail_filter_lists_the_customers_in_that_state(client, customers, state):
    client.force_login(manager())
    page = client.get(reverse(CHANGELIST), {"mail": state})
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [customers[state]]


def test_the_customer_page_shows_what_the_mail_server_said(client, customers):
    client.force_login(manager())
    page = client.get(reverse("admin:surveys_customer_change", args=[customers["bounced"].pk]))
    assert page.status_code == 200
    assert "550 User unknown" in page.content.decode()
    assert 'name="email_problem"' not in page.content.decode()  # shown, not edited


def test_a_manager_clears_the_marks_and_the_trail_says_so(client, customers):
    boss = manager()
    client.force_login(boss)
    picked = [customers["bounced"].pk, customers["complained"].pk, customers["fine"].pk]
    page = client.post(
        reverse(CHANGELIST),
        {"action": "clear_mail_flags", ACTION_CHECKBOX_NAME: picked, "index": "0"},
        follow=True,
    )
    assert "2 customers can be emailed again." in page.content.decode()
    for customer in Customer.objects.filter(pk__in=picked):
        assert customer.is_reachable
        assert customer.email_problem == ""
    event = AuditEvent.objects.get(action=AuditEvent.Action.MAIL_FLAGS_CLEARED)
    assert (event.actor_id, event.via, event.count) == (boss.pk, "admin", 2)
    assert sorted(event.object_ids) == sorted(picked[:2])


def test_service_staff_see_bounces_but_may_not_clear_them(client, customers):
    client.force_login(staff_member("staff"))
    page = client.get(reverse(CHANGELIST))
    assert page.status_code == 200
    assert "clear_mail_flags" not in page.content.decode()
    client.post(
        reverse(CHANGELIST),
        {"action": "clear_mail_flags", ACTION_CHECKBOX_NAME: [customers["bounced"].pk]},
    )
    assert Customer.objects.get(pk=customers["bounced"].pk).email_bounced_at is not None
    assert client.get(reverse("admin:followups_mailevent_changelist")).status_code == 200


def test_record_bounce_reads_a_saved_report_once(tmp_path):
    customer = CustomerFactory(email="gone.away@customer.example")
    path = tmp_path / "bounce.eml"
    path.write_bytes((DATA / "postfix_dsn.eml").read_bytes())
    out, err = StringIO(), StringIO()
    call_command("record_bounce", str(path), stdout=out, stderr=err)
    assert out.getvalue().strip() == "recorded: permanent 5.1.1 gone.away@customer.example"
    call_command("record_bounce", str(path), stdout=out, stderr=StringIO())
    assert "duplicate: permanent" in out.getvalue()
    customer.refresh_from_db()
    assert customer.email_bounced_at is not None
    assert MailEvent.objects.count() == 1


def test_record_bounce_refuses_a_file_that_is_no_report_and_records_nothing(tmp_path):
    CustomerFactory(email="gone.away@customer.example")
    good = tmp_path / "bounce.eml"
    good.write_bytes((DATA / "postfix_dsn.eml").read_bytes())
    bad = tmp_path / "letter.eml"
    bad.write_bytes(b"Subject: hello\n\nNot a bounce.\n")
    with pytest.raises(CommandError, match=r"letter\.eml: The body is not a bounce"):
        call_command("record_bounce", str(good), str(bad), stdout=StringIO())
    with pytest.raises(CommandError, match=r"missing\.eml"):
        call_command("record_bounce", str(tmp_path / "missing.eml"), stdout=StringIO())
    assert not MailEvent.objects.exists()
