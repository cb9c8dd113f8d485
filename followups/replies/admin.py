"""Customers' texts in the admin: each inbound SMS as it came, and what it led to."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from followups.models import InboundSms
from surveys.admin_changelist import RecordAdmin


@admin.register(InboundSms)
class InboundSmsAdmin(RecordAdmin):
    list_display = ("received_at", "provider", "sender", "short_body", "outcome", "customer")
    list_filter = ("outcome", "provider")
    search_fields = ("sender", "provider_message_id")
    date_hierarchy = "received_at"
    list_select_related = ("customer",)
    raw_id_fields = ("customer", "invitation", "response")
    show_full_result_count = False

    @admin.display(description=_("text"))
    def short_body(self, obj):
        return obj.body[:80]

    def has_change_permission(self, request, obj=None):
        return False
