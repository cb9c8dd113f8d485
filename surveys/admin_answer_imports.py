"""The admin's answer import: upload (quick check of the file), preview (its
first rows as they will be stored) with a choice of dry run or import, then
the job page with progress and the line-numbered report. As for customers,
nothing is imported inside a web request; a worker runs the job."""

from __future__ import annotations

import logging
from functools import partial

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models.options import Options
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import answer_imports, imports, tasks
from .admin_departments import DepartmentScopedAdmin
from .admin_imports import ImportJobAdmin
from .admin_permissions import declared_view, has_model_permission
from .departments import in_departments
from .models import AnswerImport, Response, Survey

logger = logging.getLogger(__name__)


class AnswerImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    format = forms.ChoiceField(label=_("format"), choices=AnswerImport.Format.choices)
    survey = forms.ModelChoiceField(
        label=_("survey"),
        queryset=Survey.objects.order_by("name"),
        required=False,
        help_text=_("For the rows that name no survey (every row of a Delighted export)."),
    )

    def clean(self):
        cleaned = super().clean()
        upload, fmt = cleaned.get("file"), cleaned.get("format")
        if upload is None or fmt is None:
            return cleaned
        if upload.size > imports.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB; split it into smaller files.")
                % {"size": imports.MAX_FILE_BYTES // (1024 * 1024)}
            )
        data = upload.read()
        try:
            answer_imports.file_check(data=data, fmt=fmt)
        except imports.ImportFileError as exc:
            raise forms.ValidationError({"file": str(exc)}) from None
        cleaned["data"] = data
        return cleaned


def _enqueue(job_id: int) -> None:
    try:
        tasks.answer_import_run_task.delay(job_id)
    except Exception:
        # The job is saved; the periodic resume task queues it once the broker answers.
        logger.warning("Could not queue answer import %d; it will be resumed.", job_id)


class AnswerImportViews:
    """For ResponseAdmin: ``import/`` (upload) and ``import/<id>/`` (preview,
    then confirm as a dry run or an import). Both declare the ``import``
    permission (``surveys.import_response``)."""

    opts: Options  # set by the ModelAdmin this mixes into

    def has_import_permission(self, request) -> bool:
        return has_model_permission(request, self.opts, "import")

    def get_urls(self):
        return [
            path(
                "import/",
                declared_view(self, self.import_upload_view, "import"),
                name="surveys_response_import",
            ),
            path(
                "import/<int:job_id>/",
                declared_view(self, self.import_preview_view, "import"),
                name="surveys_response_import_preview",
            ),
            *super().get_urls(),  # the ModelAdmin's
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def _context(self, request, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            **context,
        }

    def import_upload_view(self, request):
        posted = request.method == "POST"
        form = AnswerImportForm(request.POST, request.FILES) if posted else AnswerImportForm()
        survey_field = form.fields["survey"]
        assert isinstance(survey_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        survey_field.queryset = in_departments(request.user, Survey.objects.order_by("name"))
        if posted and form.is_valid():
            job = answer_imports.answer_import_create(
                data=form.cleaned_data["data"],
                file_name=form.cleaned_data["file"].name,
                fmt=form.cleaned_data["format"],
                survey=form.cleaned_data["survey"],
                user=request.user,
            )
            return HttpResponseRedirect(
                reverse("admin:surveys_response_import_preview", args=[job.pk])
            )
        context = self._context(
            request,
            title=_("Import answers"),
            form=form,
            columns=answer_imports.GENERIC_COLUMNS,
            chunk_size=imports.CHUNK_SIZE,
        )
        return TemplateResponse(request, "admin/surveys/response/import.html", context)

    def import_preview_view(self, request, job_id: int):
        jobs = answer_imports.answer_imports_seen(request.user, AnswerImport.objects.all())
        job = get_object_or_404(jobs.select_related("survey"), pk=job_id)
        if job.confirmed_at is not None or job.is_finished:
            return HttpResponseRedirect(reverse("admin:surveys_answerimport_change", args=[job.pk]))
        if request.method == "POST":
            dry_run = "dry_run" in request.POST
            with transaction.atomic():
                if answer_imports.answer_import_confirm(job_id=job.pk, dry_run=dry_run):
                    transaction.on_commit(partial(_enqueue, job.pk))
            return HttpResponseRedirect(reverse("admin:surveys_answerimport_change", args=[job.pk]))
        preview = answer_imports.answers_preview(
            data=bytes(job.data), fmt=job.format, survey=job.survey
        )
        context = self._context(
            request,
            title=_("Preview of %(file)s") % {"file": job.file_name},
            job=job,
            preview=preview,
        )
        return TemplateResponse(request, "admin/surveys/response/import_preview.html", context)


@admin.register(AnswerImport)
class AnswerImportAdmin(DepartmentScopedAdmin, ImportJobAdmin):
    """Answer imports, read-only: who uploaded what, how far it got, and the
    report. Visible to those who hold ``surveys.view_answerimport`` (Managers)."""

    list_display = (
        "file_name",
        "format",
        "survey",
        "status",
        "dry_run",
        "progress",
        "answers_created",
        "answers_unchanged",
        "rows_refused",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "format", "dry_run")
    list_select_related = ("created_by", "survey")
    date_hierarchy = "created_at"
    parent_model = Response
    parent_context = "response_opts"
    job_template = "admin/surveys/answerimport/job.html"
    report_name = "answer-import"

    def department_scope(self, request, queryset):
        # Rows name surveys by slug: every survey named counts, not only the chosen one.
        return answer_imports.answer_imports_seen(request.user, queryset)
