"""Open, overdue and due soon: the rule for one case and the query agree."""

from datetime import UTC, datetime, timedelta

import pytest

from followups.models import FollowUpCase
from tests.factories import FollowUpCaseFactory

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
