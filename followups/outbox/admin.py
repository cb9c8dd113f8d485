"""The outbox in the admin: every message out, of every channel, its status,
and sending failed ones again.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from followups.models import MailEvent, OutboundMessage
from followups.webhooks.admin import messages_requeue
from surveys.admin_changelist import RecordAdmin
from surveys.admin_departments import DepartmentScopedAdmin
from surveys.admin_permissions import has_model_permission
from surveys.departments import department_filter, departments_of
from surveys.models import EmployeeInvitation

# Templates written for one person about every department they read (the
# weekly digest): only readers of every department see them in the outbox.
WHOLE_COMPANY_TEMPLATES = ("digest",)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(DepartmentScopedAdmin, RecordAdmin):
    # A message about an answer, a case, an invitation or an alert belongs to
    # its survey's department (OutboundMessage.survey, stored when queued,
    # webhook deliveries' too). Digests only to readers of every
    # department; the rest (test emails, notices to staff) to everyone.
    department_path = "survey__department"
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "template",
        "language",
        "status",
        "attempts",
        "sent_at",
        "short_error",
        "delivery_shown",
    )
    list_filter = ("status", "channel", "delivery", "template", "language")
    search_fields = ("recipient", "subject", "dedupe_key")
    date_hierarchy = "created_at"
    actions = ("retry_now",)
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # An employee survey's emails say who was asked and, by its reminders,
            # who had not answered by then: only superusers see them (redacted:
            # their link is put in only as they are sent).
            queryset = queryset.exclude(
                dedupe_key__startswith=f"{EmployeeInvitation.OUTBOX_KEY_PREFIX}:"
            )
        if departments_of(request.user) is None:
            return queryset
        return queryset.filter(
            department_filter(request.user, "response__survey__department")
        ).exclude(template__in=WHOLE_COMPANY_TEMPLATES)

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.display(description=_("delivery"), ordering="delivery")
    def delivery_shown(self, obj):
        """What the SMS provider reported, with its error code when it has one."""
        if not obj.delivery:
            return ""
        label = obj.get_delivery_display()
        return f"{label} ({obj.delivery_error})" if obj.delivery_error else label

    def has_retry_permission(self, request):
        return has_model_permission(request, self.opts, "retry")

    @admin.action(description=_("Try failed messages again now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        ids = messages_requeue(
            request, OutboundMessage, queryset, where=Q(status=OutboundMessage.Status.FAILED)
        )
        self.message_user(request, _("%(n)d message(s) queued again.") % {"n": len(ids)})


@admin.register(MailEvent)
class MailEventAdmin(DepartmentScopedAdmin, RecordAdmin):
    """What mail servers and providers said about addresses; the customer's
    own page says whether mail to them is stopped, and clears it."""

    # A report about an email of an answer or a case belongs to its department.
    department_path = "outbound_message__survey__department"

    list_display = (
        "received_at",
        "kind",
        "bounce_type",
        "email",
        "status_code",
        "short_diagnostic",
        "source",
        "stopped_mail",
    )
    list_filter = ("kind", "bounce_type", "source", "stopped_mail")
    search_fields = ("email", "diagnostic")
    date_hierarchy = "received_at"
    raw_id_fields = ("customer", "outbound_message")
    show_full_result_count = False

    @admin.display(description=_("diagnostic"))
    def short_diagnostic(self, obj):
        return obj.diagnostic[:80]

    def has_change_permission(self, request, obj=None):
        return False
