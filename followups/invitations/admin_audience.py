"""Sending a survey to an audience from the admin: choose a segment, an
uploaded list or a saved filter, and email or SMS; see who would be invited,
who is skipped and why (and, by SMS, the segments the texts cost); send, and
follow the wave on its own page (``WaveAdmin``)."""

from __future__ import annotations

import secrets
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models.options import Options
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from followups.invitations.wave_sms import sms_wave_cost
from followups.invitations.waves import Audience, wave_plan, wave_start
from surveys import audiences, imports, services
from surveys.admin import VIA_ADMIN
from surveys.admin_languages import survey_gap_message
from surveys.admin_permissions import declared_view
from surveys.models import (
    WAVE_CHANNELS,
    Channel,
    Customer,
    CustomerList,
    EmployeeSurveyRefused,
    Locale,
    SavedFilter,
    Survey,
    Wave,
)

SAMPLES = 5  # customers shown per reason a preview skips them for
# How far (percent of the preview's count) the audience may move before sending.
DRIFT_PERCENT = 5


def _channel_field(**kwargs) -> forms.ChoiceField:
    """Email or SMS; left out, email (as every wave was before SMS)."""
    return forms.ChoiceField(
        choices=[(channel.value, channel.label) for channel in WAVE_CHANNELS],
        required=False,
        **kwargs,
    )


def _channel_clean(form: forms.Form) -> str:
    return form.cleaned_data.get("channel") or Channel.EMAIL


