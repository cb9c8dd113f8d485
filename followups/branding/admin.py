"""The brand and the email texts in the admin: managers edit them, preview
each customer email in each language, and send themselves a test."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from followups.branding.samples import email_preview, sample_email_send
from nps_project.numbers import whole_number
from surveys.admin import VIA_ADMIN
from surveys.admin_permissions import declared_view
from surveys.audit import Action, audit_record
from surveys.branding import (
    DEFAULT_TEXTS,
    LOGO_MAX_BYTES,
    PLACEHOLDERS,
    TEXT_PARTS,
    EmailKind,
    logo_content_type,
)
from surveys.models import TRANSLATED_LOCALES, Brand, EmailText, Locale

LANGUAGES = (Locale.ENGLISH, *TRANSLATED_LOCALES)


def _audit_change(request, obj, form) -> None:
    audit_record(
        action=Action.BRANDING_CHANGED,
        actor=request.user,
        via=VIA_ADMIN,
        objects=[obj],
        details={"fields": sorted(form.changed_data)},
    )


class BrandForm(forms.ModelForm):
    logo_file = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG or JPEG image, at most 256 KB and 2000 pixels a side."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Brand
        fields = (
            "company_name",
            "primary_colour",
            "accent_colour",
            "sender_name",
            "sender_address",
        )
        widgets = {
            "primary_colour": forms.TextInput(attrs={"type": "color"}),
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
        }

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        data = upload.read(LOGO_MAX_BYTES + 1)
        return data, logo_content_type(data)

    def save(self, commit=True):
        brand = super().save(commit=False)
        if self.cleaned_data.get("logo_file"):
            brand.set_logo(*self.cleaned_data["logo_file"])
        elif self.cleaned_data.get("remove_logo"):
            brand.set_logo(b"", "")
        if commit:
            brand.save()
        return brand


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    """One brand: its list is its page."""

    form = BrandForm
    readonly_fields = ("logo_shown",)
    fieldsets = (
        (None, {"fields": ("company_name", "logo_shown", "logo_file", "remove_logo")}),
        (_("Colours"), {"fields": ("primary_colour", "accent_colour")}),
        (_("Sender"), {"fields": ("sender_name", "sender_address")}),
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        return Brand.current() if str(object_id) == str(Brand.SINGLE_ID) else None

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        return HttpResponseRedirect(reverse("admin:surveys_brand_change", args=[Brand.SINGLE_ID]))

    @admin.display(description=_("current logo"))
    def logo_shown(self, obj):
        if not obj.has_logo:
            return _("No logo: the company name is shown instead.")
        url = reverse("surveys:brand_logo", args=[obj.logo_digest])
        return format_html('<img src="{}" alt="" style="max-height:48px;max-width:240px">', url)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit_change(request, obj, form)


class EmailTextForm(forms.ModelForm):
    """Each field shows, greyed, the text used while it is empty."""

    class Meta:
        model = EmailText
        fields = tuple(EmailText.column(part, lang) for lang in LANGUAGES for part in TEXT_PARTS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = EmailKind(self.instance.kind)
        for language in LANGUAGES:
            with translation.override(language):
                for part in TEXT_PARTS:
                    field = self.fields.get(EmailText.column(part, language))
                    if field is None:  # shown read-only: no widget
                        continue
                    field.widget.attrs["placeholder"] = str(DEFAULT_TEXTS[kind][part])
                    if part == "subject":
                        field.widget.attrs["style"] = "width: 100%; max-width: 40em"
                    else:
                        field.widget.attrs["rows"] = 3


@admin.register(EmailText)
class EmailTextAdmin(admin.ModelAdmin):
    form = EmailTextForm
    list_display = ("kind_name", "worded_in", "previews")
    readonly_fields = ("allowed_placeholders", "previews")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        note = _("Empty: the text shown greyed is used, translated.")
        return (
            (None, {"fields": ("allowed_placeholders", "previews")}),
            *(
                (
                    Locale(language).label,
                    {
                        "fields": [EmailText.column(part, language) for part in TEXT_PARTS],
                        "description": note,
                    },
                )
                for language in LANGUAGES
            ),
        )

    @admin.display(description=_("email"), ordering="kind")
    def kind_name(self, obj):
        return EmailKind(obj.kind).label

    @admin.display(description=_("written for"))
    def worded_in(self, obj):
        written = [
            str(Locale(language).label)
            for language in LANGUAGES
            if any(getattr(obj, EmailText.column(part, language)) for part in TEXT_PARTS)
        ]
        return ", ".join(written) or _("defaults only")

    @admin.display(description=_("placeholders"))
    def allowed_placeholders(self, obj):
        names = format_html_join(" ", "<code>{{{}}}</code>", ((n,) for n in PLACEHOLDERS[obj.kind]))
        return format_html("{} {}", _("Texts may use:"), names)

    @admin.display(description=_("preview"))
    def previews(self, obj):
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (self._url("preview", obj.pk, language), Locale(language).label)
                for language in LANGUAGES
            ),
        )

    @staticmethod
    def _url(view: str, pk, language: str) -> str:
        return reverse(f"admin:surveys_emailtext_{view}", args=[pk, language])

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit_change(request, obj, form)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/preview/<str:language>/",
                declared_view(self, self.preview_view, "view"),
                name="surveys_emailtext_preview",
            ),
            path(
                "<path:object_id>/test/<str:language>/",
                declared_view(self, require_POST(self.test_send_view), "change"),
                name="surveys_emailtext_test_send",
            ),
            *super().get_urls(),
        ]

    def _wording(self, object_id, language) -> EmailText:
        if language not in LANGUAGES:
            raise Http404
        pk = whole_number(object_id)
        wording = None if pk is None else EmailText.objects.filter(pk=pk).first()
        if wording is None:
            raise Http404
        return wording

    def preview_view(self, request, object_id, language):
        wording = self._wording(object_id, language)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": wording,
            "title": _("Preview: %(email)s") % {"email": EmailKind(wording.kind).label},
            "language": language,
            "languages": [
                (code, Locale(code).label, self._url("preview", wording.pk, code))
                for code in LANGUAGES
            ],
            "rendered": email_preview(kind=wording.kind, language=language),
            "test_url": self._url("test_send", wording.pk, language),
            "can_send": self.has_change_permission(request, wording),
        }
        return TemplateResponse(request, "admin/surveys/emailtext/preview.html", context)

    def test_send_view(self, request, object_id, language):
        wording = self._wording(object_id, language)
        preview = self._url("preview", wording.pk, language)
        try:
            email = sample_email_send(kind=wording.kind, language=language, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(preview)
        audit_record(
            action=Action.TEST_EMAIL_SENT,
            actor=request.user,
            via=VIA_ADMIN,
            objects=[wording],
            details={"language": language, "message_id": email.pk},
        )
        messages.success(
            request,
            _("A test email is on its way to %(address)s, through the outbox.")
            % {"address": request.user.email},
        )
        return HttpResponseRedirect(preview)
