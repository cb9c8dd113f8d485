"""Erasure is complete: a customer who went through every path of the product
leaves no trace of their email, name or external id anywhere the product
writes (every text and JSON column of every model, the outbox, the timeline,
the admin log, the CSV exports, the product's log lines), while their answers
and their cases' facts still count in the statistics."""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.functions import Cast
from django.test import TestCase
from django.urls import reverse

from followups import tasks
from followups.cases import workflow
from followups.invitations.emails import invitation_send
from followups.models import (
    CaseEvent,
    FollowUpCase,
    ImprovementAction,
    MailEvent,
    OfferGrant,
    OutboundMessage,
    RewardGrant,
    RootCause,
)
from followups.outbox.bounces import MailReport, mail_reports_record
from followups.webhooks.events import EVENT_TYPES
from surveys import imports, services
from surveys.models import Customer, CustomerImport, Response, Survey
from tests.factories import CustomerFactory, SurveyFactory, UserFactory, manager, staff_member
from tests.followups.webhooks import Receiver, endpoint_for

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NAME = "Zebulon Quartermaine"
EMAIL = "zq-erase@example.org"
EXTERNAL_ID = "EXT-ERASE-7781"
# The name's parts too: a note that says "called Zebulon" names them as well.
PERSONAL = (EMAIL, EXTERNAL_ID, NAME, "Zebulon", "Quartermaine")

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
PRODUCT_LOGGERS = ("surveys", "followups", "nps_project")
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def committed(function, *args, **kwargs):
    """Run ``function`` and then what its commit would start (routing, sending)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(*args, **kwargs)


def admin_import(client, text: str) -> None:
    """The admin's CSV import: upload, then the background job runs (in-process)."""
    upload = SimpleUploadedFile("customers.csv", text.encode(), content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        page = client.post(reverse("admin:surveys_customer_import"), {"file": upload})
    assert page.status_code == 302, page.content[:500]
    assert CustomerImport.objects.latest("pk").status == CustomerImport.Status.DONE


def admin_exports(client) -> str:
    return "".join(
        b"".join(client.get(reverse(name)).streaming_content).decode()
        for name in ("admin:surveys_response_export", "admin:followups_followupcase_export")
    )


def holders_of(value: str) -> list[str]:
    """Every "app.Model.field" of every installed model whose stored text (or
    JSON, as text) contains ``value``, whatever its case."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            if isinstance(field, models.BinaryField):
                # Stored files (an import's CSV): few rows, searched as text.
                stored = model._base_manager.values_list(field.attname, flat=True)
                if any(value.lower().encode() in bytes(data or b"").lower() for data in stored):
                    found.append(f"{model._meta.label}.{field.name}")
                continue
            rows = model._base_manager.annotate(_as_text=Cast(field.attname, models.TextField()))
            if rows.filter(_as_text__icontains=value).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the tables an erasure touches, to prove a second one changes nothing."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in (
            Customer,
            Response,
            FollowUpCase,
            CaseEvent,
            OutboundMessage,
            ImprovementAction,
        )
    }


def statistics() -> dict[str, object]:
    return {
        "nps": [
            (s.slug, Response.objects.filter(survey=s).nps_summary().nps)
            for s in Survey.objects.order_by("slug")
        ],
        "responses": list(
            Response.objects.order_by("pk").values_list("score", "category", "submitted_at")
        ),
        "cases": list(
            FollowUpCase.objects.order_by("pk").values_list(
                "status",
                "priority",
                "root_cause_id",
                "owner_id",
                "created_at",
                "due_at",
                "first_contact_at",
                "resolved_at",
                "closed_at",
                "escalation_level",
            )
        ),
        "offers": OfferGrant.objects.count(),
        "rewards": RewardGrant.objects.count(),
    }


def test_an_erased_customer_leaves_no_trace_anywhere_and_the_statistics_stay(client, caplog):
    caplog.set_level(logging.DEBUG)
    root = UserFactory(username="root", is_superuser=True, email="root@example.com")
    boss = manager("boss", email="boss@example.com")
    owner = staff_member("owner", email="owner@example.com")
    client.force_login(root)
    # A receiver of every event, personal data included: what it was sent is scrubbed too.
    receiver = Receiver().start()
    endpoint_for(receiver, EVENT_TYPES, personal_data=True)
    main = SurveyFactory(
        slug="main", detractor_sla_hours=24, detractor_resolution_hours=36, reminder_after_days=3
    )
    other = SurveyFactory(slug="other")
    later = SurveyFactory(slug="later")

    with time_machine.travel(START, tick=False) as clock:
        for score in (10, 9, 7, 2):  # other customers: the statistics are not one answer
            committed(
                services.response_record, survey=main, customer=CustomerFactory(), score=score
            )
        # Created by a CSV import, then updated by a second one.
        admin_import(client, f"email,name,external_id,segment\n{EMAIL},{NAME},{EXTERNAL_ID},smb\n")
        admin_import(
            client, f"email,name,external_id,segment\n{EMAIL},{NAME},{EXTERNAL_ID},enterprise\n"
        )
        zeb = Customer.objects.get(external_id=EXTERNAL_ID)
        assert (zeb.name, zeb.segment) == (NAME, "enterprise")

        # Invited, reminded, then a detractor: a case with an apology email.
        invitation = committed(invitation_send, survey=main, customer=zeb)
        clock.move_to(START + timedelta(days=4))
        committed(tasks.reminders_send_task)
        detractor = committed(
            services.response_record,
            survey=main,
            customer=zeb,
            score=3,
            comment=f"I am {NAME} ({EXTERNAL_ID}), write to {EMAIL}",
            invitation=invitation,
        ).response
        case = FollowUpCase.objects.get(response=detractor)

        # Worked by staff: a note, an email from the case (first contact), then
        # not resolved within 36 h and escalated.
        case = workflow.case_assign(case=case, owner=owner, actor=boss)
        workflow.case_add_note(
            case=case,
            actor=owner,
            text=f"Called Zebulon; {NAME} wants a refund, reach him at {EMAIL} ({EXTERNAL_ID}).",
        )
        subject, body = workflow.case_email_draft(case=case, actor=owner)
        committed(
            workflow.case_email_customer,
            case=case,
            actor=owner,
            subject=f"{subject} - for {NAME}",
            body=body,
            draft_id="d1",
        )
        clock.move_to(START + timedelta(days=6))
        committed(tasks.cases_escalate_task)
        # The email was the first contact: the case is in progress already.
        case = committed(
            workflow.case_transition,
            case=case,
            to_status=FollowUpCase.Status.RESOLVED,
            actor=owner,
            root_cause=RootCause.objects.create(name="Late delivery"),
            resolution_summary=f"Refunded {NAME} in full.",
        )
        action = ImprovementAction.objects.create(
            title=f"Faster couriers (see {NAME})",
            description=f"Customers like {NAME} <{EMAIL}> waited two weeks.",
            survey=main,
            root_cause=case.root_cause,
            owner=boss,
        )
        action.cases.add(case)

        # Closed with a re-survey, answered as a promoter: a reward.
        committed(
            workflow.case_transition,
            case=case,
            to_status=FollowUpCase.Status.CLOSED,
            actor=owner,
            resurvey=True,
        )
        case.refresh_from_db()
        committed(
            services.response_record,
            survey=main,
            customer=zeb,
            score=9,
            invitation=case.resurvey_invitation,
        )
        # A passive on another survey: an offer.
        committed(
            services.response_record,
            survey=other,
            customer=zeb,
            score=8,
            # What a caller says about the customer with an answer (an API or an import).
            properties={"plan": "pro", "contact": EMAIL, "account": NAME},
        )
        # An invitation still waiting in the outbox when the erasure comes.
        invitation_send(survey=later, customer=zeb)
        queued = OutboundMessage.objects.get(customer=zeb, status=OutboundMessage.Status.QUEUED)
        # A soft bounce their provider reported, quoting the address (it stops nothing).
        mail_reports_record(
            reports=[
                MailReport(
                    kind=MailEvent.Kind.BOUNCE,
                    bounce_type=MailEvent.BounceType.TRANSIENT,
                    email=EMAIL,
                    occurred_at=START,
                    source=MailEvent.Source.DSN,
                    diagnostic=f"452 4.2.2 <{EMAIL}>: mailbox full",
                    raw=f"Final-Recipient: rfc822; {EMAIL}\nAction: delayed\n",
                )
            ]
        )
        assert MailEvent.objects.filter(customer=zeb).exists()

        assert admin_exports(client).count(EMAIL) >= 2  # exported while known
        assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).exists()
        assert OfferGrant.objects.filter(customer=zeb).exists()
        assert RewardGrant.objects.filter(customer=zeb).exists()
        assert OutboundMessage.objects.filter(template="escalation").exists()
        assert {"invitation", "apology", "case_message", "offer", "reward"} <= set(
            OutboundMessage.objects.filter(customer=zeb).values_list("template", flat=True)
        )
        assert OutboundMessage.objects.filter(
            dedupe_key=f"invitation:{invitation.pk}:reminder"
        ).exists()
        # An upload naming them, still waiting for its worker.
        waiting = imports.customer_import_create(
            data=f"email,name,external_id\n{EMAIL},{NAME},{EXTERNAL_ID}\n".encode(),
            file_name="later.csv",
        )
        before = statistics()
        sent_before = len(mail.outbox)

        clock.move_to(START + timedelta(days=7))
        committed(services.customer_erase, customer=zeb)
        once = snapshot()
        committed(services.customer_erase, customer=zeb)
        assert snapshot() == once  # erasing again changes nothing
        # What was still queued is cancelled, with its reason, and never sent.
        committed(tasks.lost_work_sweep_task)
        committed(tasks.messages_send_task, [queued.pk])
        # The waiting import runs after all: it must not bring them back.
        committed(imports.customer_import_run, job_id=waiting.pk)
        exports_after = admin_exports(client)
    receiver.stop()
    assert receiver.requests  # the webhooks were delivered, with their personal data

    leaks = {
        value: {
            "columns": holders_of(value),
            "exports": value.lower() in exports_after.lower(),
            "log lines": [
                record.getMessage()
                for record in caplog.records
                if record.name.startswith(PRODUCT_LOGGERS)
                and value.lower() in record.getMessage().lower()
            ],
        }
        for value in PERSONAL
    }
    assert leaks == {
        value: {"columns": [], "exports": False, "log lines": []} for value in PERSONAL
    }
    assert statistics() == before
    queued.refresh_from_db()
    assert queued.status == OutboundMessage.Status.CANCELLED
    assert "erased" in queued.last_error
    assert len(mail.outbox) == sent_before
    waiting.refresh_from_db()
    assert waiting.status == CustomerImport.Status.FAILED
    assert "erased while it waited" in waiting.summary
    # The exports still list the erased customer's answers and case, anonymously.
    rows = list(csv.reader(io.StringIO(exports_after)))
    assert sum(row[1:2] == [str(detractor.submitted_at.isoformat())] for row in rows) == 1
