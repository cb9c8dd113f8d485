"""The survey admin with what follows from a survey: the offer and reward its
answers lead to, and sending a wave of invitations.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from followups.incentives.admin import SurveyIncentiveInline
from followups.invitations.waves import wave_plan, wave_start
from surveys.admin import SurveyAdmin as BaseSurveyAdmin
from surveys.models import Survey

admin.site.unregister(Survey)


@admin.register(Survey)
class SurveyAdmin(BaseSurveyAdmin):
    """The surveys admin, with the offer and reward its answers lead to, and
    sending a wave of invitations."""

    inlines = [SurveyIncentiveInline]
    actions = ("send_wave",)

    @admin.action(
        description=_("Send to every customer due (respects throttling)"), permissions=["change"]
    )
    def send_wave(self, request, queryset):
        surveys = list(queryset)
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
            wave_start(survey=survey)
        self.message_user(
            request,
            "; ".join(f"{plan.survey.name}: {plan.summary}" for plan in plans),
            messages.SUCCESS,
        )
        return None
