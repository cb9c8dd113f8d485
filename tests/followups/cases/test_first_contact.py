"""First contact: an email or a call that reached the customer; and resolving
straight from any open status."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from followups.cases import workflow
from followups.cases.timeline import event_line
from followups.models import CaseEvent, FollowUpCase, OutboundMessage, RootCause
from tests.factories import manager, staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

Status = FollowUpCase.Status
Outcome = CaseEvent.CallOutcome


@pytest.fixture
def owner():
    return staff_member("owner", first_name="Olga", last_name="Nowak")


@pytest.mark.parametrize("status", FollowUpCase.OPEN_STATUSES)
def test_any_open_case_can_be_resolved_in_one_step_with_root_cause_and_summary(owner, status):
    case = open_case(owner=owner)
    FollowUpCase.objects.filter(pk=case.pk).update(status=status)
    cause = RootCause.objects.create(name="Billing error")
    case = workflow.case_transition(
        case=case,
        to_status=Status.RESOLVED,
        actor=owner,
        root_cause=cause,
        resolution_summary="Refunded on the first call.",
    )
    case.refresh_from_db()
    assert (case.status, case.root_cause, case.resolution_summary) == (
        Status.RESOLVED,
        cause,
        "Refunded on the first call.",
    )


def test_resolving_a_new_case_still_needs_a_root_cause_and_a_summary(owner):
    case = open_case(owner=owner)
    with pytest.raises(ValidationError) as error:
        workflow.case_transition(case=case, to_status=Status.RESOLVED, actor=owner)
    assert set(error.value.message_dict) == {"root_cause", "resolution_summary"}
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_moving_to_in_progress_by_hand_is_not_first_contact(owner):
    case = workflow.case_transition(
        case=open_case(owner=owner), to_status=Status.IN_PROGRESS, actor=owner
    )
    case.refresh_from_db()
    assert case.first_contact_at is None


def test_emailing_the_customer_is_first_contact_and_starts_the_work(owner):
    case = open_case(owner=owner)
    with TestCase.captureOnCommitCallbacks(execute=False):
        workflow.case_email_customer(
            case=case, actor=owner, subject="Your parcel", body="We are on it.", draft_id="d1"
        )
    case.refresh_from_db()
    assert case.first_contact_at is not None
    assert case.status == Status.IN_PROGRESS
    change = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert (change.actor, change.data["status"]) == (owner, Status.IN_PROGRESS)


def test_an_email_from_a_case_reassigned_meanwhile_is_refused_and_records_nothing(owner):
    case = open_case(owner=owner)  # the owner's page holds this copy
    other = staff_member("other", first_name="Ivo", last_name="Kral")
    FollowUpCase.objects.filter(pk=case.pk).update(owner=other)  # a manager reassigns it

    with pytest.raises(PermissionDenied):
        workflow.case_email_customer(
            case=case, actor=owner, subject="Your parcel", body="We are on it.", draft_id="d2"
        )

    case.refresh_from_db()
    assert (case.first_contact_at, case.status) == (None, Status.NEW)
    assert not OutboundMessage.objects.filter(dedupe_key__startswith=f"case:{case.pk}:").exists()


def test_a_call_that_reached_the_customer_is_first_contact_on_the_timeline(owner):
    case = open_case(owner=owner, phone="+48123456789")
    event = workflow.case_log_call(
        case=case, actor=owner, outcome=Outcome.REACHED, note="Promised a refund by Friday."
    )
    case.refresh_from_db()
    assert case.first_contact_at == event.created_at
    assert case.status == Status.IN_PROGRESS
    assert (event.kind, event.actor, event.data) == (
        CaseEvent.Kind.CALL_LOGGED,
        owner,
        {"outcome": "reached", "phone": "+48123456789", "note": "Promised a refund by Friday."},
    )
    assert event_line(event) == (
        "Call to +48123456789: Reached the customer.\nPromised a refund by Friday."
    )


@pytest.mark.parametrize("outcome", [Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.WRONG_NUMBER])
def test_a_call_that_did_not_reach_the_customer_is_an_attempt_not_contact(owner, outcome):
    case = open_case(owner=owner)
    workflow.case_log_call(case=case, actor=owner, outcome=outcome)
    case.refresh_from_db()
    assert (case.first_contact_at, case.status) == (None, Status.NEW)
    assert case.events.filter(kind=CaseEvent.Kind.CALL_LOGGED, data__outcome=outcome).exists()


def test_a_later_call_keeps_the_first_contact_time(owner):
    case = open_case(owner=owner)
    first = workflow.case_log_call(case=case, actor=owner, outcome=Outcome.REACHED)
    workflow.case_log_call(case=case, actor=owner, outcome=Outcome.REACHED)
    case.refresh_from_db()
    assert case.first_contact_at == first.created_at


def test_a_call_with_an_unknown_outcome_is_refused_and_nothing_is_recorded(owner):
    case = open_case(owner=owner)
    with pytest.raises(ValidationError, match="how the call went"):
        workflow.case_log_call(case=case, actor=owner, outcome="maybe")
    assert not case.events.filter(kind=CaseEvent.Kind.CALL_LOGGED).exists()


def test_only_the_owner_or_a_manager_logs_a_call(owner):
    case = open_case(owner=owner)
    with pytest.raises(PermissionDenied):
        workflow.case_log_call(case=case, actor=staff_member("other"), outcome=Outcome.REACHED)
    workflow.case_log_call(case=case, actor=manager("boss"), outcome=Outcome.NO_ANSWER)
    assert case.events.filter(kind=CaseEvent.Kind.CALL_LOGGED).count() == 1


def test_people_appear_by_full_name_else_user_name(owner):
    assert workflow.person_name(owner) == "Olga Nowak"
    assert workflow.person_name(staff_member("plain")) == "plain"
