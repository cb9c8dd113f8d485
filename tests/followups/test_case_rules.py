"""Open, overdue and due soon: the rule for one case and the query agree."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followups.cases.workflow import case_log_call, case_transition
from followups.models import CaseEvent, FollowUpCase, RootCause
from tests.factories import FollowUpCaseFactory, staff_member

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
Status = FollowUpCase.Status


@pytest.fixture
def cases():
    """A day's SLA and a week's, in every status."""
    return [
        FollowUpCaseFactory(
            status=status, created_at=OPENED, due_at=OPENED + timedelta(hours=hours)
        )
        for status in Status.values
        for hours in (24, 24 * 7)
    ]


# Around the last quarter of a day's SLA (18 h) and its due time (24 h).
MOMENTS = [
    OPENED + timedelta(hours=h, minutes=m)
    for h, m in ((17, 59), (18, 0), (23, 59), (24, 0), (130, 0))
]


@pytest.mark.parametrize("now", MOMENTS)
def test_the_queryset_picks_the_cases_the_model_methods_pick(cases, now):
    def picked(queryset):
        return set(queryset.values_list("pk", flat=True))

    every = FollowUpCase.objects.all()
    assert picked(every.open()) == {c.pk for c in cases if c.is_open}
    assert picked(every.overdue(now)) == {c.pk for c in cases if c.is_overdue(now)}
    assert picked(every.due_soon(now)) == {c.pk for c in cases if c.is_due_soon(now)}


def test_due_soon_starts_at_the_last_quarter_and_ends_when_overdue():
    case = FollowUpCaseFactory(created_at=OPENED, due_at=OPENED + timedelta(hours=24))
    due_soon = FollowUpCase.objects.due_soon
    assert not case.is_due_soon(OPENED + timedelta(hours=17, minutes=59))
    assert case.is_due_soon(OPENED + timedelta(hours=18))
    assert due_soon(OPENED + timedelta(hours=18)).get() == case
    assert not case.is_due_soon(OPENED + timedelta(hours=24)) and case.is_overdue(
        OPENED + timedelta(hours=24)
    )
    assert not due_soon(OPENED + timedelta(hours=24)).exists()


def test_a_closed_case_is_neither_overdue_nor_due_soon():
    case = FollowUpCaseFactory(
        status=Status.CLOSED, created_at=OPENED, due_at=OPENED + timedelta(hours=24)
    )
    late = OPENED + timedelta(hours=30)
    assert not case.is_overdue(late) and not FollowUpCase.objects.overdue(late).exists()
    assert not case.is_due_soon(OPENED + timedelta(hours=20))
    assert not FollowUpCase.objects.due_soon(OPENED + timedelta(hours=20)).exists()


def test_a_case_is_made_with_its_responses_survey_and_customer():
    case = FollowUpCaseFactory()
    assert (case.survey, case.customer) == (case.response.survey, case.response.customer)
    assert case.response.score <= 6 and case.is_open
    assert case.due_at - case.created_at == timedelta(hours=case.survey.detractor_sla_hours)


# --- The stored current deadline ---------------------------------------------
# ``current_deadline`` is computed by the database on every write; these prove
# the counts built on it agree with the per-case rule (``deadline``), whatever
# the deadlines, first contact and status, and that no writer leaves it stale.

HOURS = st.integers(min_value=1, max_value=24 * 14)
CASE_STATES = st.fixed_dictionaries(
    {
        "status": st.sampled_from(Status.values),
        "contact_hours": HOURS,
        "resolution_hours": st.none() | HOURS,
        "contacted_after": st.none() | st.integers(min_value=0, max_value=24 * 14),
    }
)


def _case_from(state) -> FollowUpCase:
    contacted = state["contacted_after"]
    resolution = state["resolution_hours"]
    return FollowUpCaseFactory(
        status=state["status"],
        created_at=OPENED,
        due_at=OPENED + timedelta(hours=state["contact_hours"]),
        resolution_due_at=None if resolution is None else OPENED + timedelta(hours=resolution),
        first_contact_at=None if contacted is None else OPENED + timedelta(hours=contacted),
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    states=st.lists(CASE_STATES, min_size=1, max_size=6),
    hours_later=st.integers(min_value=0, max_value=24 * 15),
)
def test_overdue_and_due_soon_counts_follow_each_cases_current_deadline(states, hours_later):
    FollowUpCase.objects.all().delete()
    cases = [_case_from(state) for state in states]
    now = OPENED + timedelta(hours=hours_later)
    counts = FollowUpCase.objects.aggregate(
        overdue=Count("pk", filter=FollowUpCase.overdue_q(now)),
        due_soon=Count("pk", filter=FollowUpCase.due_soon_q(now)),
    )
    assert counts == {
        "overdue": sum(case.is_overdue(now) for case in cases),
        "due_soon": sum(case.is_due_soon(now) for case in cases),
    }
    stored = dict(FollowUpCase.objects.values_list("pk", "current_deadline"))
    assert stored == {case.pk: case.deadline for case in cases}


def _stored_deadline(case: FollowUpCase):
    return FollowUpCase.objects.values_list("current_deadline", flat=True).get(pk=case.pk)


def test_first_contact_moves_the_stored_deadline_to_resolution():
    staff = staff_member("owner")
    case = FollowUpCaseFactory(owner=staff)
    assert _stored_deadline(case) == case.due_at
    case_log_call(case=case, actor=staff, outcome=CaseEvent.CallOutcome.REACHED)
    case.refresh_from_db()
    assert case.first_contact_at is not None
    assert _stored_deadline(case) == case.resolution_due_at == case.deadline


def test_every_transition_keeps_the_stored_deadline_right():
    staff = staff_member("owner")
    cause = RootCause.objects.create(name="Billing error")
    case = FollowUpCaseFactory(owner=staff)
    steps = [
        (Status.IN_PROGRESS, {}),
        (Status.WAITING, {}),
        (Status.RESOLVED, {"root_cause": cause, "resolution_summary": "Refunded."}),
        (Status.CLOSED, {}),
        (Status.IN_PROGRESS, {}),
    ]
    for status, extra in steps:
        case = case_transition(case=case, to_status=status, actor=staff, **extra)
        case.refresh_from_db()
        assert _stored_deadline(case) == case.deadline, status


def test_a_case_without_a_resolution_deadline_keeps_its_contact_deadline():
    case = FollowUpCaseFactory(resolution_due_at=None, first_contact_at=OPENED)
    assert _stored_deadline(case) == case.due_at == case.deadline
    FollowUpCase.objects.filter(pk=case.pk).update(resolution_due_at=OPENED + timedelta(days=3))
    assert _stored_deadline(case) == OPENED + timedelta(days=3)
