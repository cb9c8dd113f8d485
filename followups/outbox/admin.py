"""The outbox in the admin: every message out, of every channel, its status,
and sending failed ones again.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followups.models import MailEvent, OutboundMessage
from followups.publish import messages_enqueue
from surveys.admin import VIA_ADMIN
from surveys.admin_changelist import RecordAdmin
from surveys.admin_permissions import has_model_permission
from surveys.audit import Action, audit_record


@admin.register(OutboundMessage)
class OutboundMessageAdmin(RecordAdmin):
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
    )
    list_filter = ("status", "channel", "template", "language")
    search_fields = ("recipient", "subject", "dedupe_key")
    date_hierarchy = "created_at"
    actions = ("retry_now",)
    show_full_result_count = False

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    def has_retry_permission(self, request):
        return has_model_permission(request, self.opts, "retry")

    @admin.action(description=_("Try failed messages again now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        failed = OutboundMessage.Status.FAILED
        with transaction.atomic():
            # Locked, so the ids audited are the ids this action queued again
            # (not one a concurrent retry or erasure took meanwhile).
            ids = list(
                OutboundMessage.objects.select_for_update()
                .filter(pk__in=queryset.values("pk"), status=failed)
                .values_list("pk", flat=True)
            )
            OutboundMessage.objects.filter(pk__in=ids).update(
                status=OutboundMessage.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
            )
            if ids:
                audit_record(
                    action=Action.MESSAGES_RETRIED,
                    actor=request.user,
                    via=VIA_ADMIN,
                    object_type=self.opts.label_lower,
                    object_ids=ids,
                )
        messages_enqueue(message_ids=ids)
        self.message_user(request, _("%(n)d message(s) queued again.") % {"n": len(ids)})


@admin.register(MailEvent)
class MailEventAdmin(RecordAdmin):
    """What mail servers and providers said about addresses; the customer's
    own page says whether mail to them is stopped, and clears it."""

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
