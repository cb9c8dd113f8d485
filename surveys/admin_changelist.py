"""The admin's list pages: safe for any date drill-down a URL can carry, and
read-only for rows the system writes."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class CalendarSafeChangeList(ChangeList):
    """Django's admin list, with a drill-down date outside the calendar
    (``?created_at__year=99999999999``, or December of 9999, whose end is in
    year 10000) an invalid filter the list explains, instead of the
    OverflowError or ValueError Django lets through (a 500)."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class DateHierarchyMixin:
    """For every admin with a ``date_hierarchy``: see CalendarSafeChangeList."""

    def get_changelist(self, request, **kwargs):
        return CalendarSafeChangeList


class RecordAdmin(DateHierarchyMixin, admin.ModelAdmin):
    """Rows the system writes (grants, messages): shown, never edited by hand."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
