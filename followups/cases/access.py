"""Who may see and do what with cases. Enforced by the admin and the API alike
(querysets, object checks, actions), never only hidden in a page."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from followups.models import FollowUpCase
from followups.roles import ASSIGN_PERMISSION, managers

__all__ = ["ASSIGN_PERMISSION", "managers"]


def is_manager(user) -> bool:
    return user.is_active and user.has_perm(f"followups.{ASSIGN_PERMISSION}")


def visible_cases(user, queryset: QuerySet | None = None) -> QuerySet:
    """Managers see every case; service staff their own and the unassigned queue."""
    queryset = FollowUpCase.objects.all() if queryset is None else queryset
    if not (user.is_active and user.has_perm("followups.view_followupcase")):
        return queryset.none()
    if is_manager(user):
        return queryset
    return queryset.filter(Q(owner=user) | Q(owner__isnull=True))


def can_view(user, case: FollowUpCase) -> bool:
    if not (user.is_active and user.has_perm("followups.view_followupcase")):
        return False
    return is_manager(user) or case.owner_id in (None, user.pk)


def can_work(user, case: FollowUpCase) -> bool:
    """Contact, note, email, change status: the owner, or a manager."""
    if not (user.is_active and user.has_perm("followups.change_followupcase")):
        return False
    return is_manager(user) or case.owner_id == user.pk


def can_take(user, case: FollowUpCase) -> bool:
    """Service staff may take an unassigned case for themselves."""
    return (
        user.is_active and user.has_perm("followups.change_followupcase") and case.owner_id is None
    )


def can_assign_to(user, case: FollowUpCase, owner) -> bool:
    if is_manager(user):
        return True
    return owner is not None and owner.pk == user.pk and can_take(user, case)
