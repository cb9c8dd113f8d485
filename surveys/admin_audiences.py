"""The audiences a survey can be sent to, kept in the admin: saved customer
filters (made here, or from the customer list's filters) and uploaded lists
(made when a survey is sent to a file, shown and deleted here)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin_changelist import DateHierarchyMixin
from .models import CustomerList, SavedFilter

# The customer list's filter parameters, and the saved filter's fields they fill.
CHANGELIST_FIELDS = {
    "segment__exact": "segment",
    "locale__exact": "locale",
    "created_at__date__gte": "joined_from",
    "created_at__date__lte": "joined_until",
}


def customers_link(params: dict[str, str], text) -> str:
    url = reverse("admin:surveys_customer_changelist") + "?" + urlencode(params)
    return format_html('<a href="{}">{}</a>', url, text)


LINES_SHOWN = 20


def _line_numbers(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:LINES_SHOWN]))
    return (shown + (" …" if len(lines) > LINES_SHOWN else "")) or "-"


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ("name", "segment", "locale", "joined_from", "joined_until", "customers")
    list_filter = ("segment", "locale")
    search_fields = ("name", "segment")
    readonly_fields = ("created_by", "created_at")
    fields = ("name", "segment", "locale", "joined_from", "joined_until", *readonly_fields)

    @admin.display(description=_("customers"))
    def customers(self, obj):
        return customers_link(obj.changelist_params(), _("Show the customers"))

    def get_changeform_initial_data(self, request):
        # "Save these filters" on the customer list passes the list's own parameters.
        initial = super().get_changeform_initial_data(request)
        for parameter, field in CHANGELIST_FIELDS.items():
            if request.GET.get(parameter):
                initial[field] = request.GET[parameter]
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CustomerList)
class CustomerListAdmin(DateHierarchyMixin, admin.ModelAdmin):
    """Lists uploaded to send a survey to: shown, and deleted once no wave names them."""

    list_display = ("name", "created_at", "created_by", "lines", "member_count", "unknown")
    list_select_related = ("created_by",)
    search_fields = ("name", "file_name")
    date_hierarchy = "created_at"
    fields = ("name", "file_name", "lines", "member_count", "unknown", "repeated", "created_by")
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description=_("customers"), ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description=_("lines naming no customer"))
    def unknown(self, obj):
        return _line_numbers(obj.unknown_lines)

    @admin.display(description=_("lines naming a customer again"))
    def repeated(self, obj):
        return _line_numbers(obj.repeated_lines)

    def has_add_permission(self, request):
        return False  # made by uploading a file when sending a survey

    def has_change_permission(self, request, obj=None):
        return False
