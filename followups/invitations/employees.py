"""Employee survey emails: the invitation and its one reminder. Each links to
the anonymous page (surveys/views_enps.py); the email row names the employee,
never their answer, and its time says when they were asked, not when they
answered. The row holds a redacted link (``EmployeeInvitation.redacted_url``):
the working one is filled in by the email transport as it sends, so no reader
of the outbox can answer for a colleague, and only superusers see these rows
in the admin (a reminder says who had not answered by then)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from followups.models import OutboundMessage
from followups.outbox.messages import email_queue
from followups.publish import messages_enqueue
from surveys.models import EmployeeInvitation, Survey

TEMPLATE = "employee_invitation"


def _email_for(invitation: EmployeeInvitation, *, reminder: bool) -> OutboundMessage:
    survey = invitation.survey
    language = survey.default_locale or settings.LANGUAGE_CODE
    question, _ = survey.text_for(language)
    return email_queue(
        template=TEMPLATE,
        dedupe_key=invitation.outbox_key(reminder=reminder),
        recipient=invitation.email,
        language=language,
        context={
            "survey_name": survey.name,
            "question": question,
            # Redacted: the working link is put in only as the email is sent.
            "url": EmployeeInvitation.redacted_url(),
            "min_group": settings.NPS_ENPS_MIN_GROUP,
            "reminder": reminder,
        },
        survey_id=invitation.survey_id,
    )


def employee_invitations_send(*, survey: Survey, now: datetime | None = None) -> int:
    """Email every employee of ``survey`` not emailed yet; claimed row by row
    by a conditional update, so a second run sends nothing twice."""
    now = now or timezone.now()
    sent = 0
    pending = survey.employee_invitations.filter(sent_at__isnull=True).select_related("survey")
    for invitation in pending.iterator():
        with transaction.atomic():
            if not EmployeeInvitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
                sent_at=now
            ):
                continue
            messages_enqueue(message_ids=[_email_for(invitation, reminder=False).pk])
        sent += 1
    return sent


def employee_reminders_send(*, now: datetime | None = None, limit: int = 5000) -> int:
    """One reminder to each employee who has not answered after the survey's
    reminder days; claimed by a conditional update, so never twice."""
    now = now or timezone.now()
    reminded = 0
    surveys = Survey.objects.filter(
        kind=Survey.Kind.EMPLOYEE, status=Survey.Status.ACTIVE, reminder_after_days__gt=0
    )
    for survey in surveys:
        due = survey.employee_invitations.filter(
            answered=False,
            reminded_at__isnull=True,
            sent_at__lte=now - timedelta(days=survey.reminder_after_days),
        ).order_by("sent_at")[: limit - reminded]
        for invitation in due:
            with transaction.atomic():
                if not EmployeeInvitation.objects.filter(
                    pk=invitation.pk, answered=False, reminded_at__isnull=True
                ).update(reminded_at=now):
                    continue
                invitation.survey = survey
                messages_enqueue(message_ids=[_email_for(invitation, reminder=True).pk])
            reminded += 1
    return reminded
