"""Employee survey emails: one invitation and one reminder each, to who has
not answered, linking to the anonymous page (followups/invitations/employees.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followups.invitations.employees import employee_invitations_send, employee_reminders_send
from followups.models import OutboundMessage
from followups.outbox.sending import messages_send
from surveys.enps import employee_invitations_create
from surveys.models import EmployeeInvitation, Survey
from tests.factories import OutboundMessageFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff_survey(**kwargs) -> Survey:
    return SurveyFactory(kind=Survey.Kind.EMPLOYEE, reminder_after_days=3, **kwargs)


def test_each_employee_is_emailed_their_link_once():
    survey = staff_survey()
    employee_invitations_create(
        survey=survey, employees=[("a@staff.example.com", "Ops"), ("b@staff.example.com", "Ops")]
    )

    assert employee_invitations_send(survey=survey) == 2
    assert employee_invitations_send(survey=survey) == 0

    email = OutboundMessage.objects.get(recipient="a@staff.example.com")
    invitation = EmployeeInvitation.objects.get(email="a@staff.example.com")
    assert "anonymous" in email.body_text
    assert email.customer_id is None and email.response_id is None

    messages_send(message_ids=[email.pk])

    sent = next(m for m in mail.outbox if m.to == ["a@staff.example.com"])
    html = sent.alternatives[0][0]
    assert invitation.public_url() in sent.body and invitation.public_url() in html
    assert EmployeeInvitation.redacted_url() not in sent.body + html


def test_the_outbox_row_never_holds_the_working_link():
    """Whoever may read the outbox cannot answer for a colleague: the row keeps
    a redacted link, the working one is put in only as the email is sent."""
    survey = staff_survey()
    (invitation,) = employee_invitations_create(
        survey=survey, employees=[("a@staff.example.com", "Ops")]
    )
    employee_invitations_send(survey=survey, now=timezone.now() - timedelta(days=4))
    employee_reminders_send()

    rows = list(OutboundMessage.objects.values())
    assert len(rows) == 2
    assert invitation.token not in str(rows)
    assert all(EmployeeInvitation.redacted_url() in row["body_text"] for row in rows)
    assert Client().get(EmployeeInvitation.redacted_url()).status_code == 404


def test_an_email_whose_invitation_is_gone_fails_and_sends_nothing():
    survey = staff_survey()
    employee_invitations_create(survey=survey, employees=[("a@staff.example.com", "Ops")])
    employee_invitations_send(survey=survey)
    email = OutboundMessage.objects.get()
    EmployeeInvitation.objects.all().delete()

    messages_send(message_ids=[email.pk])

    email.refresh_from_db()
    assert email.status == OutboundMessage.Status.FAILED and "gone" in email.last_error
    assert mail.outbox == []


def test_only_superusers_see_the_employee_emails_in_the_outbox(client):
    """A reminder says who had not answered by then: staff who may read the
    outbox see every other message, not these."""
    survey = staff_survey()
    employee_invitations_create(survey=survey, employees=[("a@staff.example.com", "Ops")])
    employee_invitations_send(survey=survey)
    other = OutboundMessageFactory(recipient="customer@example.com")
    employee = OutboundMessage.objects.exclude(pk=other.pk).get()
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_outboundmessage"))
    changelist = reverse("admin:followups_outboundmessage_changelist")

    client.force_login(staff)
    page = client.get(changelist).content.decode()
    assert "customer@example.com" in page and "a@staff.example.com" not in page
    assert (
        client.get(
            reverse("admin:followups_outboundmessage_change", args=[employee.pk])
        ).status_code
        == 302
    )

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "a@staff.example.com" in client.get(changelist).content.decode()


def test_a_reminder_goes_once_and_only_to_who_has_not_answered():
    survey = staff_survey()
    answered, waiting = employee_invitations_create(
        survey=survey, employees=[("a@staff.example.com", "Ops"), ("b@staff.example.com", "Ops")]
    )
    employee_invitations_send(survey=survey, now=timezone.now() - timedelta(days=4))
    Client().post(answered.get_absolute_url(), {"score": 9})

    assert employee_reminders_send() == 1
    assert employee_reminders_send() == 0

    reminders = OutboundMessage.objects.filter(dedupe_key__endswith=":reminder")
    assert list(reminders.values_list("recipient", flat=True)) == [waiting.email]
    assert reminders.get().subject.startswith("Reminder:")


def test_no_reminder_before_the_survey_s_days():
    survey = staff_survey()
    employee_invitations_create(survey=survey, employees=[("a@staff.example.com", "Ops")])
    employee_invitations_send(survey=survey, now=timezone.now() - timedelta(days=2))

    assert employee_reminders_send() == 0


def test_the_command_adds_employees_from_a_csv_and_emails_them(tmp_path):
    survey = staff_survey(slug="pulse")
    people = tmp_path / "staff.csv"
    people.write_text("email,team\na@staff.example.com,Ops\nb@staff.example.com,Sales\n")

    call_command("enps_invite", "pulse", str(people))
    call_command("enps_invite", "pulse", str(people))  # again: nobody twice

    assert sorted(survey.employee_invitations.values_list("team", flat=True)) == ["Ops", "Sales"]
    assert OutboundMessage.objects.count() == 2


def test_the_command_refuses_a_customer_survey_and_a_row_without_team(tmp_path):
    SurveyFactory(slug="checkout")
    staff_survey(slug="pulse")
    people = tmp_path / "staff.csv"
    people.write_text("email,team\na@staff.example.com,\n")

    with pytest.raises(CommandError, match="No employee survey"):
        call_command("enps_invite", "checkout", str(people))
    with pytest.raises(CommandError, match="needs a team"):
        call_command("enps_invite", "pulse", str(people))
    assert not EmployeeInvitation.objects.exists()
