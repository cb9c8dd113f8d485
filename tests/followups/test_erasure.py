"""Erasure, part by part: what happens to the outbox, the timeline, the case's
free text and the admin log when a customer is erased, and what staff emails
and log lines say about customers in the first place."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.utils import timezone

from followups.cases import workflow
from followups.cases.timeline import event_line
from followups.models import CaseEvent, ImprovementAction, OutboundMessage, RootCause
from followups.outbox.messages import email_queue
from followups.outbox.sending import _mark_failed, messages_send
from followups.sweep import lost_work_sweep
from surveys.erasure import ERASED, PersonalData
from surveys.models import Customer
from surveys.services import customer_erase
from tests.factories import UserFactory, manager, staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

NAME = "Zebulon Quartermaine"
EMAIL = "zq-erase@example.org"
EXTERNAL_ID = "EXT-ERASE-7781"


@pytest.fixture
def case():
    return open_case(
        owner=staff_member("owner", email="owner@example.com"),
        email=EMAIL,
        name=NAME,
        external_id=EXTERNAL_ID,
    )


def erase(customer):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return customer_erase(customer=customer)


def email_to(customer, *, key: str, status=OutboundMessage.Status.QUEUED, **fields):
    email = email_queue(
        template="case_message",
        dedupe_key=key,
        recipient=customer.email,
        language="en",
        context={"subject": f"For {customer.name}", "body": f"Dear {customer.name}, ..."},
        customer=customer,
    )
    OutboundMessage.objects.filter(pk=email.pk).update(status=status, **fields)
    email.refresh_from_db()
    return email


# --- The rule for free text ---------------------------------------------------


def test_personal_values_are_replaced_anywhere_and_name_parts_as_whole_words():
    personal = PersonalData(
        customer_id=1, values=(EMAIL, EXTERNAL_ID, "Ann Lee"), words=("Ann", "Lee")
    )
    text = "Ann said (ZQ-ERASE@example.org, ext-erase-7781): the Annual fee. Mrs LEE agreed."
    assert personal.scrub(text) == (
        f"{ERASED} said ({ERASED}, {ERASED}): the Annual fee. Mrs {ERASED} agreed."
    )


def test_json_details_are_scrubbed_in_keys_and_values_and_numbers_stay():
    personal = PersonalData(customer_id=1, values=(EMAIL,))
    data = {"to": EMAIL, "ids": [3, f"<{EMAIL}>"], EMAIL: {"n": 1}}
    assert personal.scrub_json(data) == {"to": ERASED, "ids": [3, f"<{ERASED}>"], ERASED: {"n": 1}}


def test_an_html_escaped_name_is_found_too():
    personal = PersonalData.of(Customer(pk=1, email="o@example.org", name="Seán O'Brien"))
    assert personal.scrub("<p>Dear Seán O&#x27;Brien,</p>") == f"<p>Dear {ERASED},</p>"


# --- The outbox ---------------------------------------------------------------


def test_unsent_emails_are_cancelled_with_a_reason_and_never_sent(case, mailoutbox):
    queued = email_to(case.customer, key="q")
    claimed = email_to(case.customer, key="s", status=OutboundMessage.Status.SENDING)
    erase(case.customer)

    for email in (queued, claimed):
        email.refresh_from_db()
        assert email.status == OutboundMessage.Status.CANCELLED
        assert email.last_error == "Cancelled: the customer was erased before it was sent."
    # Neither the sender nor the sweeper takes a cancelled email again.
    with TestCase.captureOnCommitCallbacks(execute=True):
        lost_work_sweep(now=timezone.now() + timedelta(days=1))
    assert messages_send(message_ids=[queued.pk, claimed.pk]) == {}
    assert mailoutbox == []


def test_every_email_to_the_customer_loses_its_recipient_and_text_and_keeps_its_facts(case):
    sent_at = timezone.now()
    sent = email_to(case.customer, key="sent", status=OutboundMessage.Status.SENT, sent_at=sent_at)
    failed = email_to(
        case.customer,
        key="failed",
        status=OutboundMessage.Status.FAILED,
        last_error=f"Recipient refused: {EMAIL}: 550 no such user",
    )
    erase(case.customer)

    sent.refresh_from_db()
    assert (sent.recipient, sent.subject, sent.body_text, sent.body_html) == (
        "",
        ERASED,
        ERASED,
        "",
    )
    assert (sent.template, sent.status, sent.sent_at) == ("case_message", "sent", sent_at)
    failed.refresh_from_db()
    assert failed.status == OutboundMessage.Status.FAILED
    assert failed.last_error == f"Recipient refused: {ERASED}: 550 no such user"


def test_staff_emails_about_the_customers_case_are_scrubbed_and_kept(case):
    # As escalations were written before they stopped naming the customer.
    about = OutboundMessage.objects.create(
        dedupe_key="escalation",
        template="escalation",
        language="en",
        recipient="boss@example.com",
        case=case,
        subject=f"Case #{case.pk} escalated",
        body_text=f"Case #{case.pk} (score 2, {NAME} <{EMAIL}>) was escalated.",
    )
    erase(case.customer)
    about.refresh_from_db()
    assert about.recipient == "boss@example.com"
    assert about.body_text == f"Case #{about.case_id} (score 2, {ERASED} <{ERASED}>) was escalated."


def test_an_address_they_had_before_is_scrubbed_too(case):
    email_to(case.customer, key="old", status=OutboundMessage.Status.SENT)
    Customer.objects.filter(pk=case.customer.pk).update(email="new-zq@example.org")
    workflow.case_add_note(case=case, actor=case.owner, text=f"Old address {EMAIL}, new one soon.")
    erase(Customer.objects.get(pk=case.customer.pk))
    note = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert note.message == f"Old address {ERASED}, new one soon."


# --- The case -----------------------------------------------------------------


def test_notes_keep_their_words_without_the_customers_name_address_or_id(case):
    note = workflow.case_add_note(
        case=case,
        actor=case.owner,
        text=f"Called Zebulon: {NAME} ({EXTERNAL_ID}, {EMAIL}) wants a refund.",
    )
    erase(case.customer)
    note.refresh_from_db()
    assert note.message == f"Called {ERASED}: {ERASED} ({ERASED}, {ERASED}) wants a refund."
    assert (note.kind, note.actor, note.case_id) == ("note", case.owner, case.pk)


def test_timeline_details_resolution_and_improvement_actions_are_scrubbed(case):
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.EMAIL_SENT,
        message=f"Email sent to {EMAIL}: About your parcel",
        data={"email_id": 7, "to": EMAIL},
    )
    root_cause = RootCause.objects.create(name="Courier")
    case.root_cause, case.resolution_summary = root_cause, f"Refunded {NAME}."
    case.save()
    action = ImprovementAction.objects.create(
        title=f"Couriers ({NAME})",
        description="Faster couriers.",
        survey=case.survey,
        root_cause=root_cause,
        owner=manager("boss"),
    )
    action.cases.add(case)
    other = ImprovementAction.objects.create(
        title=f"Not about this case: {NAME}",
        survey=case.survey,
        root_cause=root_cause,
        owner=action.owner,
    )
    erase(case.customer)

    event = case.events.get(kind=CaseEvent.Kind.EMAIL_SENT)
    assert (event.message, event.data) == (
        f"Email sent to {ERASED}: About your parcel",
        {"email_id": 7, "to": ERASED},
    )
    case.refresh_from_db()
    assert (case.resolution_summary, case.root_cause) == (f"Refunded {ERASED}.", root_cause)
    action.refresh_from_db()
    assert (action.title, action.description) == (f"Couriers ({ERASED})", "Faster couriers.")
    other.refresh_from_db()
    assert other.title == f"Not about this case: {NAME}"  # linked to no case of theirs


def test_the_admin_log_of_the_customer_and_their_case_no_longer_names_them(case):
    user = UserFactory(username="root", is_superuser=True)
    for obj, text in ((case.customer, f"{NAME} <{EMAIL}>"), (case, f"Case for {NAME}")):
        LogEntry.objects.log_actions(
            user.pk, [obj], CHANGE, change_message=f"Changed for {NAME}", single_object=True
        )
        LogEntry.objects.filter(object_id=str(obj.pk)).filter(
            content_type=ContentType.objects.get_for_model(obj)
        ).update(object_repr=text)
    erase(case.customer)
    assert sorted(LogEntry.objects.values_list("object_repr", "change_message")) == [
        (f"Case for {ERASED}", f"Changed for {ERASED}"),
        (f"erased customer #{case.customer.pk}", f"Changed for {ERASED}"),
    ]


# --- One transaction, once ----------------------------------------------------


def scrub_then_fail(personal):
    from followups.handoff import scrub_customer

    scrub_customer(personal)
    raise RuntimeError("the other side could not finish")


def test_an_erasure_that_fails_anywhere_changes_nothing_anywhere(case, settings):
    note = workflow.case_add_note(case=case, actor=case.owner, text=f"Called {NAME}.")
    queued = email_to(case.customer, key="q")
    settings.NPS_HANDOFF = {
        **settings.NPS_HANDOFF,
        "customer_erased": "tests.followups.test_erasure.scrub_then_fail",
    }
    with pytest.raises(RuntimeError):
        erase(case.customer)

    customer = Customer.objects.get(pk=case.customer.pk)
    assert (customer.email, customer.name, customer.erased_at) == (EMAIL, NAME, None)
    note.refresh_from_db()
    queued.refresh_from_db()
    assert note.message == f"Called {NAME}."
    assert (queued.status, queued.recipient) == ("queued", EMAIL)


def test_erasing_twice_changes_nothing_and_does_not_fail(case):
    workflow.case_add_note(case=case, actor=case.owner, text=f"Called {NAME}.")
    email_to(case.customer, key="q")
    first = erase(case.customer)
    rows = [
        list(model.objects.order_by("pk").values_list())
        for model in (Customer, CaseEvent, OutboundMessage, LogEntry)
    ]
    again = erase(Customer.objects.get(pk=case.customer.pk))
    assert again.erased_at == first.erased_at
    assert rows == [
        list(model.objects.order_by("pk").values_list())
        for model in (Customer, CaseEvent, OutboundMessage, LogEntry)
    ]


# --- What staff emails, the timeline and the logs say in the first place -------


def test_an_escalation_email_links_to_the_case_and_does_not_name_the_customer(case, settings):
    manager("boss", email="boss@example.com")
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.due_cases_escalate(now=case.due_at + timedelta(minutes=1))
    rows = OutboundMessage.objects.filter(template="escalation")
    assert rows.count() == 2
    for email in rows:
        text = f"{email.subject} {email.body_text} {email.body_html}"
        assert f"/admin/followups/followupcase/{case.pk}/change/" in email.body_text
        assert NAME not in text and EMAIL not in text


def test_the_timeline_says_an_email_went_to_the_customer_without_their_address(case):
    email = workflow.case_email_customer(
        case=case, actor=case.owner, subject="About your parcel", body="Hello.", draft_id="d"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        messages_send(message_ids=[email.pk])
    event = case.events.get(kind=CaseEvent.Kind.EMAIL_SENT)
    assert event_line(event) == "Email sent to the customer: About your parcel"
    assert EMAIL not in str(event.data)


def test_a_refused_recipient_is_logged_by_the_emails_id_not_the_address(case, smtp, caplog):
    smtp.handler.refused_recipients.add(EMAIL)
    email = email_to(case.customer, key="refused")
    with caplog.at_level(logging.DEBUG):
        messages_send(message_ids=[email.pk])
    email.refresh_from_db()
    assert email.status == OutboundMessage.Status.FAILED
    assert EMAIL in email.last_error  # the row says why, until it is erased
    [line] = [r.getMessage() for r in caplog.records if r.name == "followups.outbox.sending"]
    assert line.startswith(f"Email {email.pk} (case_message) failed for good: ")
    assert "550" in line and EMAIL not in line


def test_a_failure_log_drops_the_address_in_whatever_case_the_server_echoed_it(case, caplog):
    email = email_to(case.customer, key="echoed", status=OutboundMessage.Status.SENDING)
    reply = f"550 5.1.1 <{EMAIL.upper()}>: Recipient address rejected ({EMAIL.title()})"
    with caplog.at_level(logging.DEBUG):
        _mark_failed(email, reply)
    [line] = [r.getMessage() for r in caplog.records if r.name == "followups.outbox.sending"]
    assert "550 5.1.1" in line and "<recipient>" in line
    assert EMAIL.lower() not in line.lower()


def test_retrying_failed_emails_in_the_admin_leaves_cancelled_ones_alone(case, client, mailoutbox):
    queued = email_to(case.customer, key="q")
    erase(case.customer)
    client.force_login(UserFactory(username="root", is_superuser=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            "/admin/followups/outboundmessage/",
            {"action": "retry_now", "_selected_action": [queued.pk]},
        )
    queued.refresh_from_db()
    assert queued.status == OutboundMessage.Status.CANCELLED
    assert mailoutbox == []
