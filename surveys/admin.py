"""Admin for customers, surveys, invitations and responses.

Every column comes from the row itself or a ``list_select_related`` join, so a
list page costs the same number of queries at 10 rows or 10,000.
"""

from typing import ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin

from nps_project.replica import replica_reads

# admin_audiences registers its admins: autodiscovery imports only this module.
from . import admin_audiences, exports, services  # noqa: F401
from .admin_answer_imports import AnswerImportViews
from .admin_changelist import DateHierarchyMixin
from .admin_departments import DepartmentScopedAdmin
from .admin_imports import CustomerImportViews
from .admin_languages import language_fieldsets, language_gaps_warn, survey_gap_message
from .admin_permissions import declared_view, has_model_permission
from .api_keys import api_key_create, api_key_revoke, scopes_allowed_check
from .audit import Action, audit_record, events_seen, export_record
from .departments import departments_of
from .models import (
    ApiKey,
    ApiScope,
    AuditEvent,
    Customer,
    DriverChoice,
    Invitation,
    Response,
    Survey,
)
from .resources import CustomerResource
from .sms import sms_invitation_sample, sms_length

VIA_ADMIN = "admin"


class MailStateFilter(admin.SimpleListFilter):
    """Whether email still reaches the customer: bounced, marked as spam, or fine."""

    title = _("mail")
    parameter_name = "mail"

    def lookups(self, request, model_admin):
        return (
            ("bounced", _("bounced")),
            ("complained", _("marked as spam")),
            ("fine", _("fine")),
        )

    def queryset(self, request, queryset):
        if self.value() == "bounced":
            return queryset.filter(email_bounced_at__isnull=False)
        if self.value() == "complained":
            return queryset.filter(email_complained_at__isnull=False)
        if self.value() == "fine":
            return queryset.filter(email_bounced_at__isnull=True, email_complained_at__isnull=True)
        return queryset


@admin.register(Customer)
class CustomerAdmin(CustomerImportViews, DateHierarchyMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [CustomerResource]
    list_display = (
        "__str__",
        "external_id",
        "phone",
        "segment",
        "locale",
        "unsubscribed_at",
        "created_at",
    )
    list_filter = (
        "segment",
        "locale",
        ("unsubscribed_at", admin.EmptyFieldListFilter),
        MailStateFilter,
    )
    search_fields = ("email", "name", "external_id", "phone")
    # Shown, not edited, as "mail problem": it is what the mail server said.
    exclude = ("email_problem",)
    readonly_fields = (
        "unsubscribed_at",
        "email_bounced_at",
        "email_complained_at",
        "mail_problem",
        "erased_at",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
    actions = ("erase_personal_data", "clear_mail_flags")
    show_full_result_count = False

    @admin.display(description=_("mail problem"))
    def mail_problem(self, obj):
        # Shown while it stops mail; the words stay for the record once cleared.
        if obj.email_bounced_at is None and obj.email_complained_at is None:
            return "-"
        return obj.email_problem or "-"

    @admin.action(
        description=_("Email again: clear the bounce or spam mark (address fixed)"),
        permissions=["change"],
    )
    def clear_mail_flags(self, request, queryset):
        count = services.customers_mail_flags_clear(
            customers=queryset, actor=request.user, via=VIA_ADMIN
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d customer can be emailed again.",
                "%(count)d customers can be emailed again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Erase personal data (GDPR), keep anonymous answers"),
        permissions=["erase"],
    )
    def erase_personal_data(self, request, queryset):
        count = 0
        # Each erasure commits with its own audit event: one that fails midway
        # leaves the ones before it erased and recorded.
        for customer in queryset.filter(erased_at__isnull=True).iterator():
            services.customer_erase(customer=customer, actor=request.user, via=VIA_ADMIN)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Erased the personal data of %(count)d customer.",
                "Erased the personal data of %(count)d customers.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_erase_permission(self, request):
        return has_model_permission(request, self.opts, "erase")

    # Import and export need surveys.import_customer / surveys.export_customer
    # (settings.IMPORT_EXPORT_*_PERMISSION_CODE): customers are personal data.

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        export_record(
            queryset=queryset,
            params=request.GET,
            via=VIA_ADMIN,
            actor=request.user,
            hidden=[SEARCH_VAR],
            format=file_format.get_title(),
        )
        return data

    def has_delete_permission(self, request, obj=None):
        # Deleting would take their answers out of the statistics; erase instead.
        return False


class DriverChoiceInline(admin.TabularInline):
    """The answers to the survey's driver question. One that has answers
    cannot be deleted (they PROTECT it): untick "active" to stop offering it."""

    model = DriverChoice
    extra = 0
    fields = ("position", "key", "label", "label_pl", "label_ru", "label_zh_hans", "active")
    # Five text columns at the admin's usual 20em each run past a laptop's
    # page; a choice's label is a few words, so narrower boxes keep the
    # table on the page.
    formfield_overrides: ClassVar[dict] = {
        models.SlugField: {"widget": forms.TextInput(attrs={"size": 10})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 13})},
    }
    verbose_name = _("driver choice")
    verbose_name_plural = _("driver question: choices")