class AudienceForm(forms.Form):
    KINDS = (
        ("segment", _("A segment")),
        ("list", _("An uploaded list")),
        ("filter", _("A saved filter")),
    )
    # As the admin's own radio fields (``radio_fields``): laid out by its forms.css.
    kind = forms.ChoiceField(
        label=_("Send to"), choices=KINDS, widget=forms.RadioSelect(attrs={"class": "radiolist"})
    )
    channel = _channel_field(
        label=_("Send by"),
        initial=Channel.EMAIL,
        widget=forms.RadioSelect(attrs={"class": "radiolist"}),
        help_text=_(
            "By SMS, each customer gets a text to their phone with a short link to the "
            "survey, at the earliest after their quiet hours; customers without a phone "
            "are skipped."
        ),
    )
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    file = forms.FileField(
        label=_("List file (CSV)"),
        required=False,
        help_text=_(
            "UTF-8, with a header line naming a column email, external_id or both; "
            "one customer a line."
        ),
    )
    customer_list = forms.ModelChoiceField(
        label=_("or a list uploaded before"), queryset=CustomerList.objects.all(), required=False
    )
    saved_filter = forms.ModelChoiceField(
        label=_("Saved filter"), queryset=SavedFilter.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        segments = (
            Customer.objects.exclude(segment="")
            .order_by("segment")
            .values_list("segment", flat=True)
            .distinct()
        )
        field = cast(forms.ChoiceField, self.fields["segment"])
        field.choices = [("", "---------")] + [(s, s) for s in segments]
        self.list_read: tuple | None = None

    field_order = ("kind", "segment", "file", "customer_list", "saved_filter", "channel")

    def clean_channel(self) -> str:
        return _channel_clean(self)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > imports.MAX_FILE_BYTES:  # before reading it into memory
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB; split it into smaller files.")
                % {"size": imports.MAX_FILE_BYTES // (1024 * 1024)}
            )
        try:
            self.list_read = audiences.customer_list_read(data=upload.read())
        except imports.ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        except audiences.CustomerListRefused as refused:
            raise forms.ValidationError(_refusal(refused.errors)) from None
        return upload

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "segment" and not data.get("segment"):
            self.add_error("segment", _("Choose a segment."))
        chosen = data.get("file") or data.get("customer_list") or "file" in self.errors
        if kind == "list" and not chosen:
            self.add_error("file", _("Upload a list, or choose one uploaded before."))
        if kind == "filter" and not data.get("saved_filter"):
            self.add_error("saved_filter", _("Choose a saved filter."))
        return data

    def audience(self, user) -> Audience:
        """The audience chosen; an uploaded file is stored as a list first."""
        data = self.cleaned_data
        if data["kind"] == "segment":
            return Audience(segment=data["segment"])
        if data["kind"] == "filter":
            return Audience(saved_filter=data["saved_filter"])
        if self.list_read is None:
            return Audience(customer_list=data["customer_list"])
        upload = data["file"]
        stored = audiences.customer_list_store(
            name=upload.name, file_name=upload.name, read=self.list_read, user=user
        )
        return Audience(customer_list=stored)


def _refusal(errors: list[dict]) -> list[str]:
    """The bad lines of a refused list, one message each (the first few)."""
    shown = [
        gettext("Line %(line)d: %(message)s") % {"line": error["line"], "message": error["message"]}
        for error in errors[: audiences.ERRORS_SHOWN]
    ]
    more = len(errors) - len(shown)
    if more:
        shown.append(
            ngettext("…and %(count)d more bad line.", "…and %(count)d more bad lines.", more)
            % {"count": more}
        )
    shown.append(gettext("Nothing was stored: correct these lines and upload the file again."))
    return shown


class SendConfirmForm(forms.Form):
    """The audience a preview showed, posted back by its "Send now": exactly
    one audience, the preview's one-time token and how many it would invite."""

    segment = forms.CharField(required=False)
    customer_list = forms.ModelChoiceField(queryset=CustomerList.objects.all(), required=False)
    saved_filter = forms.ModelChoiceField(queryset=SavedFilter.objects.all(), required=False)
    channel = _channel_field()
    confirm_token = forms.CharField(max_length=64)
    previewed = forms.IntegerField(min_value=0)

    def clean_channel(self) -> str:
        return _channel_clean(self)

    def clean(self):
        data = super().clean()
        chosen = [name for name in ("segment", "customer_list", "saved_filter") if data.get(name)]
        if len(chosen) != 1 and not self.errors:
            raise forms.ValidationError(_("Choose exactly one audience."))
        return data

    def audience(self) -> Audience:
        return Audience(
            segment=self.cleaned_data["segment"],
            customer_list=self.cleaned_data["customer_list"],
            saved_filter=self.cleaned_data["saved_filter"],
        )


def _list_groups(audience: Audience) -> list[dict]:
    """The lines of an uploaded list that invite nobody, as preview groups."""
    customer_list = audience.customer_list
    if customer_list is None:
        return []
    groups = [
        (customer_list.unknown_lines, gettext("lines naming no customer")),
        (customer_list.repeated_lines, gettext("lines naming a customer already listed")),
    ]
    return [
        {"reason": reason, "count": len(lines), "lines": lines[:SAMPLES]}
        for lines, reason in groups
        if lines
    ]


class AudienceViews:
    """For the survey admin: ``<id>/audience/`` (``surveys_survey_audience``),
    the page that chooses, previews and sends. It declares ``change``, as the
    survey list's "send to every customer due" does."""

    opts: Options
    admin_site: AdminSite

    def get_urls(self):
        audience = path(
            "<path:object_id>/audience/",
            declared_view(self, self.audience_view, "change"),
            name="surveys_survey_audience",
        )
        return [audience, *super().get_urls()]

    def audience_view(self, request, object_id):
        survey = self.get_object(request, object_id)
        if survey is None:
            raise Http404(gettext("No such survey."))
        if not self.has_change_permission(request, survey):
            raise PermissionDenied
        if survey.is_employee:
            # Nor a preview: it would list customers for a survey they never get.
            messages.error(request, EmployeeSurveyRefused(survey).messages[0])
            return HttpResponseRedirect(reverse("admin:surveys_survey_change", args=[survey.pk]))
        if request.method == "POST" and "send" in request.POST:
            return self._send(request, survey)
        form = AudienceForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            if survey.status != Survey.Status.ACTIVE:
                form.add_error(None, _inactive(survey))
            else:
                audience = form.audience(request.user)
                return self._preview(request, survey, audience, form.cleaned_data["channel"])
        return self._page(request, survey, "followups/admin/audience.html", {"form": form})

    def _page(self, request, survey, template, context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": survey,
                "survey": survey,
                "title": gettext("Send “%(survey)s” to an audience") % {"survey": survey.name},
                **context,
            },
        )

    def _preview(self, request, survey, audience: Audience, channel: str):
        # Names and emails only to whom may see customers; counts to all.
        samples = SAMPLES if request.user.has_perm("surveys.view_customer") else 0
        plan = wave_plan(survey=survey, audience=audience, samples=samples, channel=channel)
        groups = [
            {
                "reason": plan.reason_text(reason),
                "count": count,
                "customers": plan.samples.get(reason, []),
            }
            for reason, count in sorted(plan.skipped.items())
        ]
        gaps = services.survey_language_gaps(survey=survey, customers=plan.due)
        languages = [
            survey_gap_message(gap.customers)
            % {"count": gap.customers, "language": Locale(gap.locale).label}
            for gap in gaps
        ]
        context = {
            "plan": plan,
            "audience": audience,
            "audience_text": str(audience),
            "groups": groups,
            "list_groups": _list_groups(audience),
            "language_gaps": languages,
            "confirm_token": secrets.token_urlsafe(32),
            "channel": channel,
            "by_sms": channel == Channel.SMS,
            "sms_cost": sms_wave_cost(plan) if channel == Channel.SMS else None,
        }
        return self._page(request, survey, "followups/admin/audience_preview.html", context)

    def _send(self, request, survey):
        form = SendConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                gettext(
                    "The audience to send to is gone or incomplete; choose it and preview again."
                ),
            )
            return HttpResponseRedirect(request.path)
        token = form.cleaned_data["confirm_token"]
        sent = Wave.objects.filter(confirm_token=token).first()
        if sent is not None:
            return _wave_page(sent)
        if survey.status != Survey.Status.ACTIVE:
            messages.error(request, _inactive(survey))
            return HttpResponseRedirect(request.path)
        audience = form.audience()
        channel = form.cleaned_data["channel"]
        drift = _drift(survey, audience, form.cleaned_data["previewed"], channel)
        if drift:
            messages.error(request, drift)
            return HttpResponseRedirect(request.path)
        try:
            with transaction.atomic():
                wave = wave_start(
                    survey=survey,
                    audience=audience,
                    started_by=request.user,
                    confirm_token=token,
                    channel=channel,
                    via=VIA_ADMIN,
                )
        except IntegrityError:  # the same preview sent twice at once: the other one won
            return _wave_page(Wave.objects.get(confirm_token=token))
        sending = (
            gettext("Texting “%(survey)s” to %(audience)s.")
            if channel == Channel.SMS
            else gettext("Sending “%(survey)s” to %(audience)s.")
        )
        messages.success(request, sending % {"survey": survey.name, "audience": audience})
        return _wave_page(wave)


def _wave_page(wave: Wave) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:surveys_wave_change", args=[wave.pk]))


def _drift(survey: Survey, audience: Audience, previewed: int, channel: str) -> str:
    """Why the audience is not sent as previewed ("" when it may be): the
    number to invite moved by more than ``DRIFT_PERCENT`` since the preview."""
    now = len(wave_plan(survey=survey, audience=audience, channel=channel).to_send)
    if abs(now - previewed) * 100 <= DRIFT_PERCENT * previewed:
        return ""
    return gettext(
        "The preview counted %(previewed)d customers to invite, but there are %(now)d now: "
        "the audience changed since. Nothing was sent; preview it again."
    ) % {"previewed": previewed, "now": now}


def _inactive(survey: Survey) -> str:
    return gettext("Only an active survey can be sent: “%(name)s” is %(status)s.") % {
        "name": survey.name,
        "status": survey.get_status_display(),
    }
