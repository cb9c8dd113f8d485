"""Building cases for tests the way routing makes them."""

from datetime import timedelta

from django.utils import timezone

from followups.models import CaseEvent, FollowUpCase
from tests.factories import CustomerFactory, ResponseFactory


def open_case(
    *,
    owner=None,
    score=2,
    comment="",
    email=None,
    locale="en",
    sla_hours=24,
    created_at=None,
    **customer_fields,
):
    customer = CustomerFactory(
        locale=locale, **({"email": email} if email else {}), **customer_fields
    )
    response = ResponseFactory(customer=customer, score=score, comment=comment)
    created_at = created_at or timezone.now()
    case = FollowUpCase.objects.create(
        response=response,
        survey=response.survey,
        customer=customer,
        owner=owner,
        priority=FollowUpCase.priority_for_score(score),
        created_at=created_at,
        due_at=created_at + timedelta(hours=sla_hours),
    )
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CREATED, created_at=created_at)
    return case