@admin.register(Survey)
class SurveyAdmin(DepartmentScopedAdmin, admin.ModelAdmin):
    department_path = "department"
    inlines: ClassVar[tuple] = (DriverChoiceInline,)
    list_display = (
        "name",
        "slug",
        "department",
        "status",
        "recurrence",
        "response_count",
        "detractor_sla_hours",
        "auto_assign",
        "benchmark_nps",
    )
    list_filter = ("kind", "status", "department", "recurrence", "auto_assign")
    list_select_related = ("department",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "sms_preview")

    def get_readonly_fields(self, request, obj=None):
        # Answers already given were given as what the survey was then: an
        # anonymous answer must not become a customer's, nor the reverse.
        if obj is None:
            return self.readonly_fields
        # An employee survey is never sent in waves: it does not repeat. One
        # stored with a recurrence from before that rule shows the field, with
        # the model's error on it, so that it can be cleared and saved.
        repeat = ("recurrence",) if obj.is_employee and not obj.recurrence else ()
        return ("kind", *repeat, *self.readonly_fields)

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "slug",
                    "kind",
                    "department",
                    "status",
                    "recurrence",
                    "default_locale",
                )
            },
        ),
        (
            _("Questions in English"),
            {
                "fields": ("question", "follow_up_question", "driver_question"),
                "description": _("Customers whose language has no text below read these."),
            },
        ),
        *language_fieldsets("question", "follow_up_question", "driver_question"),
        (
            _("Rules"),
            {
                "fields": (
                    "throttle_days",
                    "reminder_after_days",
                    "invitation_lifetime_days",
                    "detractor_sla_hours",
                    "detractor_resolution_hours",
                    "sla_business_hours",
                    "auto_assign",
                    "benchmark_nps",
                )
            },
        ),
        (
            _("SMS invitation"),
            {
                "fields": ("sms_preview",),
                "description": _(
                    "The text an SMS invitation sends, per language, as saved: its encoding "
                    "and how many SMS segments it costs."
                ),
            },
        ),
        (None, {"fields": ("created_at",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_responses=Count("responses", filter=Q(responses__exclusion_reason="")))
        )

    @admin.display(description=_("SMS preview"))
    def sms_preview(self, obj):
        if obj is None or not obj.pk:
            return _("Shown once the survey is saved.")
        rows = []
        for code, name in settings.LANGUAGES:
            for reminder, kind in ((False, _("SMS invitation")), (True, _("SMS reminder"))):
                text = sms_invitation_sample(survey=obj, language=code, reminder=reminder)
                length = sms_length(text)
                rows.append((name, kind, text, length.encoding, length.units, length.segments))
        body = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td><td style="overflow-wrap:anywhere">{}</td>'
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            rows,
        )
        return format_html(
            # Scrolls sideways on a phone rather than widening the page.
            '<div style="overflow-x:auto;max-width:100%"><table class="sms-preview">'
            '<thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col" style="min-width:12em">{}'
            '</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr>'
            "</thead><tbody>{}</tbody></table></div>",
            _("Language"),
            _("Text message"),
            _("Text"),
            _("Encoding"),
            _("Length (septets or UTF-16 units)"),
            _("Segments"),
            body,
        )

    @admin.display(description=_("answers"), ordering="_responses")
    def response_count(self, obj):
        return obj._responses

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if departments_of(request.user) is not None and "department" in form.base_fields:
            # Someone of some departments keeps a survey in one of them: leaving
            # it empty would share it, its answers and cases with everyone.
            form.base_fields["department"].required = True
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.method == "GET":
            self.language_gaps_warn(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "_continue" not in request.POST:  # that change page warns by itself
            self.language_gaps_warn(request, obj)

    @staticmethod
    def language_gaps_warn(request, survey, customers=None):
        """Who would be asked in English for want of a question in their language."""
        gaps = services.survey_language_gaps(survey=survey, customers=customers)
        language_gaps_warn(request, gaps, survey_gap_message)


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Invitation.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Invitation.Status.values:
            return queryset.filter(status_value=self.value())
        return queryset


@admin.register(Invitation)
class InvitationAdmin(DepartmentScopedAdmin, DateHierarchyMixin, admin.ModelAdmin):
    list_display = (
        "customer",
        "survey",
        "channel",
        "status_shown",
        "skip_reason",
        "created_at",
        "scheduled_at",
        "sent_at",
        "reminded_at",
        "opened_at",
        "responded_at",
        "expires_at",
    )
    list_filter = (
        InvitationStatusFilter,
        "survey",
        "channel",
        "skip_reason",
        ("responded_at", admin.EmptyFieldListFilter),
        ("reminded_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("customer", "survey")
    search_fields = ("customer__email", "customer__name", "customer__external_id")
    autocomplete_fields = ("customer",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "status_shown",
        "skip_reason",
        "created_at",
        "scheduled_at",
        "cancelled_at",
        "expires_at",
        "sent_at",
        "reminded_at",
        "opened_at",
        "responded_at",
        "properties",
        "api_client",
        "idempotency_key",
    )
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    @admin.display(description=_("status"), ordering="status_value")
    def status_shown(self, obj):
        return Invitation.Status(obj.status).label

    def has_add_permission(self, request):
        # Invitations carry a secret link: they are created by sending a survey.
        return False

    def lookup_allowed(self, lookup, value, request):
        # The dashboard's response-rate numbers link here narrowed to a
        # segment; a wave page's, to its wave and a language.
        return lookup in (
            "customer__segment",
            "wave__id__exact",
            "customer__locale__in",
        ) or super().lookup_allowed(lookup, value, request)


class CsvExportMixin:
    """An export view at ``<list>/export/`` (URL name ``<app>_<model>_export``):
    every row the list shows, on all its pages, as CSV for a spreadsheet. It is
    the list's own queryset (``get_queryset``: only what the user may see, with
    the list's filters, search and order); bad filter parameters go back to the
    list, which explains them. It needs ``<app>.export_<model>`` as well as
    the list, and each export is recorded in the audit trail."""

    export_name = ""  # the file name's first part

    def export_lines(self, queryset):
        raise NotImplementedError

    def has_export_permission(self, request):
        return self.has_view_permission(request) and has_model_permission(
            request, self.opts, "export"
        )

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_export"
        export = path("export/", declared_view(self, self.export_csv, "export"), name=name)
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {})}
        extra_context["has_export_permission"] = self.has_export_permission(request)
        return super().changelist_view(request, extra_context)

    @replica_reads()
    def export_csv(self, request):
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            return HttpResponseRedirect(f"{url}?{request.GET.urlencode()}")
        queryset = changelist.queryset
        export_record(
            queryset=queryset,
            params=request.GET,
            via=VIA_ADMIN,
            actor=request.user,
            hidden=[SEARCH_VAR],
        )
        lines = self.export_lines(queryset)
        return exports.csv_response(lines, f"{self.export_name}-{timezone.now():%Y%m%d-%H%M}.csv")


@admin.register(Response)
class ResponseAdmin(
    DepartmentScopedAdmin, AnswerImportViews, DateHierarchyMixin, CsvExportMixin, admin.ModelAdmin
):
    list_display = (
        "submitted_at",
        "survey",
        "customer",
        "score",
        "category",
        "short_comment",
        "driver",
        "segment",
        "channel",
        "exclusion_reason",
        "is_historical",
        "routed_at",
        "properties_shown",
    )
    list_filter = (
        "category",
        "survey__department",
        "survey",
        "segment",
        "channel",
        "exclusion_reason",
        "is_historical",
        "source",
        ("routed_at", admin.EmptyFieldListFilter),
        "score",
        "driver",
    )
    list_select_related = ("customer", "survey", "driver")
    search_fields = (
        "comment",
        "customer__email",
        "customer__name",
        "idempotency_key",
        "source_id",
    )
    date_hierarchy = "submitted_at"
    readonly_fields = (
        "survey",
        "customer",
        "invitation",
        "score",
        "category",
        "comment",
        "driver",
        "channel",
        "submitted_at",
        "segment",
        "locale",
        "properties",
        "idempotency_key",
        "is_historical",
        "source",
        "source_id",
        "created_at",
        "routed_at",
    )
    fields = (*readonly_fields[:-2], "exclusion_reason", "created_at", "routed_at")
    actions = ("exclude_as_test", "exclude_as_spam", "exclude_as_duplicate", "include_again")
    show_full_result_count = False
    change_list_template = "admin/surveys/response/change_list.html"

    def has_add_permission(self, request):
        # Answers come from customers (survey page, API, import), not from staff.
        return False

    def lookup_allowed(self, lookup, value, request):
        # A wave page's numbers link here narrowed to its wave and a language;
        # the dashboard's comment themes, to the answers of one theme's period.
        return lookup in (
            "invitation__wave__id__exact",
            "customer__locale__in",
            "theme_assignment__period__id__exact",
        ) or (super().lookup_allowed(lookup, value, request))

    export_name = "responses"

    def export_lines(self, queryset):
        return exports.response_csv_lines(queryset, bom=True)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("properties"))
    def properties_shown(self, obj):
        # Escaped by the admin, as every column's text is.
        return ", ".join(f"{name}: {value}" for name, value in obj.properties.items())

    @admin.display(description=_("comment"))
    def short_comment(self, obj):
        return obj.comment if len(obj.comment) <= 80 else obj.comment[:79] + "…"

    def has_exclude_permission(self, request):
        return has_model_permission(request, self.opts, "exclude")

    def _set_exclusion(self, request, queryset, reason):
        ids = list(queryset.exclude(exclusion_reason=reason).values_list("pk", flat=True))
        updated = Response.objects.filter(pk__in=ids).update(exclusion_reason=reason)
        if updated:
            included = reason == Response.ExclusionReason.INCLUDED
            audit_record(
                action=Action.RESPONSES_INCLUDED if included else Action.RESPONSES_EXCLUDED,
                actor=request.user,
                via=VIA_ADMIN,
                object_type=Response._meta.label_lower,
                object_ids=ids,
                details={} if included else {"reason": reason},
            )
        self.message_user(
            request,
            ngettext("%(count)d response updated.", "%(count)d responses updated.", updated)
            % {"count": updated},
            messages.SUCCESS,
        )

    @admin.action(description=_("Exclude from statistics: test"), permissions=["exclude"])
    def exclude_as_test(self, request, queryset):
        self._set_exclusion(request, queryset, Response.ExclusionReason.TEST)

    @admin.action(description=_("Exclude from statistics: spam"), permissions=["exclude"])
    def exclude_as_spam(self, request, queryset):
        self._set_exclusion(request, queryset, Response.ExclusionReason.SPAM)

    @admin.action(description=_("Exclude from statistics: duplicate"), permissions=["exclude"])
    def exclude_as_duplicate(self, request, queryset):
        self._set_exclusion(request, queryset, Response.ExclusionReason.DUPLICATE)

    @admin.action(description=_("Count in statistics again"), permissions=["exclude"])
    def include_again(self, request, queryset):
        self._set_exclusion(request, queryset, Response.ExclusionReason.INCLUDED)


