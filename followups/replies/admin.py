"""Customers' texts in the admin: each inbound SMS as it came, and what it led to."""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from followups.models import InboundSms
from surveys.admin_changelist import RecordAdmin
from surveys.admin_departments import DepartmentScopedAdmin
from surveys.departments import departments_of


@admin.register(InboundSms)
class InboundSmsAdmin(DepartmentScopedAdmin, RecordAdmin):
    """A text belongs to the department of the survey it answered (through its
    invitation). One matched to no invitation (an unknown sender, a STOP, a
    late reply) could be about any department's survey: only readers of every
    department see it."""

    department_path = "invitation__survey__department"
    list_display = ("received_at", "provider", "sender", "short_body", "outcome", "customer")
    list_filter = ("outcome", "provider")
    search_fields = ("sender", "provider_message_id")
    date_hierarchy = "received_at"
    list_select_related = ("customer",)
    raw_id_fields = ("customer", "invitation", "response")
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if departments_of(request.user) is None:
            return queryset
        return queryset.filter(invitation__isnull=False)

    @admin.display(description=_("text"))
    def short_body(self, obj):
        # An ellipsis says the text goes on (on its page).
        return Truncator(obj.body).chars(80)

    def has_change_permission(self, request, obj=None):
        return False
