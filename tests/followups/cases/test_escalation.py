"""Escalation over time: on time, due soon, overdue, unowned."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import TestCase
from django.utils import translation

from followups.cases import workflow
from followups.cases.timeline import event_line
from followups.models import CaseEvent, FollowUpCase, OutboundMessage
from tests.factories import manager, staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def escalate_at(moment):
    with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return workflow.due_cases_escalate()


@pytest.fixture
def owned_case():
    manager("boss", email="boss@example.com")
    return open_case(owner=staff_member("owner", email="owner@example.com"), created_at=OPENED)


def test_a_case_on_time_is_left_alone(owned_case):
    assert escalate_at(OPENED + timedelta(hours=10)) == 0
    owned_case.refresh_from_db()
    assert owned_case.escalation_level == 0
    assert not owned_case.is_due_soon(OPENED + timedelta(hours=10))


def test_due_soon_is_flagged_but_not_escalated(owned_case):
    moment = OPENED + timedelta(hours=19)
    assert owned_case.is_due_soon(moment)
    assert escalate_at(moment) == 0


def test_an_overdue_case_escalates_once_and_tells_the_owner_and_managers(owned_case, mailoutbox):
    assert escalate_at(OPENED + timedelta(hours=24, minutes=1)) == 1
    assert escalate_at(OPENED + timedelta(hours=30)) == 0  # same level: nothing more yet
    owned_case.refresh_from_db()
    assert owned_case.escalation_level == 1
    event = owned_case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert "was not contacted by" in event_line(event)
    recipients = sorted(
        OutboundMessage.objects.filter(template="escalation").values_list("recipient", flat=True)
    )
    assert recipients == ["boss@example.com", "owner@example.com"]
    assert {m.to[0] for m in mailoutbox} == {"boss@example.com", "owner@example.com"}


def test_a_case_still_overdue_a_day_later_escalates_another_level(owned_case):
    escalate_at(OPENED + timedelta(hours=25))
    assert escalate_at(OPENED + timedelta(hours=49)) == 1
    owned_case.refresh_from_db()
    assert owned_case.escalation_level == 2


def test_escalation_stops_at_the_highest_level(owned_case, settings):
    settings.NPS_ESCALATION_MAX_LEVEL = 2
    escalate_at(OPENED + timedelta(hours=25))
    escalate_at(OPENED + timedelta(hours=49))
    assert escalate_at(OPENED + timedelta(hours=73)) == 0
    assert escalate_at(OPENED + timedelta(days=9)) == 0
    owned_case.refresh_from_db()
    assert owned_case.escalation_level == 2
    assert owned_case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 2
    # One email per level and person, none for the levels it did not reach.
    assert OutboundMessage.objects.filter(template="escalation").count() == 4


def test_the_default_highest_level_is_three(owned_case):
    for day in range(1, 9):
        escalate_at(OPENED + timedelta(days=day, minutes=1))
    owned_case.refresh_from_db()
    assert owned_case.escalation_level == 3


def test_an_unowned_case_escalates_sooner_than_its_due_time():
    manager("boss", email="boss@example.com")
    case = open_case(created_at=OPENED)  # nobody owns it
    assert escalate_at(OPENED + timedelta(hours=11)) == 0
    assert escalate_at(OPENED + timedelta(hours=12, minutes=1)) == 1
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert "nobody has taken it" in event_line(case.events.get(kind=CaseEvent.Kind.ESCALATED))


def test_a_closed_case_never_escalates(owned_case):
    FollowUpCase.objects.filter(pk=owned_case.pk).update(status=FollowUpCase.Status.CLOSED)
    assert escalate_at(OPENED + timedelta(days=5)) == 0


def test_a_superuser_counts_as_a_manager_for_escalation_emails(owned_case):
    from tests.factories import UserFactory

    UserFactory(username="root", is_superuser=True, email="root@example.com")
    escalate_at(OPENED + timedelta(hours=25))
    recipients = set(
        OutboundMessage.objects.filter(template="escalation").values_list("recipient", flat=True)
    )
    assert recipients == {"boss@example.com", "owner@example.com", "root@example.com"}


def test_a_case_contacted_after_two_hours_escalates_at_its_resolution_deadline_only(owned_case):
    FollowUpCase.objects.filter(pk=owned_case.pk).update(
        first_contact_at=OPENED + timedelta(hours=2), status=FollowUpCase.Status.IN_PROGRESS
    )
    assert escalate_at(OPENED + timedelta(hours=25)) == 0
    assert escalate_at(OPENED + timedelta(hours=71)) == 0
    assert escalate_at(OPENED + timedelta(hours=72, minutes=1)) == 1
    owned_case.refresh_from_db()
    event = owned_case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert "not resolved by" in event_line(event)


def test_a_case_escalated_for_late_contact_escalates_again_at_its_resolution_deadline(owned_case):
    assert escalate_at(OPENED + timedelta(hours=24, minutes=1)) == 1
    FollowUpCase.objects.filter(pk=owned_case.pk).update(
        first_contact_at=OPENED + timedelta(hours=30), status=FollowUpCase.Status.IN_PROGRESS
    )
    assert escalate_at(OPENED + timedelta(hours=49)) == 0  # contacted: resolution is due at 72 h
    assert escalate_at(OPENED + timedelta(hours=72, minutes=1)) == 1
    owned_case.refresh_from_db()
    # The levels count per deadline: the first for resolution.
    assert (owned_case.escalation_level, owned_case.escalation_phase) == (1, "resolution")


def test_a_contacted_unowned_case_no_longer_escalates_for_having_no_owner():
    manager("boss", email="boss@example.com")
    case = open_case(created_at=OPENED)
    FollowUpCase.objects.filter(pk=case.pk).update(first_contact_at=OPENED + timedelta(hours=1))
    assert escalate_at(OPENED + timedelta(hours=13)) == 0


def test_the_escalation_line_ends_with_one_full_stop_after_an_afternoon_date(settings):
    settings.TIME_ZONE = "UTC"
    event = CaseEvent(
        kind=CaseEvent.Kind.ESCALATED,
        data={"level": 1, "reason": "resolution", "due": "2026-11-24T18:25:00+00:00"},
    )
    with translation.override("en"):
        line = event_line(event)
    assert line == "Escalated to level 1: not resolved by 11/24/2026 6:25 p.m."


# --- The highest level caps the repeats for one deadline, not the next ones ------


def escalations(case):
    return [
        (event.data["level"], event.data["reason"])
        for event in case.events.filter(kind=CaseEvent.Kind.ESCALATED).order_by("created_at")
    ]


def test_a_case_capped_before_first_contact_escalates_when_it_misses_its_resolution_deadline():
    manager("boss", email="boss@example.com")
    case = open_case(created_at=OPENED, resolution_hours=120)  # nobody owns it
    for hours in (12, 36, 60):  # nobody has taken it, then not contacted: level 3
        assert escalate_at(OPENED + timedelta(hours=hours, minutes=1)) == 1
    FollowUpCase.objects.filter(pk=case.pk).update(
        first_contact_at=OPENED + timedelta(hours=61), status=FollowUpCase.Status.IN_PROGRESS
    )
    assert escalate_at(OPENED + timedelta(hours=119)) == 0  # resolution is due at 120 h
    for hours in (120, 144, 168):
        assert escalate_at(OPENED + timedelta(hours=hours, minutes=1)) == 1
    assert escalate_at(OPENED + timedelta(hours=192, minutes=1)) == 0  # capped again
    case.refresh_from_db()
    assert (case.escalation_level, case.escalation_phase) == (3, "resolution")
    assert escalations(case) == [
        (1, "unowned"),
        (2, "contact"),
        (3, "contact"),
        (1, "resolution"),
        (2, "resolution"),
        (3, "resolution"),
    ]
    # Every escalation tells the managers, the second level 1 included.
    assert OutboundMessage.objects.filter(template="escalation").count() == 6


def test_repeats_for_one_deadline_stop_at_the_highest_level(owned_case, settings):
    settings.NPS_ESCALATION_MAX_LEVEL = 2
    FollowUpCase.objects.filter(pk=owned_case.pk).update(
        first_contact_at=OPENED + timedelta(hours=2), status=FollowUpCase.Status.IN_PROGRESS
    )
    assert escalate_at(OPENED + timedelta(hours=72, minutes=1)) == 1
    assert escalate_at(OPENED + timedelta(hours=96, minutes=1)) == 1
    for day in range(5, 12):
        assert escalate_at(OPENED + timedelta(days=day, minutes=1)) == 0
    owned_case.refresh_from_db()
    assert escalations(owned_case) == [(1, "resolution"), (2, "resolution")]


def test_a_reopened_case_escalates_again_from_the_first_level(owned_case):
    FollowUpCase.objects.filter(pk=owned_case.pk).update(
        first_contact_at=OPENED + timedelta(hours=2), status=FollowUpCase.Status.IN_PROGRESS
    )
    for hours in (72, 96, 120):
        escalate_at(OPENED + timedelta(hours=hours, minutes=1))
    assert escalate_at(OPENED + timedelta(hours=149)) == 0  # level 3: capped
    FollowUpCase.objects.filter(pk=owned_case.pk).update(status=FollowUpCase.Status.RESOLVED)
    workflow.case_transition(
        case=owned_case, to_status=FollowUpCase.Status.IN_PROGRESS, actor=owned_case.owner
    )
    owned_case.refresh_from_db()
    assert (owned_case.escalation_level, owned_case.escalation_phase) == (0, "")
    assert escalate_at(OPENED + timedelta(hours=150)) == 1
    owned_case.refresh_from_db()
    assert owned_case.escalation_level == 1
    assert escalations(owned_case)[-1] == (1, "resolution")
