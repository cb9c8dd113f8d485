"""The case workflow: transitions, assignment and notes, with their rules."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.test import TestCase

from followups.cases import workflow
from followups.models import CaseEvent, FollowUpCase, OutboundMessage, RootCause
from tests.factories import ResponseFactory, manager, staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

Status = FollowUpCase.Status
ALL = list(Status)


@pytest.fixture
def cause():
    return RootCause.objects.create(name="Slow delivery")


def move(case, to_status, actor, **kwargs):
    return workflow.case_transition(case=case, to_status=to_status, actor=actor, **kwargs)


def put_in(case, status, cause):
    """Bring a case into ``status`` by the book, straight in the database."""
    FollowUpCase.objects.filter(pk=case.pk).update(
        status=status,
        root_cause=cause if status in (Status.RESOLVED, Status.CLOSED) else None,
    )
    case.refresh_from_db()
    return case


ALLOWED = [(src, dst) for src, targets in FollowUpCase.TRANSITIONS.items() for dst in targets]
REFUSED = [(src, dst) for src in ALL for dst in ALL if (src, dst) not in ALLOWED]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_transition_works_and_is_recorded(source, target, cause):
    owner = staff_member("owner")
    case = put_in(open_case(owner=owner), source, cause)
    extra = (
        {"root_cause": cause, "resolution_summary": "Refunded"} if target == Status.RESOLVED else {}
    )
    case = move(case, target, owner, **extra)
    case.refresh_from_db()
    assert case.status == target
    event = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert (event.actor, event.data) == (owner, {"previous": source, "status": target})


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_transition_is_refused_with_a_message(source, target, cause):
    owner = staff_member("owner")
    case = put_in(open_case(owner=owner), source, cause)
    with pytest.raises(ValidationError, match="cannot become"):
        move(case, target, owner, root_cause=cause, resolution_summary="x")
    case.refresh_from_db()
    assert case.status == source
    assert not case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).exists()


def test_first_contact_is_kept_when_a_resolved_case_is_reopened(cause):
    owner = staff_member("owner")
    case = open_case(owner=owner)
    workflow.case_log_call(case=case, actor=owner, outcome=CaseEvent.CallOutcome.REACHED)
    case.refresh_from_db()
    first_contact = case.first_contact_at
    assert first_contact is not None
    case = move(case, Status.RESOLVED, owner, root_cause=cause, resolution_summary="Fixed")
    assert case.resolved_at is not None
    case = move(case, Status.IN_PROGRESS, owner)  # reopened
    assert (case.first_contact_at, case.resolved_at) == (first_contact, None)


def test_resolving_requires_a_root_cause_and_a_summary():
    owner = staff_member("owner")
    case = move(open_case(owner=owner), Status.IN_PROGRESS, owner)
    with pytest.raises(ValidationError) as excinfo:
        move(case, Status.RESOLVED, owner, resolution_summary="  ")
    assert set(excinfo.value.message_dict) == {"root_cause", "resolution_summary"}
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_a_retired_root_cause_cannot_be_chosen():
    owner = staff_member("owner")
    retired = RootCause.objects.create(name="Old", is_active=False)
    case = move(open_case(owner=owner), Status.IN_PROGRESS, owner)
    with pytest.raises(ValidationError, match="no longer in use"):
        move(case, Status.RESOLVED, owner, root_cause=retired, resolution_summary="x")


def test_a_change_based_on_a_stale_view_is_refused_not_silently_applied():
    owner = staff_member("owner")
    case = open_case(owner=owner)
    move(case, Status.IN_PROGRESS, owner, expected_status=Status.NEW)
    with pytest.raises(workflow.StaleCase, match="changed meanwhile"):
        move(case, Status.WAITING, owner, expected_status=Status.NEW)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_changing_one_case_at_once_cannot_both_win():
    owner, boss = staff_member("owner"), manager("boss")
    case = open_case(owner=owner)
    barrier, outcomes = threading.Barrier(2), []

    def act(actor, target):
        try:
            barrier.wait()
            move(case, target, actor, expected_status=Status.NEW)
            outcomes.append("won")
        except workflow.StaleCase:
            outcomes.append("told")
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=act, args=(owner, Status.IN_PROGRESS)),
        threading.Thread(target=act, args=(boss, Status.IN_PROGRESS)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["told", "won"]
    assert FollowUpCase.objects.get().events.filter(kind="status_changed").count() == 1


def test_staff_cannot_change_someone_elses_case():
    owner, other = staff_member("owner"), staff_member("other")
    case = open_case(owner=owner)
    with pytest.raises(PermissionDenied):
        move(case, Status.IN_PROGRESS, other)
    with pytest.raises(PermissionDenied):
        workflow.case_add_note(case=case, actor=other, text="hi")


def test_staff_take_an_unassigned_case_but_never_reassign_one():
    first, second = staff_member("first"), staff_member("second")
    case = open_case()
    workflow.case_assign(case=case, owner=first, actor=first)
    case.refresh_from_db()
    assert case.owner == first
    with pytest.raises(PermissionDenied):
        workflow.case_assign(case=case, owner=second, actor=second)
    with pytest.raises(PermissionDenied):
        workflow.case_assign(case=open_case(), owner=second, actor=first)


def test_manager_assigns_and_reassigns_and_it_is_on_the_timeline():
    boss, first, second = manager("boss"), staff_member("first"), staff_member("second")
    case = open_case()
    workflow.case_assign(case=case, owner=first, actor=boss)
    workflow.case_assign(
        case=case, owner=second, actor=boss, verify_owner=True, expected_owner_id=first.pk
    )
    case.refresh_from_db()
    assert case.owner == second
    events = list(case.events.filter(kind=CaseEvent.Kind.ASSIGNED).values_list("data", flat=True))
    assert events[-1] == {
        "owner_id": second.pk,
        "owner_name": "second",
        "previous_owner_id": first.pk,
        "previous_owner_name": "first",
    }


def test_assigning_a_case_that_changed_hands_meanwhile_is_refused():
    boss, first, second = manager("boss"), staff_member("first"), staff_member("second")
    case = open_case(owner=first)
    with pytest.raises(workflow.StaleCase):
        workflow.case_assign(case=case, owner=second, actor=boss, verify_owner=True)


def test_bulk_assignment_is_for_managers_only():
    boss, first = manager("boss"), staff_member("first")
    cases = [open_case(), open_case()]
    assert workflow.cases_assign(cases=cases, owner=first, actor=boss) == 2
    with pytest.raises(PermissionDenied):
        workflow.cases_assign(cases=cases, owner=first, actor=first)


def test_notes_are_kept_on_the_timeline_with_their_author():
    owner = staff_member("owner")
    case = open_case(owner=owner)
    workflow.case_add_note(case=case, actor=owner, text="  Called, no answer.  ")
    note = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert (note.actor, note.message) == (owner, "Called, no answer.")
    with pytest.raises(ValidationError):
        workflow.case_add_note(case=case, actor=owner, text="   ")


def test_emailing_the_customer_goes_through_the_outbox_once_per_draft(mailoutbox):
    owner = staff_member("owner")
    case = open_case(owner=owner, email="ana@example.com")
    for _ in range(2):  # a double-click submits the same draft twice
        with TestCase.captureOnCommitCallbacks(execute=True):
            workflow.case_email_customer(
                case=case, actor=owner, subject="Your order", body="<b>Sorry</b>", draft_id="d1"
            )
    email = OutboundMessage.objects.get(template="case_message")
    assert (email.status, email.created_by, email.recipient) == ("sent", owner, "ana@example.com")
    assert "&lt;b&gt;Sorry&lt;/b&gt;" in email.body_html
    sent = [m for m in mailoutbox if m.subject == "Your order"]
    assert len(sent) == 1
    event = case.events.get(kind=CaseEvent.Kind.EMAIL_SENT, data__template="case_message")
    assert event.actor == owner


def test_an_unsubscribed_customer_cannot_be_emailed_from_a_case():
    from django.utils import timezone

    owner = staff_member("owner")
    case = open_case(owner=owner)
    case.customer.unsubscribed_at = timezone.now()
    case.customer.save()
    with pytest.raises(ValidationError, match="unsubscribed"):
        workflow.case_email_customer(
            case=case, actor=owner, subject="Hi", body="Hello", draft_id="d2"
        )


def test_draft_is_in_the_customers_language():
    owner = staff_member("owner", first_name="Kasia")
    case = open_case(owner=owner, locale="pl")
    subject, body = workflow.case_email_draft(case=case, actor=owner)
    assert str(case.pk) in subject
    assert "Kasia" in body


def test_responses_without_a_case_are_untouched():
    ResponseFactory(score=10)
    assert not FollowUpCase.objects.exists()
