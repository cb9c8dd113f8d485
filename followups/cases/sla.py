"""When a case is due and when it escalates. The one place for this logic, so
business hours or holidays can be added without touching callers. (Open,
overdue and due soon are rules about one case: ``FollowUpCase`` and its
queryset.)"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings


def due_at(start: datetime, *, hours: int) -> datetime:
    """The time by which a detractor opened at ``start`` must be contacted."""
    return start + timedelta(hours=hours)


def _sla(case) -> timedelta:
    return case.due_at - case.created_at


def next_escalation_at(case) -> datetime:
    """When the case escalates to its next level if nothing happens.

    Level 1 comes at the due time, or sooner (after a share of the SLA) while
    nobody owns the case; every later level comes one repeat interval on.
    """
    repeat = timedelta(hours=settings.NPS_ESCALATION_REPEAT_HOURS)
    threshold = case.due_at + case.escalation_level * repeat
    if case.owner_id is None:
        unowned = case.created_at + _sla(case) * settings.NPS_UNOWNED_ESCALATION_SHARE
        threshold = min(threshold, unowned + case.escalation_level * repeat)
    return threshold


def should_escalate(case, now: datetime) -> bool:
    return case.is_open and now >= next_escalation_at(case)