def _detail_text(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_detail_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_detail_text(item) for item in value)
    return str(value)


@admin.register(AuditEvent)
class AuditEventAdmin(DateHierarchyMixin, admin.ModelAdmin):
    """The audit trail, for managers: read-only, as the model itself is."""

    list_display = ("at", "action", "actor_label", "via", "object_type", "count")
    list_filter = ("action", "via", "object_type")
    search_fields = ("actor_label",)
    date_hierarchy = "at"
    fields = (
        "at",
        "action",
        "actor_label",
        "actor_id",
        "via",
        "object_type",
        "object_ids_shown",
        "count",
        "details_shown",
    )
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request):
        # Ids, actors and export filters of another department's rows are its business.
        return events_seen(request.user, super().get_queryset(request))

    @admin.display(description=_("object ids"))
    def object_ids_shown(self, event):
        return _detail_text(event.object_ids) or "-"

    @admin.display(description=_("details"))
    def details_shown(self, event):
        """The details as labelled rows: staff read a table, not JSON."""
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><th>{}</th><td>{}</td></tr>",
                ((key, _detail_text(value)) for key, value in event.details.items()),
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ("name", "user", "scopes", "expires_at")

    def clean(self):
        cleaned = super().clean()
        user, scopes = cleaned.get("user"), cleaned.get("scopes")
        if user is not None and scopes:
            try:
                scopes_allowed_check(user=user, scopes=scopes)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """API keys by prefix, never the secret. A key made here is shown once, on
    the page that follows; after that only its digest exists. Keys cannot be
    edited: revoke one and make another (or rotate it: manage.py api_token)."""

    form = ApiKeyForm
    list_display = (
        "prefix",
        "name",
        "user",
        "scopes_shown",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_select_related = ("user", "created_by")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    raw_id_fields = ("user",)
    actions = ["revoke"]
    readonly_fields = (
        "prefix",
        "name",
        "user",
        "scopes_described",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "replaces",
    )

    @admin.display(description=_("scopes"))
    def scopes_shown(self, obj):
        return ", ".join(obj.scopes) or "-"

    @admin.display(description=_("scopes"))
    def scopes_described(self, obj):
        labels = dict(ApiScope.choices)
        lines = ((labels.get(scope, scope), scope) for scope in obj.scopes)
        return format_html_join(mark_safe("<br>"), "{} ({})", lines) or "-"

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ApiKeyForm.Meta.fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoked keys stay listed: the audit trail and the answers name them.
        return False

    def save_model(self, request, obj, form, change):
        issued = api_key_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            created_by=request.user,
            expires_at=form.cleaned_data.get("expires_at"),
            via="web",
        )
        obj.pk = issued.api_key.pk
        obj.prefix, obj.digest = issued.api_key.prefix, issued.api_key.digest
        obj._state.adding = False
        # Kept on this request only, for the page that shows it once.
        request.api_key_secret = issued.secret

    def response_add(self, request, obj, post_url_continue=None):
        return TemplateResponse(
            request,
            "admin/surveys/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("API key created"),
                "api_key": obj,
                "secret": request.api_key_secret,
            },
        )

    def has_revoke_permission(self, request):
        return request.user.has_perm("surveys.revoke_apikey")

    @admin.action(description=_("Revoke the selected keys now"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = sum(
            api_key_revoke(api_key=key, actor=request.user, via="web") for key in queryset
        )
        self.message_user(
            request,
            ngettext("%d key revoked.", "%d keys revoked.", revoked) % revoked,
            messages.SUCCESS,
        )
