"""Comment themes in the admin: managers see them and name them; a name
stays with the theme in every later period. Each naming is audited."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from followups.insights.themes import answers_link, theme_rename
from followups.models import Theme
from surveys.admin import VIA_ADMIN
from surveys.admin_departments import DepartmentScopedAdmin
from surveys.audit import Action, audit_record


@admin.register(Theme)
class ThemeAdmin(DepartmentScopedAdmin, admin.ModelAdmin):
    department_path = "survey__department"

    list_display = ("label_shown", "survey", "words_shown", "period_count", "created_at")
    list_filter = ("survey",)
    list_select_related = ("survey",)
    search_fields = ("name",)
    fields = ("survey", "name", "words_shown", "latest_answers", "created_at")
    readonly_fields = ("survey", "words_shown", "latest_answers", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(period_count=Count("periods"))

    @admin.display(description=_("theme"), ordering="name")
    def label_shown(self, obj):
        return obj.label

    @admin.display(description=_("characteristic words"))
    def words_shown(self, obj):
        return ", ".join(obj.words)

    @admin.display(description=_("periods"), ordering="period_count")
    def period_count(self, obj):
        return obj.period_count

    @admin.display(description=_("answers of its latest period"))
    def latest_answers(self, obj):
        latest = obj.periods.order_by("-start").first()
        if latest is None:
            return "—"
        return format_html('<a href="{}">{}</a>', answers_link(latest.pk), latest.answers)

    def has_add_permission(self, request):
        return False  # themes are learned, never typed in

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("followups.rename_theme")

    def save_model(self, request, obj, form, change):
        if "name" in form.changed_data and theme_rename(theme=obj, name=obj.name):
            audit_record(
                action=Action.THEME_RENAMED,
                actor=request.user,
                via=VIA_ADMIN,
                objects=[obj],
                details={"named": bool(obj.name)},
            )
