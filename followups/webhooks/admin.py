"""Webhooks in the admin: the endpoints (the secret shown once, when one is
added; their state and enabling shared with Slack alerts, ``HttpTargetAdmin``),
and the delivery log, each delivery's body, answers and timing, with
"send again"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from followups.models import OutboundMessage, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from followups.publish import messages_enqueue
from followups.webhooks.endpoints import (
    webhook_endpoint_create,
    webhook_events_check,
    webhook_url_check,
)
from followups.webhooks.events import EVENT_TYPES
from surveys.admin import VIA_ADMIN
from surveys.admin_changelist import RecordAdmin
from surveys.admin_departments import DepartmentScopedAdmin
from surveys.admin_permissions import has_model_permission
from surveys.audit import Action, audit_record


def field_check(field: str, check: Callable[[Any], Any], value: Any) -> Any:
    """A service's check of one form field: what it returns, or its
    ValidationError({field: ...}) as the form field's own error."""
    try:
        return check(value)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict[field]) from exc


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=[
            (event.name, f"{event.name}: {event.description}") for event in EVENT_TYPES.values()
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "events", "personal_data", "is_active")

    def clean_url(self):
        url = self.cleaned_data["url"]
        field_check("url", webhook_url_check, url)
        return url

    def clean_events(self):
        return field_check("events", webhook_events_check, self.cleaned_data["events"])


class HttpTargetAdmin(admin.ModelAdmin):
    """What the admins of every ``HttpTarget`` share: its state shown read-only
    under the form's fields, enabling and disabling by hand (which records who
    and when), and creating through the part's service (``create``)."""

    readonly_fields = (
        "disabled_at",
        "disabled_reason",
        "failing_since",
        "created_by",
        "created_at",
    )
    list_display_state = ("is_active", "failing_since", "disabled_at", "created_at")
    add_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return (*self.form._meta.fields, *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if not change:
            self.create(request, obj)
            return
        if "is_active" in form.changed_data:
            obj.active_set(obj.is_active, by=request.user.get_username())
        obj.save()

    def create(self, request, obj) -> None:
        """Create ``obj`` through the part's service, then give ``obj`` the
        saved row's key and fields (the admin goes on with it)."""
        raise NotImplementedError


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(HttpTargetAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "events_shown", "personal_data", *HttpTargetAdmin.list_display_state)
    list_filter = ("is_active", "personal_data")
    search_fields = ("url", "description")
    add_fields = ("url", "description", "events", "personal_data")

    @admin.display(description=_("events"))
    def events_shown(self, obj):
        return ", ".join(obj.events)

    def create(self, request, obj) -> None:
        created = webhook_endpoint_create(
            url=obj.url,
            events=obj.events,
            personal_data=obj.personal_data,
            description=obj.description,
            created_by=request.user,
        )
        obj.pk, obj.secret, obj.created_at = created.pk, created.secret, created.created_at
        self.message_user(
            request,
            format_html(
                str(_("The endpoint's signing secret, shown only now: {secret}")),
                secret=format_html("<code>{}</code>", created.secret),
            ),
        )


class SendAgain:
    """The delivery log's action: the chosen deliveries go out again, with
    the same webhook-id: it is the same event (a receiver that processed it
    drops it). For any delivery log whose model is a proxy of the outbox."""

    def has_resend_permission(self, request):
        return has_model_permission(request, self.opts, "resend")

    @admin.action(description=_("Send again"), permissions=["resend"])
    def send_again(self, request, queryset):
        # Never one being sent right now.
        ids = messages_requeue(
            request,
            self.model,
            queryset,
            where=~Q(status=OutboundMessage.Status.SENDING),
            sent_at=None,
            claimed_at=None,
            lease_expires_at=None,
        )
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", len(ids))
            % {"n": len(ids)},
        )


def messages_requeue(request, model, queryset, *, where: Q, **reset) -> list[int]:
    """Queue the chosen outbox rows that match ``where`` again now (``reset``:
    more fields to clear), audited as the admin user's retry, and enqueue them
    once committed. Locked, so the ids audited are the ids this call queued
    again (not one a concurrent retry or erasure took meanwhile)."""
    with transaction.atomic():
        ids = list(
            model.objects.select_for_update()
            .filter(where, pk__in=queryset.values("pk"))
            .values_list("pk", flat=True)
        )
        now = timezone.now()
        model.objects.filter(pk__in=ids).update(
            status=OutboundMessage.Status.QUEUED, attempts=0, next_attempt_at=now, **reset
        )
        # A text to a customer waits for the end of their quiet hours (the
        # sweeper sends it then); there are few texts in a hand-picked retry.
        for text in OutboundMessage.objects.filter(
            pk__in=ids, channel=OutboundMessage.Channel.SMS, customer__isnull=False
        ).select_related("customer"):
            if (due := text.due_at(now)) > now:
                OutboundMessage.objects.filter(pk=text.pk).update(next_attempt_at=due)
        if ids:
            audit_record(
                action=Action.MESSAGES_RETRIED,
                actor=request.user,
                via=VIA_ADMIN,
                object_type=model._meta.label_lower,
                object_ids=ids,
            )
    messages_enqueue(message_ids=ids)
    return ids


def _last_attempt(field: str) -> Subquery:
    return Subquery(
        WebhookAttempt.objects.filter(message_id=OuterRef("pk"))
        .order_by("-started_at")
        .values(field)[:1]
    )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(DepartmentScopedAdmin, SendAgain, RecordAdmin):
    # The survey stored with each delivery (webhooks.emit.Event.survey_id):
    # a theme report names no answer, yet it is one survey's figures.
    department_path = "survey__department"

    list_display = (
        "created_at",
        "template",
        "webhook_endpoint",
        "status",
        "attempts",
        "last_code",
        "last_duration",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "template")
    list_select_related = ("webhook_endpoint",)
    search_fields = ("dedupe_key", "recipient")
    date_hierarchy = "created_at"
    actions = ("send_again",)
    show_full_result_count = False
    fields = (
        "template",
        "webhook_endpoint",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "webhook_id_shown",
        "body_text",
        "attempts_log",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_status_code=_last_attempt("status_code"),
                last_duration_ms=_last_attempt("duration_ms"),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("response code"))
    def last_code(self, obj):
        return obj.last_status_code

    @admin.display(description=_("time (ms)"))
    def last_duration(self, obj):
        return obj.last_duration_ms

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.display(description=_("webhook-id"))
    def webhook_id_shown(self, obj):
        return obj.webhook_id

    @admin.display(description=_("attempts"))
    def attempts_log(self, obj):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (attempt.started_at, attempt.status_code or "-", attempt.duration_ms, attempt.error)
                for attempt in obj.webhook_attempts.order_by("-started_at")
            ),
        )
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("started at"),
            _("response code"),
            _("time (ms)"),
            _("error"),
            rows,
        )
