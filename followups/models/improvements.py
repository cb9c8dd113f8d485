"""Improvement actions: the outer loop, a change made because a root cause keeps coming back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import Survey

from .cases import FollowUpCase, RootCause


class ImprovementAction(models.Model):
    """The outer loop: a change a manager owns because a root cause keeps
    coming back, with its effect on NPS before and after it took effect."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        NORMAL = 2, _("Normal")
        LOW = 3, _("Low")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, verbose_name=_("survey"))
    root_cause = models.ForeignKey(
        RootCause, on_delete=models.PROTECT, related_name="actions", verbose_name=_("root cause")
    )
    cases = models.ManyToManyField(
        FollowUpCase, blank=True, related_name="improvement_actions", verbose_name=_("cases")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="improvement_actions",
        verbose_name=_("owner"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PLANNED)
    target_segment = models.CharField(
        _("target segment"), max_length=100, blank=True, help_text=_("Empty: every segment.")
    )
    effective_from = models.DateTimeField(
        _("in effect from"),
        null=True,
        blank=True,
        help_text=_("When the change reached customers: NPS before and after is split here."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["priority", "-created_at"]

    def __str__(self) -> str:
        return self.title
