"""Building cases for tests the way routing makes them."""

from datetime import timedelta

from django.utils import timezone

from followups.models import CaseEvent
from tests.factories import CustomerFactory, FollowUpCaseFactory


def open_case(
    *,
    owner=None,
    score=2,
    comment="",
    email=None,
    locale="en",
    sla_hours=24,
    resolution_hours=72,
    created_at=None,
    **customer_fields,
):
    customer = CustomerFactory(
        locale=locale, **({"email": email} if email else {}), **customer_fields
    )
    created_at = created_at or timezone.now()
    case = FollowUpCaseFactory(
        response__customer=customer,
        response__score=score,
        response__comment=comment,
        owner=owner,
        created_at=created_at,
        due_at=created_at + timedelta(hours=sla_hours),
        resolution_due_at=created_at + timedelta(hours=resolution_hours),
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CREATED,
        created_at=created_at,
        data={"score": score, "due_at": case.due_at.isoformat()},
    )
    return case
