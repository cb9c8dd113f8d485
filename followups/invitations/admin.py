"""The survey admin with what follows from a survey: the offer and reward its
answers lead to, sending a wave of invitations (to every customer due, or to
an audience), and each wave's page with its progress and results.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from followups.incentives.admin import SurveyIncentiveInline
from followups.invitations.admin_audience import AudienceViews
from followups.invitations.bonus_admin import ReminderBonusInline
from followups.invitations.wave_results import OUTCOMES, WAVE_PARAMETER, wave_emails, wave_results
from followups.invitations.waves import Audience, wave_plan, wave_start
from followups.models import OutboundMessage
from followups.outbox.admin import OutboundMessageAdmin as BaseOutboundMessageAdmin
from nps_project.replica import replica_reads
from surveys.admin import VIA_ADMIN
from surveys.admin import SurveyAdmin as BaseSurveyAdmin
from surveys.admin_changelist import DateHierarchyMixin
from surveys.admin_departments import DepartmentScopedAdmin
from surveys.admin_permissions import declared_view
from surveys.models import Survey, Wave

admin.site.unregister(Survey)
admin.site.unregister(OutboundMessage)


def _wave_id(value) -> int | None:
    """A wave id from a URL, or None for anything a bigint column cannot hold."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


# How often the wave page asks for fresh numbers while its wave is under way
# or answers may still come.
POLL_SECONDS = 3


@admin.register(Survey)
class SurveyAdmin(AudienceViews, BaseSurveyAdmin):
    """The surveys admin, with the offer and reward its answers lead to, and
    sending a wave of invitations."""

    inlines = (*BaseSurveyAdmin.inlines, SurveyIncentiveInline, ReminderBonusInline)
    actions = ("send_wave",)
    change_form_template = "followups/admin/survey_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        survey = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_send": survey is not None and self.has_change_permission(request, survey),
            # Listed only to whom may open a wave's page.
            "waves": survey.waves.all()[:5]
            if survey is not None and request.user.has_perm("surveys.view_wave")
            else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(
        description=_("Send to every customer due (respects throttling)"), permissions=["change"]
    )
    def send_wave(self, request, queryset):
        surveys = list(queryset)
        employee = [s for s in surveys if s.is_employee]
        if employee:
            self.message_user(
                request,
                _(
                    "An employee survey is never sent to customers: %(names)s. Its employees "
                    "are asked with manage.py enps_invite."
                )
                % {"names": ", ".join(s.name for s in employee)},
                messages.ERROR,
            )
            return None
        inactive = [s for s in surveys if s.status != Survey.Status.ACTIVE]
        if inactive:
            self.message_user(
                request,
                _("Only active surveys can be sent: %(names)s is not active.")
                % {"names": ", ".join(s.name for s in inactive)},
                messages.ERROR,
            )
            return None
        plans = [wave_plan(survey=survey) for survey in surveys]
        for plan in plans:
            self.language_gaps_warn(request, plan.survey, plan.due)
        if "confirm" not in request.POST:
            return TemplateResponse(
                request,
                "followups/admin/send_wave.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Send surveys"),
                    "opts": self.model._meta,
                    "plans": plans,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for survey in surveys:
            wave_start(survey=survey, started_by=request.user, via=VIA_ADMIN)
        self.message_user(
            request,
            "; ".join(f"{plan.survey.name}: {plan.summary}" for plan in plans),
            messages.SUCCESS,
        )
        return None


@admin.register(Wave)
class WaveAdmin(DepartmentScopedAdmin, DateHierarchyMixin, admin.ModelAdmin):
    """Waves, read-only: the list, and each wave's page with its progress and
    results (``<id>/change/``), refreshed from ``<id>/results/`` (JSON)."""

    list_display = ("started_at", "survey", "audience", "channel", "invited", "finished_at")
    list_filter = ("survey", "channel")
    list_select_related = ("survey", "customer_list", "saved_filter")
    date_hierarchy = "started_at"
    show_full_result_count = False

    @admin.display(description=_("audience"))
    def audience(self, obj):
        return str(
            Audience(
                segment=obj.segment,
                customer_list=obj.customer_list,
                saved_filter=obj.saved_filter,
            )
        )

    def has_add_permission(self, request):
        return False  # a wave is started by sending a survey

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # its invitations say which wave asked them

    def get_urls(self):
        results = path(
            "<path:object_id>/results/",
            declared_view(self, self.results_view, "view"),
            name="surveys_wave_results",
        )
        return [results, *super().get_urls()]

    def _wave(self, request, object_id) -> Wave:
        wave_id = _wave_id(object_id)
        wave = (
            self.get_queryset(request)
            .select_related("survey", "customer_list", "saved_filter", "started_by")
            .filter(pk=wave_id)
            .first()
            if wave_id is not None
            else None
        )
        if wave is None:
            raise Http404(_("No such wave."))
        if not self.has_view_permission(request, wave):
            raise PermissionDenied
        return wave

    def change_view(self, request, object_id, form_url="", extra_context=None):
        wave = self._wave(request, object_id)
        results = wave_results(wave)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": wave,
            "wave": wave,
            "title": _("Wave of “%(survey)s”") % {"survey": wave.survey.name},
            "audience": self.audience(wave),
            "results": results,
            "results_url": reverse("admin:surveys_wave_results", args=[wave.pk]),
            "poll_seconds": POLL_SECONDS,
        }
        return TemplateResponse(request, "followups/admin/wave.html", context)

    @replica_reads()
    def results_view(self, request, object_id):
        return JsonResponse(wave_results(self._wave(request, object_id)))


class WaveFilter(admin.SimpleListFilter):
    """The first invitation emails (or texts) of one wave (the wave page links here)."""

    title = _("wave")
    parameter_name = WAVE_PARAMETER

    def lookups(self, request, model_admin):
        # Offered only once chosen: the wave page is where a wave is picked.
        # A bad id is offered as it is, so the list stays filtered (to
        # nothing): with no lookups, Django would ignore it and show every email.
        if self.value() is None:
            return []
        wave_id = _wave_id(self.value())
        label = _("wave #%(id)s") % {"id": wave_id} if wave_id is not None else _("no such wave")
        return [(self.value(), label)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        wave_id = _wave_id(self.value())
        if wave_id is None:
            return queryset.none()
        return queryset.filter(pk__in=wave_emails(wave_id).values("pk"))


class OutcomeFilter(admin.SimpleListFilter):
    """Sent (and not bounced since), bounced or waiting: the wave page's numbers."""

    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return (("sent", _("sent")), ("bounced", _("bounced")), ("waiting", _("waiting")))

    def queryset(self, request, queryset):
        if self.value() in OUTCOMES:
            return queryset.filter(OUTCOMES[self.value()])
        return queryset


@admin.register(OutboundMessage)
class OutboundMessageAdmin(BaseOutboundMessageAdmin):
    # The base names only fields; these two are filters of their own.
    list_filter = (*BaseOutboundMessageAdmin.list_filter, OutcomeFilter, WaveFilter)  # type: ignore[assignment]
