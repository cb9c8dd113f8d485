"""Slack alerts in the admin: the alerts of each survey (the incoming-webhook
URL is a secret: once saved it is shown masked, and can only be replaced),
"send a test message", and the delivery log with each delivery's body,
Slack's answers and timing, and "send again"."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from followups.chat.alerts import chat_alert_categories_check, chat_alert_create
from followups.chat.emit import chat_alert_test_queue
from followups.models import ChatAlert, ChatAlertDelivery
from followups.webhooks.admin import HttpTargetAdmin, WebhookDeliveryAdmin, field_check
from followups.webhooks.endpoints import webhook_url_check
from surveys.admin_departments import DepartmentScopedAdmin
from surveys.models import Response


class ChatAlertForm(forms.ModelForm):
    url = forms.URLField(
        label=capfirst(_("incoming-webhook URL")),
        max_length=2000,
        assume_scheme="https",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 60}),
        help_text=_(
            "The URL Slack gives for an incoming webhook (https://hooks.slack.com/services/…), "
            "or another chat's that takes Slack's messages. Anyone holding it can post to "
            "the channel: it is shown masked once saved."
        ),
    )
    categories = forms.MultipleChoiceField(
        label=capfirst(_("categories")),
        choices=Response.Category.choices,
        initial=["detractor"],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The answers posted: detractors open a case, and their alert links to it."),
    )

    class Meta:
        model = ChatAlert
        fields = ("survey", "url", "description", "categories", "is_active")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["url"] = ""  # never sent back to the browser
            self.fields["url"].label = capfirst(_("new incoming-webhook URL"))
            self.fields["url"].help_text = _(
                "Leave empty to keep the current one (%(masked)s)."
            ) % {"masked": self.instance.url_masked}

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url:
            if self.instance.pk:
                return self.instance.url
            raise ValidationError(_("Paste the incoming-webhook URL."), code="required")
        field_check("url", webhook_url_check, url)
        return url

    def clean_categories(self):
        return field_check(
            "categories", chat_alert_categories_check, self.cleaned_data["categories"]
        )


@admin.register(ChatAlert)
class ChatAlertAdmin(DepartmentScopedAdmin, HttpTargetAdmin):
    form = ChatAlertForm
    list_display = (
        "survey",
        "url_shown",
        "categories_shown",
        "description",
        *HttpTargetAdmin.list_display_state,
    )
    list_filter = ("is_active", "survey")
    list_select_related = ("survey",)
    search_fields = ("survey__name", "survey__slug", "description")
    add_fields = ("survey", "url", "description", "categories")
    actions = ("send_test_message",)

    @admin.display(description=_("incoming-webhook URL"))
    def url_shown(self, obj):
        return obj.url_masked

    @admin.display(description=_("categories"))
    def categories_shown(self, obj):
        labels = dict(Response.Category.choices)
        return ", ".join(str(labels.get(name, name)) for name in obj.categories)

    def create(self, request, obj) -> None:
        created = chat_alert_create(
            survey=obj.survey,
            url=obj.url,
            categories=obj.categories,
            description=obj.description,
            created_by=request.user,
        )
        obj.pk, obj.created_at = created.pk, created.created_at

    @admin.action(description=_("Send a test message"), permissions=["change"])
    def send_test_message(self, request, queryset):
        with transaction.atomic():
            alerts = list(queryset.filter(is_active=True).select_related("survey"))
            for alert in alerts:
                chat_alert_test_queue(alert=alert, created_by=request.user)
        skipped = queryset.count() - len(alerts)
        self.message_user(
            request,
            ngettext(
                "%(n)d test message queued: see the Slack alert deliveries.",
                "%(n)d test messages queued: see the Slack alert deliveries.",
                len(alerts),
            )
            % {"n": len(alerts)},
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d disabled alert was left out: enable it first.",
                    "%(n)d disabled alerts were left out: enable them first.",
                    skipped,
                )
                % {"n": skipped},
                level="warning",
            )


# A Slack delivery's page: the webhook one's, with its alert (and no webhook-id).
DELIVERY_FIELDS = (
    "template",
    "chat_alert",
    "status",
    "attempts",
    "created_at",
    "next_attempt_at",
    "sent_at",
    "last_error",
    "body_text",
    "attempts_log",
)


@admin.register(ChatAlertDelivery)
class ChatAlertDeliveryAdmin(WebhookDeliveryAdmin):
    list_display = (
        "created_at",
        "template",
        "chat_alert",
        "status",
        "attempts",
        "last_code",
        "last_duration",
        "sent_at",
        "short_error",
    )
    list_select_related = ("chat_alert",)

    def get_fields(self, request, obj=None):
        return DELIVERY_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return DELIVERY_FIELDS
