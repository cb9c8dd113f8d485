"""Which departments a person works for, read by both apps: one rule, here.

- A superuser, and anyone in no department who holds ``surveys.view_all_departments``
  (managers, data protection), sees every department.
- Anyone in one or more departments sees those departments, whatever else they hold.
- Anyone else (service staff placed in no department) sees no department.
- Rows of no department (a survey left shared, and its answers and cases) are
  seen by everyone who may see that kind of row, as before departments existed.

An API key acts as its user, so a key of a department's user reads only that
department's rows.
"""

from __future__ import annotations

from typing import NamedTuple, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Department

ALL_DEPARTMENTS_PERMISSION = "surveys.view_all_departments"


def departments_of(user) -> frozenset[int] | None:
    """The ids of the departments ``user`` sees; None: every department.
    Cached on the user object for the request."""
    if hasattr(user, "_department_scope"):
        return cast("frozenset[int] | None", user._department_scope)
    scope: frozenset[int] | None
    if not (user and user.is_authenticated and user.is_active):
        scope = frozenset()
    elif user.is_superuser:
        scope = None
    else:
        member_of = frozenset(
            Department.members.through.objects.filter(user_id=user.pk).values_list(
                "department_id", flat=True
            )
        )
        if member_of:
            scope = member_of
        elif user.has_perm(ALL_DEPARTMENTS_PERMISSION):
            scope = None
        else:
            scope = frozenset()
    user._department_scope = scope
    return scope


def department_filter(user, field: str = "department") -> Q:
    """A condition on ``field`` (a path to a Department foreign key) that keeps
    the rows ``user`` may see by department: theirs and the shared ones."""
    scope = departments_of(user)
    if scope is None:
        return Q()
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": sorted(scope)})


def in_departments(user, queryset: QuerySet, field: str = "department") -> QuerySet:
    return queryset.filter(department_filter(user, field))


def sees_department(user, department_id: int | None) -> bool:
    if department_id is None:
        return True
    scope = departments_of(user)
    return scope is None or department_id in scope


def visible_departments(user) -> QuerySet:
    """The Department rows ``user`` sees (for filters and reports)."""
    scope = departments_of(user)
    departments = Department.objects.order_by("name")
    return departments if scope is None else departments.filter(pk__in=sorted(scope))


def users_seeing(department_id: int | None, users: QuerySet | None = None) -> QuerySet:
    """The users (of ``users``) who see ``department_id``: the same people
    ``sees_department`` says yes to, as one query (for assignment and escalation)."""
    users = get_user_model().objects.all() if users is None else users
    if department_id is None:
        return users
    app_label, codename = ALL_DEPARTMENTS_PERMISSION.split(".")
    membership = Department.members.through.objects.filter(user_id=OuterRef("pk"))
    # Subqueries, not joins: joining a user's groups' permissions and their own
    # permissions multiplied the rows (users x group permissions x user
    # permissions) before DISTINCT, a second per call with a few dozen staff.
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    user_model = get_user_model()
    organisation_wide = Exists(
        user_model.groups.through.objects.filter(
            user_id=OuterRef("pk"), group__permissions__in=permission
        )
    ) | Exists(
        user_model.user_permissions.through.objects.filter(
            user_id=OuterRef("pk"), permission__in=permission
        )
    )
    member = Exists(membership.filter(department_id=department_id))
    return users.filter(
        Q(is_superuser=True) | member | (~Exists(membership) & organisation_wide)
    ).distinct()


SURVEY_LABEL = "surveys.survey"


def survey_path(model, depth: int = 3) -> str | None:
    """The first foreign-key path from ``model`` to Survey: "" for Survey
    itself, "survey", "grant__survey"..., None when ``model`` belongs to no
    survey. Reads only ``_meta``, so a migration's historical models walk the
    same way as the app's."""
    if model._meta.label_lower == SURVEY_LABEL:
        return ""
    if depth == 0:
        return None
    forward = [
        field
        for field in model._meta.get_fields()
        if (field.many_to_one or (field.one_to_one and field.concrete)) and field.related_model
    ]
    for field in forward:
        if field.related_model._meta.label_lower == SURVEY_LABEL:
            return field.name
    for field in forward:
        found = survey_path(field.related_model, depth - 1)
        if found is not None:
            return f"{field.name}__{found}" if found else field.name
    return None


class RowsReach(NamedTuple):
    """Whose business some rows are: one department's (``department_id``),
    everyone's (``shared``: only surveys of no department), or neither (rows
    of no survey, of several departments, or no rows at all: only readers of
    every department, and whoever touched them, may read about them)."""

    department_id: int | None
    shared: bool


RESTRICTED = RowsReach(None, False)


def rows_reach(rows: QuerySet) -> RowsReach:
    """The reach of ``rows`` read through their survey: two small queries
    (the distinct departments, at most three, and whether a row has no survey)."""
    path = survey_path(rows.model)
    if path is None:
        return RESTRICTED
    if rows.query.is_sliced:
        rows = rows.model._default_manager.filter(pk__in=list(rows.values_list("pk", flat=True)))
    rows = rows.order_by()
    if path and rows.filter(**{f"{path}__isnull": True}).exists():
        return RESTRICTED
    field = f"{path}__department" if path else "department"
    found = list(rows.values_list(field, flat=True).distinct()[:3])
    named = {department for department in found if department is not None}
    if not found or len(named) > 1:
        return RESTRICTED
    return RowsReach(named.pop(), False) if named else RowsReach(None, True)
