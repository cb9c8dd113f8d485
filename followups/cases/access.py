"""Who may see and do what with cases. Enforced by the admin and the API alike
(querysets, object checks, actions), never only hidden in a page."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from followups.models import FollowUpCase
from followups.roles import ASSIGN_PERMISSION, managers
from surveys.departments import department_filter, departments_of, sees_department, users_seeing
from surveys.models import Survey

__all__ = ["ASSIGN_PERMISSION", "managers"]


def is_manager(user) -> bool:
    return user.is_active and user.has_perm(f"followups.{ASSIGN_PERMISSION}")


def case_department_id(case: FollowUpCase) -> int | None:
    """A case belongs to its survey's department (read through the survey, so
    moving a survey moves its cases: no copy to keep in step)."""
    return case.survey.department_id


def visible_cases(user, queryset: QuerySet | None = None) -> QuerySet:
    """Within the departments the user sees (surveys.departments): managers see
    every case; service staff their own and the unassigned queue."""
    queryset = FollowUpCase.objects.all() if queryset is None else queryset
    if not (user.is_active and user.has_perm("followups.view_followupcase")):
        return queryset.none()
    queryset = queryset.filter(_in_visible_surveys(user))
    if is_manager(user):
        return queryset
    return queryset.filter(Q(owner=user) | Q(owner__isnull=True))


def _in_visible_surveys(user) -> Q:
    """The department rule for cases as the ids of the surveys ``user`` sees,
    read first (one small query). A list lets PostgreSQL walk the cases' own
    indexes (the newest page, the date filter's first and last case) where a
    join to the surveys made it read every visible case: at 100,000 cases the
    staff list's first-and-last query went from 20-30 ms to 0.3 ms."""
    if departments_of(user) is None:
        return Q()
    surveys = Survey.objects.filter(department_filter(user)).values_list("pk", flat=True)
    return Q(survey_id__in=list(surveys))


def can_view(user, case: FollowUpCase) -> bool:
    if not (user.is_active and user.has_perm("followups.view_followupcase")):
        return False
    if not sees_department(user, case_department_id(case)):
        return False
    return is_manager(user) or case.owner_id in (None, user.pk)


def can_work(user, case: FollowUpCase) -> bool:
    """Contact, note, email, change status: the owner, or a manager, of the
    case's department."""
    if not (user.is_active and user.has_perm("followups.change_followupcase")):
        return False
    if not sees_department(user, case_department_id(case)):
        return False
    return is_manager(user) or case.owner_id == user.pk


def can_take(user, case: FollowUpCase) -> bool:
    """Service staff may take an unassigned case of their department for themselves."""
    return (
        user.is_active
        and user.has_perm("followups.change_followupcase")
        and case.owner_id is None
        and sees_department(user, case_department_id(case))
    )


def can_assign_to(user, case: FollowUpCase, owner) -> bool:
    """Managers of the case's department assign it; staff take it for
    themselves. (Whether ``owner`` may hold it: ``may_own``.)"""
    if is_manager(user) and sees_department(user, case_department_id(case)):
        return True
    return owner is not None and owner.pk == user.pk and can_take(user, case)


def may_own(owner, case: FollowUpCase) -> bool:
    """A case is given only to someone who sees its department."""
    return sees_department(owner, case_department_id(case))


def department_managers(case: FollowUpCase) -> QuerySet:
    """The managers who see this case's department: whom its escalations and
    unowned replies concern."""
    return users_seeing(case_department_id(case), managers())
