"""CSV imports run in the background: of customers, and of past answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .surveys import Survey


class ImportJob(models.Model):
    """One CSV file imported in the background (or by a ``manage.py`` command):
    what every kind of import keeps. The file is checked before anything is
    written, then written in chunks, each chunk one transaction that also
    advances ``rows_processed``, so progress shows and a killed run carries on
    from the last chunk that committed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking every row")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=255)
    # The uploaded bytes live in the database because the worker may run on
    # another host; they hold personal data, so they are emptied once the run
    # is over (only the counts and the line-numbered report stay).
    data = models.BinaryField(_("data"), editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_processed = models.PositiveIntegerField(_("rows imported"), default=0)
    # [{"line": 3, "message": "email: Enter a valid email address."}, ...];
    # "line" is null for what concerns the whole file.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress at"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return self.rows_processed * 100 // self.rows_total if self.rows_total else 0


class CustomerImport(ImportJob):
    """One CSV file of customers. The file is checked in full first; only a
    file without a single bad line is written."""

    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)

    class Meta:
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        ordering = ["-created_at"]

    @property
    def summary(self) -> str:
        """The outcome in one sentence; counts only for rows that committed."""
        counts = {
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
        }
        if self.status == self.Status.DONE:
            return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % counts
        if self.status != self.Status.FAILED:
            return _("%(done)d of %(total)d rows imported so far.") % {
                "done": self.rows_processed,
                "total": self.rows_total,
            }
        if self.rows_processed:
            return _(
                "Stopped after %(done)d of %(total)d rows: those were imported (%(created)d "
                "created, %(updated)d updated, %(unchanged)d unchanged), the rest was not."
            ) % {"done": self.rows_processed, "total": self.rows_total, **counts}
        lines = {error["line"] for error in self.errors if error.get("line")}
        if not lines:
            whole = "; ".join(error["message"] for error in self.errors)
            return _("Nothing was imported: %(reason)s") % {"reason": whole}
        return ngettext(
            "Nothing was imported: %(count)d line has errors.",
            "Nothing was imported: %(count)d lines have errors.",
            len(lines),
        ) % {"count": len(lines)}


class AnswerImport(ImportJob):
    """One CSV file of past answers (a Delighted export, or the answers CSV
    described in the README). Unlike a customer import, a bad line does not
    stop the others: it is reported with its number and left out. Answers are
    stored as historical (``Response.is_historical``): counted in reports,
    never routed. ``confirmed_at`` is empty while the upload waits on its
    preview page; only a confirmed job runs."""

    class Format(models.TextChoices):
        DELIGHTED = "delighted", _("Delighted export")
        GENERIC = "generic", _("Answers CSV")

    format = models.CharField(_("format"), max_length=10, choices=Format)
    survey = models.ForeignKey(
        Survey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey"),
        help_text=_("For the rows that name no survey (every row of a Delighted export)."),
    )
    # The surveys the file's rows name by slug, read at upload and again as
    # each chunk is written: who may read the job (its lines, its report)
    # depends on their departments (surveys.answer_imports.answer_imports_seen).
    named_surveys = models.ManyToManyField(
        Survey, related_name="+", blank=True, editable=False, verbose_name=_("surveys named")
    )
    dry_run = models.BooleanField(
        _("dry run"), default=False, help_text=_("Check every row; save nothing.")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    answers_created = models.PositiveIntegerField(_("answers imported"), default=0)
    answers_unchanged = models.PositiveIntegerField(_("answers already there"), default=0)
    customers_created = models.PositiveIntegerField(_("customers created"), default=0)
    customers_unsubscribed = models.PositiveIntegerField(_("customers unsubscribed"), default=0)
    rows_refused = models.PositiveIntegerField(_("lines refused"), default=0)

    class Meta:
        verbose_name = _("answer import")
        verbose_name_plural = _("answer imports")
        ordering = ["-created_at"]

    @property
    def summary(self) -> str:
        """The outcome in one sentence; counts only for rows that committed."""
        counts = {
            "created": self.answers_created,
            "unchanged": self.answers_unchanged,
            "customers": self.customers_created,
            "unsubscribed": self.customers_unsubscribed,
            "refused": self.rows_refused,
        }
        if self.status == self.Status.DONE and self.dry_run:
            return (
                _(
                    "Dry run, nothing saved: %(created)d answers would be imported, %(unchanged)d "
                    "are already there, %(customers)d customers would be created, %(refused)d "
                    "lines have errors."
                )
                % counts
            )
        if self.status == self.Status.DONE:
            return (
                _(
                    "%(created)d answers imported, %(unchanged)d already there, %(customers)d "
                    "customers created, %(unsubscribed)d unsubscribed, %(refused)d lines with "
                    "errors left out."
                )
                % counts
            )
        if self.status != self.Status.FAILED:
            return _("%(done)d of %(total)d rows imported so far.") % {
                "done": self.rows_processed,
                "total": self.rows_total,
            }
        whole = "; ".join(error["message"] for error in self.errors if not error.get("line"))
        return _("Stopped after %(done)d of %(total)d rows (those stay imported): %(reason)s") % {
            "done": self.rows_processed,
            "total": self.rows_total,
            "reason": whole,
        }
