"""The bonus for non-responders in the admin: the survey's inline that sets
it, the reminders drawn with or without it, and the bonuses granted."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F, Q
from django.forms.models import BaseInlineFormSet
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from followups.incentives.admin import GrantAdmin
from followups.models import BonusGrant, ReminderBonus, ReminderBonusAssignment
from surveys.admin_changelist import RecordAdmin
from surveys.admin_departments import DepartmentScopedAdmin


class SurveyRowsFormSet(BaseInlineFormSet):
    """Each row holds its survey as the form above edits it (unsaved on the
    add page): a row's ``clean()`` then judges it by the survey's kind as
    chosen, not as stored (Django gives a row only the survey's id)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        setattr(form.instance, self.fk.name, self.instance)
        return form


class ReminderBonusInline(admin.StackedInline):
    model = ReminderBonus
    formset = SurveyRowsFormSet
    # Switched off with "active", never deleted: its reminders keep their promise.
    can_delete = False
    extra = 0
    max_num = 1
    fields = ("is_active", "offer", "reward", "window_days", "share_percent")


class AnsweredFilter(admin.SimpleListFilter):
    """Answered within the window (what the report counts), late, or not."""

    title = _("answered")
    parameter_name = "answered"
    CHOICES = {
        "in_window": ReminderBonusAssignment.answered_in_window_q(),
        "late": Q(answered_at__gt=F("window_ends_at")),
        "no": Q(answered_at__isnull=True),
    }

    def lookups(self, request, model_admin):
        return (
            ("in_window", _("Within the window")),
            ("late", _("After the window")),
            ("no", _("Not answered")),
        )

    def queryset(self, request, queryset):
        condition = self.CHOICES.get(self.value() or "")
        return queryset if condition is None else queryset.filter(condition)


class GrantedFilter(admin.SimpleListFilter):
    title = _("bonus granted")
    parameter_name = "granted"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(grant__isnull=self.value() == "no")
        return queryset


@admin.register(ReminderBonusAssignment)
class ReminderBonusAssignmentAdmin(DepartmentScopedAdmin, RecordAdmin):
    department_path = "survey__department"

    # Who, which wave, which arm and whether they answered come first: the
    # survey's name (in the filter) is not repeated on every row, and what
    # the row is about stays on a laptop's screen without scrolling.
    list_display = (
        "customer_name",
        "wave_started",
        "arm",
        "answered_at",
        "window_ends_at",
        "reminded_at",
        "bonus",
    )
    list_filter = ("arm", AnsweredFilter, GrantedFilter, "survey")
    list_select_related = ("customer", "wave", "offer", "reward")
    search_fields = ("customer__email", "customer__name")
    date_hierarchy = "reminded_at"
    show_full_result_count = False

    @admin.display(description=_("customer"), ordering="customer__name")
    def customer_name(self, obj):
        return obj.customer.name or obj.customer.email

    @admin.display(description=_("wave"), ordering="wave__started_at")
    def wave_started(self, obj):
        if obj.wave is None:
            return None
        started = date_format(localtime(obj.wave.started_at), "SHORT_DATE_FORMAT")
        return format_html('<span class="nowrap">{}</span>', started)

    @admin.display(description=_("bonus"))
    def bonus(self, obj):
        # On one line: wrapped in the last, narrow column it made every row tall.
        incentive = obj.incentive
        return format_html('<span class="nowrap">{}</span>', incentive) if incentive else None

    def lookup_allowed(self, lookup, value, request):
        # The dashboard's bonus panel links here narrowed to one wave.
        allowed = ("wave__id__exact", "wave__isnull", "customer__segment")
        return lookup in allowed or super().lookup_allowed(lookup, value, request)


@admin.register(BonusGrant)
class BonusGrantAdmin(GrantAdmin):
    list_display = (
        "code_whole",
        "offer",
        "reward",
        "customer",
        "status",
        "created_at",
        "expires_at",
        "redeemed_at",
        "redeemed_order",
    )
    list_select_related = ("offer", "reward", "customer")
