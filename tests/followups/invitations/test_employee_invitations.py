"""Employee survey emails: one invitation and one reminder each, to who has
not answered, linking to the anonymous page (followups/invitations/employees.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from followups.invitations.employees import employee_invitations_send, employee_reminders_send
from followups.models import OutboundMessage
from surveys.enps import employee_invitations_create
from surveys.models import EmployeeInvitation, Survey
from tests.factories import SurveyFactory

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
    assert invitation.public_url() in email.body_text
    assert "anonymous" in email.body_text
    assert email.customer_id is None and email.response_id is None


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
