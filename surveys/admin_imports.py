"""The admin's customer import: an upload page that checks the file quickly and
queues it, and a job page that shows its progress and, at the end, the report.
Nothing is imported inside the web request; a worker runs the job."""

from __future__ import annotations

import logging
from functools import partial

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.options import Options
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import imports, tasks
from .admin_changelist import DateHierarchyMixin
from .admin_permissions import declared_view, has_model_permission
from .models import Customer, CustomerImport

logger = logging.getLogger(__name__)

# Errors shown on the job page; the downloadable report has every one.
ERRORS_SHOWN = 1000


class CustomerImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filled per form, not at import time: "%" on a lazy text translates it
        # there and then, in whatever language the process started with.
        self.fields["file"].help_text = _(
            "UTF-8, with a header line; columns: %(columns)s (only email is required)."
        ) % {"columns": ", ".join(imports.COLUMNS)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB; split it into smaller files.")
                % {"size": imports.MAX_FILE_BYTES // (1024 * 1024)}
            )
        data = upload.read()
        try:
            imports.file_check(data=data)
        except imports.ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.cleaned_data["data"] = data
        return upload


def _enqueue(job_id: int) -> None:
    try:
        tasks.customer_import_run_task.delay(job_id)
    except Exception:
        # The job is saved; the periodic resume task queues it once the broker answers.
        logger.warning("Could not queue customer import %d; it will be resumed.", job_id)


class CustomerImportViews:
    """For CustomerAdmin: ``import/`` (URL name ``surveys_customer_import``), the
    upload page. Importing declares the ``import`` permission
    (``surveys.import_customer``): a run creates and updates customers in bulk,
    which is more than adding or changing one by hand."""

    import_export_change_list_template = "admin/surveys/customer/change_list.html"
    opts: Options  # set by the ModelAdmin this mixes into

    def has_import_permission(self, request) -> bool:
        return has_model_permission(request, self.opts, "import")

    def get_urls(self):
        upload = path(
            "import/",
            declared_view(self, self.import_upload_view, "import"),
            name="surveys_customer_import",
        )
        return [upload, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
            # "Save these filters": the list's filters as an audience to send to.
            "can_save_filter": request.user.has_perm("surveys.add_savedfilter"),
        }
        return super().changelist_view(request, extra_context)

    def import_upload_view(self, request):
        posted = request.method == "POST"
        form = CustomerImportForm(request.POST, request.FILES) if posted else CustomerImportForm()
        if posted and form.is_valid():
            with transaction.atomic():
                job = imports.customer_import_create(
                    data=form.cleaned_data["data"],
                    file_name=form.cleaned_data["file"].name,
                    user=request.user,
                )
                transaction.on_commit(partial(_enqueue, job.pk))
            return HttpResponseRedirect(
                reverse("admin:surveys_customerimport_change", args=[job.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import customers"),
            "form": form,
            "columns": imports.COLUMNS,
            "chunk_size": imports.CHUNK_SIZE,
        }
        return TemplateResponse(request, "admin/surveys/customer/import.html", context)


class ImportJobAdmin(DateHierarchyMixin, admin.ModelAdmin):
    """A file import's runs, read-only: its page with the progress and the
    first errors, and the whole line-numbered report as a download."""

    show_full_result_count = False
    # What a subclass names: the list the job's page links back to (and the
    # template's name for its options), the job's template, the report's file name.
    parent_model: type[models.Model]
    parent_context: str
    job_template: str
    report_name: str

    def get_queryset(self, request):
        # The file itself (up to 20 MB) is only for the worker.
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.rows_processed}/{obj.rows_total}"

    def get_urls(self):
        report = path(
            "<int:object_id>/report/",
            declared_view(self, self.report_view, "view"),
            name=f"{self.opts.app_label}_{self.opts.model_name}_report",
        )
        return [report, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = self.get_object(request, object_id)
        if job is None:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            self.parent_context: self.parent_model._meta,
            "title": _("Import of %(file)s") % {"file": job.file_name},
            "job": job,
            "errors": job.errors[:ERRORS_SHOWN],
            "more_errors": max(0, len(job.errors) - ERRORS_SHOWN),
        }
        return TemplateResponse(request, self.job_template, context)

    def report_view(self, request, object_id):
        """Every error of a run, one ``line N: reason`` a line, as plain text."""
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        lines = [
            (f"line {error['line']}: " if error["line"] else "") + error["message"]
            for error in job.errors
        ]
        response = HttpResponse(
            "\n".join([job.summary, *lines, ""]), content_type="text/plain; charset=utf-8"
        )
        filename = f"{self.report_name}-{job.pk}-report.txt"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(CustomerImport)
class CustomerImportAdmin(ImportJobAdmin):
    """Imports, read-only: who uploaded what, how far it got, and the report.
    Visible to those who hold ``surveys.view_customerimport`` (Managers)."""

    list_display = (
        "file_name",
        "status",
        "progress",
        "created_count",
        "updated_count",
        "unchanged_count",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status",)
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
    parent_model = Customer
    parent_context = "customer_opts"
    job_template = "admin/surveys/customerimport/job.html"
    report_name = "import"
