"""Departments in the admin: the department page itself, and the mixin that
keeps every list of surveys' rows (answers, invitations, cases, grants...)
inside the departments its reader sees (surveys.departments)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .departments import in_departments, visible_departments
from .models import Department, DriverChoice, Survey


class ScopedSurveyFilter(admin.RelatedFieldListFilter):
    """The survey filter offering only the surveys the reader sees."""

    def field_choices(self, field, request, model_admin):
        visible = in_departments(request.user, Survey.objects.all()).values("pk")
        return field.get_choices(
            include_blank=False,
            ordering=self.field_admin_ordering(field, request, model_admin),
            limit_choices_to={"pk__in": visible},
        )


class ScopedDepartmentFilter(admin.RelatedFieldListFilter):
    """The department filter offering only the departments the reader sees."""

    def field_choices(self, field, request, model_admin):
        visible = visible_departments(request.user).values("pk")
        return field.get_choices(
            include_blank=False,
            ordering=self.field_admin_ordering(field, request, model_admin),
            limit_choices_to={"pk__in": visible},
        )


class ScopedDriverFilter(admin.RelatedFieldListFilter):
    """The driver (main reason) filter offering only the choices of the surveys
    the reader sees, each named with its survey: surveys often share a label
    ("Price") that means a different choice in each."""

    def field_choices(self, field, request, model_admin):
        choices = in_departments(
            request.user, DriverChoice.objects.select_related("survey"), "survey__department"
        ).order_by("survey__name", "position", "pk")
        return [(choice.pk, f"{choice.survey.name} · {choice.label}") for choice in choices]


class DepartmentScopedAdmin:
    """For a ModelAdmin whose rows belong to a survey: the list, the change
    pages and the exports (all built on ``get_queryset``) hold only the rows of
    the reader's departments and the shared ones; survey and department
    choices, in forms and filters, only those the reader sees."""

    department_path = "survey__department"

    def get_queryset(self, request):
        return self.department_scope(request, super().get_queryset(request))

    def department_scope(self, request, queryset):
        """The rows of ``queryset`` the reader sees; an admin whose rows reach
        departments otherwise than by one path says how here."""
        return in_departments(request.user, queryset, self.department_path)

    def get_list_filter(self, request):
        swapped = {
            "survey": ScopedSurveyFilter,
            self.department_path: ScopedDepartmentFilter,
            "driver": ScopedDriverFilter,
        }
        return [
            (entry, swapped[entry]) if isinstance(entry, str) and entry in swapped else entry
            for entry in super().get_list_filter(request)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "survey":
            kwargs["queryset"] = in_departments(request.user, Survey.objects.all())
        elif db_field.name == "department" and db_field.related_model is Department:
            kwargs["queryset"] = visible_departments(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    """Who works for which department changes what people see: like groups,
    it is kept by those who may change departments (superusers by default)."""

    list_display = ("name", "member_count", "survey_count")
    search_fields = ("name",)
    filter_horizontal = ("members",)

    def get_queryset(self, request):
        return visible_departments(request.user).annotate(
            _members=Count("members", distinct=True), _surveys=Count("surveys", distinct=True)
        )

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj):
        return obj._members

    @admin.display(description=_("surveys"), ordering="_surveys")
    def survey_count(self, obj):
        return obj._surveys
